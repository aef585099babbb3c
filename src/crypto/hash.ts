/**
 * Hash suites. Every place that chooses a hash names one of these; SM3 (GB/T 32905-2016) stands beside SHA-256.
 *
 * SHA-256 and SM3 come from node:crypto (OpenSSL, ~500 MB/s for SM3); Keccak-256 (Ethereum's pre-standard SHA-3
 * padding, which differs from node's `sha3-256`) and BLAKE2b-256 (Substrate; node only offers the 512-bit variant)
 * come from @noble/hashes.
 */
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { fail } from '../errors.js';

/** Names of the hash suites. */
export type HashAlg = 'sha256' | 'sm3' | 'keccak256' | 'blake2b256';

/** A 32-byte hash function; `digest` hashes the concatenation of its arguments without copying them together. */
export interface HashSuite {
  readonly alg: HashAlg;
  readonly size: 32;
  digest(...parts: Uint8Array[]): Uint8Array;
}

function nodeHash(alg: 'sha256' | 'sm3'): HashSuite {
  return {
    alg,
    size: 32,
    digest(...parts: Uint8Array[]): Uint8Array {
      const h = createHash(alg);
      for (const p of parts) h.update(p);
      return new Uint8Array(h.digest().buffer.slice(0));
    },
  };
}

function nobleHash(alg: HashAlg, fn: { create(): { update(b: Uint8Array): unknown; digest(): Uint8Array } }): HashSuite {
  return {
    alg,
    size: 32,
    digest(...parts: Uint8Array[]): Uint8Array {
      const h = fn.create();
      for (const p of parts) h.update(p);
      return h.digest();
    },
  };
}

/** The hash suites by name. */
export const HASHES: Readonly<Record<HashAlg, HashSuite>> = Object.freeze({
  sha256: nodeHash('sha256'),
  sm3: nodeHash('sm3'),
  keccak256: nobleHash('keccak256', keccak_256),
  blake2b256: nobleHash('blake2b256', { create: () => blake2b.create({ dkLen: 32 }) }),
});

/** Look up a hash suite by name, failing with UNSUPPORTED_ALGORITHM for anything else. */
export function hashSuite(name: unknown): HashSuite {
  if (typeof name === 'string' && Object.hasOwn(HASHES, name)) return HASHES[name as HashAlg];
  return fail('UNSUPPORTED_ALGORITHM', { alg: String(name) });
}

/** SHA-256 of the concatenated parts. */
export const sha256 = (...parts: Uint8Array[]): Uint8Array => HASHES.sha256.digest(...parts);
/** SM3 (GB/T 32905) of the concatenated parts. */
export const sm3 = (...parts: Uint8Array[]): Uint8Array => HASHES.sm3.digest(...parts);
/** Keccak-256 of the concatenated parts. */
export const keccak256 = (...parts: Uint8Array[]): Uint8Array => HASHES.keccak256.digest(...parts);
/** BLAKE2b with a 32-byte output of the concatenated parts. */
export const blake2b256 = (...parts: Uint8Array[]): Uint8Array => HASHES.blake2b256.digest(...parts);
