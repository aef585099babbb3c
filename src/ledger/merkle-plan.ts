/**
 * Proof plans: which stored complete subtrees a proof needs, so that a store fetches them all in one query and a
 * proof costs O(log n) reads. Every plan entry is one hash of the proof (or of a root): the Merkle Tree Hash of a
 * leaf range, written as that range's decomposition into complete subtrees, largest first; folding the list from the
 * right with the node hash gives the MTH (RFC 9162 §2.1.1 splits at the largest power of two below n, so a range
 * of n = 2^a + 2^b + … leaves is exactly the nested fold of its aligned complete subtrees).
 *
 * Integer arithmetic uses division, not bit operators, so that every JS safe integer (< 2^53) works.
 */
import { fail } from '../errors.js';

/** A complete subtree: 2^level leaves starting at leaf index*2^level. level 0 = a leaf hash. */
export interface NodeId {
  level: number;
  index: number;
}

/** Fail with BAD_INTEGER unless `value` is a non-negative safe integer; returns it. */
export function checkSize(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail('BAD_INTEGER', { field });
  return value;
}

/** Number of bits needed to write x (0 → 0), for safe integers. */
export function bitLength(x: number): number {
  const hi = Math.floor(x / 0x1_0000_0000);
  return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(x >>> 0);
}

/** Number of set bits of a safe integer. */
export function popCount(x: number): number {
  let n = 0;
  for (let v = x; v > 0; v = Math.floor(v / 2)) n += v % 2;
  return n;
}

/** The largest power of two strictly below n (n ≥ 2) — RFC 9162 §2.1.1's split point k. */
export function splitPoint(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

/**
 * Complete subtrees covering leaves [start, end), largest first, where start is a multiple of the smallest power of
 * two ≥ end - start (true of every range the RFC recursion produces).
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let pos = start;
  for (let level = bitLength(end - start) - 1; level >= 0; level--) {
    const width = 2 ** level;
    if (end - pos >= width) {
      out.push({ level, index: pos / width });
      pos += width;
    }
  }
  return out;
}

/** The peaks of a tree of `size` leaves, left to right: the plan of its root (fold from the right). */
export function rootPlan(size: number): NodeId[] {
  checkSize(size, 'size');
  return rangeNodes(0, size);
}

/**
 * Plan of the inclusion proof PATH(index, D[size]) of RFC 9162 §2.1.3.1, ordered from the leaf up (the proof's
 * order). Fails with PROOF_SIZE_INVALID when index ≥ size.
 */
export function inclusionPlan(index: number, size: number): NodeId[][] {
  checkSize(index, 'index');
  checkSize(size, 'size');
  if (index >= size) fail('PROOF_SIZE_INVALID', { reason: `index ${index} is not below tree size ${size}` });
  const topDown: NodeId[][] = [];
  let lo = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      topDown.push(rangeNodes(lo + k, lo + n)); // PATH(m, D[0:k]) : MTH(D[k:n])
      n = k;
    } else {
      topDown.push(rangeNodes(lo, lo + k)); // PATH(m - k, D[k:n]) : MTH(D[0:k])
      lo += k;
      m -= k;
      n -= k;
    }
  }
  return topDown.reverse();
}

/**
 * Plan of the consistency proof PROOF(size1, D[size2]) = SUBPROOF(size1, D[size2], true) of RFC 9162 §2.1.4.1,
 * in the proof's order. Fails with PROOF_SIZE_INVALID unless 0 < size1 ≤ size2 (size1 == size2 → empty plan).
 */
export function consistencyPlan(size1: number, size2: number): NodeId[][] {
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  if (size1 === 0) fail('PROOF_SIZE_INVALID', { reason: 'size1 must be positive' });
  if (size1 > size2) fail('PROOF_SIZE_INVALID', { reason: `size1 ${size1} exceeds size2 ${size2}` });
  const topDown: NodeId[][] = [];
  let lo = 0;
  let n = size2;
  let m = size1;
  let whole = true; // the RFC's flag b: the subtree [lo, lo+m) is a complete subtree of the old tree's root path
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      topDown.push(rangeNodes(lo + k, lo + n)); // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      n = k;
    } else {
      topDown.push(rangeNodes(lo, lo + k)); // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      lo += k;
      m -= k;
      n -= k;
      whole = false;
    }
  }
  if (!whole) topDown.push(rangeNodes(lo, lo + m)); // SUBPROOF(m, D[m], false) = [MTH(D[m])]
  return topDown.reverse();
}

/** The distinct nodes a plan reads, for one batched store query. */
export function planNodes(plan: readonly (readonly NodeId[])[]): NodeId[] {
  const seen = new Set<string>();
  const out: NodeId[] = [];
  for (const entry of plan) {
    for (const id of entry) {
      const key = `${id.level}/${id.index}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(id);
      }
    }
  }
  return out;
}
