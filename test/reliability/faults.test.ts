/**
 * Partner faults through the real relay pipeline (issue 7, reliability suite): RelayEngine + the real adapters +
 * the real verifier + a SQLite ledger, the partner misbehaving at the transport or at consensus:
 * - EVM (anvil + the evm adapter), faults injected by a byte-level proxy (faults-proxy.ts) on eth_getProof: timeout
 *   (no answer), TCP reset mid-response, slow drip (bytes slower than the call deadline), garbage, oversized (over
 *   the registration's response cap, the client stops reading near the cap);
 * - BFT (the simulator process + the bft adapter + the light client), the simulator's own faults on bft_getRecord:
 *   delay past the deadline, reset, slow drip, garbage, oversized — and equivocation (a conflicting final header at
 *   an attested height).
 * Every transport fault: a persistent one kills the job with its coded error (RPC_TIMEOUT, RPC_UNAVAILABLE,
 * RPC_BAD_RESPONSE) and writes no attestation; a one-off one is retried (counted under its code) and the job
 * completes with exactly one attestation. Equivocation: HEADER_CONFLICT, the chain's trust state frozen with both
 * headers kept as misbehaviour evidence (read back from the relay store, also after a restart), every later job
 * CHAIN_FROZEN, nothing attested from the conflicting header.
 * Not covered here: Substrate over WebSocket (the proxies speak HTTP only; test/adapters/substrate covers its
 * adapter-level faults).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySourceEvidence } from '../../src/proofs/evidence.js';
import { fromJSON } from '../../src/proofs/lightclient/state.js';
import type { RecordRef } from '../../adapters/types.js';
import { RelayEngine } from '../../relay/engine.js';
import { staticChains, type ChainEntry } from '../../relay/setup.js';
import type { SimulatorProcess } from '../../adapters/bft/simulator/spawn.js';
import { RECORD_TYPE, addBlock, copyright, genesisTrust, registrationFor, rpc, startSimulator } from '../adapters/bft/helpers.js';
import { SALT, hubKey, ledgerAttestationIds, openBackend, startPartnerChain, uscc, type Backend, type PartnerChain } from '../relay/helpers.js';
import { startByteFaultProxy, type ByteFaultProxy, type Fault } from './faults-proxy.js';

/** Per-call deadline of the adapters under test (ms) and their response cap (bytes). */
const DEADLINE = 500;
const CAP = 1024 * 1024;

/** An engine over `entries`; stop it and close the resolver after use. */
function engineOver(backend: Backend, entries: ChainEntry[], maxAttempts: number) {
  const chains = staticChains(entries);
  const hub = hubKey();
  const engine = new RelayEngine({
    ledger: backend.ledger, store: backend.relayStore, chains, verifier: verifySourceEvidence, signer: hub.signer, relayDid: hub.did,
    salt: SALT, pollMs: 20, leaseMs: 20_000, maxAttempts, backoff: { baseMs: 20, capMs: 100, minMs: 5 },
  });
  return { engine, chains };
}

/** Run `fn` on a started engine; stopped afterwards. */
async function withEngine<T>(backend: Backend, entries: ChainEntry[], maxAttempts: number, fn: (e: RelayEngine) => Promise<T>): Promise<T> {
  const { engine, chains } = engineOver(backend, entries, maxAttempts);
  await engine.start();
  try {
    return await fn(engine);
  } finally {
    await engine.stop();
    await chains.close();
  }
}

/** A persistent fault: the job dies with `code`, after `maxAttempts` attempts, and nothing is attested. */
async function expectDead(backend: Backend, engine: RelayEngine, ref: RecordRef, at: number, code: string): Promise<void> {
  const before = await ledgerAttestationIds(backend.ledger);
  const err = await engine.attest(ref, { at, timeoutMs: 60_000 }).catch((e: unknown) => e) as { code?: string; details?: Record<string, unknown> };
  expect(err.code).toBe('RELAY_JOB_DEAD');
  const job = (await backend.relayStore.job(Number(err.details!.id)))!;
  expect({ state: job.state, lastError: job.lastError, ledgerIndex: job.ledgerIndex, attestationId: job.attestationId }).toEqual({ state: 'dead', lastError: code, ledgerIndex: null, attestationId: null });
  expect(await ledgerAttestationIds(backend.ledger)).toEqual(before);
}

