import { describe, expect, it } from 'vitest';
import { acceptHeader, createTrustState, fromJSON, setAt, toJSON, unfreeze, type TrustAnchor } from '../../../src/proofs/lightclient/state.js';
import { FINALITY_VERIFIERS } from '../../../src/proofs/lightclient/kinds.js';
import type { AcceptResult, JsonValue, TrustState } from '../../../src/proofs/lightclient/types.js';
import { bftSim, grandpaSim, ibft2Sim, qbftSim, type KindSim } from './sims.js';
import { codeOf } from '../../helpers/codes.js';

const SIMS: readonly KindSim[] = [bftSim, qbftSim, ibft2Sim, grandpaSim];
const T0 = 1_770_000_000;
const PERIOD = 14 * 24 * 3600;

function accepted(r: AcceptResult): TrustState {
  if (r.status !== 'accepted') throw new Error(`expected accepted, got ${r.status}`);
  return r.state;
}

describe.each(SIMS)('light client over $kind', (sim) => {
  const A = sim.newSet();
  const B = sim.newSet();
  const anchor: TrustAnchor = sim.anchor(10, A, PERIOD);
  const s0 = createTrustState(anchor, T0);
  const accept = (s: TrustState, e: JsonValue, now = T0 + 60): AcceptResult => acceptHeader(s, sim.kind, e, now);

  it('is wired in the registry', () => {
    expect(FINALITY_VERIFIERS[sim.kind]?.kind).toBe(sim.kind);
  });

  it('validator-set history: a header at h is checked against the set valid at h', () => {
    let s = accepted(accept(s0, sim.evidence(12, A)));
    expect(s.checkpoint.height).toBe(12);
    s = accepted(accept(s, sim.evidence(15, A, { handover: B })));
    expect(s.validatorSets.map((e) => [e.fromHeight, e.toHeight, e.set.id])).toEqual([[10, 16, A.trusted.id], [16, undefined, B.trusted.id]]);
    expect(setAt(s, 15).id).toBe(A.trusted.id);
    expect(setAt(s, 16).id).toBe(B.trusted.id);
    expect(codeOf(() => setAt(s, 9))).toBe('NO_VALIDATOR_SET_AT_HEIGHT');
    // Older heights stay in A's window: A verifies them, B does not.
    s = accepted(accept(s, sim.evidence(14, A)));
    expect(s.checkpoint.height).toBe(15);
    expect(codeOf(() => accept(s, sim.evidence(13, B)))).toBe(sim.wrongSetCode);
    // From 16 on only B verifies.
    expect(codeOf(() => accept(s, sim.evidence(16, A)))).toBe(sim.wrongSetCode);
    s = accepted(accept(s, sim.evidence(16, B)));
    expect(s.checkpoint).toEqual({ height: 16, hash: s.recent.at(-1)!.header.hash, at: T0 + 60 });
    // Below the anchor set's window there is no set.
    expect(codeOf(() => accept(s, sim.evidence(5, A)))).toBe('NO_VALIDATOR_SET_AT_HEIGHT');
  });

  it('an uncertified set change is rejected: a header signed by an unannounced set, a revealed set other than the announced one', () => {
    expect(codeOf(() => accept(s0, sim.evidence(11, B)))).toBe(sim.wrongSetCode);
    expect(codeOf(() => accept(s0, sim.uncertifiedHandover(11, A, B, sim.newSet())))).toBe(sim.uncertifiedCode);
  });

  it('a certified hand-over is accepted and the new set then finalises', () => {
    const s = accepted(accept(s0, sim.evidence(11, A, { handover: B })));
    const r = accept(s, sim.evidence(30, B));
    expect(r.status).toBe('accepted');
    expect(setAt(accepted(r), 30).id).toBe(B.trusted.id);
  });

  it('a hand-over that contradicts recorded history is rejected', () => {
    const C = sim.newSet();
    const s = accepted(accept(s0, sim.evidence(15, A, { handover: B })));
    expect(codeOf(() => accept(s, sim.evidence(12, A, { handover: C })))).toBe('VALIDATOR_SET_UNCERTIFIED');
  });

  it('a hand-over below the checkpoint (headers above it were accepted under the old set) is rejected', () => {
    const s = accepted(accept(s0, sim.evidence(20, A)));
    expect(codeOf(() => accept(s, sim.evidence(15, A, { handover: B })))).toBe('VALIDATOR_SET_UNCERTIFIED');
  });

  it('the trusting period: accepted until it runs out, then TRUSTING_PERIOD_EXPIRED; an update restarts it', () => {
    expect(codeOf(() => accept(s0, sim.evidence(11, A), T0 + PERIOD))).toBe('TRUSTING_PERIOD_EXPIRED');
    const s = accepted(accept(s0, sim.evidence(11, A), T0 + PERIOD - 1));
    expect(accept(s, sim.evidence(12, A), T0 + 2 * PERIOD - 2).status).toBe('accepted');
    expect(codeOf(() => accept(s, sim.evidence(12, A), T0 + 2 * PERIOD - 1))).toBe('TRUSTING_PERIOD_EXPIRED');
  });

  it('two conflicting final headers at one height freeze the chain with both kept as evidence, until unfreeze', () => {
    const first = sim.evidence(12, A);
    const second = sim.evidence(12, A, { variant: 1 });
    const s1 = accepted(accept(s0, first));
    expect(accept(s1, first).status).toBe('accepted'); // the same header again is no conflict
    const r = accept(s1, second, T0 + 99);
    expect(r.status).toBe('frozen');
    if (r.status !== 'frozen') return;
    expect(r.state.frozen).toBe(true);
    expect(r.evidence.height).toBe(12);
    expect(r.evidence.detectedAt).toBe(T0 + 99);
    expect(r.evidence.first.evidence).toEqual(first);
    expect(r.evidence.second.evidence).toEqual(second);
    expect(r.evidence.first.header.hash).not.toBe(r.evidence.second.header.hash);
    expect(codeOf(() => accept(r.state, sim.evidence(13, A)))).toBe('CHAIN_FROZEN');
    // The frozen state round-trips through JSON with its evidence.
    const stored = fromJSON(toJSON(r.state));
    expect(stored).toEqual(r.state);
    expect(codeOf(() => unfreeze(s1, { by: 'did:web:court.example', at: T0, reason: 'x' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => unfreeze(stored, { by: 'did:web:court.example', at: T0, reason: 'x', canonicalHash: `0x${'00'.repeat(32)}` }))).toBe('INVALID_INPUT');
    const thawed = unfreeze(stored, { by: 'did:web:admin.court.example', at: T0 + 500, reason: 'fork resolved by the consortium', canonicalHash: r.evidence.second.header.hash });
    expect(thawed.frozen).toBe(false);
    expect(thawed.misbehaviour).toEqual([]);
    expect(thawed.resolved).toHaveLength(1);
    expect(thawed.resolved[0]!.evidence[0]!.second.evidence).toEqual(second);
    expect(thawed.checkpoint.hash).toBe(r.evidence.second.header.hash);
    expect(accept(thawed, second).status).toBe('accepted');
    expect(accept(thawed, sim.evidence(13, A)).status).toBe('accepted');
    expect(fromJSON(toJSON(thawed))).toEqual(thawed);
  });

  it('evidence for another chain, of another kind, or malformed is rejected', () => {
    const other = { ...s0, chainId: 'bft:other' };
    expect(codeOf(() => fromJSON(toJSON(other)))).toBe('TRUST_STATE_INVALID'); // recent headers name the original chain
    expect(codeOf(() => acceptHeader(s0, sim.kind === 'bft-qc' ? 'evm-qbft' : 'bft-qc', sim.evidence(11, A), T0))).toBe('INVALID_INPUT');
    expect(codeOf(() => accept(s0, null))).not.toBe('OK');
    expect(codeOf(() => accept(s0, 'garbage'))).not.toBe('OK');
  });

  it('state JSON round-trip after a hand-over, canonical and validated', () => {
    const s = accepted(accept(accepted(accept(s0, sim.evidence(15, A, { handover: B }))), sim.evidence(17, B)));
    const text = toJSON(s);
    expect(toJSON(fromJSON(text))).toBe(text);
    expect(fromJSON(JSON.parse(text))).toEqual(s);
  });
});

describe('trust state JSON validation (fails closed)', () => {
  const A = bftSim.newSet();
  const s = createTrustState(bftSim.anchor(10, A, PERIOD), T0);
  const base = JSON.parse(toJSON(s));
  const bad = (mutate: (o: any) => void): string => {
    const o = structuredClone(base);
    mutate(o);
    return codeOf(() => fromJSON(JSON.stringify(o)));
  };

  it('rejects tampered states', () => {
    expect(bad(() => {})).toBe('OK');
    expect(codeOf(() => fromJSON('{'))).toBe('MALFORMED_JSON');
    expect(bad((o) => { o.version = 2; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.extra = 1; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.kind = 'evm-pos'; })).toBe('UNKNOWN_TYPE');
    expect(bad((o) => { o.trustingPeriod = 0; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.frozen = true; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.checkpoint.hash = `0x${'ab'.repeat(32)}`; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.validatorSets[0].set.members[0].weight = 99; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.validatorSets[0].set.totalWeight = 1; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.validatorSets[0].toHeight = 20; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.validatorSets.push({ fromHeight: 30, set: o.validatorSets[0].set }); o.validatorSets[0].toHeight = 20; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.validatorSets = []; })).toBe('TRUST_STATE_INVALID');
    expect(bad((o) => { o.validatorSets[0].set.members[0].alg = 'RSA'; })).toBe('UNSUPPORTED_ALGORITHM');
    expect(bad((o) => { o.recent = new Array(65).fill(o.recent[0]); })).toBe('TOO_LARGE');
  });

  it('createTrustState checks the anchor', () => {
    const anchor = bftSim.anchor(10, A, PERIOD);
    expect(codeOf(() => createTrustState({ ...anchor, trustingPeriod: 0 }, T0))).toBe('BAD_INTEGER');
    expect(codeOf(() => createTrustState({ ...anchor, chainId: 'bft:other' }, T0))).toBe('CHAIN_ID_MISMATCH');
    expect(codeOf(() => createTrustState({ ...anchor, kind: 'evm-qbft' }, T0))).toBe('VALIDATOR_SET_MISMATCH');
  });
});
