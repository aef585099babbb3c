import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry, schemaRegistry, validateRecord, personalFields, redactForLedger, checkRecord, MAX_FAILURES, defaultSchemaDir } from '../../src/schema/index.js';
import { subjectRef } from '../../src/ids/subject.js';
import { codeOf as code, errOf } from '../helpers/codes.js';

const DD = 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor/v1';
const fixture = (p: string): { valid: Record<string, unknown> } => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/domain/${p}`, import.meta.url)), 'utf8'));
const debtor = fixture('credit/dishonest-debtor.json').valid;
const SALT = new Uint8Array(32).fill(1);

describe('schema registry: validateRecord', () => {
  it('returns the typed record', () => {
    const ok = validateRecord<{ caseNumber: string }>(DD, debtor);
    expect(ok.schemaId).toBe(DD);
    expect(ok.record.caseNumber).toBe('（2023）京0105执12345号');
  });

  it('SCHEMA_UNKNOWN for unknown or non-string ids', () => {
    expect(code(() => validateRecord('https://courtbridge.example/schemas/domain/nope/v1', {}))).toBe('SCHEMA_UNKNOWN');
    expect(code(() => validateRecord(42 as unknown as string, {}))).toBe('SCHEMA_UNKNOWN');
    expect(code(() => personalFields('x'))).toBe('SCHEMA_UNKNOWN');
  });

  it('SCHEMA_INVALID names the pointer, keyword and identifier code, and never the value', () => {
    const e = errOf(() => validateRecord(DD, { ...debtor, debtor: { ...(debtor.debtor as object), residentId: '110105194912310021' } }));
    expect(e.code).toBe('SCHEMA_INVALID');
    expect(e.details.failures).toBe('/debtor/residentId x-identifier (RESIDENT_ID_INVALID)');
    expect(JSON.stringify(e)).not.toContain('110105194912310021');
  });

  it('wrong top-level types fail with keyword type', () => {
    for (const v of [null, [], 'record', 42, true, undefined]) {
      const r = checkRecord(DD, v);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.failures).toContainEqual({ pointer: '', keyword: 'type' });
    }
  });

  it('bounds the failure list and counts the rest', () => {
    const r = checkRecord(DD, { ...debtor, circumstances: Array.from({ length: 500 }, () => 'nope') });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.failures.length).toBe(MAX_FAILURES);
      expect(r.total).toBeGreaterThan(MAX_FAILURES);
    }
    expect(errOf(() => validateRecord(DD, { ...debtor, circumstances: Array(500).fill('nope') })).details.failures).toMatch(/…$/);
  });

  it('huge strings fail on maxLength (identifier checks never run the regex on them)', () => {
    const big = 'x'.repeat(5_000_000);
    for (const field of ['obligations', 'caseNumber', 'court', 'basisDocumentNumber']) {
      const r = checkRecord(DD, { ...debtor, [field]: big });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.failures).toContainEqual({ pointer: `/${field}`, keyword: 'maxLength' });
    }
  });

  it('deep nesting in declared and undeclared places fails closed without recursion', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const r1 = checkRecord(DD, { ...debtor, debtor: deep });
    const r2 = checkRecord(DD, { ...debtor, extra: deep });
    const r3 = checkRecord(DD, { ...debtor, obligations: deep });
    for (const r of [r1, r2, r3]) expect(r.ok).toBe(false);
    if (!r2.ok) expect(r2.failures).toContainEqual({ pointer: '/extra', keyword: 'additionalProperties' });
  });

  it('a JSON "__proto__" key is an unknown property, not a prototype', () => {
    const rec: unknown = JSON.parse(JSON.stringify(debtor).replace(/^\{/, '{"__proto__":{"x":1},'));
    const r = checkRecord(DD, rec);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failures).toContainEqual({ pointer: '/__proto__', keyword: 'additionalProperties' });
  });

  it('hostile objects (throwing getters) are reported, not thrown as foreign errors', () => {
    const hostile = { ...debtor };
    Object.defineProperty(hostile, 'court', { enumerable: true, get: () => { throw new TypeError('boom'); } });
    expect(code(() => validateRecord(DD, hostile))).toBe('SCHEMA_INVALID');
  });
});

describe('personal fields and redaction', () => {
  it('lists the personal fields of the dishonest-debtor schema', () => {
    expect(personalFields(DD)).toEqual(['/debtor/personName', '/debtor/residentId', '/debtor/legalRepresentative', '/obligations', '/performedPart', '/unperformedPart']);
    expect(personalFields('https://courtbridge.example/schemas/domain/ip/patent/v1')).toContain('/inventors/*');
  });

  it('replaces personal fields by subject refs and lists the subjects', () => {
    const before = JSON.stringify(debtor);
    const out = redactForLedger<{ debtor: Record<string, string>; caseNumber: string }>(DD, debtor, SALT);
    expect(JSON.stringify(debtor)).toBe(before); // input untouched
    const text = JSON.stringify(out);
    expect(text).not.toContain('11010519491231002X');
    expect(text).not.toContain('张三');
    expect(out.record.debtor.residentId).toBe(subjectRef('resident-id', '11010519491231002X', SALT));
    expect(out.record.debtor.personName).toBe(subjectRef('text', '张三', SALT));
    expect(out.record.caseNumber).toBe('（2023）京0105执12345号'); // not personal: stays in clear
    expect(out.subjects).toEqual([
      { pointer: '/debtor/personName', kind: 'text', ref: subjectRef('text', '张三', SALT), personal: true },
      { pointer: '/debtor/residentId', kind: 'resident-id', ref: subjectRef('resident-id', '11010519491231002X', SALT), personal: true },
      { pointer: '/caseNumber', kind: 'case-number', ref: subjectRef('case-number', '（2023）京0105执12345号', SALT), personal: false },
      { pointer: '/obligations', kind: 'text', ref: subjectRef('text', debtor.obligations, SALT), personal: true },
    ]);
  });

  it('the same person ingested in another spelling gets the same refs (query-time match)', () => {
    const variant = { ...debtor, caseNumber: '(2023)京0105执12345号', debtor: { kind: 'natural-person', personName: ' 张三 ', residentId: '110105491231002' } };
    const a = redactForLedger(DD, debtor, SALT).subjects.map((s) => s.ref);
    const b = redactForLedger(DD, variant, SALT).subjects.map((s) => s.ref);
    expect(b).toEqual(a);
    expect(redactForLedger(DD, debtor, SALT, 'hmac-sm3').subjects[0]?.ref).toMatch(/^hmac-sm3:/);
  });

  it('expands array templates and keeps organisation identifiers in clear', () => {
    const f = fixture('finance/loan-contract.json').valid;
    const out = redactForLedger<{ guarantors: Array<Record<string, string>>; lender: Record<string, string> }>('https://courtbridge.example/schemas/domain/finance/loan-contract/v1', f, SALT);
    expect(out.record.guarantors[0]?.residentId).toMatch(/^hmac-sha256:/);
    expect(out.record.lender.uscc).toBe('91100000100003962T');
    expect(out.record.lender.legalRepresentative).toMatch(/^hmac-sha256:/);
    expect(out.subjects.map((s) => s.pointer)).toContain('/guarantors/0/residentId');
    expect(out.subjects.find((s) => s.pointer === '/lender/uscc')).toMatchObject({ kind: 'uscc', personal: false });
  });

  it('redaction validates first and needs a real salt', () => {
    expect(code(() => redactForLedger(DD, { ...debtor, court: 1 }, SALT))).toBe('SCHEMA_INVALID');
    expect(code(() => redactForLedger(DD, debtor, new Uint8Array(8)))).toBe('CONFIG_INVALID');
  });
});

type Node = Record<string, unknown>;
function* nodes(n: unknown, path = '#'): Generator<[string, Node]> {
  if (n === null || typeof n !== 'object') return;
  if (Array.isArray(n)) {
    for (const [i, v] of n.entries()) yield* nodes(v, `${path}/${i}`);
    return;
  }
  yield [path, n as Node];
  for (const [k, v] of Object.entries(n as Node)) if (k !== 'enum' && k !== 'const') yield* nodes(v, `${path}/${k}`);
}

describe('schema hygiene', () => {
  const dir = defaultSchemaDir();
  const ids = schemaRegistry().schemaIds().filter((id) => id.includes('/schemas/domain/'));
  const load = (id: string): Node => JSON.parse(readFileSync(join(dir, `${id.replace('https://courtbridge.example/schemas/', '').replace(/\/v1$/, '')}.json`), 'utf8'));

  it.each(ids)('%s: 2020-12, $id, bilingual title, closed objects, capped strings, described properties', (id) => {
    const s = load(id);
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.$id).toBe(id);
    expect(s.title).toMatch(/\p{Script=Han}.* \/ [A-Za-z]{2}/u);
    for (const [path, n] of nodes(s)) {
      if (n.type === 'object') expect(n.additionalProperties, path).toBe(false);
      if (n.type === 'string' && n.enum === undefined && n.const === undefined) expect(typeof n.maxLength, path).toBe('number');
      if (n.type === 'array') expect(typeof n.maxItems, path).toBe('number');
      if (/\/properties\/[^/]+$/.test(path) && !/\/(if|then|else|not)\//.test(path)) expect(typeof n.description === 'string' || typeof n.$ref === 'string', path).toBe(true);
    }
  });
});

describe('loading schemas', () => {
  const withDir = (files: Record<string, unknown>, f: (dir: string) => void): void => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-schemas-'));
    try {
      mkdirSync(join(dir, 'x'));
      for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, 'x', name), typeof body === 'string' ? body : JSON.stringify(body));
      f(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const S = (id: string, props: Record<string, unknown> = {}): Record<string, unknown> => ({
    $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `https://t.example/${id}`, type: 'object', additionalProperties: false, properties: props,
  });

  it('rejects duplicate ids, non-JSON, missing $id, unknown keywords, bad x-identifier values and tagged non-strings', () => {
    withDir({ 'a.json': S('a'), 'b.json': S('a') }, (d) => expect(code(() => new SchemaRegistry(d))).toBe('CONFIG_INVALID'));
    withDir({ 'a.json': '{nope' }, (d) => expect(code(() => new SchemaRegistry(d))).toBe('CONFIG_INVALID'));
    withDir({ 'a.json': { type: 'object' } }, (d) => expect(code(() => new SchemaRegistry(d))).toBe('CONFIG_INVALID'));
    withDir({ 'a.json': S('a', { v: { type: 'string', maxLength: 3, 'x-unknown': 1 } }) }, (d) => expect(code(() => new SchemaRegistry(d))).toBe('CONFIG_INVALID'));
    withDir({ 'a.json': S('a', { v: { type: 'string', maxLength: 3, 'x-identifier': 'passport' } }) }, (d) => expect(code(() => new SchemaRegistry(d))).toBe('CONFIG_INVALID'));
    withDir({ 'a.json': S('a', { v: { type: 'integer', 'x-personal': true } }) }, (d) => expect(code(() => new SchemaRegistry(d))).toBe('CONFIG_INVALID'));
    withDir({ 'a.json': S('a', { v: { $ref: 'https://t.example/missing' } }) }, (d) => expect(code(() => new SchemaRegistry(d))).toBe('CONFIG_INVALID'));
  });

  it('without identifier checks (the benchmark baseline) a mutated identifier passes', () => {
    const plain = new SchemaRegistry(defaultSchemaDir(), { identifierChecks: false });
    const bad = { ...debtor, debtor: { ...(debtor.debtor as object), residentId: '110105194912310021' } };
    expect(plain.checkRecord(DD, bad)).toEqual({ ok: true });
    expect(schemaRegistry().checkRecord(DD, bad).ok).toBe(false);
  });
});
