/** `courtbridge adapter …` in-process: keys from the DID key store, ledger and registrations in one SQLite file. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';
import { main } from '../../../src/cli/main.js';
import { memoryIo } from '../../../src/cli/io.js';
import { bftDocument, tempDir } from './fixtures.js';

const tmp = tempDir('cb-reg-cli-');
const saved: Record<string, string | undefined> = {};
const ENV = {
  COURTBRIDGE_STORE: join(tmp.dir, 'cb.db'),
  COURTBRIDGE_MASTER_KEY: 'cli-registration-master-key-0123',
  DATABASE_URL: undefined,
  COURTBRIDGE_ADMINS: undefined as string | undefined,
  COURTBRIDGE_APPROVAL_THRESHOLD: '2',
};

async function run(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}
const lastJson = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!);

let partner: { did: string; kid: string };
let admins: { did: string; kid: string }[];

describe('courtbridge adapter (in-process)', () => {
  beforeAll(async () => {
    for (const k of Object.keys(ENV)) saved[k] = process.env[k];
    for (const [k, v] of Object.entries(ENV)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    expect((await run('ledger', 'init')).code).toBe(0);
    partner = lastJson((await run('did', 'create', '--alg', 'SM2')).out);
    admins = [];
    for (const alg of ['Ed25519', 'SM2', 'Ed25519']) admins.push(lastJson((await run('did', 'create', '--alg', alg)).out));
    process.env.COURTBRIDGE_ADMINS = admins.map((a) => a.did).join(',');
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    tmp.cleanup();
  });

  it('register → approve ×2 → list → disable, with coded failures on the way', async () => {
    const file = join(tmp.dir, 'reg.json');
    const doc = bftDocument(partner.did);
    writeFileSync(file, JSON.stringify(doc));
    const reg = await run('adapter', 'register', file, '--key', partner.kid);
    expect(reg.code, reg.err).toBe(0);
    expect(lastJson(reg.out)).toMatchObject({ chainId: 'bft:market-sup', version: 1, status: 'pending', partner: partner.did });

    const stale = await run('adapter', 'register', file, '--key', partner.kid);
    expect([stale.code, stale.err]).toEqual([2, expect.stringMatching(/^error\tREGISTRATION_VERSION_STALE\t/)]);
    const notMine = await run('adapter', 'register', file, '--key', admins[0]!.kid);
    expect(notMine.err).toMatch(/^error\tREGISTRATION_PARTNER_MISMATCH\t/);

    const a1 = await run('adapter', 'approve', 'bft:market-sup', '--key', admins[0]!.kid);
    expect(a1.code, a1.err).toBe(0);
    expect(lastJson(a1.out)).toMatchObject({ activated: false, approvals: [admins[0]!.did] });
    expect((await run('adapter', 'approve', 'bft:market-sup', '--version', '1', '--key', admins[0]!.kid)).err).toMatch(/^error\tAPPROVAL_DUPLICATE\t/);
    expect((await run('adapter', 'approve', 'bft:market-sup', '--key', partner.kid)).err).toMatch(/^error\tAPPROVER_NOT_ADMIN\t/);
    const a2 = await run('adapter', 'approve', 'bft:market-sup', '--version', '1', '--key', admins[1]!.kid);
    expect(lastJson(a2.out)).toMatchObject({ status: 'active', activated: true, activationIndex: 3 });

    const list = await run('adapter', 'list', '--active');
    expect(list.out.split('\n').map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ chainId: 'bft:market-sup', version: 1, status: 'active' })]);

    const dis = await run('adapter', 'disable', 'bft:market-sup', '--key', admins[2]!.kid, '--reason', '备案注销');
    expect(lastJson(dis.out)).toEqual({ chainId: 'bft:market-sup', disabled: 1 });
    expect((await run('adapter', 'list', '--active')).out).toBe('');
    expect(lastJson((await run('adapter', 'list')).out)).toMatchObject({ status: 'disabled' });

    // the ledger holds submitted, approved, approved, activated, disabled
    const head = await run('ledger', 'head');
    expect(JSON.parse(head.out).treeSize).toBe(5);
  });

  it('an invalid document is reported as invalid before anything is signed; usage errors', async () => {
    const file = join(tmp.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...bftDocument(partner.did), endpoints: ['http://rpc.example.com/'] }));
    const r = await run('adapter', 'register', file, '--key', partner.kid);
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/^error\tREGISTRATION_INVALID\t/)]);
    expect((await run('adapter', 'approve', 'bft:none', '--key', admins[0]!.kid)).err).toMatch(/^error\tREGISTRATION_NOT_FOUND\t/);
    expect((await run('adapter', 'register', file)).code).toBe(1); // parsed first, then --key is required
    expect((await run('adapter', 'approve', 'bft:market-sup', '--version', '0', '--key', admins[0]!.kid)).err).toMatch(/^error\tBAD_INTEGER\t/);
    expect((await run('adapter')).code).toBe(2);
    expect((await run('adapter', 'list', '--bogus')).err).toMatch(/^error\tINVALID_INPUT\t/);
  });

  it('without COURTBRIDGE_ADMINS the hub refuses to run (CONFIG_INVALID)', async () => {
    const keep = process.env.COURTBRIDGE_ADMINS;
    delete process.env.COURTBRIDGE_ADMINS;
    try {
      expect((await run('adapter', 'list')).err).toMatch(/^error\tCONFIG_INVALID\t/);
    } finally {
      process.env.COURTBRIDGE_ADMINS = keep;
    }
  });
});

describe('courtbridge adapter (spawned, compiled dist)', () => {
  it('node bin/courtbridge.js adapter register / approve / list', () => {
    const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { stdio: 'ignore' });
    } catch { /* other areas' type errors do not stop emission */ }
    const t = tempDir('cb-reg-spawn-');
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, COURTBRIDGE_STORE: join(t.dir, 'cb.db'), COURTBRIDGE_MASTER_KEY: 'spawned-registration-key-0123' };
      delete env.DATABASE_URL;
      const run = (...a: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'courtbridge.js'), ...a], { env, encoding: 'utf8' });
      expect(run('ledger', 'init').status).toBe(0);
      const p = JSON.parse(run('did', 'create', '--alg', 'Ed25519').stdout.trim());
      const a = JSON.parse(run('did', 'create', '--alg', 'SM2').stdout.trim());
      env.COURTBRIDGE_ADMINS = a.did;
      env.COURTBRIDGE_APPROVAL_THRESHOLD = '1';
      const file = join(t.dir, 'reg.json');
      writeFileSync(file, JSON.stringify(bftDocument(p.did)));
      const reg = run('adapter', 'register', file, '--key', p.kid);
      expect(reg.status, reg.stderr).toBe(0);
      expect(JSON.parse(run('adapter', 'approve', 'bft:market-sup', '--key', a.kid).stdout)).toMatchObject({ activated: true, status: 'active' });
      expect(JSON.parse(run('adapter', 'list', '--active').stdout)).toMatchObject({ chainId: 'bft:market-sup', version: 1, activationIndex: 2 });
      const again = run('adapter', 'register', file, '--key', p.kid);
      expect([again.status, again.stderr]).toEqual([2, expect.stringMatching(/^error\tREGISTRATION_VERSION_STALE\t/)]);
    } finally {
      t.cleanup();
    }
  });
});
