/**
 * RFC 9162 §2.1.1 Merkle tree hashing with domain separation: leaves are H(0x00 || leaf), interior nodes
 * H(0x01 || left || right), and the empty tree's root is H(""). The hash suite is chosen per ledger (SHA-256 by
 * default, SM3 as the national alternative).
 *
 * Hot path: SHA-256 and SM3 interior nodes are hashed with node's one-shot `crypto.hash` over a reused 65-byte scratch
 * buffer (one copy of 64 bytes, one native call), which is faster than three `update` calls on a `createHash` object.
 */
import { hash as oneShotHash } from 'node:crypto';
import { HASHES, type HashSuite } from '../crypto/hash.js';
import { fail } from '../errors.js';

/** Size in bytes of every Merkle node of every supported suite. */
export const NODE_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);
const EMPTY = new Uint8Array(0);

/** Scratch for 0x01 || left || right; safe to reuse because hashing is synchronous. */
const scratch = Buffer.alloc(1 + 2 * NODE_SIZE);
scratch[0] = 0x01;

function nodeAlgOf(h: HashSuite): 'sha256' | 'sm3' | undefined {
  if (h === HASHES.sha256) return 'sha256';
  if (h === HASHES.sm3) return 'sm3';
  return undefined;
}

/** Scratch for 0x00 || leaf; entries larger than it take the two-update path. */
const leafScratch = Buffer.alloc(64 * 1024);

/**
 * H(0x00 || leaf) — the leaf hash of RFC 9162 §2.1.1. For SHA-256 and SM3 one native one-shot call over a reused
 * buffer (the hot path of every append: ~40 % cheaper than a Hash object with two updates).
 */
export function leafHash(h: HashSuite, leaf: Uint8Array): Uint8Array {
  const alg = nodeAlgOf(h);
  if (alg === undefined || leaf.length >= leafScratch.length) return h.digest(LEAF_PREFIX, leaf);
  leafScratch[0] = 0x00;
  leafScratch.set(leaf, 1);
  const out = oneShotHash(alg, leafScratch.subarray(0, leaf.length + 1), 'buffer') as unknown as Buffer;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** H(0x01 || left || right) — the interior node hash of RFC 9162 §2.1.1 (inputs are not length-checked here). */
export function nodeHash(h: HashSuite, left: Uint8Array, right: Uint8Array): Uint8Array {
  const alg = nodeAlgOf(h);
  if (alg !== undefined && left.length === NODE_SIZE && right.length === NODE_SIZE) {
    scratch.set(left, 1);
    scratch.set(right, 1 + NODE_SIZE);
    const out = oneShotHash(alg, scratch, 'buffer') as unknown as Buffer;
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  return h.digest(NODE_PREFIX, left, right);
}

/** MTH({}) = H("") — the root of the empty tree (RFC 9162 §2.1.1). */
export function emptyRoot(h: HashSuite): Uint8Array {
  return h.digest(EMPTY);
}

/**
 * Root from the peaks of a tree (its complete subtrees left to right, largest first): fold from the right.
 * No peaks → the empty root.
 */
export function rootFromPeaks(h: HashSuite, peaks: readonly Uint8Array[]): Uint8Array {
  if (peaks.length === 0) return emptyRoot(h);
  let acc = checkNode(peaks[peaks.length - 1]!, `peaks[${peaks.length - 1}]`);
  for (let i = peaks.length - 2; i >= 0; i--) acc = nodeHash(h, checkNode(peaks[i]!, `peaks[${i}]`), acc);
  return acc;
}

/** Fail with BAD_LENGTH unless `node` is a 32-byte Uint8Array; returns it. */
export function checkNode(node: unknown, field: string): Uint8Array {
  if (!(node instanceof Uint8Array)) return fail('BAD_LENGTH', { field, expected: NODE_SIZE, actual: 'not bytes' });
  if (node.length !== NODE_SIZE) fail('BAD_LENGTH', { field, expected: NODE_SIZE, actual: node.length });
  return node;
}
