/**
 * Admin audience: a chain frozen by equivocation (two final headers at one height, through the real light client and
 * the relay's TrustBook; the test-double bft adapter of test/relay/lightclient-double.ts serves the light-client simulator's evidence, as in
 * test/relay/lightclient.test.ts) refuses attestations with CHAIN_FROZEN until an administrator's signed unfreeze order
 * lifts the freeze (POST /api/v1/admin/chains/:chainId/unfreeze), attested in the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptHeader, createTrustState, fromJSON, toJSON } from '../../src/proofs/lightclient/state.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import type { Registration } from '../../adapters/types.js';
import { signUnfreeze } from '../../adapters/registration/jws.js';
import { createAuthToken } from '../../did/auth.js';
import { keyPairSigner } from '../../did/jwt.js';
import type { RelayChain } from '../../relay/pipeline.js';
import { bftSim } from '../proofs/lightclient/sims.js';
import { ENTERPRISE_SCHEMA, enterprise, uscc } from '../relay/helpers.js';
import { CHAIN, DoubleAdapter, stubVerifier } from '../relay/lightclient-double.js';
import { identity } from '../did/fixtures.js';
import { apiWorld, type ApiWorld } from './fixtures.js';

const adapter = new DoubleAdapter();
const A = bftSim.newSet();
const registration: Registration = {
  chainId: CHAIN, kind: 'bft', rpc: [], finality: { rule: 'bft-qc' },
  recordTypes: { enterprise: { schemaId: ENTERPRISE_SCHEMA, mapping: { kind: 'bft-merkle', keyField: 'uscc' } } },
};
const chain: RelayChain = { registration, adapter, initialTrust: () => createTrustState(bftSim.anchor(10, A, 1_000_000_000), Math.floor(Date.now() / 1000)) };

let w: ApiWorld;
beforeAll(async () => {
  w = await apiWorld({}, { chains: async (id) => (id === CHAIN ? chain : undefined), verifier: stubVerifier, pollMs: 20, maxAttempts: 2, backoff: { baseMs: 10, capMs: 50, minMs: 5 } });
  await w.deps.relay!.engine.start();
});
afterAll(async () => {
  await w.deps.relay!.engine.stop();
  await w.close();
});

const as = async (who: Parameters<ApiWorld['token']>[0]) => ({ authorization: `Bearer ${await w.token(who)}` });
/** The court requests an attestation of enterprise `i` at `height` and waits for the job's end: its state and error. */
async function attest(i: number, height: number): Promise<{ state: string; lastError: string | null }> {
  const r = await w.app.inject({ method: 'POST', url: '/api/v1/court/attestations', headers: await as('court'), payload: { chainId: CHAIN, recordType: 'enterprise', key: uscc(i), blockHeight: height } });
  expect(r.statusCode).toBe(202);
  await w.deps.relay!.engine.waitFor(r.json().id, 20_000).catch(() => undefined);
  const job = await w.app.inject({ method: 'GET', url: `/api/v1/court/attestations/jobs/${r.json().id}`, headers: await as('court') });
  return { state: job.json().state, lastError: job.json().lastError };
}
const trust = async () => (await w.app.inject({ method: 'GET', url: `/api/v1/admin/chains/${CHAIN}/trust`, headers: await as('admin') })).json();
const unfreeze = async (jws: string, who: Parameters<ApiWorld['token']>[0] = 'admin', chainId = CHAIN) =>
  w.app.inject({ method: 'POST', url: `/api/v1/admin/chains/${chainId}/unfreeze`, headers: await as(who), payload: { jws } });

