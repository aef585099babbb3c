/**
 * Substrate storage-key hashers (frame-support `StorageHasher`): twox128 = xxHash64(seed 0) ‖ xxHash64(seed 1),
 * little-endian; Twox64Concat; Blake2_128Concat; Identity. xxHash64 per the XXH64 specification
 * (github.com/Cyan4973/xxHash doc/xxhash_spec.md §XXH64), in BigInt arithmetic modulo 2^64.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { concatBytes, utf8 } from '../../crypto/bytes.js';
import type { SubstrateStorageMapping } from '../../../adapters/types.js';

const M = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M;
const round = (acc: bigint, input: bigint): bigint => (rotl((acc + input * P2) & M, 31n) * P1) & M;
const merge = (acc: bigint, v: bigint): bigint => (((acc ^ round(0n, v)) * P1) + P4) & M;

function readLE(b: Uint8Array, at: number, n: number): bigint {
  let x = 0n;
  for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[at + i]!);
  return x;
}

/** XXH64 of `data` with `seed` (spec §XXH64 steps 1–6). */
export function xxhash64(data: Uint8Array, seed: bigint): bigint {
  let p = 0;
  let h: bigint;
  if (data.length >= 32) {
    let v1 = (seed + P1 + P2) & M, v2 = (seed + P2) & M, v3 = seed & M, v4 = (seed - P1) & M;
    for (; p + 32 <= data.length; p += 32) {
      v1 = round(v1, readLE(data, p, 8));
      v2 = round(v2, readLE(data, p + 8, 8));
      v3 = round(v3, readLE(data, p + 16, 8));
      v4 = round(v4, readLE(data, p + 24, 8));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M;
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else {
    h = (seed + P5) & M;
  }
  h = (h + BigInt(data.length)) & M;
  for (; p + 8 <= data.length; p += 8) h = ((rotl(h ^ round(0n, readLE(data, p, 8)), 27n) * P1) + P4) & M;
  if (p + 4 <= data.length) {
    h = ((rotl(h ^ ((readLE(data, p, 4) * P1) & M), 23n) * P2) + P3) & M;
    p += 4;
  }
  for (; p < data.length; p++) h = (rotl(h ^ ((BigInt(data[p]!) * P5) & M), 11n) * P1) & M;
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  return h ^ (h >> 32n);
}

function le64(x: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Twox128 (frame-support): xxHash64 seed 0 ‖ seed 1, little-endian. */
export function twox128(data: Uint8Array): Uint8Array {
  return concatBytes(le64(xxhash64(data, 0n)), le64(xxhash64(data, 1n)));
}

/** The map hasher applied to an encoded key. */
export function hashMapKey(hasher: SubstrateStorageMapping['hasher'], encodedKey: Uint8Array): Uint8Array {
  switch (hasher) {
    case 'blake2_128_concat':
      return concatBytes(blake2b(encodedKey, { dkLen: 16 }), encodedKey);
    case 'twox64_concat':
      return concatBytes(le64(xxhash64(encodedKey, 0n)), encodedKey);
    case 'identity':
      return encodedKey;
  }
}

/** The storage key of a map entry: twox128(pallet) ‖ twox128(item) ‖ hasher(encodedKey). */
export function storageMapKey(mapping: SubstrateStorageMapping, encodedKey: Uint8Array): Uint8Array {
  return concatBytes(twox128(utf8(mapping.pallet)), twox128(utf8(mapping.item)), hashMapKey(mapping.hasher, encodedKey));
}
