import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { StatusListRegistry } from '../../did/status-list.js';
import { MemorySink } from '../../did/attestation.js';
import { publishStatusListCredential } from '../../did/status-credential.js';
import { identity, lawFirmUscc, YEAR } from './fixtures.js';

let dir: string;
const saved = process.env.COURTBRIDGE_MASTER_KEY;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'did-cli-'));
  process.env.COURTBRIDGE_MASTER_KEY = 'cli-test-passphrase-not-secret';
});
afterAll(() => {
  if (saved === undefined) delete process.env.COURTBRIDGE_MASTER_KEY;
  else process.env.COURTBRIDGE_MASTER_KEY = saved;
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const io = memoryIo();
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('courtbridge did / vc (in-process)', () => {
  it('did create → vc issue → vc present → vc verify (valid, then invalid nonce); did resolve', async () => {
    const ks = join(dir, 'keys.db');
    const bureau = JSON.parse((await run(['did', 'create', '--alg', 'ES256', '--keystore', ks])).out[0]!);
    const lawyer = JSON.parse((await run(['did', 'create', '--keystore', ks])).out[0]!);
    expect(bureau.did).toMatch(/^did:key:zDn/);
    const resolved = await run(['did', 'resolve', lawyer.did]);
    expect(resolved.code).toBe(0);
    expect(JSON.parse(resolved.out.join('\n')).id).toBe(lawyer.did);

    const now = Math.floor(Date.now() / 1000);
    const claims = join(dir, 'claims.json');
    writeFileSync(claims, JSON.stringify({ name: '李四', licenseNumber: '11101201010654321', lawFirm: { name: '北京某某律师事务所', uscc: lawFirmUscc() }, jurisdiction: '110105', status: 'practising', annualRegistrationValidUntil: new Date((now + YEAR) * 1000).toISOString().slice(0, 10) }));
    const list = 'https://hub.example/status/rev';
    const issued = await run(['vc', 'issue', '--keystore', ks, '--type', 'LawyerLicenseCredential', '--issuer-kid', bureau.kid, '--subject', lawyer.did, '--claims', claims, '--valid-until', new Date((now + YEAR) * 1000).toISOString(), '--status-list', list, '--status-index', '7']);
    expect(issued.err).toEqual([]);
    expect(issued.code).toBe(0);
    const vcFile = join(dir, 'vc.jwt');
    writeFileSync(vcFile, issued.out[0]!);

    const court = identity().did;
    const nonce = 'challenge-0123456789abcdef';
    const presented = await run(['vc', 'present', '--keystore', ks, '--holder-kid', lawyer.kid, '--audience', court, '--nonce', nonce, vcFile]);
    expect(presented.code).toBe(0);
    const vpFile = join(dir, 'vp.jwt');
    writeFileSync(vpFile, presented.out[0]!);

    const hub = identity();
    const moj = identity().did;
    const reg = new StatusListRegistry('https://hub.example/status', new MemorySink());
    reg.ensureList('rev', 'revocation');
    const trust = join(dir, 'trust.json');
    writeFileSync(
      trust,
      JSON.stringify({
        roots: [moj],
        accreditations: [{ issuer: bureau.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: now - YEAR, validUntil: now + 2 * YEAR, delegatedBy: moj }],
        hubs: [hub.did],
        statusLists: { [list]: await publishStatusListCredential(reg, list, hub.did, hub.signer) },
      }),
    );
    const ok = await run(['vc', 'verify', vpFile, '--nonce', nonce, '--audience', court, '--trust', trust]);
    expect(ok.out.at(-1)).toBe('valid');
    expect(ok.code).toBe(0);
    expect(ok.out.slice(0, 7).map((l) => l.split('\t')[1])).toEqual(Array(7).fill('ok'));
    const bad = await run(['vc', 'verify', vpFile, '--nonce', 'another-nonce-0123456789', '--audience', court, '--trust', trust]);
    expect(bad.code).toBe(1);
    expect(bad.out.at(-1)).toBe('invalid\tVP_NONCE_MISMATCH');

    // --audit: the court's verification is attested to the configured ledger (court, credentials, result, time).
    const savedStore = process.env.COURTBRIDGE_STORE;
    process.env.COURTBRIDGE_STORE = join(dir, 'audit-ledger.db');
    try {
      expect((await run(['ledger', 'init'])).code).toBe(0);
      expect((await run(['vc', 'verify', vpFile, '--nonce', nonce, '--audience', court, '--trust', trust, '--audit'])).code).toBe(0);
      expect((await run(['vc', 'verify', vpFile, '--nonce', 'another-nonce-0123456789', '--audience', court, '--trust', trust, '--audit'])).code).toBe(1);
      const entries = await Promise.all([0, 1].map(async (i) => JSON.parse((await run(['ledger', 'get', String(i)])).out.join('\n'))));
      const audits = entries.map((e) => (typeof e.entry === 'object' ? e.entry : e.data ?? e));
      expect(JSON.stringify(audits)).toContain('courtbridge.did.vp-verification');
      expect(JSON.stringify(audits)).toContain('"result":"valid"');
      expect(JSON.stringify(audits)).toContain('VP_NONCE_MISMATCH');
      expect(JSON.stringify(audits)).toContain(court);
    } finally {
      if (savedStore === undefined) delete process.env.COURTBRIDGE_STORE;
      else process.env.COURTBRIDGE_STORE = savedStore;
    }
  });

  it('bad input → coded errors on stderr', async () => {
    const ks = join(dir, 'keys2.db');
    expect((await run(['did', 'create', '--alg', 'RSA', '--keystore', ks])).err[0]).toMatch(/^error\tUNSUPPORTED_ALGORITHM/);
    expect((await run(['did', 'resolve', 'did:example:1'])).err[0]).toMatch(/^error\tDID_METHOD_UNSUPPORTED/);
    expect((await run(['did', 'resolve', 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp', '--bogus'])).err[0]).toMatch(/^error\tINVALID_INPUT/);
    expect((await run(['vc', 'present', '--keystore', ks, '--holder-kid', 'did:key:zX#zX', '--audience', 'did:x:y', '--nonce', 'n', join(dir, 'missing.jwt')])).err[0]).toMatch(/^error\tFILE_UNREADABLE/);
    expect((await run(['vc', 'issue', '--keystore', ks, '--type', 'Nope'])).err[0]).toMatch(/^error\tINVALID_INPUT|^error\tUNKNOWN_TYPE/);
    expect((await run(['did'])).code).toBe(2);
  });
});

describe('courtbridge vc revoke|suspend|reinstate|status (attested to the real ledger, read back from it)', () => {
  it('was this licence valid on date D?', async () => {
    const savedStore = process.env.COURTBRIDGE_STORE;
    process.env.COURTBRIDGE_STORE = join(dir, 'ledger.db');
    try {
      expect((await run(['ledger', 'init'])).code).toBe(0);
      const ks = join(dir, 'keys3.db');
      const bureau = JSON.parse((await run(['did', 'create', '--keystore', ks])).out[0]!);
      const lawyer = identity();
      const now = Math.floor(Date.now() / 1000);
      const claims = join(dir, 'claims3.json');
      writeFileSync(claims, JSON.stringify({ name: '王五', licenseNumber: '11101201010111111', lawFirm: { name: '某律所', uscc: lawFirmUscc() }, jurisdiction: '110105', status: 'practising', annualRegistrationValidUntil: '2099-12-31' }));
      const rev = 'https://hub.example/status/rev';
      const sus = 'https://hub.example/status/sus';
      const issued = await run(['vc', 'issue', '--keystore', ks, '--type', 'LawyerLicenseCredential', '--issuer-kid', bureau.kid, '--subject', lawyer.did, '--claims', claims, '--valid-from', new Date((now - 3600) * 1000).toISOString(), '--valid-until', new Date((now + YEAR) * 1000).toISOString(), '--status-list', rev, '--status-index', '3', '--suspension-list', sus]);
      const vcFile = join(dir, 'vc3.jwt');
      writeFileSync(vcFile, issued.out[0]!);
      const before = new Date((now - 60) * 1000).toISOString();
      expect((await run(['vc', 'status', vcFile])).out.at(-1)).toBe('valid');
      const s = await run(['vc', 'suspend', '--list', sus, '--index', '3', '--reason', 'investigation']);
      expect(s.code).toBe(0);
      expect(JSON.parse(s.out[0]!)).toMatchObject({ purpose: 'suspension', value: true });
      const now1 = await run(['vc', 'status', vcFile]);
      expect(now1.code).toBe(1);
      expect(now1.out.at(-1)).toBe('invalid\tVC_SUSPENDED');
      expect((await run(['vc', 'status', vcFile, '--at', before])).out.at(-1)).toBe('valid');
      expect((await run(['vc', 'reinstate', '--list', sus, '--index', '3'])).code).toBe(0);
      expect((await run(['vc', 'status', vcFile])).out.at(-1)).toBe('valid');
      expect((await run(['vc', 'revoke', '--list', rev, '--index', '3'])).code).toBe(0);
      expect((await run(['vc', 'status', vcFile])).out.at(-1)).toBe('invalid\tVC_REVOKED');
      expect((await run(['vc', 'status', vcFile, '--at', before])).out.at(-1)).toBe('valid');
      expect((await run(['vc', 'status', vcFile, '--at', new Date((now - 7200) * 1000).toISOString()])).out.at(-1)).toBe('invalid\tVC_NOT_YET_VALID');
      expect((await run(['vc', 'status', vcFile, '--at', new Date((now + 2 * YEAR) * 1000).toISOString()])).out.at(-1)).toBe('invalid\tVC_EXPIRED');
      // revocation is permanent; the ledger keeps every change
      expect((await run(['vc', 'revoke', '--list', sus, '--index', 'x'])).err[0]).toMatch(/^error\tSTATUS_INDEX_OUT_OF_RANGE/);
      const head = await run(['ledger', 'head']);
      expect(JSON.parse(head.out.join('\n')).treeSize).toBe(3);
    } finally {
      if (savedStore === undefined) delete process.env.COURTBRIDGE_STORE;
      else process.env.COURTBRIDGE_STORE = savedStore;
    }
  });
});
