/**
 * Secrets at rest and in logs (issue 7), over a realistic run of the real processes (`bin/courtbridge.js` from a fresh
 * build): `ledger init` (two sealed ledger keys), `did create` (a court's P-256 key and an administrator's Ed25519 key
 * in the store's keystore), `api serve` (the hub's DID key created sealed in its key file), tokens signed with those
 * keys (unsealed by the test as an operator holding the master key would) used against the API (member added, records attested, attestations queried by a resident ID number and a
 * name, refused and replayed requests), `attest` through the relay with a resident ID as the record key, `ledger
 * audit`. Then:
 * - the raw SQLite file bytes (database, WAL, shared memory) and every table of the PostgreSQL schema hold none of
 *   the private keys — raw, hex (both cases), base64 (padded or not), base64url (= JWK `d`), nor the C2SP
 *   `PRIVATE+KEY` text — while the sealed forms are there;
 * - all output of the run (the API's pino lines on stdout, every CLI command's stdout and stderr) holds no bearer
 *   token, no private key in any of those encodings, and neither the resident ID nor the name.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthToken } from '../../did/auth.js';
import { signJwt, type JwsSigner } from '../../did/jwt.js';
import { didKeyFromPublicKey } from '../../did/key.js';
import { fromBase64, fromHex, toBase64, toBase64Url, toHex } from '../../src/crypto/bytes.js';
import { deriveMasterKey, openSecret } from '../../src/crypto/sealed.js';
import { keyPairFromPrivate, sign, type SigAlg } from '../../src/crypto/signature.js';
import { docHashes } from '../api/fixtures.js';

const PG = process.env.COURTBRIDGE_TEST_PG;
const MASTER = 'security-suite-master-passphrase-01';
const RESIDENT_ID = '11010519491231002X';
const NAME = '王小明';
const SALT_HEX = '5a'.repeat(32);

beforeAll(() => {
  try {
    execFileSync('npx', ['tsc', '-p', '.'], { stdio: 'ignore' });
  } catch {
    // tsc exits non-zero when any file in the shared tree has a type error; it still emits. The spawns are the test.
  }
}, 180_000);

/** Everything the run printed, per source. */
class Output {
  readonly chunks: string[] = [];
  add(source: string, text: string): void { this.chunks.push(`--- ${source}\n${text}`); }
  get all(): string { return this.chunks.join('\n'); }
}

interface RunResult {
  out: Output;
  tokens: string[];
  /** Private keys of the run: raw bytes, plus their textual forms that are not mere encodings (C2SP signer keys). */
  secrets: { name: string; raw: Uint8Array; text?: string }[];
  /** Public keys (controls: the search must find these where they are stored). */
  publicKeys: Uint8Array[];
}

/** The encodings searched for. */
function forms(raw: Uint8Array): string[] {
  const b64 = toBase64(raw);
  return [toHex(raw), toHex(raw).toUpperCase(), b64, b64.replace(/=+$/, ''), toBase64Url(raw)];
}

function cli(args: string[], env: Record<string, string>, out: Output): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/courtbridge.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  // Labelled by the command only: its arguments (a resident ID as a record key) are test input, not output.
  const label = `courtbridge ${args.slice(0, 2).join(' ')}`;
  out.add(`${label} (stdout)`, r.stdout);
  out.add(`${label} (stderr)`, r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function startApi(env: Record<string, string>, out: Output): Promise<{ url: string; proc: ChildProcess; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, ['bin/courtbridge.js', 'api', 'serve', '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) { clearInterval(t); resolve(m[1]!); }
      if (proc.exitCode !== null) { clearInterval(t); reject(new Error(`api serve exited ${proc.exitCode}: ${stderr.slice(0, 500)}`)); }
    }, 50);
  });
  return {
    url, proc,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
      out.add('courtbridge api serve (stdout)', stdout);
      out.add('courtbridge api serve (stderr)', stderr);
    },
  };
}

/** A JWS signer over a raw private key (the test holds the keys it unsealed; the API never sees them). */
const rawSigner = (alg: SigAlg, priv: Uint8Array, kid: string): JwsSigner => {
  const kp = keyPairFromPrivate(alg, priv);
  return { alg, kid, sign: (d) => sign(kp, d) };
};

