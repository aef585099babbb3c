/**
 * did:key (W3C CCG "The did:key Method" v0.7): `did:key:` + multibase base58btc (`z`) of multicodec varint ‖ raw key.
 *
 * Multicodec codes (multiformats/multicodec table.csv): ed25519-pub 0xed, secp256k1-pub 0xe7, p256-pub 0x1200.
 * SM2 has no registered multicodec; DIFF FROM SPEC (consortium extension): SM2 public keys use 0x301200 from the
 * table's private-use range (0x300000–0x3fffff), chosen to echo p256-pub, varint bytes 80 a4 c0 01. Outside the
 * consortium such DIDs will not resolve.
 *
 * Decoding is strict: one multibase prefix (`z`), the exact minimal varint of a supported codec, an exact key length
 * (Ed25519 32 bytes; EC keys SEC1 compressed, 33 bytes, as §3.1.3 of the spec asks for P-256 and secp256k1), a point
 * on the curve, and nothing after the method-specific id (no path, query or fragment in the DID itself).
 */
import { ECDH } from 'node:crypto';
import { fail } from '../src/errors.js';
import { bytesEqual, concatBytes } from '../src/crypto/bytes.js';
import { ed25519PointValid } from '../src/crypto/node-keys.js';
import type { SigAlg } from '../src/crypto/signature.js';
import { base58Decode, base58Encode } from './base58.js';
import { publicKeyToJwk, type Jwk } from './jwk.js';

/** A public key in canonical form: Ed25519 32 raw bytes; EC SEC1 compressed 33 bytes. */
export interface PublicKey {
  readonly alg: SigAlg;
  readonly bytes: Uint8Array;
}

/** Multicodec code (and its varint) per algorithm. */
export const MULTICODEC: Readonly<Record<SigAlg, { code: number; varint: Uint8Array; name: string }>> = Object.freeze({
  Ed25519: { code: 0xed, varint: Uint8Array.of(0xed, 0x01), name: 'ed25519-pub' },
  ES256K: { code: 0xe7, varint: Uint8Array.of(0xe7, 0x01), name: 'secp256k1-pub' },
  ES256: { code: 0x1200, varint: Uint8Array.of(0x80, 0x24), name: 'p256-pub' },
  SM2: { code: 0x301200, varint: Uint8Array.of(0x80, 0xa4, 0xc0, 0x01), name: 'sm2-pub (consortium private-use)' },
});

/** OpenSSL curve names of the EC algorithms (node:crypto ECDH.convertKey validates and (de)compresses points). */
const OPENSSL_CURVE: Readonly<Record<Exclude<SigAlg, 'Ed25519'>, string>> = { ES256K: 'secp256k1', ES256: 'prime256v1', SM2: 'SM2' };

const DID_KEY_RE = /^did:key:z[1-9A-HJ-NP-Za-km-z]{1,200}$/;

/** Bring a public key to canonical form, accepting SEC1 compressed or uncompressed EC points; BAD_PUBLIC_KEY otherwise. */
export function normalizePublicKey(alg: SigAlg, bytes: Uint8Array, field = 'publicKey'): PublicKey {
  if (alg === 'Ed25519') {
    if (!ed25519PointValid(bytes)) fail('BAD_PUBLIC_KEY', { field, alg });
    return { alg, bytes: Uint8Array.from(bytes) };
  }
  const framed = (bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3)) || (bytes.length === 65 && bytes[0] === 4);
  if (!framed) fail('BAD_PUBLIC_KEY', { field, alg });
  try {
    return { alg, bytes: new Uint8Array(ECDH.convertKey(Buffer.from(bytes), OPENSSL_CURVE[alg], undefined, undefined, 'compressed') as Buffer) };
  } catch (e) {
    return fail('BAD_PUBLIC_KEY', { field, alg }, e);
  }
}

/** Uncompressed SEC1 point (65 bytes) of an EC public key. */
export function uncompressedPoint(key: PublicKey): Uint8Array {
  if (key.alg === 'Ed25519') fail('BAD_PUBLIC_KEY', { field: 'publicKey', alg: key.alg });
  return new Uint8Array(ECDH.convertKey(Buffer.from(key.bytes), OPENSSL_CURVE[key.alg], undefined, undefined, 'uncompressed') as Buffer);
}

