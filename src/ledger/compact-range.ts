/**
 * Compact range (the "frontier" of RFC 9162 logs, transparency-dev/merkle `compact.Range` for the range [0, size)):
 * the hashes of the tree's peaks — its maximal complete subtrees, left to right. Appending a leaf costs O(log n)
 * hashes and reports every complete node it creates, which is exactly what a store persists for O(log n) proofs.
 */
import type { HashSuite } from '../crypto/hash.js';
import { fail } from '../errors.js';
import { checkNode, nodeHash, rootFromPeaks } from './merkle-hash.js';
import { checkSize, popCount, type NodeId } from './merkle-plan.js';

/** A complete node created by an append. */
export interface CreatedNode {
  id: NodeId;
  hash: Uint8Array;
}

/** Compact range / frontier: O(log n) hashing per append, and the list of complete nodes each append creates. */
export class CompactRange {
  #size: number;
  readonly #peaks: Uint8Array[];
  readonly #h: HashSuite;

  /** Start empty, or resume from stored peaks (= the rootPlan(size) nodes, left to right). */
  constructor(h: HashSuite, size = 0, peaks: readonly Uint8Array[] = []) {
    checkSize(size, 'size');
    if (!Array.isArray(peaks)) fail('INVALID_INPUT', { field: 'peaks', reason: 'must be an array' });
    const expected = popCount(size);
    if (peaks.length !== expected) fail('INVALID_INPUT', { field: 'peaks', reason: `a tree of ${size} leaves has ${expected} peaks, got ${peaks.length}` });
    this.#h = h;
    this.#size = size;
    this.#peaks = peaks.map((p, i) => Uint8Array.from(checkNode(p, `peaks[${i}]`)));
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Hashes of the peaks, left to right (largest subtree first). */
  get peaks(): readonly Uint8Array[] {
    return this.#peaks.slice();
  }

  /** Append a leaf hash; returns the new leaf node and every complete subtree it closes, bottom-up. */
  append(leafHash: Uint8Array): CreatedNode[] {
    checkNode(leafHash, 'leafHash');
    const index = this.#size;
    if (!Number.isSafeInteger(index + 1)) fail('TOO_LARGE', { field: 'tree size', limit: Number.MAX_SAFE_INTEGER });
    let hash = Uint8Array.from(leafHash);
    const created: CreatedNode[] = [{ id: { level: 0, index }, hash }];
    // Every trailing one bit of the old size is a peak of equal size to merge with.
    let level = 0;
    for (let s = index; s % 2 === 1; s = (s - 1) / 2) {
      const left = this.#peaks.pop()!;
      hash = Uint8Array.from(nodeHash(this.#h, left, hash));
      level++;
      created.push({ id: { level, index: Math.floor(index / 2 ** level) }, hash });
    }
    this.#peaks.push(hash);
    this.#size = index + 1;
    return created;
  }

  /** The Merkle Tree Hash of the leaves so far (RFC 9162 §2.1.1). */
  root(): Uint8Array {
    return rootFromPeaks(this.#h, this.#peaks);
  }
}
