/**
 * Merkle-Patricia trie proof verification (Yellow Paper Appendix D; EIP-1186 proof format).
 *
 * A proof is the list of RLP-encoded nodes on the path from the root to the key, in order. The walk starts at the
 * root hash and, at each step, takes the NEXT proof node and requires keccak256(node) to equal the reference held by
 * the previous node; references shorter than 32 bytes are embedded nodes (App. D, "c(J,i)") and consume no proof
 * node (an exact repeat of it in the proof is tolerated, see below). Ordered consumption rejects unreferenced, duplicated and trailing nodes, and makes cycles impossible.
 * Absence is proven by an empty branch slot or by a leaf / extension whose path diverges from the key.
 */
import { fail } from '../../errors.js';
import { bytesEqual } from '../../crypto/bytes.js';
import { memoKeccak256 } from './keccak-memo.js';
import { decodeNodeItems, type NodeItem } from './rlp.js';

/** keccak256(RLP("")): the root of the empty trie. */
export const EMPTY_TRIE_ROOT = new Uint8Array(Buffer.from('56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421', 'hex'));

/** Limits of a proof walk. */
export interface MptLimits {
  /** Largest accepted node in bytes (532 = a full branch of 16 hashes; raise it for receipt / transaction tries). */
  maxNodeBytes: number;
  /** Most nodes in one proof (a 32-byte key gives at most 64 nibbles, so 65 levels). */
  maxNodes: number;
}

/** Limits for state and storage tries (EIP-1186). */
export const STATE_TRIE_LIMITS: MptLimits = { maxNodeBytes: 532, maxNodes: 64 };

/** Split bytes into nibbles (high first). */
export function toNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 15;
  }
  return out;
}

/** Hex-prefix decoding (App. C): returns the nibble path and whether the node is a leaf (terminator flag). */
export function decodeHexPrefix(encoded: Uint8Array, field: string): { path: Uint8Array; leaf: boolean } {
  if (encoded.length === 0) fail('MPT_PROOF_INVALID', { field, reason: 'empty hex-prefix path' });
  const flag = encoded[0]! >> 4;
  if (flag > 3) fail('MPT_PROOF_INVALID', { field, reason: 'bad hex-prefix flag' });
  const odd = (flag & 1) === 1;
  if (!odd && (encoded[0]! & 15) !== 0) fail('MPT_PROOF_INVALID', { field, reason: 'non-zero hex-prefix padding' });
  const n = toNibbles(encoded);
  return { path: n.subarray(odd ? 1 : 2), leaf: flag >= 2 };
}

type Ref = { hash: Uint8Array } | { inline: Uint8Array };

function childRef(item: NodeItem, field: string): Ref | null {
  if (item.list) {
    if (item.raw.length >= 32) fail('MPT_PROOF_INVALID', { field, reason: 'embedded node of 32 bytes or more' });
    return { inline: item.raw };
  }
  if (item.bytes.length === 0) return null;
  if (item.bytes.length !== 32) fail('MPT_PROOF_INVALID', { field, reason: 'child reference is neither a hash nor an embedded node' });
  return { hash: item.bytes };
}

function startsWith(path: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (path.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[at + i] !== prefix[i]) return false;
  return true;
}

/**
 * Verify `proof` for the nibble `path` against `root`. Returns the value (the leaf's byte string) or `null` for a
 * valid proof of absence; throws MPT_PROOF_INVALID / RLP_MALFORMED / TOO_LARGE otherwise.
 */