/** Multikey `publicKeyMultibase` (z + base58btc(multicodec ‖ key)) of a canonical key. */
export function toMultibase(key: PublicKey): string {
  return `z${base58Encode(concatBytes(MULTICODEC[key.alg].varint, key.bytes))}`;
}

/** Parse a multibase multicodec public key strictly (the did:key method-specific id, or Multikey publicKeyMultibase). */
export function fromMultibase(value: string, field: string): PublicKey {
  if (!value.startsWith('z')) fail('INVALID_INPUT', { field, reason: 'multibase prefix must be z (base58btc)' });
  const raw = base58Decode(value.slice(1), field);
  for (const alg of Object.keys(MULTICODEC) as SigAlg[]) {
    const { varint } = MULTICODEC[alg];
    if (raw.length < varint.length || !bytesEqual(raw.subarray(0, varint.length), varint)) continue;
    const body = raw.subarray(varint.length);
    const expected = alg === 'Ed25519' ? 32 : 33;
    if (body.length !== expected) fail('BAD_PUBLIC_KEY', { field, alg });
    const key = normalizePublicKey(alg, body, field);
    if (!bytesEqual(key.bytes, body)) fail('BAD_PUBLIC_KEY', { field, alg });
    return key;
  }
  return fail('UNSUPPORTED_ALGORITHM', { alg: `multicodec 0x${toHexPrefix(raw)}` });
}

function toHexPrefix(raw: Uint8Array): string {
  return Buffer.from(raw.subarray(0, 4)).toString('hex');
}

/** did:key of a public key (EC keys may be given compressed or uncompressed; the DID always uses compressed). */
export function didKeyFromPublicKey(alg: SigAlg, bytes: Uint8Array): string {
  return `did:key:${toMultibase(normalizePublicKey(alg, bytes))}`;
}

/** Decode a did:key strictly into its public key; DID_INVALID for syntax, BAD_PUBLIC_KEY / UNSUPPORTED_ALGORITHM for the key. */
export function decodeDidKey(did: unknown): PublicKey {
  if (typeof did !== 'string' || !DID_KEY_RE.test(did)) {
    return fail('DID_INVALID', { did: typeof did === 'string' ? did.slice(0, 120) : String(did), reason: 'not did:key:z<base58btc>' });
  }
  const key = fromMultibase(did.slice('did:key:'.length), 'did');
  // Canonical re-encoding: base58 has no alternative spellings, but this also pins the varint and the key form.
  if (`did:key:${toMultibase(key)}` !== did) fail('DID_INVALID', { did, reason: 'not in canonical form' });
  return key;
}

/** Verification method types this module emits. */
export type DidKeyVmFormat = 'Multikey' | 'JsonWebKey2020';

/** A DID document verification method. */
export interface VerificationMethod {
  id: string;
  type: string;
  controller: string;
  publicKeyMultibase?: string;
  publicKeyJwk?: Jwk;
  [extra: string]: unknown;
}

/** The DID document of a did:key (spec §3.1.4 "Document Creation"): one key, every verification relationship. */
export function didKeyDocument(did: string, format: DidKeyVmFormat = 'Multikey'): {
  '@context': string[];
  id: string;
  verificationMethod: VerificationMethod[];
  authentication: string[];
  assertionMethod: string[];
  capabilityInvocation: string[];
  capabilityDelegation: string[];
} {
  const key = decodeDidKey(did);
  const fragment = did.slice('did:key:'.length);
  const id = `${did}#${fragment}`;
  const vm: VerificationMethod =
    format === 'Multikey'
      ? { id, type: 'Multikey', controller: did, publicKeyMultibase: fragment }
      : { id, type: 'JsonWebKey2020', controller: did, publicKeyJwk: publicKeyToJwk(key) };
  const context = ['https://www.w3.org/ns/did/v1', format === 'Multikey' ? 'https://w3id.org/security/multikey/v1' : 'https://w3id.org/security/suites/jws-2020/v1'];
  return { '@context': context, id: did, verificationMethod: [vm], authentication: [id], assertionMethod: [id], capabilityInvocation: [id], capabilityDelegation: [id] };
}
