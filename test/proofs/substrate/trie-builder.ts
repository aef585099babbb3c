/**
 * An independent builder of Substrate base-16 tries (sp-trie layouts V0 and V1), written from the specification
 * (Polkadot Protocol Specification §2.4; sp-trie `node_header.rs` `size_and_prefix_iterator`, `node_codec.rs`)
 * and sharing no code with the verifier in src/proofs/substrate/trie.ts. Its roots are checked against the
 * WASM build of the real trie (@acala-network/chopsticks-executor); it then records read proofs the way a node's
 * proof recorder does (every node a lookup reads, plus hashed values).
 */
import { blake2b } from '@noble/hashes/blake2.js';

const H = (b: Uint8Array): Uint8Array => blake2b(b, { dkLen: 32 });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface BNode {
  partial: number[];
  value: Uint8Array | null;
  hashedValue: boolean;
  children: (BNode | null)[] | null; // null for a leaf
  encoded: Uint8Array;
}

/** A built trie: root, every stored entry by hash (nodes and V1 value preimages), and a proof recorder. */
export interface BuiltTrie {
  root: Uint8Array;
  db: Map<string, Uint8Array>;
  prove(keys: Uint8Array[]): Uint8Array[];
}

function compact(n: number): number[] {
  if (n < 64) return [n << 2];
  if (n < 1 << 14) return [((n << 2) | 1) & 0xff, (n << 2) >> 8];
  if (n < 1 << 30) { const v = (n * 4 + 2) >>> 0; return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]; }
  throw new Error('too big for tests');
}

function header(prefix: number, prefixBits: number, size: number): number[] {
  const max = 255 >> prefixBits;
  const l1 = Math.min(max - 1, size);
  if (size === l1) return [prefix | l1];
  const out = [prefix | max];
  let rem = size - l1;
  while (rem > 0) {
    if (rem < 256) { out.push(rem - 1); rem = 0; } else { out.push(255); rem -= 255; }
  }
  return out;
}

function packPartial(p: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  if (p.length % 2 === 1) { out.push(p[0]!); i = 1; }
  for (; i < p.length; i += 2) out.push((p[i]! << 4) | p[i + 1]!);
  return out;
}

function nibbles(k: Uint8Array): number[] {
  const out: number[] = [];
  for (const b of k) out.push(b >> 4, b & 15);
  return out;
}

/** Build the trie of `entries` (byte keys → values) in layout `version`. */
export function buildTrie(entries: [Uint8Array, Uint8Array][], version: 0 | 1): BuiltTrie {
  const db = new Map<string, Uint8Array>();
  const items = entries.map(([k, v]) => ({ n: nibbles(k), v })).sort((a, b) => cmp(a.n, b.n));
  const store = (b: Uint8Array): Uint8Array => { const h = H(b); db.set(hex(h), b); return h; };

  function build(list: { n: number[]; v: Uint8Array }[], d: number): BNode {
    const first = list[0]!.n;
    let lcp = first.length - d;
    for (const it of list) {
      let i = 0;
      while (i < lcp && d + i < it.n.length && it.n[d + i] === first[d + i]) i++;
      lcp = i;
    }
    const partial = first.slice(d, d + lcp);
    if (list.length === 1 && first.length === d + lcp) return encode({ partial, value: list[0]!.v, hashedValue: false, children: null, encoded: new Uint8Array() });
    const at = d + lcp;
    const here = list.find((it) => it.n.length === at);
    const children: (BNode | null)[] = [];
    for (let c = 0; c < 16; c++) {
      const group = list.filter((it) => it.n.length > at && it.n[at] === c);
      children.push(group.length === 0 ? null : build(group, at + 1));
    }
    return encode({ partial, value: here?.v ?? null, hashedValue: false, children, encoded: new Uint8Array() });
  }

  function ref(child: BNode): Uint8Array {
    return child.encoded.length < 32 ? child.encoded : store(child.encoded);
  }

  function encode(node: BNode): BNode {
    const hashed = version === 1 && node.value !== null && node.value.length >= 33; // TRIE_VALUE_NODE_THRESHOLD
    node.hashedValue = hashed;
    const out: number[] = [];
    if (node.children === null) out.push(...(hashed ? header(0x20, 3, node.partial.length) : header(0x40, 2, node.partial.length)));
    else if (node.value === null) out.push(...header(0x80, 2, node.partial.length));
    else out.push(...(hashed ? header(0x10, 4, node.partial.length) : header(0xc0, 2, node.partial.length)));
    out.push(...packPartial(node.partial));
    if (node.children !== null) {
      let bitmap = 0;
      node.children.forEach((c, i) => { if (c) bitmap |= 1 << i; });
      out.push(bitmap & 0xff, bitmap >> 8);
    }
    if (node.value !== null) {
      if (hashed) out.push(...store(node.value));
      else out.push(...compact(node.value.length), ...node.value);
    }
    if (node.children !== null) {
      for (const c of node.children) if (c) { const r = ref(c); out.push(...compact(r.length), ...r); }
    }
    node.encoded = Uint8Array.from(out);
    return node;
  }

  if (items.length === 0) {
    const root = store(Uint8Array.of(0));
    db.clear();
    return { root, db, prove: () => [] };
  }
  const rootNode = build(items, 0);
  const root = store(rootNode.encoded);

  function prove(keys: Uint8Array[]): Uint8Array[] {
    const used = new Map<string, Uint8Array>();
    const note = (b: Uint8Array): void => { used.set(hex(H(b)), b); };
    for (const key of keys) {
      const n = nibbles(key);
      let node: BNode = rootNode;
      let at = 0;
      note(node.encoded);
      for (;;) {
        const p = node.partial;
        if (n.slice(at, at + p.length).join() !== p.join() || at + p.length > n.length) break;
        at += p.length;
        if (at === n.length) { if (node.value && node.hashedValue) note(node.value); break; }
        if (node.children === null) break;
        const c = node.children[n[at]!];
        at += 1;
        if (!c) break;
        if (c.encoded.length >= 32) note(c.encoded);
        node = c;
      }
    }
    return [...used.values()];
  }
  return { root, db, prove };
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