/** A one-off fault: the job is retried (counted under `code`) and completes with one attestation. */
async function expectRecovered(backend: Backend, engine: RelayEngine, ref: RecordRef, at: number, code: string): Promise<void> {
  const r = await engine.attest(ref, { at, timeoutMs: 60_000 });
  expect(r.job.state).toBe('done');
  expect(r.job.attempts).toBeGreaterThanOrEqual(2);
  expect(await engine.metricsText()).toMatch(new RegExp(`courtbridge_relay_retries_total\\{chain="${ref.chainId}",code="${code}"\\} [1-9]`));
  const ids = await ledgerAttestationIds(backend.ledger);
  expect(ids.filter((id) => id === r.receipt.attestationId)).toHaveLength(1);
  expect(new Set(ids).size).toBe(ids.length);
}

describe('partner faults through the relay: EVM (anvil + evm adapter, byte-level proxy on eth_getProof)', () => {
  let chain: PartnerChain;
  let backend: Backend;
  let proxy: ByteFaultProxy;
  let head: number;
  let next = 0;
  const ref = (): RecordRef => ({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(next++) });
  const entries = (): ChainEntry[] => [{ registration: { ...chain.registration(proxy.url), rpcLimits: { timeoutMs: DEADLINE, maxResponseBytes: CAP } } }];

  beforeAll(async () => {
    chain = await startPartnerChain(12);
    backend = await openBackend('sqlite');
    proxy = await startByteFaultProxy(chain.anvil.url);
    head = Number(await chain.anvil.rpc<string>('eth_blockNumber')) - chain.confirmations;
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await backend?.close();
    await chain?.anvil.stop();
  });

  const cases: [Fault, string][] = [
    ['hang', 'RPC_TIMEOUT'],
    ['reset', 'RPC_UNAVAILABLE'],
    ['drip', 'RPC_TIMEOUT'],
    ['garbage', 'RPC_BAD_RESPONSE'],
    ['oversized', 'RPC_BAD_RESPONSE'],
  ];
  for (const [fault, code] of cases) {
    it(`${fault}: persistent → job dead with ${code}, no attestation; one-off → retried under ${code}, attested once`, async () => {
      proxy.dripMs = 50; // 10 bytes per deadline: always under way, never done
      await withEngine(backend, entries(), 2, async (engine) => {
        proxy.policy = (m) => (m === 'eth_getProof' ? fault : 'pass');
        await expectDead(backend, engine, ref(), head, code);
        if (fault === 'oversized') expect(proxy.sent).toBeLessThan(16 * CAP); // the client hung up near its cap
        let once = 0;
        proxy.policy = (m) => (m === 'eth_getProof' && once++ === 0 ? fault : 'pass');
        await expectRecovered(backend, engine, ref(), head, code);
      });
      proxy.policy = () => 'pass';
    }, 60_000);
  }
});

