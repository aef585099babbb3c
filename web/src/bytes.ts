/**
 * Byte helpers for the browser page (no Buffer): hex and base64 with fail-closed parsing (BAD_HEX / BAD_BASE64 /
 * BAD_LENGTH from the one error table); concatenation and comparison are src/crypto/bytes.ts's own.
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

// Buffer-free helpers shared with the server (esbuild bundles only what is used, so no Node code is pulled in).
export { bytesEqual, concatBytes, utf8 } from '../../src/crypto/bytes.js';

/** Copy into a fresh ArrayBuffer-backed array (WebCrypto wants BufferSource over a plain ArrayBuffer). */
export function plain(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}
