import { describe, expect, it } from 'vitest';
import { acceptHeader, createTrustState, fromJSON, toJSON, MAX_RECENT } from '../../../src/proofs/lightclient/state.js';
import type { JsonValue, TrustState } from '../../../src/proofs/lightclient/types.js';
import { makeValidatorSet } from '../../../src/proofs/lightclient/validator-set.js';
import { bftSim, grandpaSim } from './sims.js';
import { codeOf } from '../../helpers/codes.js';

const T0 = 1_770_000_000;
const PERIOD = 3600;

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('light client: edges', () => {
  const A = bftSim.newSet();
  const s0 = deepFreeze(createTrustState(bftSim.anchor(10, A, PERIOD), T0));

  it('never mutates its input state (the input is deeply frozen)', () => {
    const before = toJSON(s0);
    const r = acceptHeader(s0, 'bft-qc', bftSim.evidence(11, A), T0 + 1);
    expect(r.status).toBe('accepted');
    expect(toJSON(s0)).toBe(before);
  });

  it('a conflict carries a HEADER_CONFLICT error for callers that report it', () => {
    const s1 = acceptHeader(s0, 'bft-qc', bftSim.evidence(11, A), T0 + 1).state;
    const r = acceptHeader(s1, 'bft-qc', bftSim.evidence(11, A, { variant: 5 }), T0 + 2);
    expect(r.status).toBe('frozen');
    if (r.status === 'frozen') expect(r.error.code).toBe('HEADER_CONFLICT');
  });

  it('a conflict with the trust anchor itself freezes the chain', () => {
    const r = acceptHeader(s0, 'bft-qc', bftSim.evidence(10, A), T0 + 1);
    expect(r.status).toBe('frozen');
    if (r.status === 'frozen') expect(r.evidence.first.evidence).toBeNull();
  });

  it('evidence for another chain fails with CHAIN_ID_MISMATCH', () => {
    const anchor = bftSim.anchor(10, A, PERIOD);
    const other = createTrustState({ ...anchor, chainId: 'bft:other', header: { ...anchor.header, chainId: 'bft:other' } }, T0);
    expect(codeOf(() => acceptHeader(other, 'bft-qc', bftSim.evidence(11, A), T0))).toBe('CHAIN_ID_MISMATCH');
  });

  it('a kind without a wired verifier (evm-clique) fails with UNKNOWN_TYPE', () => {
    const set = makeValidatorSet('evm-clique', [{ id: 'a', address: `0x${'01'.repeat(20)}`, weight: 1 }]);
    const header = { chainId: 'eip155:5', kind: 'evm-clique' as const, height: 1, hash: `0x${'aa'.repeat(32)}`, parentHash: `0x${'bb'.repeat(32)}`, stateRoot: `0x${'cc'.repeat(32)}` };
    const s = createTrustState({ chainId: 'eip155:5', kind: 'evm-clique', trustingPeriod: PERIOD, header, validatorSet: set }, T0);
    expect(codeOf(() => acceptHeader(s, 'evm-clique', { header: {} }, T0))).toBe('UNKNOWN_TYPE');
  });

  it(`remembers the highest ${MAX_RECENT} headers, always including the checkpoint, and still round-trips`, () => {
    let s: TrustState = s0;
    for (let h = 11; h <= 11 + MAX_RECENT + 3; h++) s = acceptHeader(s, 'bft-qc', bftSim.evidence(h, A), T0 + 1).state;
    expect(s.recent).toHaveLength(MAX_RECENT);
    expect(s.recent.at(-1)!.header.height).toBe(s.checkpoint.height);
    expect(fromJSON(toJSON(s))).toEqual(s);
  });

  it('GRANDPA: a justification for another header fails with HEADER_HASH_MISMATCH', () => {
    const G = grandpaSim.newSet();
    const s = createTrustState(grandpaSim.anchor(10, G, PERIOD), T0);
    const a = grandpaSim.evidence(12, G) as Record<string, JsonValue>;
    const b = grandpaSim.evidence(12, G, { variant: 1 }) as Record<string, JsonValue>;
    expect(codeOf(() => acceptHeader(s, 'substrate-grandpa', { header: a.header!, justification: b.justification! }, T0))).toBe('HEADER_HASH_MISMATCH');
  });

  it('GRANDPA: a justification that is not a hex string fails with BAD_HEX (not TOO_LARGE)', () => {
    const G = grandpaSim.newSet();
    const s = createTrustState(grandpaSim.anchor(10, G, PERIOD), T0);
    const a = grandpaSim.evidence(12, G) as Record<string, JsonValue>;
    for (const justification of [null, 12, ['0x00'], { hex: '0x00' }] as JsonValue[]) {
      expect(codeOf(() => acceptHeader(s, 'substrate-grandpa', { header: a.header!, justification }, T0))).toBe('BAD_HEX');
    }
  });
});
