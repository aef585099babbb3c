/**
 * Parsing and injection (issue 7): every route with path parameters, a query string or a body — found from the route
 * table and its JSON Schema (the OpenAPI document) — gets SQL metacharacters and NUL in every string field,
 * prototype-pollution keys, 10,000-level nesting, huge and negative-zero numbers and invalid UTF-8 bytes, each on an
 * otherwise well-formed request by a caller the route allows. Invariants: never a 5xx, every 4xx coded from the one
 * table; afterwards Object.prototype is unpolluted, every table still exists, the database passes its integrity
 * check, and no rejected request changed any table's row count. (test/api/fuzz.test.ts covers random requests.)
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable, type RouteInfo } from '../../src/api/app.js';
import { ERRORS } from '../../src/errors.js';
import { docHashes } from '../api/fixtures.js';
import { securityWorld, type Caller, type SecurityWorld } from './world.js';

type Schema = { type?: string | string[]; enum?: unknown[]; const?: unknown; pattern?: string; format?: string; minimum?: number; minLength?: number; properties?: Record<string, Schema>; required?: string[]; items?: Schema };
interface Op { parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }

let w: SecurityWorld;
let db: Database.Database;
let doc: { paths: Record<string, Record<string, Op>> };
let routes: RouteInfo[];
beforeAll(async () => {
  w = await securityWorld();
  db = new Database(w.dbPath, { readonly: true, fileMustExist: true });
  doc = (await w.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  routes = routeTable(w.app).filter((r) => r.url.startsWith('/api/') || r.url.includes(':'));
  const seed = await w.app.inject({ method: 'POST', url: '/api/v1/court/records', headers: await w.auth('court'), payload: { kind: 'court-document', documentType: '判决书', caseNumber: '（2024）京0105民初1号', hashes: docHashes('seed') } });
  expect(seed.statusCode).toBe(201);
});
afterAll(async () => {
  db?.close();
  await w?.close();
});

const tables = (): string[] => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
const counts = (): Record<string, number> => Object.fromEntries(tables().map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM "${t.replaceAll('"', '""')}"`).get() as { n: number }).n]));

/** A value the schema accepts (required properties only; patterns sampled with a fixed seed). */
function sample(s: Schema | undefined): unknown {
  if (!s) return 'x';
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'integer': case 'number': return Math.max(s.minimum ?? 1, 1);
    case 'boolean': return true;
    case 'array': return [sample(s.items)];
    case 'object': return Object.fromEntries((s.required ?? []).map((k) => [k, sample(s.properties?.[k])]));
    default:
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.pattern) return fc.sample(fc.stringMatching(new RegExp(s.pattern)), { numRuns: 1, seed: 7 })[0];
      return 'x'.repeat(Math.max(s.minLength ?? 1, 1));
  }
}

/** Every leaf path of `s` with its schema (objects recursed, arrays by their items at index 0). */
function leaves(s: Schema | undefined, path: (string | number)[] = []): { path: (string | number)[]; schema: Schema }[] {
  if (!s) return [];
  if (s.properties) return Object.entries(s.properties).flatMap(([k, v]) => leaves(v, [...path, k]));
  if (s.items && (s.type === 'array')) return leaves(s.items, [...path, 0]);
  return [{ path, schema: s }];
}
const isNumeric = (s: Schema) => ['integer', 'number'].includes(Array.isArray(s.type) ? s.type[0]! : s.type ?? '');

function setAt(root: Record<string, unknown>, path: (string | number)[], v: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let o: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = typeof k === 'number' ? [] : {};
    o = o[k] as Record<string | number, unknown>;
  }
  o[path.at(-1)!] = v;
  return copy;
}

const STRINGS = ["' OR 1=1 --", '"; DROP TABLE api_members; --', "1'; DELETE FROM ledger_leaves WHERE '1'='1", 'a\u0000b', '\u0000', '__proto__', 'constructor.prototype', '%00', '${7*7}'];
const NUMBERS = ['1e309', '-1e309', '18446744073709551616', '-0', '1e-400', '9007199254740993'];
const POLLUTE_KEYS = ['"__proto__":{"polluted":"yes"}', '"constructor":{"prototype":{"polluted":"yes"}}', '"__proto__":{"constructor":{"prototype":{"polluted":"yes"}}}'];
const POLLUTE_QUERY = ['__proto__[polluted]=yes', '__proto__.polluted=yes', 'constructor[prototype][polluted]=yes', 'constructor.prototype.polluted=yes', '__proto__=polluted'];
const DEPTH = 10_000;

