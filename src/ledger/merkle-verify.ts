/**
 * RFC 9162 proof verification, step by step as §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) write it, failing
 * closed with coded errors: sizes are non-negative safe integers (BAD_INTEGER), index < size and
 * 0 < size1 ≤ size2 (PROOF_SIZE_INVALID), every hash is 32 bytes (BAD_LENGTH), the proof has exactly the length the
 * sizes imply (PROOF_WRONG_LENGTH; arrays above MAX_PROOF_NODES → TOO_LARGE before any work), and the recomputed
 * roots match (INCLUSION_PROOF_INVALID / CONSISTENCY_PROOF_INVALID).
 */
import type { HashSuite } from '../crypto/hash.js';
import { bytesEqual } from '../crypto/bytes.js';
import { fail } from '../errors.js';
import { checkNode, nodeHash } from './merkle-hash.js';
import { bitLength, checkSize, popCount } from './merkle-plan.js';

/** No valid proof of a tree below 2^53 leaves has more nodes than this; longer arrays are refused unread. */
export const MAX_PROOF_NODES = 64;

const TWO32 = 0x1_0000_0000;

/** a XOR b for safe integers (bit operators alone truncate to 32 bits). */
function xor53(a: number, b: number): number {
  const hi = (Math.floor(a / TWO32) ^ Math.floor(b / TWO32)) >>> 0;
  const lo = ((a >>> 0) ^ (b >>> 0)) >>> 0;
  return hi * TWO32 + lo;
}

/** Count of trailing zero bits of a positive safe integer. */
function trailingZeros(x: number): number {
  let n = 0;
  for (let v = x; v % 2 === 0; v /= 2) n++;
  return n;
}

/** Length of PATH(index, D[size]): inner levels below the fork plus the left siblings above it. */
export function inclusionProofLength(index: number, size: number): number {
  const inner = bitLength(xor53(index, size - 1));
  return inner + popCount(Math.floor(index / 2 ** inner));
}

/** Length of PROOF(size1, D[size2]) for 0 < size1 < size2 (the seed node is omitted when size1 is a power of 2). */
export function consistencyProofLength(size1: number, size2: number): number {
  const shift = trailingZeros(size1);
  const inner = bitLength(xor53(size1 - 1, size2 - 1));
  const border = popCount(Math.floor((size1 - 1) / 2 ** inner));
  return (size1 === 2 ** shift ? 0 : 1) + inner - shift + border;
}

function checkProof(proof: unknown, expected: number): readonly Uint8Array[] {
  if (!Array.isArray(proof)) return fail('INVALID_INPUT', { field: 'proof', reason: 'must be an array' });
  if (proof.length > MAX_PROOF_NODES) fail('TOO_LARGE', { field: 'proof', limit: MAX_PROOF_NODES });
  if (proof.length !== expected) fail('PROOF_WRONG_LENGTH', { actual: proof.length, expected });
  for (let i = 0; i < proof.length; i++) checkNode(proof[i], `proof[${i}]`);
  return proof as Uint8Array[];
}

/** Verify that `leafHash` is leaf `index` of the tree of `size` leaves with root `root` (RFC 9162 §2.1.3.2). */
export function verifyInclusion(h: HashSuite, index: number, size: number, leafHash: Uint8Array, proof: Uint8Array[], root: Uint8Array): void {
  checkSize(index, 'index');
  checkSize(size, 'size');
  // Step 1: compare leaf_index against tree_size; if leaf_index ≥ tree_size, fail.
  if (index >= size) fail('PROOF_SIZE_INVALID', { reason: `index ${index} is not below tree size ${size}` });
  checkNode(leafHash, 'leafHash');
  checkNode(root, 'root');
  const path = checkProof(proof, inclusionProofLength(index, size));
  // Steps 2–3: fn = leaf_index, sn = tree_size - 1, r = hash.
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  // Step 4: fold the path in.
  for (const p of path) {
    if (sn === 0) fail('PROOF_WRONG_LENGTH', { actual: path.length, expected: inclusionProofLength(index, size) }); // 4a (unreachable after the length check)
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(h, p, r); // 4b.1
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2; // 4b.2: fn is even here, so halving is the right shift
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(h, r, p); // 4b otherwise
    }
    fn = Math.floor(fn / 2); // 4c
    sn = Math.floor(sn / 2);
  }
  // Step 5: sn must be 0 and r must equal the root.
  if (sn !== 0 || !bytesEqual(r, root)) fail('INCLUSION_PROOF_INVALID');
}

/**
 * Verify that the tree of size2 with root2 extends the tree of size1 with root1 (RFC 9162 §2.1.4.2).
 * DIFF FROM SPEC: the RFC defines proofs for 0 < size1 < size2 only; size1 == size2 is accepted with an empty proof
 * and equal roots, size1 == 0 is refused (PROOF_SIZE_INVALID) rather than trivially accepted.
 */
export function verifyConsistency(h: HashSuite, size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: Uint8Array[]): void {
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  if (size1 === 0) fail('PROOF_SIZE_INVALID', { reason: 'size1 must be positive' });
  if (size1 > size2) fail('PROOF_SIZE_INVALID', { reason: `size1 ${size1} exceeds size2 ${size2}` });
  checkNode(root1, 'root1');
  checkNode(root2, 'root2');
  if (size1 === size2) {
    checkProof(proof, 0);
    if (!bytesEqual(root1, root2)) fail('CONSISTENCY_PROOF_INVALID', { which: 'root2' });
    return;
  }
  const given = checkProof(proof, consistencyProofLength(size1, size2));
  // Step 1: an empty consistency_path fails (cannot happen for size1 < size2 after the length check).
  if (given.length === 0) fail('PROOF_WRONG_LENGTH', { actual: 0, expected: consistencyProofLength(size1, size2) });
  // Step 2: if first is an exact power of 2, prepend first_hash.
  const path = size1 === 2 ** trailingZeros(size1) ? [root1, ...given] : given;
  // Step 3: fn = first - 1, sn = second - 1.
  let fn = size1 - 1;
  let sn = size2 - 1;
  // Step 4: while LSB(fn) is set, right-shift fn and sn.
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  // Step 5: fr = sr = the first value of the path.
  let fr = path[0]!;
  let sr = path[0]!;
  // Step 6: fold the rest.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) fail('CONSISTENCY_PROOF_INVALID', { which: 'size2' }); // 6a
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(h, c, fr); // 6b.1
      sr = nodeHash(h, c, sr); // 6b.2
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2; // 6b.3
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(h, sr, c); // 6b otherwise
    }
    fn = Math.floor(fn / 2); // 6c
    sn = Math.floor(sn / 2);
  }
  // Step 7: fr must equal first_hash, sr second_hash, and sn must be 0.
  if (sn !== 0) fail('CONSISTENCY_PROOF_INVALID', { which: 'size2' });
  if (!bytesEqual(fr, root1)) fail('CONSISTENCY_PROOF_INVALID', { which: 'root1' });
  if (!bytesEqual(sr, root2)) fail('CONSISTENCY_PROOF_INVALID', { which: 'root2' });
}