/** Rows the run's stores hold, read back by the test (SQLite file or PostgreSQL schema). */
interface StoreReader {
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The realistic run on the configured store; returns its output, tokens and the private keys it unsealed. */
async function run(env: Record<string, string>, dir: string, reader: () => Promise<StoreReader>): Promise<RunResult> {
  const out = new Output();
  const tokens: string[] = [];
  expect(cli(['ledger', 'init'], env, out).status).toBe(0);
  const court = JSON.parse(cli(['did', 'create', '--alg', 'ES256'], env, out).stdout) as { did: string; kid: string };
  const admin = JSON.parse(cli(['did', 'create', '--alg', 'Ed25519'], env, out).stdout) as { did: string; kid: string };
  const api = await startApi({ ...env, COURTBRIDGE_API_ADMINS: admin.did }, out);
  let secrets: RunResult['secrets'] = [];
  let publicKeys: Uint8Array[] = [];
  try {
    // Unseal what the processes sealed, as an operator holding the master key would.
    const db = await reader();
    try {
      const kdf = (await db.query("SELECT v FROM did_keys_meta WHERE k = 'kdf_salt'"))[0]!.v as Uint8Array;
      const didMaster = deriveMasterKey(MASTER, new Uint8Array(kdf));
      const didRows = await db.query('SELECT kid, alg, public_key, sealed_private FROM did_keys ORDER BY kid');
      expect(didRows).toHaveLength(2);
      for (const r of didRows) {
        secrets.push({ name: `did key ${r.kid as string}`, raw: openSecret(r.sealed_private as string, didMaster, r.kid as string) });
        publicKeys.push(new Uint8Array(r.public_key as Uint8Array));
      }
      const meta = (await db.query('SELECT kdf_salt FROM ledger_meta'))[0]!;
      const ledgerMaster = deriveMasterKey(MASTER, new Uint8Array(meta.kdf_salt as Uint8Array));
      for (const r of await db.query('SELECT key_id, public_key, sealed_private FROM ledger_keys')) {
        const skey = Buffer.from(openSecret(r.sealed_private as string, ledgerMaster, r.key_id as string)).toString('utf8');
        expect(skey.startsWith('PRIVATE+KEY+')).toBe(true);
        // C2SP signer key: PRIVATE+KEY+<name>+<key id>+<base64(type byte ‖ key)>.
        const material = fromBase64(skey.split('+').slice(4).join('+'), 'signer key');
        secrets.push({ name: `ledger key ${r.key_id as string}`, raw: material.subarray(1), text: skey });
        publicKeys.push(new Uint8Array(r.public_key as Uint8Array));
      }
      expect(secrets).toHaveLength(4);
    } finally {
      await db.close();
    }
    const hubFile = JSON.parse(readFileSync(join(dir, 'hub.json'), 'utf8')) as { salt: string; sealed: string };
    secrets.push({ name: 'hub DID key', raw: openSecret(hubFile.sealed, deriveMasterKey(MASTER, fromHex(hubFile.salt, 'salt', 16)), 'courtbridge/relay-hub-key') });

    const priv = (name: string) => secrets.find((s) => s.name === name)!.raw;
    const courtSigner = rawSigner('ES256', priv(`did key ${court.kid}`), court.kid);
    const adminSigner = rawSigner('Ed25519', priv(`did key ${admin.kid}`), admin.kid);
    // The audience of bearer tokens is the hub's did:key (its did:web document is published for resolvers).
    const hubDid = didKeyFromPublicKey('Ed25519', keyPairFromPrivate('Ed25519', priv('hub DID key')).publicKey);
    const tok = async (s: JwsSigner, did: string) => { const t = await createAuthToken(s, did, hubDid); tokens.push(t); return t; };
    const call = async (method: string, path: string, token?: string, body?: unknown) => {
      const r = await fetch(`${api.url}${path}`, {
        method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return r.status;
    };
    expect(await call('PUT', `/api/v1/admin/members/${encodeURIComponent(court.did)}`, await tok(adminSigner, admin.did), { roles: ['court'], enabled: true })).toBe(200);
    const record = { kind: 'court-document', documentType: '判决书', caseNumber: '（2024）京0105民初9号', hashes: docHashes(`judgment of ${NAME} ${RESIDENT_ID}`) };
    expect(await call('POST', '/api/v1/court/records', await tok(courtSigner, court.did), record)).toBe(201);
    const q = new URLSearchParams({ subjectKind: 'resident-id', subject: RESIDENT_ID }).toString();
    expect(await call('GET', `/api/v1/court/attestations?${q}`, await tok(courtSigner, court.did))).toBe(200);
    expect(await call('GET', `/api/v1/court/attestations?${new URLSearchParams({ subjectKind: 'text', subject: NAME })}`, await tok(courtSigner, court.did))).toBe(200);
    // Refused requests carrying the identifiers in the body, the query and the path, and the token in odd places.
    expect(await call('POST', '/api/v1/court/records', await tok(courtSigner, court.did), { ...record, name: NAME, residentId: RESIDENT_ID })).toBe(400);
    expect(await call('GET', `/api/v1/public/records?evidenceId=${RESIDENT_ID}&name=${encodeURIComponent(NAME)}`)).toBe(400);
    expect(await call('GET', `/api/v1/nothing/${RESIDENT_ID}/${encodeURIComponent(NAME)}`)).toBe(404);
    const replayed = await tok(courtSigner, court.did);
    expect(await call('GET', '/api/v1/court/attestations', replayed)).toBe(200);
    expect(await call('GET', '/api/v1/court/attestations', replayed)).toBe(401);
    expect(await call('PUT', `/api/v1/admin/members/${encodeURIComponent(court.did)}`, await tok(courtSigner, court.did), { roles: ['admin'], enabled: true })).toBe(403);
    const forged = await signJwt({ iss: court.did, aud: hubDid, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60, jti: 'forged-1' }, rawSigner('Ed25519', priv('hub DID key'), court.kid));
    tokens.push(forged);
    expect(await call('GET', '/api/v1/court/attestations', forged)).toBe(401);
    expect(await call('GET', `/api/v1/court/attestations?token=${tokens[0]}`, `${tokens[0]!}x`)).toBe(401);
  } finally {
    await api.stop();
  }
  // The relay with a resident ID as the record key (no partner chain is configured: a coded failure), then an audit.
  const attest = cli(['attest', 'eip155:1', 'enterprise-info', RESIDENT_ID, '--timeout', '2000'], { ...env, COURTBRIDGE_SUBJECT_SALT: SALT_HEX }, out);
  expect(attest.status).not.toBe(0);
  expect(attest.stderr).toMatch(/^error\t[A-Z_]+\t/m);
  expect(cli(['ledger', 'audit'], env, out).status).toBe(0);
  return { out, tokens, secrets, publicKeys };
}

function assertNoSecretsInOutput(r: RunResult): void {
  const all = r.out.all;
  if (process.env.COURTBRIDGE_SECURITY_PRINT) console.log(all.slice(0, 20_000));
  expect(all).toContain('"route":"/api/v1/court/records"'); // the API's request lines are in the capture
  for (const t of r.tokens) {
    expect(all).not.toContain(t);
    expect(all).not.toContain(t.split('.')[2]!);
  }
  for (const s of r.secrets) {
    for (const f of forms(s.raw)) expect(all, `${s.name} in the output`).not.toContain(f);
    if (s.text) expect(all).not.toContain(s.text);
  }
  expect(all.includes(RESIDENT_ID), r.out.chunks.filter((c) => c.includes(RESIDENT_ID)).join('\n').slice(0, 2000)).toBe(false);
  expect(all.includes(NAME), r.out.chunks.filter((c) => c.includes(NAME)).join('\n').slice(0, 2000)).toBe(false);
}

function assertNoSecretsIn(haystack: Buffer, r: RunResult, where: string): void {
  for (const s of r.secrets) {
    expect(haystack.indexOf(Buffer.from(s.raw)), `${s.name} raw in ${where}`).toBe(-1);
    for (const f of forms(s.raw)) expect(haystack.indexOf(f), `${s.name} as ${f.slice(0, 6)}… in ${where}`).toBe(-1);
    if (s.text) expect(haystack.indexOf(s.text), `${s.name} text in ${where}`).toBe(-1);
  }
}

describe('secrets on SQLite: raw file bytes and the whole run output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-sec-'));
  const file = join(dir, 'cb.db');
  const env = { COURTBRIDGE_STORE: file, COURTBRIDGE_MASTER_KEY: MASTER, COURTBRIDGE_RELAY_KEY_FILE: join(dir, 'hub.json'), COURTBRIDGE_DID_WEB_DOMAIN: 'hub.court.test', COURTBRIDGE_SUBJECT_SALT: SALT_HEX, COURTBRIDGE_LEDGER_ORIGIN: 'courtbridge.test/security' };
  let r: RunResult;
  beforeAll(async () => {
    r = await run(env, dir, async () => {
      const db = new Database(file, { readonly: true });
      return { query: async (sql) => db.prepare(sql).all() as Record<string, unknown>[], close: async () => { db.close(); } };
    });
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('no private key in the database file, its WAL or shared memory; the sealed forms and public keys are there', () => {
    const bytes = Buffer.concat(['', '-wal', '-shm'].map((s) => `${file}${s}`).filter((f) => existsSync(f)).map((f) => readFileSync(f)));
    assertNoSecretsIn(bytes, r, 'the SQLite files');
    // Controls: the search finds what is stored (public keys as BLOBs, sealed private keys as text).
    for (const p of r.publicKeys) expect(bytes.indexOf(Buffer.from(p))).toBeGreaterThanOrEqual(0);
    expect(bytes.indexOf('cbsealed1')).toBeGreaterThanOrEqual(0);
    assertNoSecretsIn(readFileSync(join(dir, 'hub.json')), r, 'the hub key file');
  });
  it('no token, private key, resident ID or name in any output of the run', () => {
    assertNoSecretsOutputChecked(r);
  });
});

function assertNoSecretsOutputChecked(r: RunResult): void {
  expect(r.tokens.length).toBe(8);
  expect(r.secrets).toHaveLength(5);
  assertNoSecretsInOutput(r);
}

describe.skipIf(!PG)(`secrets on PostgreSQL: every table of the schema${PG ? '' : ' — skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-sec-pg-'));
  const schema = `cbsec_${process.pid}_${Date.now().toString(36)}`;
  const env = { COURTBRIDGE_STORE: PG ?? '', COURTBRIDGE_PG_SCHEMA: schema, COURTBRIDGE_MASTER_KEY: MASTER, COURTBRIDGE_RELAY_KEY_FILE: join(dir, 'hub.json'), COURTBRIDGE_DID_WEB_DOMAIN: 'hub.court.test', COURTBRIDGE_SUBJECT_SALT: SALT_HEX, COURTBRIDGE_LEDGER_ORIGIN: 'courtbridge.test/security' };
  const client = () => new pg.Client({ connectionString: PG, options: `-c search_path=${schema}` });
  let r: RunResult;
  beforeAll(async () => {
    const c = client();
    await c.connect();
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await c.end();
    r = await run(env, dir, async () => {
      const c2 = client();
      await c2.connect();
      return { query: async (sql) => (await c2.query(sql)).rows as Record<string, unknown>[], close: async () => { await c2.end(); } };
    });
  }, 180_000);
  afterAll(async () => {
    const c = client();
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('no private key in any row of any table (bytea as hex, text as is); the sealed forms and public keys are there', async () => {
    const c = client();
    await c.connect();
    try {
      const tables = (await c.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema])).rows.map((x: { table_name: string }) => x.table_name);
      expect(tables).toEqual(expect.arrayContaining(['did_keys', 'ledger_keys', 'leaves', 'api_members']));
      const parts: string[] = [];
      for (const t of tables) for (const row of (await c.query(`SELECT t::text AS x FROM ${schema}."${t}" t`)).rows as { x: string }[]) parts.push(row.x);
      // bytea prints as \x<hex>: a raw key stored as bytes shows as its hex form.
      const dump = Buffer.from(parts.join('\n'), 'utf8');
      assertNoSecretsIn(dump, r, `schema ${schema}`);
      for (const p of r.publicKeys) expect(dump.indexOf(toHex(p))).toBeGreaterThanOrEqual(0);
      expect(dump.indexOf('cbsealed1')).toBeGreaterThanOrEqual(0);
    } finally {
      await c.end();
    }
  });
  it('no token, private key, resident ID or name in any output of the run', () => {
    assertNoSecretsOutputChecked(r);
  });
});
