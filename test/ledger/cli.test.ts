/**
 * `courtbridge ledger …` in-process (`main([...], memoryIo())`) for every subcommand against a real SQLite file, the
 * proof files fed to `courtbridge proof verify`, tampering found by `ledger audit`, the master-key file created with
 * mode 0600, and one spawned `node bin/courtbridge.js` run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { loadConfig, redactUrl } from '../../src/config.js';
import { CourtBridgeError } from '../../src/errors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cb-ledger-cli-'));
const db = join(dir, 'ledger.db');
const keyFile = join(dir, 'keys', 'master.key');

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await main(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('courtbridge ledger (in-process)', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    delete process.env.COURTBRIDGE_MASTER_KEY;
    delete process.env.COURTBRIDGE_STORE;
    delete process.env.DATABASE_URL;
    process.env.COURTBRIDGE_MASTER_KEY_FILE = keyFile;
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('init creates the ledger and a 0600 master key file, announcing it on stderr without the key', async () => {
    const r = await cli('ledger', 'init', '--store', db, '--origin', 'court.test/cli', '--hash', 'sm3');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { origin: string; hashAlg: string; verifierKeys: string[] };
    expect(out).toMatchObject({ origin: 'court.test/cli', hashAlg: 'sm3' });
    expect(out.verifierKeys).toHaveLength(2);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(r.err).toContain('created master key file');
    expect(r.err + r.out).not.toContain(key);
    const again = await cli('ledger', 'init', '--store', db);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/^error\tLEDGER_EXISTS\t/);
  });

  it('append FILE prints a receipt; get prints the canonical entry', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await cli('ledger', 'append', file(`a${i}.json`, JSON.stringify({ seq: i, case: '(2026)京0105民初1号' })), '--store', db);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ index: i, treeSize: i + 1 });
    }
    const g = await cli('ledger', 'get', '3', '--store', db);
    expect(g.code).toBe(0);
    expect(JSON.parse(g.out)).toMatchObject({ index: 3, entry: { case: '(2026)京0105民初1号', seq: 3 } });
  });

  it('append/get reject bad input with coded errors', async () => {
    expect((await cli('ledger', 'append', file('bad.json', '{"seq":'), '--store', db)).err).toMatch(/^error\tMALFORMED_JSON\t/);
    expect((await cli('ledger', 'append', file('num.json', '42'), '--store', db)).err).toMatch(/^error\tINVALID_INPUT\t/);
    expect((await cli('ledger', 'append', join(dir, 'missing.json'), '--store', db)).err).toMatch(/^error\tFILE_UNREADABLE\t/);
    expect((await cli('ledger', 'get', '99', '--store', db)).err).toMatch(/^error\tLEAF_NOT_FOUND\t/);
    expect((await cli('ledger', 'get', '-1', '--store', db)).err).toMatch(/^error\t(BAD_INTEGER|INVALID_INPUT)\t/);
    expect((await cli('ledger', 'get', '1e3', '--store', db)).err).toMatch(/^error\tBAD_INTEGER\t/);
    expect((await cli('ledger', 'prove', '0', '--size', '7', '--store', db)).err).toMatch(/^error\tLEDGER_SIZE_EXCEEDED\t/);
    expect((await cli('ledger', 'get', '0', '--store', join(dir, 'empty.db'))).err).toMatch(/^error\tLEDGER_NOT_INITIALIZED\t/);
    const usage = await cli('ledger', 'frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('usage: courtbridge ledger');
  });

  it('head --new signs a checkpoint; head shows it with the verifier keys', async () => {
    const n = await cli('ledger', 'head', '--new', '--store', db);
    expect(n.code).toBe(0);
    const head = JSON.parse(n.out) as { treeSize: number; checkpoint: { treeSize: number; note: string }; verifierKeys: string[] };
    expect(head.treeSize).toBe(6);
    expect(head.checkpoint.treeSize).toBe(6);
    expect(head.checkpoint.note.startsWith('court.test/cli\n6\n')).toBe(true);
    expect(JSON.parse((await cli('ledger', 'head', '--store', db)).out)).toEqual(head);
    // The note verifies with `proof verify` as a checkpoint file under each published key.
    for (const verifierKey of head.verifierKeys) {
      const f = file('cp.json', JSON.stringify({ type: 'checkpoint', note: head.checkpoint.note, verifierKey }));
      expect((await cli('proof', 'verify', f)).out).toBe(`${f}\tvalid`);
    }
  });

  it('prove and consistency print files that `proof verify` accepts; a changed byte is invalid', async () => {
    const p = await cli('ledger', 'prove', '4', '--store', db);
    expect(p.code).toBe(0);
    const inc = JSON.parse(p.out) as Record<string, unknown>;
    expect(inc).toMatchObject({ type: 'rfc9162-inclusion', hashAlg: 'sm3', origin: 'court.test/cli', leafIndex: 4, treeSize: 6 });
    const good = file('inc.json', p.out);
    expect((await cli('proof', 'verify', good)).out).toBe(`${good}\tvalid`);
    const forged = file('inc-bad.json', JSON.stringify({ ...inc, leafIndex: 3 }));
    expect((await cli('proof', 'verify', forged)).out).toMatch(/\tinvalid\t/);
    const older = await cli('ledger', 'prove', '1', '--size', '3', '--store', db);
    expect(JSON.parse(older.out)).toMatchObject({ leafIndex: 1, treeSize: 3 });

    const c = await cli('ledger', 'consistency', '2', '--store', db);
    expect(JSON.parse(c.out)).toMatchObject({ type: 'rfc9162-consistency', size1: 2, size2: 6 });
    const cf = file('cons.json', c.out);
    expect((await cli('proof', 'verify', cf)).out).toBe(`${cf}\tvalid`);
    const c2 = await cli('ledger', 'consistency', '3', '5', '--store', db);
    expect(JSON.parse(c2.out)).toMatchObject({ size1: 3, size2: 5 });
    expect((await cli('ledger', 'consistency', '0', '--store', db)).err).toMatch(/^error\tPROOF_SIZE_INVALID\t/);
  });

  it('audit prints ok, then names a leaf tampered with raw SQL and exits non-zero', async () => {
    const ok = await cli('ledger', 'audit', '--store', db);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^ok\t/);
    const raw = new Database(db);
    raw.prepare('UPDATE leaves SET data = ? WHERE idx = 2').run(Buffer.from('{"seq":2,"case":"forged"}'));
    raw.close();
    const bad = await cli('ledger', 'audit', '--store', db);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('finding\tleaf\tleaf 2: leaf hash does not match the stored bytes');
    expect(bad.err).toMatch(/^invalid\tLEDGER_TAMPERED\t1 finding/);
  });

  it('configuration: bad values fail with CONFIG_INVALID; credentials never appear in errors', async () => {
    expect(() => loadConfig({ COURTBRIDGE_LEDGER_HASH: 'md5' })).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }) as unknown as CourtBridgeError);
    expect(() => loadConfig({ COURTBRIDGE_GROUP_COMMIT_MAX: '0' })).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }) as unknown as CourtBridgeError);
    expect(() => loadConfig({ COURTBRIDGE_MASTER_KEY: 'short' })).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }) as unknown as CourtBridgeError);
    expect(() => loadConfig({ DATABASE_URL: './file.db' })).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }) as unknown as CourtBridgeError);
    expect(() => loadConfig({ COURTBRIDGE_STORE: 'mysql://u:p@h/db' })).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }) as unknown as CourtBridgeError);
    expect(loadConfig({}).store).toEqual({ kind: 'sqlite', path: './data/courtbridge.db' });
    expect(loadConfig({ DATABASE_URL: 'postgres://u:pw@db/x', COURTBRIDGE_PG_SCHEMA: 'ledger' }).store).toMatchObject({ kind: 'postgres', schema: 'ledger' });
    expect(redactUrl('postgres://court:s3cret@db.example:5432/ledger?password=x')).not.toMatch(/s3cret|court:|=x/);
    const r = await cli('ledger', 'head', '--store', 'postgres://court:s3cret@127.0.0.1:1/nowhere');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error\tSTORE_UNAVAILABLE\t/);
    expect(r.err).not.toContain('s3cret');
    process.env.COURTBRIDGE_LEDGER_ORIGIN = 'has space';
    expect((await cli('ledger', 'head', '--store', db)).err).toMatch(/^error\tCONFIG_INVALID\t/);
    delete process.env.COURTBRIDGE_LEDGER_ORIGIN;
  });

  it('spawned: node bin/courtbridge.js ledger init / append FILE / append - (stdin) / get / audit (compiled dist)', () => {
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { stdio: 'ignore' });
    } catch { /* other areas' type errors do not stop emission */ }
    const fresh = join(dir, 'spawned.db');
    const env = { ...process.env, COURTBRIDGE_STORE: fresh, COURTBRIDGE_MASTER_KEY: 'spawned-master-passphrase-0123' };
    const run = (...a: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'courtbridge.js'), 'ledger', ...a], { env, encoding: 'utf8' });
    expect(run('init').status).toBe(0);
    const a = run('append', file('s.json', '{"x":1}'));
    expect(a.status).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ index: 0, treeSize: 1 });
    const piped = spawnSync(process.execPath, [join(ROOT, 'bin', 'courtbridge.js'), 'ledger', 'append', '-'], { env, encoding: 'utf8', input: '{"from":"stdin"}' });
    expect(JSON.parse(piped.stdout)).toMatchObject({ index: 1, treeSize: 2 });
    expect(JSON.parse(run('get', '1').stdout)).toMatchObject({ entry: { from: 'stdin' } });
    expect(run('audit').stdout).toMatch(/^ok\t/);
    const missing = run('get', '5');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^error\tLEAF_NOT_FOUND\t/);
  }, 60_000);
});
