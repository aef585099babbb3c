/**
 * ECDSA / SM2 signature encodings: raw `r‖s` (IEEE P1363, JOSE RFC 7518 §3.4) and DER `SEQUENCE { INTEGER r,
 * INTEGER s }` (SEC1 / RFC 3279 §2.2.3, GM/T 0009 for SM2), plus the group orders of the curves we use.
 *
 * The DER parser is strict (X.690 DER, not BER): short-form lengths only, minimal non-negative INTEGERs, no trailing
 * bytes. A structurally broken encoding throws BAD_SIGNATURE_ENCODING; a well-formed one whose integers cannot be
 * 256-bit scalars yields `null` (the caller reports "does not verify", like an out-of-range raw r or s).
 */
import { fail } from '../errors.js';

/** Group order n of P-256 (FIPS 186-4 D.1.2.3 / SEC 2 §2.4.2). */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/** Group order n of secp256k1 (SEC 2 §2.4.1). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** Group order n of the SM2 recommended curve (GB/T 32918.5-2017 §3). */
export const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

/** Big-endian unsigned integer of `bytes`. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** `value` as `len` big-endian bytes (caller guarantees it fits). */
export function bigIntToBytes(value: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let v = value;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Split a raw 64-byte `r‖s` signature into integers. */
export function splitRaw(raw: Uint8Array): { r: bigint; s: bigint } {
  return { r: bytesToBigInt(raw.subarray(0, 32)), s: bytesToBigInt(raw.subarray(32, 64)) };
}

/** True when 1 ≤ r, s ≤ n − 1 (SEC1 §4.1.4 step 1; GB/T 32918.2 §7.1 B1–B2). */
export function scalarsInRange(raw: Uint8Array, n: bigint): boolean {
  const { r, s } = splitRaw(raw);
  return r >= 1n && r < n && s >= 1n && s < n;
}

function derInteger(v: bigint): Uint8Array {
  let bytes = bigIntToBytes(v, 32);
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  bytes = bytes.subarray(i);
  const pad = (bytes[0] ?? 0) & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + bytes.length);
  out[0] = 0x02;
  out[1] = pad + bytes.length;
  out.set(bytes, 2 + pad);
  return out;
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw 64-byte `r‖s` signature. */
export function rawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length !== 64) fail('BAD_SIGNATURE_ENCODING', { encoding: 'raw', alg: 'ECDSA' });
  const { r, s } = splitRaw(raw);
  const ri = derInteger(r);
  const si = derInteger(s);
  const out = new Uint8Array(2 + ri.length + si.length);
  out[0] = 0x30;
  out[1] = ri.length + si.length;
  out.set(ri, 2);
  out.set(si, 2 + ri.length);
  return out;
}

/** Longest DER a pair of 256-bit scalars can need: 30 len (02 21 00‖32 bytes) ×2. */
const MAX_DER = 72;

/**
 * Parse a strict DER ECDSA signature into raw `r‖s`. Throws BAD_SIGNATURE_ENCODING (naming `alg`) when the bytes are
 * not DER; returns null when an integer is ≥ 2^256 (cannot be a scalar, so the signature simply does not verify).
 */
export function derToRaw(der: Uint8Array, alg: string): Uint8Array | null {
  const bad = (): never => fail('BAD_SIGNATURE_ENCODING', { encoding: 'der', alg });
  if (der.length < 8 || der.length > MAX_DER || der[0] !== 0x30 || der[1] !== der.length - 2) bad();
  const out = new Uint8Array(64);
  let pos = 2;
  let tooBig = false;
  for (let k = 0; k < 2; k++) {
    if (der[pos] !== 0x02) bad();
    const len = der[pos + 1] ?? 0;
    if (len < 1 || len > 33 || pos + 2 + len > der.length) bad();
    const body = der.subarray(pos + 2, pos + 2 + len);
    const first = body[0] ?? 0;
    if (first & 0x80) bad(); // negative INTEGER
    if (len > 1 && first === 0 && ((body[1] ?? 0) & 0x80) === 0) bad(); // non-minimal encoding (X.690 §8.3.2)
    const mag = first === 0 ? body.subarray(1) : body;
    if (mag.length > 32) tooBig = true;
    else out.set(mag, 32 * k + (32 - mag.length));
    pos += 2 + len;
  }
  if (pos !== der.length) bad(); // trailing bytes inside the SEQUENCE
  return tooBig ? null : out;
}