export function verifyMptPath(root: Uint8Array, path: Uint8Array, proof: readonly Uint8Array[], field: string, limits: MptLimits = STATE_TRIE_LIMITS): Uint8Array | null {
  if (proof.length > limits.maxNodes) fail('TOO_LARGE', { field, limit: limits.maxNodes });
  if (proof.length === 0) {
    if (bytesEqual(root, EMPTY_TRIE_ROOT)) return null;
    fail('MPT_PROOF_INVALID', { field, reason: 'empty proof for a non-empty trie' });
  }
  let ref: Ref = { hash: root };
  let used = 0;
  let at = 0;
  let result: Uint8Array | null = null;
  // Each iteration either consumes a proof node or descends into an embedded node that is strictly shorter than its
  // parent, so the loop is bounded by proof size; the explicit bound is a second guard.
  const maxSteps = 2 * limits.maxNodes + 64;
  for (let step = 0; ; step++) {
    if (step > maxSteps) fail('MPT_PROOF_INVALID', { field, reason: 'walk does not terminate' });
    let node: Uint8Array;
    const nf = `${field}[${used}]`;
    if ('hash' in ref) {
      const next = proof[used];
      if (next === undefined) fail('MPT_PROOF_INVALID', { field, reason: `missing node after ${used}` });
      if (next.length > limits.maxNodeBytes) fail('MPT_PROOF_INVALID', { field: nf, reason: `node exceeds ${limits.maxNodeBytes} bytes` });
      if (used > 0 && next.length < 32) fail('MPT_PROOF_INVALID', { field: nf, reason: 'node under 32 bytes must be embedded' });
      // The memo caches keccak256 of these exact bytes only (keccak-memo.ts); the comparison runs on every call.
      if (!bytesEqual(memoKeccak256(next), ref.hash)) fail('MPT_PROOF_INVALID', { field: nf, reason: 'hash does not match its reference' });
      node = next;
      used++;
    } else {
      node = ref.inline;
      // DIFF FROM geth: @ethereumjs/mpt also lists embedded nodes as proof entries; accept such an entry only when it
      // repeats the embedded encoding byte for byte (it adds nothing the parent did not already commit to).
      const next = proof[used];
      if (next !== undefined && bytesEqual(next, node)) used++;
    }
    // The empty trie's root "node" is RLP("") = 0x80 (keccak = EMPTY_TRIE_ROOT); some nodes send it as the proof.
    if (used === 1 && node.length === 1 && node[0] === 0x80 && 'hash' in ref && ref.hash === root) break;
    const items = decodeNodeItems(node, nf);
    if (items.length === 17) {
      if (at === path.length) {
        const v = items[16]!;
        if (v.list) fail('MPT_PROOF_INVALID', { field: nf, reason: 'branch value is a list' });
        result = v.bytes.length === 0 ? null : v.bytes;
        break;
      }
      const next = childRef(items[path[at]!]!, nf);
      at++;
      if (next === null) break; // absent: empty slot
      ref = next;
    } else if (items.length === 2) {
      const [k, v] = items as [NodeItem, NodeItem];
      if (k.list) fail('MPT_PROOF_INVALID', { field: nf, reason: 'node path is a list' });
      const hp = decodeHexPrefix(k.bytes, nf);
      if (hp.leaf) {
        if (v.list || v.bytes.length === 0) fail('MPT_PROOF_INVALID', { field: nf, reason: 'leaf value must be a non-empty string' });
        result = at + hp.path.length === path.length && startsWith(path, at, hp.path) ? v.bytes : null;
        break;
      }
      if (hp.path.length === 0) fail('MPT_PROOF_INVALID', { field: nf, reason: 'extension with an empty path' });
      if (!startsWith(path, at, hp.path)) break; // absent: diverging extension
      at += hp.path.length;
      const next = childRef(v, nf);
      if (next === null) fail('MPT_PROOF_INVALID', { field: nf, reason: 'extension without a child' });
      ref = next;
    } else {
      fail('MPT_PROOF_INVALID', { field: nf, reason: `node has ${items.length} items` });
    }
  }
  if (used !== proof.length) fail('MPT_PROOF_INVALID', { field, reason: `${proof.length - used} proof node(s) not on the key's path` });
  return result;
}

/** Verify a proof for a key of a "secure" trie (state / storage: path = keccak256(key)). */
export function verifySecureProof(root: Uint8Array, key: Uint8Array, proof: readonly Uint8Array[], field: string, limits?: MptLimits): Uint8Array | null {
  return verifyMptPath(root, toNibbles(memoKeccak256(key)), proof, field, limits);
}
