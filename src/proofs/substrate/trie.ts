/**
 * Substrate's base-16 Patricia-Merkle trie: the node codec of sp-trie (`node_header.rs`, `node_codec.rs`, layouts V0
 * and V1 — Polkadot Protocol Specification §2.4 "Storage trie") and key lookup over a set of nodes addressed by their
 * BLAKE2b-256 hash.
 *
 * Node header, first byte (sp-trie `trie_constants`):
 *   01xxxxxx leaf                         (6 bits of nibble count)
 *   10xxxxxx branch without value         (6 bits)
 *   11xxxxxx branch with inline value     (6 bits)
 *   001xxxxx leaf with hashed value (V1)  (5 bits)
 *   0001xxxx branch with hashed value (V1)(4 bits)
 *   00000000 empty trie; 0000xxxx with xxxx ≠ 0 is not a node.
 * When the count bits are all ones, continuation bytes follow: each 255 adds 255 and continues, a byte < 255 adds
 * itself and ends (`decode_size`). Then the partial key: ceil(n/2) bytes, an odd count left-padded with a zero nibble
 * (checked). Branches: u16 LE child bitmap (bit i = child nibble i, never 0), the value, then each child as
 * Compact<u32>-prefixed bytes: 32 bytes = a hash, fewer = the child node inline. Values: Vec<u8> inline, or (hashed
 * variants) the 32-byte BLAKE2b-256 of the value, whose preimage is a separate proof entry.
 */
import { fail, isCourtBridgeError } from '../../errors.js';
import { toHex, toHex0x } from '../../crypto/bytes.js';
import { ScaleReader } from './scale.js';

/** Hash length (BLAKE2b-256). */
export const HASH_LEN = 32;
const NIBBLE_SIZE_BOUND = 0xffff; // sp-trie trie_constants::NIBBLE_SIZE_BOUND

/** A child reference: a hash of a node held elsewhere, or the node's encoding inline (< 32 bytes). */
export type ChildRef = { kind: 'hash'; hash: Uint8Array } | { kind: 'inline'; node: Uint8Array };

/** A node value: inline bytes, or the hash of a value stored as its own proof entry (V1). */
export type NodeValue = { kind: 'inline'; value: Uint8Array } | { kind: 'hashed'; hash: Uint8Array };

/** A decoded trie node. `partial` holds nibbles (0..15), one per element. */
export type TrieNode =
  | { kind: 'empty' }
  | { kind: 'leaf'; partial: Uint8Array; value: NodeValue }
  | { kind: 'branch'; partial: Uint8Array; value: NodeValue | null; children: (ChildRef | null)[] };

function bad(field: string, reason: string): never {
  return fail('TRIE_NODE_INVALID', { field, reason });
}

/** Decode one node strictly (header bits, padding, bitmap, child count, canonical child references, no trailing bytes). */
export function decodeTrieNode(data: Uint8Array, field: string): TrieNode {
  try {
    return decodeNode(data, field);
  } catch (e) {
    // Truncation inside a node is a malformed node: report it as such (verify category), keeping the SCALE cause.
    if (isCourtBridgeError(e) && e.code === 'SCALE_INVALID') return fail('TRIE_NODE_INVALID', { field, reason: String(e.details.reason) }, e);
    throw e;
  }
}