const nowSec = Math.floor(Date.now() / 1000);
/** Well-formed bodies where a sampled one would be refused by a semantic check before the handler's storage code. */
const BASE_BODY: Record<string, () => Record<string, unknown>> = {
  'POST /api/v1/court/records': () => ({ kind: 'court-document', documentType: '判决书', caseNumber: '（2024）京0105民初2号', hashes: docHashes('injection base') }),
  'POST /api/v1/issuer/accreditations': () => ({ issuer: w.ids.stranger.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: nowSec - 60, validUntil: nowSec + 86_400 }),
};

interface Probe { label: string; url: string; body?: string | Buffer }

/** All probes of one route, built from its schema. */
function probes(r: RouteInfo): Probe[] {
  const op = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()] ?? {};
  const params = (op.parameters ?? []).filter((p) => p.in === 'path');
  const query = (op.parameters ?? []).filter((p) => p.in === 'query');
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  const baseParams: Record<string, string> = Object.fromEntries(params.map((p) => [p.name, String(sample(p.schema))]));
  const baseQuery: Record<string, string> = Object.fromEntries(query.filter((q) => q.required).map((q) => [q.name, String(sample(q.schema))]));
  const baseBody = (BASE_BODY[`${r.method} ${r.url}`]?.() ?? (bodySchema ? sample(bodySchema) : undefined)) as Record<string, unknown> | undefined;
  const url = (ps: Record<string, string>, q: Record<string, string>, rawQ = '', rawPath?: [string, string]) => {
    const path = r.url.replace(/:(\w+)/g, (_m, n: string) => (rawPath && rawPath[0] === n ? rawPath[1] : encodeURIComponent(ps[n] ?? 'x')));
    const qs = [new URLSearchParams(q).toString(), rawQ].filter((x) => x !== '').join('&');
    return qs ? `${path}?${qs}` : path;
  };
  const json = (b: unknown) => JSON.stringify(b);
  const out: Probe[] = [];
  const hasBody = r.method !== 'GET' && bodySchema !== undefined;
  const body = hasBody ? json(baseBody) : undefined;
  out.push({ label: 'baseline', url: url(baseParams, baseQuery), body });
  for (const p of params) {
    for (const s of STRINGS) out.push({ label: `param ${p.name}=${JSON.stringify(s)}`, url: url({ ...baseParams, [p.name]: s }, baseQuery), body });
    if (isNumeric(p.schema ?? {})) for (const n of NUMBERS) out.push({ label: `param ${p.name}=${n}`, url: url({ ...baseParams, [p.name]: n }, baseQuery), body });
    out.push({ label: `param ${p.name} invalid UTF-8`, url: url(baseParams, baseQuery, '', [p.name, '%ff%fe%c3%28']), body });
  }
  for (const q of query) {
    for (const s of STRINGS) out.push({ label: `query ${q.name}=${JSON.stringify(s)}`, url: url(baseParams, { ...baseQuery, [q.name]: s }), body });
    for (const n of NUMBERS) out.push({ label: `query ${q.name}=${n}`, url: url(baseParams, { ...baseQuery, [q.name]: n }), body });
    out.push({ label: `query ${q.name} invalid UTF-8`, url: url(baseParams, baseQuery, `${q.name}=%ff%fe%c3%28`), body });
  }
  for (const pq of POLLUTE_QUERY) out.push({ label: `query ${pq}`, url: url(baseParams, baseQuery, pq), body });
  if (hasBody && baseBody) {
    for (const leaf of leaves(bodySchema)) {
      for (const s of STRINGS) out.push({ label: `body ${leaf.path.join('.')}=${JSON.stringify(s)}`, url: url(baseParams, baseQuery), body: json(setAt(baseBody, leaf.path, s)) });
      // Raw number tokens (JSON.stringify cannot write 1e309 or -0).
      for (const n of NUMBERS) out.push({ label: `body ${leaf.path.join('.')}=${n}`, url: url(baseParams, baseQuery), body: json(setAt(baseBody, leaf.path, '@@N@@')).replace('"@@N@@"', n) });
      out.push({ label: `body ${leaf.path.join('.')} nested ${DEPTH} arrays`, url: url(baseParams, baseQuery), body: json(setAt(baseBody, leaf.path, '@@D@@')).replace('"@@D@@"', `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`) });
      out.push({ label: `body ${leaf.path.join('.')} nested ${DEPTH} objects`, url: url(baseParams, baseQuery), body: json(setAt(baseBody, leaf.path, '@@D@@')).replace('"@@D@@"', `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`) });
      if (leaf.path.length > 1) for (const k of POLLUTE_KEYS) out.push({ label: `body ${leaf.path.slice(0, -1).join('.')} with ${k}`, url: url(baseParams, baseQuery), body: json(setAt(baseBody, leaf.path, '@@L@@')).replace(/"@@L@@"/, (m) => `${m},${k}`) });
      // Invalid UTF-8 bytes inside a string of the raw body.
      const [pre, post] = json(setAt(baseBody, leaf.path, '@@U@@')).split('@@U@@') as [string, string];
      out.push({ label: `body ${leaf.path.join('.')} invalid UTF-8`, url: url(baseParams, baseQuery), body: Buffer.concat([Buffer.from(pre), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(post)]) });
    }
    for (const k of POLLUTE_KEYS) out.push({ label: `body with ${k}`, url: url(baseParams, baseQuery), body: json(baseBody).replace(/^\{/, `{${k},`) });
    out.push({ label: `body nested ${DEPTH} levels at the top`, url: url(baseParams, baseQuery), body: `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}` });
    out.push({ label: 'body invalid UTF-8 throughout', url: url(baseParams, baseQuery), body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0xc3, 0x28, 0x7d]) });
  }
  return out;
}

