/**
 * Property tests: proofs built from plans + assemble over the nodes a CompactRange stores equal the proofs of an
 * independent recursive reference written straight from the RFC 6962 §2.1 definitions (MTH, PATH, PROOF/SUBPROOF),
 * verify, and every single-bit corruption of proof, root, leaf hash or size is rejected.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HASHES, type HashSuite } from '../../src/crypto/hash.js';
import { toHex } from '../../src/crypto/bytes.js';
import {
  CompactRange, assemble, consistencyPlan, inclusionPlan, rootPlan, verifyConsistency, verifyInclusion, type NodeId,
} from '../../src/ledger/merkle.js';
import { CourtBridgeError } from '../../src/errors.js';

// ── reference, RFC 6962 §2.1 (recursive, over leaf hashes; independent of src/ledger) ─────────────────────────────
const H = (alg: string, ...parts: Uint8Array[]): Uint8Array => {
  const x = createHash(alg);
  for (const p of parts) x.update(p);
  return new Uint8Array(x.digest());
};
const k = (n: number): number => {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
};
function mth(alg: string, d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return H(alg);
  if (d.length === 1) return d[0]!; // leaf hashes are given already
  const s = k(d.length);
  return H(alg, Uint8Array.of(1), mth(alg, d.slice(0, s)), mth(alg, d.slice(s)));
}
function path(alg: string, m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s ? [...path(alg, m, d.slice(0, s)), mth(alg, d.slice(s))] : [...path(alg, m - s, d.slice(s)), mth(alg, d.slice(0, s))];
}
function subproof(alg: string, m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [mth(alg, d)];
  const s = k(n);
  return m <= s ? [...subproof(alg, m, d.slice(0, s), b), mth(alg, d.slice(s))] : [...subproof(alg, m - s, d.slice(s), false), mth(alg, d.slice(0, s))];
}

// The shape of a proof — for each node, whether it is a left or right sibling — from the same recursions. Two
// (index, size) claims with the same shape fold the same hashes identically, so a verifier cannot (and need not)
// tell them apart: a corrupted size is rejected exactly when the shape changes.
function pathShape(m: number, n: number): string {
  if (m < 0 || m >= n) return 'none';
  if (n === 1) return '';
  const s = k(n);
  return m < s ? `${pathShape(m, s)}R` : `${pathShape(m - s, n - s)}L`;
}
function subproofShape(m: number, n: number, b: boolean): string {
  if (m === n) return b ? '' : 'S';
  const s = k(n);
  return m <= s ? `${subproofShape(m, s, b)}R` : `${subproofShape(m - s, n - s, false)}L`;
}
const consistencyShape = (m: number, n: number): string => (m <= 0 || m > n ? 'none' : m === n ? '=' : subproofShape(m, n, true));

interface Built {
  h: HashSuite;
  leaves: Uint8Array[];
  roots: Uint8Array[]; // roots[size] from the CompactRange after each append
  get: (id: NodeId) => Uint8Array;
}
function build(alg: 'sha256' | 'sm3', n: number, seed: number): Built {
  const h = HASHES[alg];
  const cr = new CompactRange(h);
  const store = new Map<string, Uint8Array>();
  const leaves: Uint8Array[] = [];
  const roots = [cr.root()];
  for (let i = 0; i < n; i++) {
    const lh = H(alg, Uint8Array.of(0), Uint8Array.of(seed & 0xff, i & 0xff, i >> 8));
    leaves.push(lh);
    for (const c of cr.append(lh)) store.set(`${c.id.level}/${c.id.index}`, c.hash);
    roots.push(cr.root());
  }
  return { h, leaves, roots, get: (id) => store.get(`${id.level}/${id.index}`)! };
}
const flips = (b: Uint8Array): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let bit = 0; bit < b.length * 8; bit++) {
    const c = Uint8Array.from(b);
    c[bit >> 3]! ^= 1 << (bit & 7);
    out.push(c);
  }
  return out;
};
const rejected = (fn: () => void): boolean => {
  try {
    fn();
    return false;
  } catch (e) {
    return e instanceof CourtBridgeError;
  }
};

const algArb = fc.constantFrom('sha256' as const, 'sm3' as const);

describe('Merkle properties against the RFC 6962 §2.1 reference', () => {
  it('CompactRange roots equal MTH for every prefix; rootPlan + assemble agree', () => {
    fc.assert(fc.property(algArb, fc.integer({ min: 0, max: 300 }), fc.nat(255), (alg, n, seed) => {
      const t = build(alg, n, seed);
      for (let size = 0; size <= n; size += Math.max(1, Math.floor(n / 17))) {
        const ref = mth(alg, t.leaves.slice(0, size));
        expect(toHex(t.roots[size]!)).toBe(toHex(ref));
        expect(toHex(assemble(t.h, [rootPlan(size)], t.get)[0]!)).toBe(toHex(ref));
      }
    }), { numRuns: 25 });
  });

  it('inclusion proofs equal PATH(m, D[n]), verify, and every corruption is rejected', () => {
    fc.assert(fc.property(algArb, fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(255), (alg, size, r, seed) => {
      const t = build(alg, size, seed);
      const index = r % size;
      const proof = assemble(t.h, inclusionPlan(index, size), t.get);
      const ref = path(alg, index, t.leaves);
      expect(proof.map(toHex)).toEqual(ref.map(toHex));
      const root = t.roots[size]!;
      const leaf = t.leaves[index]!;
      verifyInclusion(t.h, index, size, leaf, proof, root);
      for (const bad of flips(root)) expect(rejected(() => verifyInclusion(t.h, index, size, leaf, proof, bad))).toBe(true);
      for (const bad of flips(leaf)) expect(rejected(() => verifyInclusion(t.h, index, size, bad, proof, root))).toBe(true);
      proof.forEach((p, i) => {
        for (const bad of flips(p)) expect(rejected(() => verifyInclusion(t.h, index, size, leaf, proof.map((q, j) => (j === i ? bad : q)), root))).toBe(true);
      });
      for (let bit = 0; bit < 10; bit++) {
        const badIndex = index ^ (1 << bit);
        expect(rejected(() => verifyInclusion(t.h, badIndex, size, leaf, proof, root))).toBe(true);
        const badSize = size ^ (1 << bit);
        const same = pathShape(index, badSize) === pathShape(index, size);
        expect(rejected(() => verifyInclusion(t.h, index, badSize, leaf, proof, root))).toBe(!same);
      }
    }), { numRuns: 15 });
  });

  it('consistency proofs equal PROOF(m, D[n]), verify, and every corruption is rejected', () => {
    fc.assert(fc.property(algArb, fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(255), (alg, size2, r, seed) => {
      const t = build(alg, size2, seed);
      const size1 = 1 + (r % size2);
      const proof = assemble(t.h, consistencyPlan(size1, size2), t.get);
      const ref = size1 === size2 ? [] : subproof(alg, size1, t.leaves, true);
      expect(proof.map(toHex)).toEqual(ref.map(toHex));
      const r1 = t.roots[size1]!;
      const r2 = t.roots[size2]!;
      verifyConsistency(t.h, size1, size2, r1, r2, proof);
      for (const bad of flips(r1)) expect(rejected(() => verifyConsistency(t.h, size1, size2, bad, r2, proof))).toBe(true);
      for (const bad of flips(r2)) expect(rejected(() => verifyConsistency(t.h, size1, size2, r1, bad, proof))).toBe(true);
      proof.forEach((p, i) => {
        for (const bad of flips(p)) expect(rejected(() => verifyConsistency(t.h, size1, size2, r1, r2, proof.map((q, j) => (j === i ? bad : q))))).toBe(true);
      });
      for (let bit = 0; bit < 10; bit++) {
        const b1 = size1 ^ (1 << bit);
        const b2 = size2 ^ (1 << bit);
        const shape = consistencyShape(size1, size2);
        expect(rejected(() => verifyConsistency(t.h, b1, size2, r1, r2, proof))).toBe(consistencyShape(b1, size2) !== shape);
        expect(rejected(() => verifyConsistency(t.h, size1, b2, r1, r2, proof))).toBe(consistencyShape(size1, b2) !== shape);
      }
    }), { numRuns: 15 });
  });
});
