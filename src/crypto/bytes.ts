/**
 * Byte helpers used at every boundary: strict hex and base64 parsing that names the bad field, and the small
 * operations (concat, equality) the proof code needs. Everything returns plain `Uint8Array`s.
 */
import { fail } from '../errors.js';

const HEX_RE = /^[0-9a-fA-F]*$/;

/** Lower-case hex of `bytes`, without prefix. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** `0x`-prefixed lower-case hex of `bytes`. */
export function toHex0x(bytes: Uint8Array): string {
  return `0x${toHex(bytes)}`;
}

/**
 * Parse a hex string (optional `0x`), failing closed with BAD_HEX / BAD_LENGTH naming `field`.
 * `expectedLength` (bytes) is checked when given.
 */
export function fromHex(value: unknown, field: string, expectedLength?: number): Uint8Array {
  if (typeof value !== 'string') fail('BAD_HEX', { field });
  const body = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
  if (body.length % 2 !== 0 || !HEX_RE.test(body)) fail('BAD_HEX', { field });
  const out = new Uint8Array(Buffer.from(body, 'hex'));
  if (expectedLength !== undefined && out.length !== expectedLength) {
    fail('BAD_LENGTH', { field, expected: expectedLength, actual: out.length });
  }
  return out;
}

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 (RFC 4648 §4, padded) of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Parse standard padded base64 strictly (Node's decoder alone accepts garbage), naming `field` on failure. */
export function fromBase64(value: unknown, field: string, expectedLength?: number): Uint8Array {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !B64_RE.test(value)) fail('BAD_BASE64', { field });
  const out = new Uint8Array(Buffer.from(value, 'base64'));
  // Round-trip check rejects non-canonical encodings (non-zero padding bits).
  if (toBase64(out) !== value) fail('BAD_BASE64', { field });
  if (expectedLength !== undefined && out.length !== expectedLength) {
    fail('BAD_LENGTH', { field, expected: expectedLength, actual: out.length });
  }
  return out;
}

/** base64url without padding (RFC 7515 §2). */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Parse unpadded base64url strictly, naming `field` on failure. */
export function fromBase64Url(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(value) || value.length % 4 === 1) fail('BAD_BASE64', { field });
  const out = new Uint8Array(Buffer.from(value, 'base64url'));
  if (toBase64Url(out) !== value) fail('BAD_BASE64', { field });
  return out;
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Byte equality (not constant-time: for public data such as hashes and proofs). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
