/**
 * The relay over a light-client chain (bft-qc), with a test-double adapter serving evidence from the light-client
 * suite's simulator (test/proofs/lightclient/sims.ts: real Ed25519 / secp256k1 / SM2 validator signatures, the exact
 * bft-qc wire format). The light-client part is real (acceptHeader, TrustState persisted in relay_trust_state); the
 * record-proof step is a stub verifier (the double serves headers, not record trees) — so these tests are about
 * trust handling: a validator-set change, a conflicting final header freezing the chain (CHAIN_FROZEN, no
 * attestation), and subscriptions following the chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustState, fromJSON } from '../../src/proofs/lightclient/state.js';
import type { TrustState } from '../../src/proofs/lightclient/types.js';
import type { Registration } from '../../adapters/types.js';
import { RelayEngine } from '../../relay/engine.js';
import type { RelayChain } from '../../relay/pipeline.js';
import { bftSim, type SimSet } from '../proofs/lightclient/sims.js';
import { ENTERPRISE_SCHEMA, SALT, enterprise, hubKey, ledgerAttestationIds, openBackend, uscc, type Backend } from './helpers.js';
import { CHAIN, DoubleAdapter, stubVerifier } from './lightclient-double.js';

describe('relay over a light-client chain (bft-qc simulator, test-double adapter)', () => {
  let backend: Backend;
  const adapter = new DoubleAdapter();
  const A = bftSim.newSet();
  const B = bftSim.newSet();
  const registration: Registration = {
    chainId: CHAIN, kind: 'bft', rpc: [], finality: { rule: 'bft-qc' },
    recordTypes: { enterprise: { schemaId: ENTERPRISE_SCHEMA, mapping: { kind: 'bft-merkle', keyField: 'uscc' } } },
  };
  const chain: RelayChain = { registration, adapter, initialTrust: () => createTrustState(bftSim.anchor(10, A, 1_000_000_000), Math.floor(Date.now() / 1000)) };
  const engine = () => new RelayEngine({
    ledger: backend.ledger, store: backend.relayStore, chains: async (id) => (id === CHAIN ? chain : undefined), verifier: stubVerifier,
    ...(() => { const h = hubKey(); return { signer: h.signer, relayDid: h.did }; })(), salt: SALT, pollMs: 20, maxAttempts: 2, backoff: { baseMs: 10, capMs: 50, minMs: 5 },
  });
  const ref = (i: number) => ({ chainId: CHAIN, recordType: 'enterprise', key: uscc(i) });
  const stored = async () => fromJSON((await backend.relayStore.trustState(CHAIN))!.json);
  const add = (h: number, signers: SimSet, opts?: { handover?: SimSet; variant?: number }) => adapter.blocks.set(h, bftSim.evidence(h, signers, opts));

  beforeAll(async () => {
    backend = await openBackend('sqlite');
  });
  afterAll(async () => backend?.close());

  it('follows a validator-set change: a record under the new set is attested; one signed by the old set is refused', async () => {
    add(11, A, { handover: B });
    add(12, B);
    add(13, A);
    const e = engine();
    await e.start();
    try {
      await e.attest(ref(11), { at: 11 });
      expect((await stored()).validatorSets.map((v) => v.set.id)).toEqual([A.trusted.id, B.trusted.id]);
      const r = await e.attest(ref(12), { at: 12 });
      expect(r.job.state).toBe('done');
      expect((await stored()).checkpoint.height).toBe(12);
      const err = await e.attest(ref(13), { at: 13 }).catch((x) => x);
      expect(err.code).toBe('RELAY_JOB_DEAD');
      expect(err.details.lastError).toBe(bftSim.wrongSetCode);
    } finally {
      await e.stop();
    }
  }, 30_000);

  it('a conflicting final header freezes the chain: HEADER_CONFLICT, then CHAIN_FROZEN; nothing attested from it', async () => {
    const e = engine();
    await e.start();
    try {
      const before = await ledgerAttestationIds(backend.ledger);
      adapter.blocks.set(12, bftSim.evidence(12, B, { variant: 7 })); // another final header at an accepted height
      const err = await e.attest(ref(14), { at: 12 }).catch((x) => x);
      expect(err.code).toBe('RELAY_JOB_DEAD');
      const s = await stored();
      expect(s.frozen).toBe(true);
      add(15, B);
      const err2 = await e.attest(ref(15), { at: 15 }).catch((x) => x);
      expect(err2.details.lastError).toBe('CHAIN_FROZEN');
      expect(await ledgerAttestationIds(backend.ledger)).toEqual(before);
      expect(await e.metricsText()).toMatch(/courtbridge_relay_verification_failures_total\{chain="bft:market-supervision",code="HEADER_CONFLICT"\} 1/);
    } finally {
      await e.stop();
    }
  }, 30_000);

  it('a subscription enqueues every new record the adapter reports and stores its cursor', async () => {
    adapter.newRecords.push({ ref: ref(20), head: { height: 20, hash: '0x', timestamp: 0 } }, { ref: ref(21), head: { height: 21, hash: '0x', timestamp: 0 } });
    const e = engine();
    const total = async () => Object.values(await backend.relayStore.counts()).reduce((a, b) => a + b, 0);
    const before = await total();
    await e.subscribe(CHAIN, 'enterprise', 19);
    await e.start();
    try {
      for (let i = 0; i < 200 && (await total()) < before + 2; i++) await new Promise((r) => setTimeout(r, 20));
      for (const h of [20, 21]) expect((await backend.relayStore.enqueue({ ...ref(h), blockHeight: h, maxAttempts: 2 }, Date.now())).created).toBe(false);
      expect(JSON.parse((await backend.relayStore.subscriptions())[0]!.cursor)).toBe(20);
    } finally {
      await e.stop();
    }
  }, 30_000);
});