function callerFor(r: RouteInfo): Caller {
  return r.audience === 'public' ? 'public' : r.audience[0]!;
}

describe('injection and hostile parsing on every route with input', () => {
  it('never a 5xx, always coded; Object.prototype clean; tables intact; rejected requests change no row count', async () => {
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const tablesBefore = tables();
    const failures: string[] = [];
    let total = 0;
    const statuses: Record<number, number> = {};
    const perRoute: Record<string, Record<string, number>> = {};
    for (const r of routes) {
      for (const p of probes(r)) {
        const before = counts();
        const headers: Record<string, string> = { ...(await w.auth(callerFor(r))) };
        if (p.body !== undefined) headers['content-type'] = 'application/json';
        const res = await w.app.inject({ method: r.method as 'GET', url: p.url, headers, ...(p.body !== undefined ? { payload: p.body } : {}) });
        total++;
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        const pr = (perRoute[`${r.method} ${r.url}`] ??= {});
        const sc = `${res.statusCode} ${res.statusCode >= 400 ? (JSON.parse(res.body || '{}') as { code?: string }).code : ''}`;
        pr[sc] = (pr[sc] ?? 0) + 1;
        const row = `${r.method} ${r.url} ${p.label} → ${res.statusCode} ${res.body.slice(0, 160)}`;
        if (res.statusCode >= 500) failures.push(row);
        else if (res.statusCode >= 400) {
          let code: unknown;
          try { code = (res.json() as { code?: unknown }).code; } catch { code = undefined; }
          if (typeof code !== 'string' || !Object.hasOwn(ERRORS, code)) failures.push(`${row} (uncoded)`);
          const after = counts();
          if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${row} (rejected but changed rows: ${JSON.stringify(before)} → ${JSON.stringify(after)})`);
        }
        if (({} as Record<string, unknown>).polluted !== undefined || Object.getOwnPropertyNames(Object.prototype).sort().join() !== protoBefore.join()) {
          failures.push(`${row} (Object.prototype polluted)`);
          delete (Object.prototype as Record<string, unknown>).polluted;
        }
      }
    }
    if (process.env.COURTBRIDGE_SECURITY_PRINT) console.log(total, JSON.stringify(statuses), JSON.stringify(perRoute, null, 1));
    expect(failures).toEqual([]);
    // The probes reached handlers: some were accepted, most were rejected with a coded 4xx.
    expect(total).toBeGreaterThan(500);
    expect(Object.keys(statuses).some((s) => Number(s) < 300)).toBe(true);
    expect(tables()).toEqual(tablesBefore);
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    // The seeded record is still found (nothing was dropped or deleted).
    const found = await w.app.inject({ method: 'GET', url: `/api/v1/public/records?hash=${docHashes('seed').sha256}` });
    expect(found.json().found).toBe(true);
  }, 300_000);
});