describe('unfreezing a chain frozen by equivocation', () => {
  it('frozen → CHAIN_FROZEN; refused orders are coded; an admin order unfreezes (attested); attestation works again', async () => {
    adapter.blocks.set(11, bftSim.evidence(11, A));
    adapter.blocks.set(12, bftSim.evidence(12, A));
    expect(await attest(1, 11)).toMatchObject({ state: 'done' });
    expect(await attest(2, 12)).toMatchObject({ state: 'done' });
    // A second final header at the accepted height 12: the light client freezes the chain.
    adapter.blocks.set(12, bftSim.evidence(12, A, { variant: 7 }));
    expect(await attest(3, 12)).toMatchObject({ state: 'dead' });
    const frozen = await trust();
    expect(frozen).toMatchObject({ chainId: CHAIN, trustId: CHAIN, kind: 'bft-qc', frozen: true });
    expect(frozen.misbehaviour).toHaveLength(1);
    const m = frozen.misbehaviour[0] as { height: number; first: string; second: string };
    expect(m.height).toBe(12);
    expect(m.first).not.toBe(m.second);
    adapter.blocks.set(13, bftSim.evidence(13, A));
    expect(await attest(4, 13)).toEqual({ state: 'dead', lastError: 'CHAIN_FROZEN' });

    const admin = w.ids.admin;
    const order = (over: { reason?: string; canonicalHash?: string; chainId?: string } = {}, signer = admin.signer) =>
      signUnfreeze({ admin: admin.did, chainId: over.chainId ?? CHAIN, reason: over.reason ?? 'fork resolved: the consortium keeps the first header', canonicalHash: 'canonicalHash' in over ? over.canonicalHash : m.first }, signer);
    const size = await w.ledger.size();
    // Not an admin member; a forged signature; an order for another chain; a canonical hash matching neither header;
    // an order signed by a member with the admin role who is not a configured consortium administrator.
    const court = await unfreeze(await order(), 'court');
    expect([court.statusCode, court.json().code]).toEqual([403, 'AUTH_FORBIDDEN']);
    const forged = await unfreeze(await order({}, keyPairSigner(identity().kp, admin.kid)));
    expect([forged.statusCode, forged.json().code]).toEqual([401, 'REGISTRATION_SIGNATURE_INVALID']);
    const elsewhere = await unfreeze(await order({ chainId: 'bft:other-chain' }));
    expect([elsewhere.statusCode, elsewhere.json().code]).toEqual([401, 'REGISTRATION_SIGNATURE_INVALID']);
    const neither = await unfreeze(await order({ canonicalHash: `0x${'00'.repeat(32)}` }));
    expect([neither.statusCode, neither.json().code]).toEqual([400, 'INVALID_INPUT']);
    const notCaller = await unfreeze(await order(), 'partner');
    expect(notCaller.json().code).toBe('AUTH_FORBIDDEN');
    const outsider = identity();
    await w.deps.store.putMember({ did: outsider.did, roles: ['admin'], enabled: true });
    const own = await signUnfreeze({ admin: outsider.did, chainId: CHAIN, reason: 'x' }, outsider.signer);
    const o = await w.app.inject({ method: 'POST', url: `/api/v1/admin/chains/${CHAIN}/unfreeze`, headers: { authorization: `Bearer ${await createAuthToken(outsider.signer, outsider.did, w.hub.did, Math.floor(Date.now() / 1000), 120)}` }, payload: { jws: own } });
    expect([o.statusCode, o.json().code]).toEqual([403, 'APPROVER_NOT_ADMIN']);
    // An order signed before the conflict was detected (stale, or prepared for another incident) does not lift it.
    const stale = await unfreeze(await signUnfreeze({ admin: admin.did, chainId: CHAIN, reason: 'old order', canonicalHash: m.first }, admin.signer, (frozen.misbehaviour[0] as { detectedAt: number }).detectedAt - 3600));
    expect([stale.statusCode, stale.json().code]).toEqual([401, 'REGISTRATION_SIGNATURE_INVALID']);
    // An admin handing in another admin's order is refused before it is verified.
    const theirs = await unfreeze(own);
    expect([theirs.statusCode, theirs.json().code]).toEqual([403, 'APPROVER_NOT_ADMIN']);
    expect(await w.ledger.size()).toBe(size); // nothing refused was attested
    expect((await trust()).frozen).toBe(true);

    const jws = await order();
    const ok = await unfreeze(jws);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ chainId: CHAIN, frozen: false, misbehaviour: [] });
    expect(ok.json().resolved).toEqual([{ decision: expect.objectContaining({ by: admin.did, canonicalHash: m.first }), evidence: [expect.objectContaining({ height: 12 })] }]);
    const event = JSON.parse(Buffer.from((await w.ledger.get(ok.json().ledgerIndex)).data).toString('utf8'));
    expect(event).toMatchObject({ type: 'courtbridge.registration', event: 'unfrozen', chainId: CHAIN, admin: admin.did, canonicalHash: m.first, jws, trustId: CHAIN, misbehaviour: [{ height: 12, first: m.first, second: m.second }] });

    expect(await attest(5, 13)).toMatchObject({ state: 'done', lastError: null });
    const again = await unfreeze(await order());
    expect([again.statusCode, again.json().code]).toEqual([409, 'CHAIN_NOT_FROZEN']);
    expect((await trust()).resolved).toHaveLength(1);
  }, 60_000);

  it('an unknown chain has no trust to show or unfreeze', async () => {
    const t = await w.app.inject({ method: 'GET', url: '/api/v1/admin/chains/bft:unknown/trust', headers: await as('admin') });
    expect([t.statusCode, t.json().code]).toEqual([404, 'RELAY_NO_ADAPTER']);
  });
});

