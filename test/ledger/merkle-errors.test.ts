/** Adversarial inputs to the Merkle code: one test per error code, plus sizes at the 2^53 edge. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HASHES } from '../../src/crypto/hash.js';
import {
  CompactRange, MAX_PROOF_NODES, assemble, consistencyPlan, consistencyProofLength, inclusionPlan, inclusionProofLength,
  leafHash, nodeHash, rootFromPeaks, rootPlan, verifyConsistency, verifyInclusion,
} from '../../src/ledger/merkle.js';
import type { ErrorCode } from '../../src/errors.js';

const h = HASHES.sha256;
const code = (fn: () => unknown): ErrorCode | 'none' => {
  try {
    fn();
    return 'none';
  } catch (e) {
    return (e as { code: ErrorCode }).code;
  }
};
const node = (i: number): Uint8Array => new Uint8Array(createHash('sha256').update(String(i)).digest());

// A valid 3-leaf tree: leaves a, b, c.
const [la, lb, lc] = ['a', 'b', 'c'].map((s) => leafHash(h, new TextEncoder().encode(s))) as [Uint8Array, Uint8Array, Uint8Array];
const nab = nodeHash(h, la, lb);
const root3 = nodeHash(h, nab, lc);
const root2 = nab;

describe('Merkle error codes', () => {
  it('BAD_INTEGER: negative, fractional, NaN, ≥ 2^53 sizes and indices', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, Infinity]) {
      expect(code(() => verifyInclusion(h, bad, 3, lc, [nab], root3))).toBe('BAD_INTEGER');
      expect(code(() => verifyInclusion(h, 2, bad, lc, [nab], root3))).toBe('BAD_INTEGER');
      expect(code(() => verifyConsistency(h, bad, 3, root2, root3, [lc]))).toBe('BAD_INTEGER');
      expect(code(() => verifyConsistency(h, 2, bad, root2, root3, [lc]))).toBe('BAD_INTEGER');
      expect(code(() => rootPlan(bad))).toBe('BAD_INTEGER');
      expect(code(() => new CompactRange(h, bad))).toBe('BAD_INTEGER');
    }
  });

  it('PROOF_SIZE_INVALID: index ≥ size, size1 > size2, size1 = 0', () => {
    expect(code(() => verifyInclusion(h, 3, 3, lc, [nab], root3))).toBe('PROOF_SIZE_INVALID');
    expect(code(() => verifyInclusion(h, 0, 0, lc, [], root3))).toBe('PROOF_SIZE_INVALID');
    expect(code(() => inclusionPlan(3, 3))).toBe('PROOF_SIZE_INVALID');
    expect(code(() => verifyConsistency(h, 3, 2, root3, root2, [lc]))).toBe('PROOF_SIZE_INVALID');
    expect(code(() => verifyConsistency(h, 0, 3, root2, root3, []))).toBe('PROOF_SIZE_INVALID');
    expect(code(() => verifyConsistency(h, 0, 0, root2, root2, []))).toBe('PROOF_SIZE_INVALID');
    expect(code(() => consistencyPlan(0, 3))).toBe('PROOF_SIZE_INVALID');
    expect(code(() => consistencyPlan(4, 3))).toBe('PROOF_SIZE_INVALID');
  });

  it('PROOF_WRONG_LENGTH: truncated, extended, non-empty proof for equal sizes', () => {
    expect(code(() => verifyInclusion(h, 2, 3, lc, [], root3))).toBe('PROOF_WRONG_LENGTH');
    expect(code(() => verifyInclusion(h, 2, 3, lc, [nab, nab], root3))).toBe('PROOF_WRONG_LENGTH');
    expect(code(() => verifyConsistency(h, 2, 3, root2, root3, []))).toBe('PROOF_WRONG_LENGTH');
    expect(code(() => verifyConsistency(h, 2, 3, root2, root3, [lc, lc]))).toBe('PROOF_WRONG_LENGTH');
    expect(code(() => verifyConsistency(h, 3, 3, root3, root3, [lc]))).toBe('PROOF_WRONG_LENGTH');
  });

  it('TOO_LARGE: a 10 MB proof array is refused before any work; appending past 2^53 - 1 leaves', () => {
    const huge = new Array<Uint8Array>(10 * 1024 * 1024 / 32).fill(nab);
    const t0 = performance.now();
    expect(code(() => verifyInclusion(h, 2, 3, lc, huge, root3))).toBe('TOO_LARGE');
    expect(code(() => verifyConsistency(h, 2, 3, root2, root3, huge))).toBe('TOO_LARGE');
    expect(performance.now() - t0).toBeLessThan(1000); // generous bound; the real cost is a length compare
    expect(code(() => verifyInclusion(h, 2, 3, lc, new Array<Uint8Array>(MAX_PROOF_NODES + 1).fill(nab), root3))).toBe('TOO_LARGE');
    const max = Number.MAX_SAFE_INTEGER;
    const full = new CompactRange(h, max, rootPlan(max).map((_, i) => node(i)));
    expect(code(() => full.append(la))).toBe('TOO_LARGE');
  });

  it('BAD_LENGTH: non-32-byte leaf hash, root, proof node, peak, fetched node', () => {
    const short = new Uint8Array(31);
    const long = new Uint8Array(33);
    expect(code(() => verifyInclusion(h, 2, 3, short, [nab], root3))).toBe('BAD_LENGTH');
    expect(code(() => verifyInclusion(h, 2, 3, lc, [nab], long))).toBe('BAD_LENGTH');
    expect(code(() => verifyInclusion(h, 2, 3, lc, [short], root3))).toBe('BAD_LENGTH');
    expect(code(() => verifyInclusion(h, 0, 1, new Uint8Array(0), [], new Uint8Array(0)))).toBe('BAD_LENGTH');
    expect(code(() => verifyConsistency(h, 2, 3, short, root3, [lc]))).toBe('BAD_LENGTH');
    expect(code(() => verifyConsistency(h, 2, 3, root2, root3, [long]))).toBe('BAD_LENGTH');
    expect(code(() => verifyConsistency(h, 1, 1, short, short, []))).toBe('BAD_LENGTH');
    expect(code(() => verifyInclusion(h, 2, 3, lc, ['00'.repeat(32) as unknown as Uint8Array], root3))).toBe('BAD_LENGTH');
    expect(code(() => new CompactRange(h, 1, [short]))).toBe('BAD_LENGTH');
    expect(code(() => new CompactRange(h).append(long))).toBe('BAD_LENGTH');
    expect(code(() => rootFromPeaks(h, [la, short]))).toBe('BAD_LENGTH');
    expect(code(() => assemble(h, [rootPlan(3)], () => short))).toBe('BAD_LENGTH');
  });

  it('INVALID_INPUT: peaks that do not match the size, proof that is not an array', () => {
    expect(code(() => new CompactRange(h, 3, [la]))).toBe('INVALID_INPUT');
    expect(code(() => new CompactRange(h, 0, [la]))).toBe('INVALID_INPUT');
    expect(code(() => verifyInclusion(h, 2, 3, lc, 'proof' as unknown as Uint8Array[], root3))).toBe('INVALID_INPUT');
  });

  it('INCLUSION_PROOF_INVALID and CONSISTENCY_PROOF_INVALID', () => {
    expect(code(() => verifyInclusion(h, 2, 3, lc, [nab], root3))).toBe('none');
    expect(code(() => verifyInclusion(h, 2, 3, lb, [nab], root3))).toBe('INCLUSION_PROOF_INVALID');
    expect(code(() => verifyInclusion(h, 2, 3, lc, [la], root3))).toBe('INCLUSION_PROOF_INVALID');
    expect(code(() => verifyConsistency(h, 2, 3, root2, root3, [lc]))).toBe('none');
    expect(code(() => verifyConsistency(h, 2, 3, root3, root3, [lc]))).toBe('CONSISTENCY_PROOF_INVALID');
    expect(code(() => verifyConsistency(h, 2, 3, root2, root2, [lc]))).toBe('CONSISTENCY_PROOF_INVALID');
    expect(code(() => verifyConsistency(h, 2, 3, root2, root3, [lb]))).toBe('CONSISTENCY_PROOF_INVALID');
    expect(code(() => verifyConsistency(h, 3, 3, root3, root2, []))).toBe('CONSISTENCY_PROOF_INVALID');
  });

  it('MERKLE_NODE_MISSING: the store lacks a planned node', () => {
    expect(code(() => assemble(h, inclusionPlan(2, 3), () => undefined))).toBe('MERKLE_NODE_MISSING');
  });
});

describe('sizes at the 2^53 edge', () => {
  // Fold a synthetic proof by the left/right pattern of RFC 6962 §2.1 PATH (recursion on sizes only).
  function directions(m: number, n: number): string {
    if (n === 1) return '';
    let s = 1;
    while (s * 2 < n) s *= 2;
    return m < s ? `${directions(m, s)}R` : `${directions(m - s, n - s)}L`;
  }
  it.each([
    [2 ** 53 - 2, 2 ** 53 - 1], [0, 2 ** 53 - 1], [2 ** 52, 2 ** 52 + 1], [2 ** 40 + 12345, 2 ** 45 + 3], [2 ** 32 - 1, 2 ** 32 + 7],
  ])('inclusion of %d in a tree of %d', (index, size) => {
    const dirs = directions(index, size);
    expect(inclusionProofLength(index, size)).toBe(dirs.length);
    expect(inclusionPlan(index, size)).toHaveLength(dirs.length);
    const proof = [...dirs].map((_, i) => node(i));
    let r = la;
    [...dirs].forEach((d, i) => {
      r = d === 'R' ? nodeHash(h, r, proof[i]!) : nodeHash(h, proof[i]!, r);
    });
    expect(code(() => verifyInclusion(h, index, size, la, proof, r))).toBe('none');
    expect(code(() => verifyInclusion(h, index, size, lb, proof, r))).toBe('INCLUSION_PROOF_INVALID');
  });
  it.each([[2 ** 53 - 2, 2 ** 53 - 1], [1, 2 ** 53 - 1], [2 ** 52, 2 ** 53 - 1], [2 ** 33 + 5, 2 ** 34]])('consistency plan %d → %d has the verifier\'s length', (m, n) => {
    expect(consistencyPlan(m, n)).toHaveLength(consistencyProofLength(m, n));
  });
});