function decodeNode(data: Uint8Array, field: string): TrieNode {
  if (data.length === 0) bad(field, 'empty encoding');
  const first = data[0]!;
  let type: 'leaf' | 'branch' | 'branchValue' | 'hashedLeaf' | 'hashedBranch';
  let bits: number;
  switch (first >> 6) {
    case 1: type = 'leaf'; bits = 6; break;
    case 2: type = 'branch'; bits = 6; break;
    case 3: type = 'branchValue'; bits = 6; break;
    default:
      if (first & 0x20) { type = 'hashedLeaf'; bits = 5; }
      else if (first & 0x10) { type = 'hashedBranch'; bits = 4; }
      else if (first === 0) {
        if (data.length !== 1) bad(field, 'empty-trie node with trailing bytes');
        return { kind: 'empty' };
      } else return bad(field, `unknown header bits 0x${first.toString(16).padStart(2, '0')}`);
  }
  const r = new ScaleReader(data, field);
  r.u8('header');
  // decode_size: count bits all ones ⇒ continuation bytes.
  const max = (1 << bits) - 1;
  let count = first & max;
  if (count === max) {
    for (;;) {
      const n = r.u8('header.size');
      count += n;
      if (count > NIBBLE_SIZE_BOUND) bad(field, 'partial key longer than 65535 nibbles');
      if (n < 255) break;
    }
  }
  const partialBytes = r.bytes((count + 1) >> 1, 'partial');
  if (count % 2 === 1 && partialBytes[0]! >> 4 !== 0) bad(field, 'non-zero padding nibble in partial key');
  const partial = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const j = i + (count % 2); // skip the padding nibble of an odd count
    const b = partialBytes[j >> 1]!;
    partial[i] = j % 2 === 0 ? b >> 4 : b & 0x0f;
  }
  const readValue = (hashed: boolean): NodeValue =>
    hashed ? { kind: 'hashed', hash: r.bytes(HASH_LEN, 'value_hash') } : { kind: 'inline', value: r.byteVec('value', r.remaining) };

  if (type === 'leaf' || type === 'hashedLeaf') {
    const value = readValue(type === 'hashedLeaf');
    if (r.remaining !== 0) bad(field, `${r.remaining} trailing bytes`);
    return { kind: 'leaf', partial, value };
  }
  const bitmap = r.u16('bitmap');
  if (bitmap === 0) bad(field, 'branch bitmap without a child');
  const value = type === 'branch' ? null : readValue(type === 'hashedBranch');
  const children: (ChildRef | null)[] = new Array<ChildRef | null>(16).fill(null);
  let childCount = 0;
  for (let i = 0; i < 16; i++) {
    if ((bitmap & (1 << i)) === 0) continue;
    childCount++;
    const len = r.compactU32(`children[${i}].length`);
    if (len > r.remaining) bad(field, `child ${i} of ${len} bytes overruns the node`);
    const bytes = r.bytes(len, `children[${i}]`);
    if (len === HASH_LEN) children[i] = { kind: 'hash', hash: bytes };
    else if (len === 0 || len > HASH_LEN) bad(field, `child ${i} reference of ${len} bytes is neither a hash nor an inline node`);
    else children[i] = { kind: 'inline', node: bytes };
  }
  if (r.remaining !== 0) bad(field, `${r.remaining} trailing bytes (more data than the bitmap's children)`);
  // DIFF FROM SPEC (stricter than sp-trie's decoder): trie-db never stores a value-less branch with a single child
  // (it merges it into the child), so such a node is non-canonical and rejected.
  if (value === null && childCount < 2) bad(field, 'branch without value has a single child');
  return { kind: 'branch', partial, value, children };
}

/** Where the lookup finds nodes and hashed values; it records what it used. */
export interface NodeStore {
  /** The bytes whose hash is `hash`, or undefined when the proof lacks them. */
  get(hash: Uint8Array): Uint8Array | undefined;
}

/** Nibbles of a key, high nibble first. */
export function keyNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 0x0f;
  }
  return out;
}

function startsWith(key: Uint8Array, at: number, partial: Uint8Array): boolean {
  if (at + partial.length > key.length) return false;
  for (let i = 0; i < partial.length; i++) if (key[at + i] !== partial[i]) return false;
  return true;
}

/**
 * Look `key` up from `root` (trie-db `Lookup::look_up`): the value, or null when the proof shows the key is absent.
 * Fails with TRIE_PROOF_INVALID when a needed node or value is missing or a reference repeats on the path (a cycle),
 * TRIE_NODE_INVALID for malformed nodes. Every step consumes at least one key nibble, so the walk is bounded.
 */
export function lookupKey(store: NodeStore, root: Uint8Array, key: Uint8Array, field: string): Uint8Array | null {
  const nibbles = keyNibbles(key);
  const visited = new Set<string>();
  const fetch = (hash: Uint8Array, what: string): Uint8Array => {
    if (what !== 'hashed value') {
      const h = toHex(hash);
      if (visited.has(h)) return fail('TRIE_PROOF_INVALID', { reason: `${field}: reference cycle at node ${toHex0x(hash)}` });
      visited.add(h);
    }
    const bytes = store.get(hash);
    if (bytes === undefined) return fail('TRIE_PROOF_INVALID', { reason: `${field}: ${what} ${toHex0x(hash)} is not in the proof` });
    return bytes;
  };
  let encoded = fetch(root, 'root node');
  let at = 0;
  for (let depth = 0; depth <= nibbles.length; depth++) {
    const node = decodeTrieNode(encoded, `${field} node at depth ${depth}`);
    if (node.kind === 'empty') {
      if (depth !== 0) fail('TRIE_NODE_INVALID', { field, reason: 'empty node below the root' });
      return null;
    }
    if (!startsWith(nibbles, at, node.partial)) return null;
    at += node.partial.length;
    if (node.kind === 'leaf') return at === nibbles.length ? resolveValue(node.value, fetch) : null;
    if (at === nibbles.length) return node.value === null ? null : resolveValue(node.value, fetch);
    const child = node.children[nibbles[at]!];
    at += 1;
    if (child === null || child === undefined) return null;
    encoded = child.kind === 'inline' ? child.node : fetch(child.hash, 'node');
  }
  return fail('TRIE_PROOF_INVALID', { reason: `${field}: lookup deeper than the key` });
}

function resolveValue(v: NodeValue, fetch: (hash: Uint8Array, what: string) => Uint8Array): Uint8Array {
  return v.kind === 'inline' ? v.value : fetch(v.hash, 'hashed value');
}
