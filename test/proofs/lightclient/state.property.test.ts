import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptHeader, createTrustState, fromJSON, setAt, toJSON } from '../../../src/proofs/lightclient/state.js';
import type { TrustState } from '../../../src/proofs/lightclient/types.js';
import { bftSim, type SimSet } from './sims.js';

const T0 = 1_770_000_000;

describe('light client state (property, bft-qc simulator)', () => {
  const sets: SimSet[] = [bftSim.newSet(), bftSim.newSet(), bftSim.newSet()];
  const byId = new Map(sets.map((s) => [s.trusted.id, s]));
  const op = fc.record({ height: fc.integer({ min: 8, max: 40 }), handoverTo: fc.option(fc.integer({ min: 0, max: 2 })), variant: fc.integer({ min: 0, max: 3 }) });

  it('any sequence of accepts keeps a valid, JSON-round-tripping state; a freeze is final until unfreeze', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 6 }), (ops) => {
        let s: TrustState = createTrustState(bftSim.anchor(10, sets[0]!, 3600), T0);
        let maxAccepted = 10;
        for (const o of ops) {
          let signer: SimSet | undefined;
          try {
            signer = byId.get(setAt(s, o.height).id);
          } catch {
            signer = sets[0];
          }
          const evidence = bftSim.evidence(o.height, signer!, { variant: o.variant, ...(o.handoverTo === null ? {} : { handover: sets[o.handoverTo]! }) });
          try {
            const r = acceptHeader(s, 'bft-qc', evidence, T0 + 1);
            if (r.status === 'accepted') maxAccepted = Math.max(maxAccepted, o.height);
            else expect(r.state.frozen).toBe(true);
            s = r.state;
          } catch (e) {
            expect((e as { code?: string }).code).toMatch(/^[A-Z_]+$/); // a coded rejection, state unchanged
            if (s.frozen) expect((e as { code?: string }).code).toBe('CHAIN_FROZEN');
          }
          expect(fromJSON(toJSON(s))).toEqual(s);
          expect(s.checkpoint.height).toBe(maxAccepted);
        }
      }),
      { numRuns: 12 },
    );
  });
});
