/**
 * The variable-time comb arithmetic behind SM2 verification (src/crypto/sm2-comb.ts), checked against
 * sm-crypto-v2's (noble) constant-time multiplication, including the rare doubling and inverse branches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sm2 as smc } from 'sm-crypto-v2';
import { addAffine, buildComb, combAdd, jacobianXEquals, jacobianZero, SM2_P, type SmPoint, type SmPointClass } from '../../src/crypto/sm2-comb.js';
import { SM2_N } from '../../src/crypto/ecdsa-der.js';

const G_HEX = '0432c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0';
const Point = (smc.precomputePublicKey(G_HEX, 2) as unknown as { constructor: SmPointClass }).constructor;
const G = Point.BASE;
const Q: SmPoint = G.multiply(0x1234567890abcdef1234567890abcdefn);
const gTable = buildComb(G);
const qTable = buildComb(Q);

function affineX(k: bigint, P: SmPoint): bigint | null {
  const r = P.multiply(k);
  return r.is0() ? null : r.toAffine().x;
}

describe('SM2 comb arithmetic', () => {
  it('k·G and k·Q match noble for random and edge scalars', () => {
    const edges = [1n, 2n, 127n, 128n, 129n, 255n, 256n, 257n, 2n ** 128n, SM2_N - 1n, SM2_N - 128n, (SM2_N - 1n) / 2n];
    const check = (k: bigint) => {
      for (const [table, P] of [[gTable, G], [qTable, Q]] as const) {
        const acc = jacobianZero();
        combAdd(acc, table, k);
        expect(jacobianXEquals(acc, affineX(k, P)!)).toBe(true);
        expect(jacobianXEquals(acc, (affineX(k, P)! + 1n) % SM2_P)).toBe(false);
      }
    };
    edges.forEach(check);
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: SM2_N - 1n }), check), { numRuns: 40 });
  });

  it('s·G + t·Q in one accumulator equals noble', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: SM2_N - 1n }), fc.bigInt({ min: 1n, max: SM2_N - 1n }), (s, t) => {
        const acc = jacobianZero();
        combAdd(acc, gTable, s);
        combAdd(acc, qTable, t);
        const want = G.multiply(s).add(Q.multiply(t));
        expect(jacobianXEquals(acc, want.toAffine().x)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('mixed addition handles P + P (doubling branch) and P + (−P) (identity)', () => {
    const a = G.multiply(5n).toAffine();
    const acc = jacobianZero();
    addAffine(acc, a.x, a.y);
    addAffine(acc, a.x, a.y); // 10·G via the doubling branch
    expect(jacobianXEquals(acc, G.multiply(10n).toAffine().x)).toBe(true);
    addAffine(acc, a.x, a.y); // 15·G, a regular addition after a doubling
    expect(jacobianXEquals(acc, G.multiply(15n).toAffine().x)).toBe(true);
    const b = G.multiply(15n).toAffine();
    addAffine(acc, b.x, SM2_P - b.y); // 15·G − 15·G
    expect(acc.Z).toBe(0n);
    expect(jacobianXEquals(acc, 0n)).toBe(false); // the identity never matches an x
  });

  it('k = n (a full cycle) gives the identity', () => {
    const acc = jacobianZero();
    combAdd(acc, gTable, SM2_N);
    expect(acc.Z).toBe(0n);
  });
});