describe('courtbridge adapter unfreeze (in-process CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-unfreeze-cli-'));
  const db = join(dir, 'cb.db');
  const ENV: Record<string, string | undefined> = {
    COURTBRIDGE_STORE: db, COURTBRIDGE_MASTER_KEY: 'cli-unfreeze-master-key-01234567', DATABASE_URL: undefined,
    COURTBRIDGE_RELAY_CHAINS: join(dir, 'chains.json'), COURTBRIDGE_ADMINS: undefined, COURTBRIDGE_APPROVAL_THRESHOLD: '1',
  };
  const saved: Record<string, string | undefined> = {};
  const run = async (...argv: string[]) => {
    const io = memoryIo();
    const code = await main(argv, io);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };
  const withRelayStore = async <T>(fn: (s: Awaited<ReturnType<typeof openRelayStore>>) => Promise<T>): Promise<T> => {
    const store = await openSqliteStore(db);
    try {
      return await fn(await openRelayStore(store));
    } finally {
      await store.close();
    }
  };
  beforeAll(() => {
    for (const k of Object.keys(ENV)) saved[k] = process.env[k];
    for (const [k, v] of Object.entries(ENV)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    rmSync(dir, { recursive: true, force: true });
  });

  it('lifts a stored freeze with the admin key from the key store; a second order finds nothing frozen', async () => {
    expect((await run('ledger', 'init')).code).toBe(0);
    const admin = JSON.parse((await run('did', 'create', '--alg', 'Ed25519')).out.trim().split('\n').at(-1)!) as { did: string; kid: string };
    process.env.COURTBRIDGE_ADMINS = admin.did;
    // A frozen state as the relay stores it (dev chains are keyed by chain id): two final headers at height 11.
    const now = Math.floor(Date.now() / 1000);
    const s0 = createTrustState(bftSim.anchor(10, A, 1_000_000_000), now);
    const s1 = acceptHeader(s0, 'bft-qc', bftSim.evidence(11, A), now);
    const s2 = acceptHeader(s1.state, 'bft-qc', bftSim.evidence(11, A, { variant: 3 }), now);
    expect(s2.status).toBe('frozen');
    await withRelayStore(async (r) => expect(await r.putTrustState(CHAIN, toJSON(s2.state), 0, Date.now())).toBe(true));

    const bad = await run('adapter', 'unfreeze', CHAIN, '--key', admin.kid, '--reason', 'x', '--canonical-hash', 'nope');
    expect(bad.err).toMatch(/^error\tINVALID_INPUT\t/);
    const missing = await run('adapter', 'unfreeze', CHAIN, '--key', admin.kid);
    expect(missing.err).toMatch(/^error\tINVALID_INPUT\t/);
    const ok = await run('adapter', 'unfreeze', CHAIN, '--key', admin.kid, '--reason', '共识恢复 consensus restored', '--canonical-hash', s1.state.checkpoint.hash);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ chainId: CHAIN, frozen: false, resolved: 1, checkpoint: { height: 11, hash: s1.state.checkpoint.hash } });
    const stored = await withRelayStore(async (r) => fromJSON((await r.trustState(CHAIN))!.json));
    expect([stored.frozen, stored.resolved[0]!.decision.by]).toEqual([false, admin.did]);
    const again = await run('adapter', 'unfreeze', CHAIN, '--key', admin.kid, '--reason', 'again');
    expect(again.err).toMatch(/^error\tCHAIN_NOT_FROZEN\t/);
  });
});
