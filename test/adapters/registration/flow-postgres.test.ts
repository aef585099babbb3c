/**
 * The registration flow on PostgreSQL: ledger and registrations in one per-run schema of `COURTBRIDGE_TEST_PG`
 * (dropped afterwards). Skipped without the variable.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/ledger/ledger.js';
import { openStore } from '../../../src/ledger/store/open.js';
import { leafHash, verifyInclusion } from '../../../src/ledger/merkle.js';
import { JwtVerifier } from '../../../did/jwt.js';
import { DidResolver } from '../../../did/resolver.js';
import { openRegistrationStore } from '../../../adapters/registration/store.js';
import { RegistrationService } from '../../../adapters/registration/service.js';
import { signApproval, signDisable, signRegistration } from '../../../adapters/registration/jws.js';
import { registrationDigest } from '../../../adapters/registration/parse.js';
import { evmDocument, identity } from './fixtures.js';

const PG = process.env.COURTBRIDGE_TEST_PG;
const schema = `cbregflow_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(!PG)(`registration flow on PostgreSQL${PG ? '' : ' — skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)'}`, () => {
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
  });

  it('submit, 2-of-3 approval (Ed25519 + SM2 admins), disable; events provably in the PostgreSQL ledger', async () => {
    const config = { kind: 'postgres' as const, url: PG!, schema };
    const ledger = await Ledger.init(await openStore(config, { createSchema: true }), { origin: 'court.test/reg-pg', hashAlg: 'sm3', masterKey: 'registration-pg-master-key-0123' });
    const store = await openRegistrationStore(config);
    try {
      const t = 1_800_000_000;
      const admins = [identity('SM2'), identity('Ed25519'), identity('SM2')];
      const service = new RegistrationService({ store, sink: ledger, verifier: new JwtVerifier(new DidResolver()), admins: admins.map((a) => a.did), threshold: 2, now: () => t });
      const partner = identity();
      const doc = evmDocument(partner.did);
      const digest = registrationDigest(doc);
      await service.submit(await signRegistration(doc, partner.signer, t));
      for (const a of admins.slice(0, 2)) await service.approve(await signApproval({ admin: a.did, chainId: doc.chainId, version: 1, digest }, a.signer, t));
      expect((await service.listActive()).map((r) => r.version)).toEqual([1]);
      const ev = await service.evidence(doc.chainId);
      expect(ev.activationIndex).toBe(3);
      await expect(service.approve(await signApproval({ admin: admins[0]!.did, chainId: doc.chainId, version: 1, digest }, admins[0]!.signer, t))).rejects.toMatchObject({ code: 'REGISTRATION_STATE_INVALID' });
      expect(await service.disable(doc.chainId, await signDisable({ admin: admins[2]!.did, chainId: doc.chainId, version: 1, reason: 'test' }, admins[2]!.signer, t))).toBe(1);
      expect(await service.listActive()).toEqual([]);
      const size = await ledger.size();
      expect(size).toBe(5);
      for (let i = 0; i < size; i++) {
        const p = await ledger.proveInclusion(i);
        const leaf = leafHash(ledger.h, (await ledger.get(i)).data);
        expect(() => verifyInclusion(ledger.h, i, size, leaf, p.proof, p.root)).not.toThrow();
      }
    } finally {
      await store.close();
      await ledger.close();
    }
  });
});
