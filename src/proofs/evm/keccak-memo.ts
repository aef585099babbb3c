/**
 * A bounded memo of Keccak-256 over small byte strings, for the MPT verifier's node and key hashes and the header hash.
 *
 * Why: the relay verifies many eth_getProof results of the same block, and they repeat the same bytes — the account
 * proof is identical for every record of a contract at one block, and the storage proofs share their upper nodes.
 * Pure-JS Keccak of a 532-byte branch node costs ~13 µs; a lookup costs well under 1 µs.
 *
 * Why it is sound: the memo caches a pure function of its input — `keccak256(bytes)` — and nothing else. It never
 * stores a verdict ("this proof is valid", "this node belongs to that root"): the verifier still compares every
 * node's hash with the reference its parent holds, walks every path and parses every node on every call. The key is
 * the ENTIRE input, byte for byte (latin1 maps each byte to one UTF-16 code unit 0–255, so distinct byte strings give
 * distinct keys, and Map compares string keys by content): bytes that differ in any position, or in length, miss the
 * memo and are hashed afresh. A hit returns a fresh copy, so no caller can alter what the memo holds.
 *
 * Bounds: at most MEMO_MAX_ENTRIES entries of at most MEMO_MAX_INPUT_BYTES each (≤ ~4.5 MB), least recently used
 * evicted first; larger inputs are hashed without the memo.
 */
import { keccak256 } from '../../crypto/hash.js';

/** Most entries held (LRU eviction beyond). */
export const MEMO_MAX_ENTRIES = 4096;
/** Inputs longer than this are never memoised (a full state-trie branch is 532 bytes, a Prague header ~620). */
export const MEMO_MAX_INPUT_BYTES = 1024;

const memo = new Map<string, Uint8Array>();

function keyOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** keccak256(bytes), served from the bounded memo when these exact bytes were hashed before. */
export function memoKeccak256(bytes: Uint8Array): Uint8Array {
  if (bytes.length > MEMO_MAX_INPUT_BYTES) return keccak256(bytes);
  const key = keyOf(bytes);
  const hit = memo.get(key);
  if (hit !== undefined) {
    // LRU: re-insert so that the entry becomes the newest.
    memo.delete(key);
    memo.set(key, hit);
    return hit.slice();
  }
  const h = keccak256(bytes);
  memo.set(key, h.slice());
  if (memo.size > MEMO_MAX_ENTRIES) memo.delete(memo.keys().next().value!);
  return h;
}

/** Entries currently held (tests: the bound). */
export function memoSize(): number {
  return memo.size;
}

/** Forget every entry (tests). */
export function clearMemo(): void {
  memo.clear();
}
