/**
 * RFC 9162 Merkle tree hashing and inclusion-proof verification in the browser (async hashes: WebCrypto / SM3).
 * Same rules as src/ledger/merkle-verify.ts: index < size (PROOF_SIZE_INVALID), 32-byte nodes (BAD_LENGTH), the
 * exact proof length the sizes imply (PROOF_WRONG_LENGTH), the recomputed root equals the root
 * (INCLUSION_PROOF_INVALID).
 */
import { fail } from '../../src/errors.js';
import { bytesEqual } from './bytes.js';
import type { WebHash } from './hashes.js';

/** Longest valid inclusion proof of a tree below 2^53 leaves. */
export const MAX_PROOF_NODES = 64;

/** H(0x00 || entry) — the leaf hash of RFC 9162 §2.1.1. */
export function leafHash(h: WebHash, entry: Uint8Array): Promise<Uint8Array> {
  return h(Uint8Array.of(0x00), entry);
}

/** H(0x01 || left || right) — the interior node hash of RFC 9162 §2.1.1. */
export function nodeHash(h: WebHash, left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return h(Uint8Array.of(0x01), left, right);
}

function checkSize(n: unknown, field: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) fail('BAD_INTEGER', { field });
}

function checkNode(node: unknown, field: string): Uint8Array {
  if (!(node instanceof Uint8Array) || node.length !== 32) return fail('BAD_LENGTH', { field, expected: 32, actual: node instanceof Uint8Array ? node.length : 'not bytes' });
  return node;
}

/** Length of the audit path of leaf `index` in a tree of `size` leaves (size > index). */
export function inclusionProofLength(index: number, size: number): number {
  // Walk the RFC 9162 §2.1.3.2 loop without hashing: count the nodes it consumes.
  let fn = index;
  let sn = size - 1;
  let n = 0;
  while (sn !== 0) {
    n++;
    if (fn % 2 === 1 || fn === sn) {
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return n;
}

/** Verify that `leaf` is leaf `index` of the tree of `size` leaves with root `root` (RFC 9162 §2.1.3.2). */
export async function verifyInclusion(h: WebHash, index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): Promise<void> {
  checkSize(index, 'index');
  checkSize(size, 'size');
  // Step 1: if leaf_index ≥ tree_size, fail.
  if (index >= size) fail('PROOF_SIZE_INVALID', { reason: `index ${index} is not below tree size ${size}` });
  checkNode(leaf, 'leafHash');
  checkNode(root, 'root');
  if (proof.length > MAX_PROOF_NODES) fail('TOO_LARGE', { field: 'proof', limit: MAX_PROOF_NODES });
  const expected = inclusionProofLength(index, size);
  if (proof.length !== expected) fail('PROOF_WRONG_LENGTH', { actual: proof.length, expected });
  proof.forEach((p, i) => checkNode(p, `proof[${i}]`));
  // Steps 2–3: fn = leaf_index, sn = tree_size - 1, r = hash.
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  // Step 4: fold each proof node in.
  for (const p of proof) {
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(h, p, r); // 4b.1
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2; // 4b.2
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(h, r, p);
    }
    fn = Math.floor(fn / 2); // 4c
    sn = Math.floor(sn / 2);
  }
  // Step 5: sn must be 0 and r must equal the root.
  if (sn !== 0 || !bytesEqual(r, root)) fail('INCLUSION_PROOF_INVALID');
}
