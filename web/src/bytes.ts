/**
 * Byte helpers for the browser page (no Buffer): hex and base64 with fail-closed parsing (BAD_HEX / BAD_BASE64 /
 * BAD_LENGTH from the one error table), concatenation and comparison.
 */
import { fail } from '../../src/errors.js';

const HEX = /^[0-9a-fA-F]*$/;

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Parse hex (no 0x prefix); `len` bytes when given. */
export function fromHex(value: unknown, field: string, len?: number): Uint8Array {
  if (typeof value !== 'string' || value.length % 2 !== 0 || !HEX.test(value)) return fail('BAD_HEX', { field });
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(value.slice(2 * i, 2 * i + 2), 16);
  if (len !== undefined && out.length !== len) fail('BAD_LENGTH', { field, expected: len, actual: out.length });
  return out;
}

/** Decode standard base64 (with padding), strictly: re-encoding must give the input back. */
export function fromBase64(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return fail('BAD_BASE64', { field });
  let bin: string;
  try {
    bin = atob(value);
  } catch {
    return fail('BAD_BASE64', { field });
  }
  const out = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  if (toBase64(out) !== value) fail('BAD_BASE64', { field });
  return out;
}

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Constant-length comparison of two byte arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Copy into a fresh ArrayBuffer-backed array (WebCrypto wants BufferSource over a plain ArrayBuffer). */
export function plain(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}
