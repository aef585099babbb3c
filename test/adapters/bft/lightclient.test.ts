/**
 * The light client (src/proofs/lightclient) fed by the `bft` adapter from the BFT simulator process: equivocation
 * (two certified blocks at one height) freezes the chain with both headers kept as evidence; a validator-set
 * rotation certified by the old set is accepted and later records verify under the new set; an uncertified rotation
 * is rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBftAdapter, type BftAdapter } from '../../../adapters/bft/adapter.js';
import type { SimulatorProcess } from '../../../adapters/bft/simulator/spawn.js';
import type { JsonValue, RecordRef } from '../../../adapters/types.js';
import { verifySourceEvidence } from '../../../src/proofs/evidence.js';
import { acceptHeader } from '../../../src/proofs/lightclient/state.js';
import type { TrustState } from '../../../src/proofs/lightclient/types.js';
import { MAPPING, RECORD_TYPE, addBlock, copyright, genesisTrust, nowSec, registrationFor, rpc, startSimulator } from './helpers.js';

let sim: SimulatorProcess;
let adapter: BftAdapter;
const ref = (n: number): RecordRef => ({ chainId: 'bft:copyright-sim', recordType: RECORD_TYPE, key: copyright(n).registrationNumber as string });

/** Light-client evidence of block `h` as the adapter fetched it (raw JSON). */
async function finality(a: BftAdapter, h: number): Promise<JsonValue> {
  const b = await a.block(h);
  return { header: b!.raw.header, certificate: b!.raw.certificate, ...(b!.raw.nextValidatorSet === undefined ? {} : { nextValidatorSet: b!.raw.nextValidatorSet }) } as JsonValue;
}

beforeAll(async () => {
  sim = await startSimulator();
  adapter = await createBftAdapter(registrationFor([sim.url]), {});
});
afterAll(async () => {
  await adapter?.close();
  await sim?.stop();
});

describe('light client fed by the bft adapter (BFT simulator process)', () => {
  it('equivocation: a second certified block at an accepted height freezes the chain, both headers kept', async () => {
    const h = await addBlock(sim.url, [copyright(1)]);
    const honest = await finality(adapter, h);
    const first = acceptHeader(genesisTrust(), 'bft-qc', honest, nowSec());
    expect(first.status).toBe('accepted');
    const evidence = await adapter.fetchRecord(ref(1));
    const conflict = await rpc(sim.url, 'sim_setFault', [{ kind: 'equivocate', height: h }]);
    const forked = await finality(adapter, h);
    expect((forked as any).certificate.headerHash).toBe(conflict.hash);
    const r = acceptHeader(first.state, 'bft-qc', forked, nowSec());
    expect(r.status).toBe('frozen');
    if (r.status !== 'frozen') return;
    expect(r.error.code).toBe('HEADER_CONFLICT');
    expect(r.state.frozen).toBe(true);
    expect(r.state.misbehaviour).toHaveLength(1);
    expect(r.evidence.first.header.hash).toBe((honest as any).certificate.headerHash);
    expect(r.evidence.second.header.hash).toBe(conflict.hash);
    expect(r.evidence.second.evidence).toEqual(forked);
    // A frozen chain accepts nothing, and no record verifies against it.
    expect(() => acceptHeader(r.state, 'bft-qc', honest, nowSec())).toThrowError(expect.objectContaining({ code: 'CHAIN_FROZEN' }));
    expect(() => verifySourceEvidence(evidence, r.state, { now: nowSec(), mapping: MAPPING })).toThrowError(expect.objectContaining({ code: 'CHAIN_FROZEN' }));
    // The record evidence fetched from the conflicting block conflicts with what the light client accepted.
    const fromFork = await adapter.fetchRecord(ref(1));
    expect(() => verifySourceEvidence(fromFork, first.state, { now: nowSec(), mapping: MAPPING })).toThrowError(expect.objectContaining({ code: 'HEADER_CONFLICT' }));
  });

  it('rotation certified by the old set: the hand-over header is accepted and later records verify under the new set', async () => {
    const planned = await rpc(sim.url, 'sim_setFault', [{ kind: 'rotate', certified: true, validators: 5 }]);
    const handover = await addBlock(sim.url, []);
    expect(handover).toBe(planned.height);
    const after = await addBlock(sim.url, [copyright(2)]);
    const ev = await adapter.fetchRecord(ref(2));
    let state: TrustState = genesisTrust();
    // Without the hand-over the old set cannot certify the new set's block.
    expect(() => verifySourceEvidence(ev, state, { now: nowSec(), mapping: MAPPING })).toThrowError(expect.objectContaining({ code: 'VALIDATOR_SET_MISMATCH' }));
    const ho = await finality(adapter, handover);
    // The adapter lists the hand-overs a relay must feed the light client first.
    expect(await adapter.handovers(0)).toEqual([ho]);
    expect(await adapter.handovers(handover)).toEqual([]);
    expect((ho as any).nextValidatorSet.validators).toHaveLength(5);
    // The hand-over without the revealed set, or with another set, is refused.
    const { nextValidatorSet: _omit, ...bare } = ho as any;
    expect(() => acceptHeader(state, 'bft-qc', bare, nowSec())).toThrowError(expect.objectContaining({ code: 'VALIDATOR_SET_UNCERTIFIED' }));
    const otherSet = { validators: (ho as any).nextValidatorSet.validators.slice(1) };
    expect(() => acceptHeader(state, 'bft-qc', { ...(ho as any), nextValidatorSet: otherSet }, nowSec())).toThrowError(expect.objectContaining({ code: 'VALIDATOR_SET_UNCERTIFIED' }));
    const accepted = acceptHeader(state, 'bft-qc', ho, nowSec());
    expect(accepted.status).toBe('accepted');
    state = accepted.state;
    expect(state.validatorSets).toHaveLength(2);
    expect(state.validatorSets[1]!.fromHeight).toBe(handover + 1);
    const v = verifySourceEvidence(ev, state, { now: nowSec(), mapping: MAPPING, expect: ref(2) });
    expect(v.height).toBe(after);
    expect(v.finality.validatorSetId).toBe(state.validatorSets[1]!.set.id);
    expect(v.finality.validatorSetId).not.toBe(state.validatorSets[0]!.set.id);
  });

  it('uncertified rotation: a block signed by a set the light client was never handed is rejected', async () => {
    const other = await startSimulator('--seed', 'uncertified');
    try {
      await rpc(other.url, 'sim_setFault', [{ kind: 'rotate', certified: false }]);
      const h = await addBlock(other.url, [copyright(3)]);
      const a = await createBftAdapter(registrationFor([other.url]), {});
      const opts = { chainId: 'bft:copyright-sim', seed: 'uncertified', validators: 4, hashAlg: 'sm3' as const, genesisTime: 1_767_225_600 };
      const state = genesisTrust(opts);
      const ev = await finality(a, h);
      expect(() => acceptHeader(state, 'bft-qc', ev, nowSec())).toThrowError(expect.objectContaining({ code: 'VALIDATOR_SET_MISMATCH' }));
      const rec = await a.fetchRecord(ref(3));
      expect(() => verifySourceEvidence(rec, state, { now: nowSec(), mapping: MAPPING })).toThrowError(expect.objectContaining({ code: 'VALIDATOR_SET_MISMATCH' }));
      await a.close();
    } finally {
      await other.stop();
    }
  });
});
