/**
 * Bearer tokens are single-use across API replicas (`COURTBRIDGE_TEST_PG`; own schema, dropped afterwards): two apps,
 * each with its own pool on one PostgreSQL schema (docs/scaling.md), share used jtis through `api_token_uses`
 * (did/replay.ts `StoreReplayGuard`). A token used on replica A is refused on replica B with 401 JWT_REPLAYED, as a
 * replay on one process is (test/security/tokens.test.ts); expired records are swept. Skipped without PostgreSQL.
 * On SQLite the same v2 table exists but the guard stays in memory unless `replayGuard: 'store'` asks for it.
 */
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthToken } from '../../did/auth.js';
import { JwtVerifier } from '../../did/jwt.js';
import { DidResolver } from '../../did/resolver.js';
import { StoreReplayGuard, tokenUseKey } from '../../did/replay.js';
import { CourtBridgeError } from '../../src/errors.js';
import { codeOf } from '../helpers/codes.js';
import { buildApp } from '../../src/api/app.js';
import { openApiStore } from '../../src/api/store/open.js';
import { API_SCHEMA_VERSION } from '../../src/api/store/types.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openPostgresStore } from '../../src/ledger/store/postgres.js';
import { identity } from '../did/fixtures.js';
import type { SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import { MASTER, apiWorld } from './fixtures.js';

const PG = process.env.COURTBRIDGE_TEST_PG;
const schema = `cbreplay_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(!PG)(`bearer-token replay across API replicas on PostgreSQL${PG ? '' : ' — skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)'}`, () => {
  const hub = identity();
  const court = identity();
  let clock = Math.floor(Date.now() / 1000);
  const replicas: { app: FastifyInstance; ledger: Ledger }[] = [];
  const admin = new pg.Client({ connectionString: PG });

  beforeAll(async () => {
    await admin.connect();
    for (let i = 0; i < 2; i++) {
      const ledgerStore = await openPostgresStore(PG!, { schema, createSchema: true });
      const ledger = i === 0
        ? await Ledger.init(ledgerStore, { origin: 'courtbridge.test/replay', hashAlg: 'sha256', masterKey: MASTER })
        : await Ledger.open(ledgerStore, { masterKey: MASTER });
      const store = await openApiStore(ledgerStore);
      if (i === 0) await store.putMember({ did: court.did, roles: ['court'], enabled: true });
      const app = await buildApp({ ledger, store, hubDid: hub.did, jwt: new JwtVerifier(new DidResolver()), rateLimit: false, log: { level: 'silent' }, subjectSalt: new Uint8Array(16).fill(5), now: () => clock });
      replicas.push({ app, ledger });
    }
  });
  afterAll(async () => {
    for (const r of replicas) {
      await r.app.close();
      await r.ledger.close();
    }
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  const token = () => createAuthToken(court.signer, court.did, hub.did, clock, 120);
  async function send(replica: number, t: string) {
    const r = await replicas[replica]!.app.inject({ method: 'GET', url: '/api/v1/court/attestations?domain=finance', headers: { authorization: `Bearer ${t}` } });
    return { status: r.statusCode, code: r.json().code as string | undefined };
  }
  const uses = async () => (await admin.query(`SELECT key, exp FROM ${schema}.api_token_uses ORDER BY exp`)).rows as { key: string; exp: string }[];

  it('migrates the API schema to v2 with the token-use table', async () => {
    expect(API_SCHEMA_VERSION).toBe(2);
    expect(Number((await admin.query(`SELECT MAX(version) AS v FROM ${schema}.api_schema_version`)).rows[0].v)).toBe(2);
  });

  it('a token used on replica A → 401 JWT_REPLAYED on replica B; a fresh token works on B', async () => {
    const t = await token();
    expect(await send(0, t)).toEqual({ status: 200, code: undefined });
    expect(await send(1, t)).toEqual({ status: 401, code: 'JWT_REPLAYED' });
    expect(await send(0, t)).toEqual({ status: 401, code: 'JWT_REPLAYED' });
    expect(await send(1, await token())).toEqual({ status: 200, code: undefined });
    // Keys are hashes: no caller DID or jti in the table.
    const rows = await uses();
    expect(rows.map((r) => r.key)).toContain(tokenUseKey(court.did, JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).jti));
    expect(JSON.stringify(rows)).not.toContain(court.did);
  });

  it('one token sent to both replicas at once is accepted exactly once', async () => {
    const t = await token();
    const both = await Promise.all([send(0, t), send(1, t)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(both.find((r) => r.status === 401)!.code).toBe('JWT_REPLAYED');
  });

  it('expired records are swept by the next request after the sweep interval', async () => {
    expect((await uses()).length).toBeGreaterThanOrEqual(3);
    clock += 3600;
    expect(await send(1, await token())).toEqual({ status: 200, code: undefined });
    const rows = await uses();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.exp)).toBeGreaterThan(clock);
  });
});

describe('bearer-token replay on SQLite: memory by default, the v2 table when asked', () => {
  for (const mode of ['memory', 'store'] as const) {
    it(`replayGuard ${mode}: the second use → 401 JWT_REPLAYED; api_token_uses holds ${mode === 'store' ? 'the use' : 'nothing'}`, async () => {
      const w = await apiWorld(mode === 'store' ? { replayGuard: 'store' } : {});
      try {
        const t = await w.token('court');
        const send = async () => {
          const r = await w.app.inject({ method: 'GET', url: '/api/v1/court/attestations?domain=finance', headers: { authorization: `Bearer ${t}` } });
          return { status: r.statusCode, code: r.json().code as string | undefined };
        };
        expect(await send()).toEqual({ status: 200, code: undefined });
        expect(await send()).toEqual({ status: 401, code: 'JWT_REPLAYED' });
        const db = (w.ledger.store as SqliteLedgerStore).database;
        expect(db.prepare('SELECT COUNT(*) FROM api_token_uses').pluck().get()).toBe(mode === 'store' ? 1 : 0);
      } finally {
        await w.close();
      }
    });
  }
});

describe('StoreReplayGuard (a scripted store)', () => {
  it('a guard whose store is down → 503 STORE_UNAVAILABLE through the API (a server fault, not a 401)', async () => {
    const w = await apiWorld({ replayGuard: { firstUse: async () => { throw new CourtBridgeError('STORE_UNAVAILABLE', { reason: 'test' }); } } });
    try {
      const r = await w.app.inject({ method: 'GET', url: '/api/v1/court/attestations?domain=finance', headers: { authorization: `Bearer ${await w.token('court')}` } });
      expect([r.statusCode, r.json().code]).toEqual([503, 'STORE_UNAVAILABLE']);
    } finally {
      await w.close();
    }
  });

  it('a failed record leaves the token usable; a locally seen jti is refused without a query; full sweeps repeat', async () => {
    const calls: string[] = [];
    let down = true;
    const swept = [3, 0];
    const store = {
      async claimTokenUse(key: string) {
        calls.push('claim');
        if (down) throw new CourtBridgeError('STORE_UNAVAILABLE', { reason: 'test' });
        return !calls.includes(`stored ${key}`) && calls.push(`stored ${key}`) > 0;
      },
      async sweepTokenUses(_now: number, limit: number) {
        calls.push(`sweep ${limit}`);
        return swept.shift() ?? 0;
      },
    };
    let now = 1000;
    const g = new StoreReplayGuard(store, { now: () => now, sweepLimit: 3, sweepEverySec: 10 });
    expect(await g.firstUse('did:example:a', 'j1', 1100).catch((e: unknown) => codeOf(() => { throw e; }))).toBe('STORE_UNAVAILABLE');
    down = false;
    expect(await g.firstUse('did:example:a', 'j1', 1100)).toBe(true);
    expect(calls.filter((c) => c === 'claim')).toHaveLength(2);
    expect(await g.firstUse('did:example:a', 'j1', 1100)).toBe(false);
    expect(calls.filter((c) => c === 'claim')).toHaveLength(2);
    // The first sweep deleted its limit (3): the next request sweeps again; then not before 10 s.
    expect(calls.filter((c) => c.startsWith('sweep'))).toHaveLength(1);
    expect(await g.firstUse('did:example:a', 'j2', 1100)).toBe(true);
    expect(await g.firstUse('did:example:a', 'j3', 1100)).toBe(true);
    expect(calls.filter((c) => c.startsWith('sweep'))).toHaveLength(2);
    now += 10;
    expect(await g.firstUse('did:example:a', 'j4', 1100)).toBe(true);
    expect(calls.filter((c) => c.startsWith('sweep'))).toHaveLength(3);
  });
});
