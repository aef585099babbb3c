import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// One spawned-process test per command family: the real `bin/courtbridge.js` from a fresh `tsc -p .` build.
beforeAll(() => {
  try {
    execFileSync('npx', ['tsc', '-p', '.'], { stdio: 'ignore' });
  } catch {
    // tsc exits non-zero when any file in the tree has a type error; it still emits. The spawn below is the test.
  }
}, 120_000);

const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['bin/courtbridge.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });

describe('courtbridge did / vc / proof did-key (spawned process)', () => {
  it('did resolve, did create, proof verify did-key: exit codes and output lines', () => {
    const ed = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';
    const r = cli(['did', 'resolve', ed]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).id).toBe(ed);
    const bad = cli(['did', 'resolve', 'did:nope:1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error\tDID_METHOD_UNSUPPORTED/);
    const dir = mkdtempSync(join(tmpdir(), 'did-spawn-'));
    const created = cli(['did', 'create', '--alg', 'SM2', '--keystore', join(dir, 'k.db')], { COURTBRIDGE_MASTER_KEY: 'spawn-test-passphrase' });
    expect(created.status).toBe(0);
    const { did } = JSON.parse(created.stdout);
    expect(did).toMatch(/^did:key:z/);
    const f = join(dir, 'p.json');
    writeFileSync(f, JSON.stringify({ type: 'did-key', did: ed, publicKeyHex: '3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29' }));
    const v = cli(['proof', 'verify', f]);
    expect(v.stdout.trim()).toBe(`${f}\tvalid`);
    expect(v.status).toBe(0);
    const vcUsage = cli(['vc']);
    expect(vcUsage.status).toBe(2);
  });
});