describe('partner faults through the relay: BFT (simulator process + bft adapter + light client)', () => {
  let sim: SimulatorProcess;
  let backend: Backend;
  let n = 0;
  let entry: ChainEntry;
  const record = async (): Promise<{ ref: RecordRef; at: number }> => {
    const r = copyright(++n);
    const at = await addBlock(sim.url, [r]);
    return { ref: { chainId: entry.registration.chainId, recordType: RECORD_TYPE, key: r.registrationNumber as string }, at };
  };

  beforeAll(async () => {
    sim = await startSimulator();
    backend = await openBackend('sqlite');
    entry = { registration: registrationFor([sim.url], { timeoutMs: DEADLINE, maxResponseBytes: CAP }), trust: genesisTrust() };
  }, 120_000);
  afterAll(async () => {
    await backend?.close();
    await sim?.stop();
  });

  const cases: [Record<string, unknown>, string][] = [
    [{ kind: 'delay', ms: 5_000 }, 'RPC_TIMEOUT'],
    [{ kind: 'drop' }, 'RPC_UNAVAILABLE'],
    [{ kind: 'slowDrip', intervalMs: 50 }, 'RPC_TIMEOUT'],
    [{ kind: 'garbage' }, 'RPC_BAD_RESPONSE'],
    [{ kind: 'oversized', bytes: 32 * CAP }, 'RPC_BAD_RESPONSE'],
  ];
  for (const [fault, code] of cases) {
    it(`${String(fault.kind)}: persistent → job dead with ${code}, no attestation; one-off → retried under ${code}, attested once`, async () => {
      await withEngine(backend, [entry], 2, async (engine) => {
        const a = await record();
        await rpc(sim.url, 'sim_setFault', [{ ...fault, methods: ['bft_getRecord'] }]);
        await expectDead(backend, engine, a.ref, a.at, code);
        await rpc(sim.url, 'sim_clearFaults');
        const b = await record();
        await rpc(sim.url, 'sim_setFault', [{ ...fault, methods: ['bft_getRecord'], times: 1 }]);
        await expectRecovered(backend, engine, b.ref, b.at, code);
      });
      await rpc(sim.url, 'sim_clearFaults');
    }, 60_000);
  }

  it('equivocation (a conflicting final header at an attested height): HEADER_CONFLICT, chain frozen with both headers kept, later jobs CHAIN_FROZEN, nothing attested', async () => {
    // Two records in one block: the first attested (its header accepted), the second read after the equivocation.
    const [r1, r2] = [copyright(++n), copyright(++n)];
    const at = await addBlock(sim.url, [r1, r2]);
    const refOf = (r: Record<string, unknown>): RecordRef => ({ chainId: entry.registration.chainId, recordType: RECORD_TYPE, key: r.registrationNumber as string });
    const first = { ref: refOf(r1), at };
    const second = { ref: refOf(r2), at };
    let honest = '';
    let conflict = { height: 0, hash: '' };
    await withEngine(backend, [entry], 1, async (engine) => {
      const ok = await engine.attest(first.ref, { at: first.at, timeoutMs: 30_000 });
      const trusted = fromJSON((await backend.relayStore.trustState(entry.registration.chainId))!.json);
      honest = trusted.recent.find((r) => r.header.height === first.at)!.header.hash;
      conflict = await rpc(sim.url, 'sim_setFault', [{ kind: 'equivocate', height: first.at }]) as { height: number; hash: string };
      expect(conflict.hash).not.toBe(honest);
      const before = await ledgerAttestationIds(backend.ledger);
      await expectDead(backend, engine, second.ref, second.at, 'HEADER_CONFLICT');
      expect(await engine.metricsText()).toMatch(/courtbridge_relay_verification_failures_total\{chain="bft:copyright-sim",code="HEADER_CONFLICT"\} 1/);
      expect(await ledgerAttestationIds(backend.ledger)).toEqual(before);
      expect(before).toContain(ok.receipt.attestationId); // what was attested before the conflict stays
    });
    // The evidence, read back from the relay store by a fresh engine (a restart): frozen, both headers and their proofs.
    const state = fromJSON((await backend.relayStore.trustState(entry.registration.chainId))!.json);
    expect(state.frozen).toBe(true);
    expect(state.misbehaviour).toHaveLength(1);
    const m = state.misbehaviour[0]!;
    expect(m.height).toBe(first.at);
    // First the header accepted earlier (the honest one), then the conflicting one, each with its finality proof.
    expect([m.first.header.hash, m.second.header.hash]).toEqual([honest, conflict.hash]);
    expect(m.first.evidence).not.toBeNull();
    expect(m.second.evidence).not.toBeNull();
    await withEngine(backend, [entry], 3, async (engine) => {
      const before = await ledgerAttestationIds(backend.ledger);
      const later = await record();
      await expectDead(backend, engine, later.ref, later.at, 'CHAIN_FROZEN');
      expect(await ledgerAttestationIds(backend.ledger)).toEqual(before);
    });
    expect(fromJSON((await backend.relayStore.trustState(entry.registration.chainId))!.json).misbehaviour).toEqual(state.misbehaviour);
  }, 90_000);
});
