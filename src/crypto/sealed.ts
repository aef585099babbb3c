/**
 * Secrets at rest (private keys in the database or a config file): AES-256-GCM (NIST SP 800-38D) from node:crypto
 * under a 32-byte master key, with a fresh random 96-bit nonce per seal (SP 800-38D §8.2.2: random nonces are safe
 * for < 2^32 seals per key).
 *
 * Format (versioned, self-describing, ASCII): `cbsealed1.<base64url nonce>.<base64url ciphertext‖16-byte tag>`.
 * The GCM associated data is `"cbsealed1" ‖ 0x00 ‖ ad`: the version is authenticated, and the caller's `ad` (e.g. the
 * key's id or the table row) binds a sealed blob to its place, so it cannot be swapped between rows.
 *
 * Errors never carry the secret, the key or the plaintext: SEALED_SECRET_MALFORMED (input) when the string is not a
 * sealed secret; SEALED_SECRET_INVALID (auth) when GCM authentication fails — wrong master key, wrong associated
 * data and tampering are indistinguishable by design.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { fail } from '../errors.js';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from './bytes.js';

/** Version tag and prefix of sealed strings. */
export const SEALED_VERSION = 'cbsealed1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Largest plaintext we seal (keys and tokens, not files). */
export const SEALED_MAX_BYTES = 64 * 1024;

/** Default scrypt cost (RFC 7914 §2; N = 2^15, r = 8, p = 1: ~32 MiB, ~0.1 s — OWASP's minimum for scrypt). */
export const SCRYPT_DEFAULTS = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });

function checkMasterKey(masterKey: Uint8Array): void {
  if (!(masterKey instanceof Uint8Array) || masterKey.length !== KEY_BYTES) {
    fail('BAD_LENGTH', { field: 'masterKey', expected: KEY_BYTES, actual: masterKey instanceof Uint8Array ? masterKey.length : 0 });
  }
}

function aad(ad: Uint8Array | string | undefined): Uint8Array {
  const extra = typeof ad === 'string' ? utf8(ad) : (ad ?? new Uint8Array(0));
  return concatBytes(utf8(SEALED_VERSION), Uint8Array.of(0), extra);
}

/** Encrypt `plaintext` under `masterKey` (32 bytes), optionally bound to associated data `ad`. */
export function sealSecret(plaintext: Uint8Array, masterKey: Uint8Array, ad?: Uint8Array | string): string {
  checkMasterKey(masterKey);
  if (plaintext.length > SEALED_MAX_BYTES) fail('TOO_LARGE', { field: 'plaintext', limit: SEALED_MAX_BYTES });
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(ad));
  const body = concatBytes(cipher.update(plaintext), cipher.final(), cipher.getAuthTag());
  return `${SEALED_VERSION}.${toBase64Url(nonce)}.${toBase64Url(body)}`;
}

/** Decrypt a string made by `sealSecret` with the same master key and associated data. */
export function openSecret(sealed: string, masterKey: Uint8Array, ad?: Uint8Array | string): Uint8Array {
  checkMasterKey(masterKey);
  // Step 1: parse the envelope (bounded: a longer string cannot hold a plaintext we would have sealed).
  if (typeof sealed !== 'string') fail('SEALED_SECRET_MALFORMED', { reason: 'not a string' });
  if (sealed.length > 2 * SEALED_MAX_BYTES) fail('TOO_LARGE', { field: 'sealed', limit: 2 * SEALED_MAX_BYTES });
  const parts = sealed.split('.');
  if (parts.length !== 3) fail('SEALED_SECRET_MALFORMED', { reason: 'expected version.nonce.ciphertext' });
  const [version, nonceText, bodyText] = parts as [string, string, string];
  if (version !== SEALED_VERSION) fail('SEALED_SECRET_MALFORMED', { reason: 'unknown version' });
  const nonce = parseB64(nonceText, 'nonce');
  const body = parseB64(bodyText, 'ciphertext');
  if (nonce.length !== NONCE_BYTES) fail('SEALED_SECRET_MALFORMED', { reason: `nonce must be ${NONCE_BYTES} bytes` });
  if (body.length < TAG_BYTES) fail('SEALED_SECRET_MALFORMED', { reason: 'ciphertext shorter than the tag' });
  // Step 2: authenticate and decrypt; any failure is the one auth error (no oracle on which part was wrong).
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(ad));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return new Uint8Array(concatBytes(decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()));
  } catch {
    // The cause is deliberately dropped: OpenSSL's message says nothing useful and nothing secret must leak.
    return fail('SEALED_SECRET_INVALID', {});
  }
}

function parseB64(text: string, what: string): Uint8Array {
  try {
    return fromBase64Url(text, what);
  } catch {
    return fail('SEALED_SECRET_MALFORMED', { reason: `${what} is not base64url` });
  }
}

/** Most memory a derivation may use (scrypt needs 128·N·r bytes). */
const SCRYPT_MAX_MEMORY = 256 * 1024 * 1024;

/** scrypt cost parameters (RFC 7914). */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * Derive a 32-byte master key from a passphrase (NFC-normalised, so the same text typed on any system gives the same
 * key) and a salt of at least 16 bytes with scrypt (RFC 7914). Store the salt beside the sealed data; it is not secret.
 */
export function deriveMasterKey(passphrase: string, salt: Uint8Array, cost: ScryptCost = SCRYPT_DEFAULTS): Uint8Array {
  if (typeof passphrase !== 'string' || passphrase.length === 0) fail('INVALID_INPUT', { field: 'passphrase', reason: 'must be a non-empty string' });
  if (!(salt instanceof Uint8Array) || salt.length < 16) fail('INVALID_INPUT', { field: 'salt', reason: 'must be at least 16 bytes' });
  if (salt.length > 1024) fail('TOO_LARGE', { field: 'salt', limit: 1024 });
  const { N, r, p } = cost;
  const pow2 = Number.isSafeInteger(N) && N >= 2 && N <= 2 ** 20 && (N & (N - 1)) === 0;
  if (!pow2 || !Number.isSafeInteger(r) || r < 1 || r > 32 || !Number.isSafeInteger(p) || p < 1 || p > 16 || 128 * N * r > SCRYPT_MAX_MEMORY) {
    fail('INVALID_INPUT', { field: 'cost', reason: 'N must be a power of two ≤ 2^20, 1 ≤ r ≤ 32, 1 ≤ p ≤ 16, 128·N·r ≤ 256 MiB' });
  }
  const key = scryptSync(passphrase.normalize('NFC'), salt, KEY_BYTES, { N, r, p, maxmem: 128 * N * r + 16 * 1024 * 1024 });
  return new Uint8Array(key);
}
