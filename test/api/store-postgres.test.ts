/**
 * The API on PostgreSQL (`COURTBRIDGE_TEST_PG`; own schema, dropped afterwards): court-record index and member
 * registry in the ledger's database, a court record attested and looked up through the app. Skipped without it.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthToken } from '../../did/auth.js';
import { JwtVerifier } from '../../did/jwt.js';
import { DidResolver } from '../../did/resolver.js';
import { buildApp } from '../../src/api/app.js';
import { openApiStore } from '../../src/api/store/open.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openPostgresStore } from '../../src/ledger/store/postgres.js';
import { identity } from '../did/fixtures.js';
import { subjectRef } from '../../src/ids/subject.js';
import { MASTER, docHashes } from './fixtures.js';

const PG = process.env.COURTBRIDGE_TEST_PG;
const schema = `cbapi_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(!PG)(`API store: PostgreSQL${PG ? '' : ' — skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)'}`, () => {
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });
  it('migrates twice, attests a court record idempotently, looks it up by both hashes and 存证编号, stores members', async () => {
    const ledgerStore = await openPostgresStore(PG!, { schema, createSchema: true });
    const ledger = await Ledger.init(ledgerStore, { origin: 'courtbridge.test/api-pg', hashAlg: 'sm3', masterKey: MASTER });
    const store = await openApiStore(ledgerStore);
    await store.migrate();
    const hub = identity();
    const court = identity();
    await store.putMember({ did: court.did, roles: ['partner'], enabled: true });
    await store.putMember({ did: court.did, roles: ['court'], enabled: true });
    expect(await store.get(court.did)).toEqual({ did: court.did, roles: ['court'], enabled: true });
    const salt = new Uint8Array(16).fill(3);
    const ref = subjectRef('case-number', '（2022）粤03民初5号', salt);
    await ledger.append({ attestation: { type: 'courtbridge.attestation/v1', id: `0x${'1'.repeat(64)}`, source: { chainId: 'eip155:1', recordType: 'loan', keyRef: 'k', blockHeight: 7, blockHash: '0x' }, record: { schemaId: 'https://courtbridge.example/schemas/domain/finance/loan/v1' }, subjects: [{ ref }], issuedAt: '2026-01-01T00:00:00.000Z' }, jws: '' });
    const app = await buildApp({ ledger, store, hubDid: hub.did, jwt: new JwtVerifier(new DidResolver()), rateLimit: false, log: { level: 'silent' }, subjectSalt: salt });
    try {
      const h = docHashes('pg document');
      const post = async () => app.inject({
        method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await createAuthToken(court.signer, court.did, hub.did)}` },
        payload: { kind: 'case-closure', documentType: '结案', caseNumber: '（2022）粤03民初5号', hashes: h },
      });
      const first = await post();
      expect(first.statusCode).toBe(201);
      expect(first.json().inclusion.hashAlg).toBe('sm3');
      const second = await post();
      expect([second.statusCode, second.json().record.evidenceId]).toEqual([200, first.json().record.evidenceId]);
      for (const q of [`hash=${h.sha256}`, `hash=${h.sm3}`, `evidenceId=${first.json().record.evidenceId}`]) {
        expect((await app.inject({ method: 'GET', url: `/api/v1/public/records?${q}` })).json().records).toHaveLength(1);
      }
      expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready' });
      const found = await app.inject({ method: 'GET', url: `/api/v1/court/attestations?domain=finance&caseNumber=${encodeURIComponent('（2022）粤03民初5号')}`, headers: { authorization: `Bearer ${await createAuthToken(court.signer, court.did, hub.did)}` } });
      expect(found.json().attestations).toMatchObject([{ chainId: 'eip155:1', recordType: 'loan', blockHeight: 7, domain: 'finance' }]);
    } finally {
      await app.close();
      await ledger.close();
    }
  });
});
