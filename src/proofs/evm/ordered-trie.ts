/**
 * Root of an "ordered" trie — the transactions and receipts tries of a block (Yellow Paper §4.3.2, App. D):
 * key = RLP(index), value = the EIP-2718 encoding of item `index`. Built bottom-up from the sorted key paths;
 * nodes shorter than 32 bytes are embedded in their parent, the root is always hashed.
 */
import { fail } from '../../errors.js';
import { keccak256 } from '../../crypto/hash.js';
import { rlpEncodeBytes, rlpEncodeListRaw, scalarBytes } from './rlp.js';
import { EMPTY_TRIE_ROOT, toNibbles } from './mpt.js';

/** Most items accepted in one block list. */
export const MAX_BLOCK_ITEMS = 100_000;

/** The trie key of item `index`: RLP(index) (index 0 → 0x80). */
export function indexKey(index: number): Uint8Array {
  return rlpEncodeBytes(scalarBytes(BigInt(index)));
}

/** Hex-prefix encoding (App. C) of a nibble path. */
function hexPrefix(path: Uint8Array, leaf: boolean): Uint8Array {
  const odd = path.length % 2;
  const out = new Uint8Array(1 + (path.length - odd) / 2);
  out[0] = ((leaf ? 2 : 0) + odd) * 16 + (odd ? path[0]! : 0);
  for (let i = odd, j = 1; i < path.length; i += 2, j++) out[j] = path[i]! * 16 + path[i + 1]!;
  return out;
}

interface Entry {
  path: Uint8Array;
  value: Uint8Array;
}

function ref(node: Uint8Array): Uint8Array {
  return node.length < 32 ? node : rlpEncodeBytes(keccak256(node));
}

function build(entries: Entry[], depth: number): Uint8Array {
  if (entries.length === 1) {
    const e = entries[0]!;
    return rlpEncodeListRaw([rlpEncodeBytes(hexPrefix(e.path.subarray(depth), true)), rlpEncodeBytes(e.value)]);
  }
  // Longest common prefix beyond `depth` (entries are sorted, so first and last bound it).
  const a = entries[0]!.path;
  const b = entries[entries.length - 1]!.path;
  let common = depth;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  if (common > depth) {
    const child = build(entries, common);
    return rlpEncodeListRaw([rlpEncodeBytes(hexPrefix(a.subarray(depth, common), false)), ref(child)]);
  }
  const slots: Uint8Array[] = [];
  let value: Uint8Array = new Uint8Array(0);
  let i = 0;
  if (entries[0]!.path.length === depth) value = entries[i++]!.value;
  for (let nib = 0; nib < 16; nib++) {
    const start = i;
    while (i < entries.length && entries[i]!.path[depth] === nib) i++;
    slots.push(i > start ? ref(build(entries.slice(start, i), depth + 1)) : new Uint8Array([0x80]));
  }
  slots.push(rlpEncodeBytes(value));
  return rlpEncodeListRaw(slots);
}

function comparePaths(x: Entry, y: Entry): number {
  const n = Math.min(x.path.length, y.path.length);
  for (let i = 0; i < n; i++) if (x.path[i] !== y.path[i]) return x.path[i]! - y.path[i]!;
  return x.path.length - y.path.length;
}

/** Root of the ordered trie of `values` (transactions or receipts of a block, in block order). */
export function orderedTrieRoot(values: readonly Uint8Array[]): Uint8Array {
  if (values.length > MAX_BLOCK_ITEMS) fail('TOO_LARGE', { field: 'block items', limit: MAX_BLOCK_ITEMS });
  if (values.length === 0) return EMPTY_TRIE_ROOT;
  const entries = values.map((value, i) => ({ path: toNibbles(indexKey(i)), value }));
  entries.sort(comparePaths);
  return keccak256(build(entries, 0));
}
