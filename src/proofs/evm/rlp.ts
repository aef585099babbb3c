/**
 * Strict RLP decoding (Yellow Paper Appendix B) for proof verification.
 *
 * Encoding uses ethers' `encodeRlp` elsewhere. Decoding is written here because proofs must be *canonical*: a
 * single byte below 0x80 wrapped as a string, a long-form length that would fit the short form, a length with
 * leading zeros, or trailing bytes are all rejected (ethers' `decodeRlp` is lenient on some of these and allocates
 * hex strings, which shows on the MPT hot path). Results are zero-copy `subarray` views of the input.
 */
import { fail } from '../../errors.js';

/** A decoded RLP value: a byte string or a list of values. */
export type RlpValue = Uint8Array | RlpValue[];

/** Nesting deeper than this is refused (headers, receipts and extraData need at most 4 levels). */
export const MAX_RLP_DEPTH = 16;

/** Header of one RLP item at `pos`: where its payload starts and ends, and whether it is a list. */
interface ItemHead {
  list: boolean;
  start: number;
  end: number;
}

/** Read the header of the item at `pos` of `buf` (bounded by `limit`), checking canonical form. */
function readHead(buf: Uint8Array, pos: number, limit: number, field: string): ItemHead {
  if (pos >= limit) fail('RLP_MALFORMED', { field, reason: 'unexpected end of input' });
  const b = buf[pos]!;
  if (b < 0x80) return { list: false, start: pos, end: pos + 1 };
  if (b <= 0xb7) {
    const len = b - 0x80;
    const end = pos + 1 + len;
    if (end > limit) fail('RLP_MALFORMED', { field, reason: 'string runs past the end' });
    if (len === 1 && buf[pos + 1]! < 0x80) fail('RLP_MALFORMED', { field, reason: 'single byte below 0x80 must encode itself' });
    return { list: false, start: pos + 1, end };
  }
  if (b <= 0xbf) return longHead(buf, pos, limit, b - 0xb7, false, field);
  if (b <= 0xf7) {
    const end = pos + 1 + (b - 0xc0);
    if (end > limit) fail('RLP_MALFORMED', { field, reason: 'list runs past the end' });
    return { list: true, start: pos + 1, end };
  }
  return longHead(buf, pos, limit, b - 0xf7, true, field);
}

function longHead(buf: Uint8Array, pos: number, limit: number, lenOfLen: number, list: boolean, field: string): ItemHead {
  if (pos + 1 + lenOfLen > limit) fail('RLP_MALFORMED', { field, reason: 'length runs past the end' });
  if (buf[pos + 1] === 0) fail('RLP_MALFORMED', { field, reason: 'length has leading zero bytes' });
  if (lenOfLen > 4) fail('RLP_MALFORMED', { field, reason: 'length is too large' });
  let len = 0;
  for (let i = 0; i < lenOfLen; i++) len = len * 256 + buf[pos + 1 + i]!;
  if (len <= 55) fail('RLP_MALFORMED', { field, reason: 'long form used for a short item' });
  const start = pos + 1 + lenOfLen;
  if (start + len > limit) fail('RLP_MALFORMED', { field, reason: `${list ? 'list' : 'string'} runs past the end` });
  return { list, start, end: start + len };
}

function decodeAt(buf: Uint8Array, pos: number, limit: number, depth: number, field: string): { value: RlpValue; next: number } {
  const h = readHead(buf, pos, limit, field);
  if (!h.list) return { value: buf.subarray(h.start, h.end), next: h.end };
  if (depth >= MAX_RLP_DEPTH) fail('RLP_MALFORMED', { field, reason: 'nesting too deep' });
  const items: RlpValue[] = [];
  let p = h.start;
  while (p < h.end) {
    const r = decodeAt(buf, p, h.end, depth + 1, field);
    items.push(r.value);
    p = r.next;
  }
  return { value: items, next: h.end };
}

