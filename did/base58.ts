/**
 * base58btc (the Bitcoin alphabet), as multibase prefix `z` uses it (draft-msporny-base58 §3; multibase table).
 * Strict: characters outside the alphabet fail with INVALID_INPUT naming the field; leading '1's map to zero bytes.
 */
import { fail } from '../src/errors.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));
/** Longest base58 string accepted (bounds the quadratic decoder; did:key ids are < 100 characters). */
export const MAX_BASE58_LENGTH = 1024;

/** base58btc encoding of `bytes`. */
export function base58Encode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i]!;
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j]! << 8;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) out += ALPHABET[digits[i]!];
  return out;
}

/** Decode base58btc strictly, naming `field` on failure. */
export function base58Decode(value: string, field: string): Uint8Array {
  if (value.length > MAX_BASE58_LENGTH) fail('TOO_LARGE', { field, limit: MAX_BASE58_LENGTH });
  let zeros = 0;
  while (zeros < value.length && value[zeros] === '1') zeros++;
  const bytes: number[] = [];
  for (let i = zeros; i < value.length; i++) {
    const v = INDEX.get(value[i]!);
    if (v === undefined) fail('INVALID_INPUT', { field, reason: `character ${JSON.stringify(value[i])} is not base58btc` });
    let carry = v;
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j]! * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let i = 0; i < bytes.length; i++) out[out.length - 1 - i] = bytes[i]!;
  return out;
}