/** Decode one canonical RLP value that spans all of `bytes`; RLP_MALFORMED naming `field` otherwise. */
export function decodeRlpStrict(bytes: Uint8Array, field: string): RlpValue {
  const r = decodeAt(bytes, 0, bytes.length, 0, field);
  if (r.next !== bytes.length) fail('RLP_MALFORMED', { field, reason: 'trailing bytes' });
  return r.value;
}

/** One item of an MPT node: a byte string, or an embedded list node kept as its raw encoding. */
export type NodeItem = { list: false; bytes: Uint8Array } | { list: true; raw: Uint8Array };

/**
 * Decode an MPT node (a list of 2 or 17 items) one level deep without allocating nested values: embedded child
 * nodes stay as raw encodings, to be decoded only if the walk enters them. This is the proof hot path.
 */
export function decodeNodeItems(node: Uint8Array, field: string): NodeItem[] {
  const h = readHead(node, 0, node.length, field);
  if (!h.list) fail('MPT_PROOF_INVALID', { field, reason: 'node is not an RLP list' });
  if (h.end !== node.length) fail('RLP_MALFORMED', { field, reason: 'trailing bytes' });
  const items: NodeItem[] = [];
  let p = h.start;
  while (p < h.end) {
    if (items.length >= 17) fail('MPT_PROOF_INVALID', { field, reason: 'node has more than 17 items' });
    const ih = readHead(node, p, h.end, field);
    if (ih.list) {
      // Validate the embedded node's structure fully now (bounded: it is < 32 bytes when legitimate).
      decodeAt(node, p, ih.end, 1, field);
      items.push({ list: true, raw: node.subarray(p, ih.end) });
    } else {
      items.push({ list: false, bytes: node.subarray(ih.start, ih.end) });
    }
    p = ih.end;
  }
  return items;
}

/** Expect a byte string, failing with `code`-style RLP_MALFORMED naming `field`. */
export function asBytes(v: RlpValue | undefined, field: string): Uint8Array {
  if (v === undefined || Array.isArray(v)) fail('RLP_MALFORMED', { field, reason: 'expected a byte string' });
  return v;
}

/** Expect a list, naming `field` on failure. */
export function asList(v: RlpValue | undefined, field: string): RlpValue[] {
  if (v === undefined || !Array.isArray(v)) fail('RLP_MALFORMED', { field, reason: 'expected a list' });
  return v;
}

/** Decode an RLP scalar (big-endian, no leading zeros; empty = 0), naming `field` on failure. */
export function rlpScalar(v: RlpValue | undefined, field: string): bigint {
  const b = asBytes(v, field);
  if (b.length > 0 && b[0] === 0) fail('RLP_MALFORMED', { field, reason: 'scalar has leading zero bytes' });
  if (b.length > 32) fail('RLP_MALFORMED', { field, reason: 'scalar exceeds 256 bits' });
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}

/** Minimal big-endian bytes of a non-negative integer (0 → empty), as RLP scalars are encoded. */
export function scalarBytes(x: bigint): Uint8Array {
  if (x === 0n) return new Uint8Array(0);
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function lengthPrefix(len: number, short: number): Uint8Array {
  if (len <= 55) return new Uint8Array([short + len]);
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 255);
  return new Uint8Array([short + 55 + bytes.length, ...bytes]);
}

/** RLP-encode a byte string (Yellow Paper App. B). */
export function rlpEncodeBytes(b: Uint8Array): Uint8Array {
  if (b.length === 1 && b[0]! < 0x80) return b;
  const p = lengthPrefix(b.length, 0x80);
  const out = new Uint8Array(p.length + b.length);
  out.set(p);
  out.set(b, p.length);
  return out;
}

/** RLP-encode a list whose items are already encoded (lets trie builders embed raw child nodes). */
export function rlpEncodeListRaw(items: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const i of items) n += i.length;
  const p = lengthPrefix(n, 0xc0);
  const out = new Uint8Array(p.length + n);
  out.set(p);
  let off = p.length;
  for (const i of items) {
    out.set(i, off);
    off += i.length;
  }
  return out;
}
