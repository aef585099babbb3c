/**
 * Raw key bytes → node:crypto `KeyObject`s for Ed25519, P-256 and secp256k1 (OpenSSL does the curve work, ~10× faster
 * than pure JS). Public keys are wrapped in SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7; RFC 5480 §2 for EC,
 * RFC 8410 §4 for Ed25519); OpenSSL then rejects EC points that are not on the curve. Ed25519 points are decoded here
 * first (RFC 8032 §5.1.3), because OpenSSL only notices a bad point when verifying.
 */
import { createECDH, createPrivateKey, createPublicKey, ECDH, type KeyObject } from 'node:crypto';
import { fail } from '../errors.js';
import { bytesToBigInt, P256_N, SECP256K1_N } from './ecdsa-der.js';
import { concatBytes, toBase64Url } from './bytes.js';

/** The node:crypto-backed EC algorithms. */
export type NodeEcAlg = 'ES256' | 'ES256K';

/** Curve facts per EC algorithm: OpenSSL name, JWK `crv`, SPKI curve OID (DER), group order. */
export const EC_CURVES: Readonly<Record<NodeEcAlg, { openssl: string; jwk: string; oid: Uint8Array; n: bigint }>> = {
  ES256: { openssl: 'prime256v1', jwk: 'P-256', oid: Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07), n: P256_N },
  ES256K: { openssl: 'secp256k1', jwk: 'secp256k1', oid: Uint8Array.of(0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a), n: SECP256K1_N },
};

const EC_PUBLIC_KEY_OID = Uint8Array.of(0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01); // id-ecPublicKey
const ED25519_SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);
const ED25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);

/** DER TLV with a short-form length (all our structures are < 128 bytes). */
function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concatBytes(...content);
  return concatBytes(Uint8Array.of(tag, body.length), body);
}

/** Validate SEC1 framing: 33 bytes with 02/03 or 65 bytes with 04 (hybrid 06/07 and infinity 00 are refused). */
export function checkSec1(publicKey: Uint8Array, alg: string, field: string): void {
  const ok = (publicKey.length === 33 && (publicKey[0] === 2 || publicKey[0] === 3)) || (publicKey.length === 65 && publicKey[0] === 4);
  if (!ok) fail('BAD_PUBLIC_KEY', { field, alg });
}

/** Public KeyObject for a SEC1 P-256 / secp256k1 point; BAD_PUBLIC_KEY when not on the curve. */
export function ecPublicKeyObject(alg: NodeEcAlg, publicKey: Uint8Array, field = 'publicKey'): KeyObject {
  checkSec1(publicKey, alg, field);
  const spki = tlv(0x30, tlv(0x30, EC_PUBLIC_KEY_OID, EC_CURVES[alg].oid), tlv(0x03, Uint8Array.of(0), publicKey));
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (e) {
    return fail('BAD_PUBLIC_KEY', { field, alg }, e);
  }
}

/** Private KeyObject and compressed public key for a 32-byte EC scalar d, 1 ≤ d ≤ n − 1 (SEC1 §3.2.1). */
export function ecPrivateKey(alg: NodeEcAlg, privateKey: Uint8Array): { key: KeyObject; publicKey: Uint8Array } {
  const curve = EC_CURVES[alg];
  const d = privateKey.length === 32 ? bytesToBigInt(privateKey) : 0n;
  if (d < 1n || d >= curve.n) fail('BAD_PRIVATE_KEY', { field: 'privateKey', alg });
  const ecdh = createECDH(curve.openssl);
  ecdh.setPrivateKey(Buffer.from(privateKey));
  const uncompressed = ecdh.getPublicKey();
  const key = createPrivateKey({
    key: {
      kty: 'EC',
      crv: curve.jwk,
      d: toBase64Url(privateKey),
      x: toBase64Url(uncompressed.subarray(1, 33)),
      y: toBase64Url(uncompressed.subarray(33, 65)),
    },
    format: 'jwk',
  });
  const compressed = ECDH.convertKey(uncompressed, curve.openssl, undefined, undefined, 'compressed') as Buffer;
  return { key, publicKey: new Uint8Array(compressed) };
}

// ── Ed25519 point decoding (RFC 8032 §5.1.3) ─────────────────────────────────────────────────────────────────────
const P = 2n ** 255n - 19n;
const D = ((P - 121665n) * modPow(121666n, P - 2n)) % P; // d = −121665/121666 mod p
const SQRT_M1 = modPow(2n, (P - 1n) / 4n);

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = base % P;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

/** True when 32 bytes decode to a point of edwards25519 (RFC 8032 §5.1.3 steps 1–4, y < p required). */
export function ed25519PointValid(pub: Uint8Array): boolean {
  if (pub.length !== 32) return false;
  const le = Uint8Array.from(pub).reverse();
  const sign = (le[0] ?? 0) >> 7;
  le[0] = (le[0] ?? 0) & 0x7f;
  const y = bytesToBigInt(le);
  if (y >= P) return false; // step 1: non-canonical y
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  const v = (D * y2 + 1n) % P;
  // step 2: x = u v³ (u v⁷)^((p−5)/8)
  const v3 = (v * v * v) % P;
  let x = (u * v3 * modPow((u * v3 * v3 * v) % P, (P - 5n) / 8n)) % P;
  const vx2 = (v * x * x) % P;
  // step 3
  if (vx2 === u) {
    // root found
  } else if (vx2 === (P - u) % P) {
    x = (x * SQRT_M1) % P;
  } else {
    return false;
  }
  // step 4: x = 0 with the sign bit set is invalid
  return !(x === 0n && sign === 1);
}

/** Public KeyObject for a 32-byte Ed25519 key; BAD_PUBLIC_KEY when the length or point is wrong. */
export function ed25519PublicKeyObject(publicKey: Uint8Array, field = 'publicKey'): KeyObject {
  if (!ed25519PointValid(publicKey)) fail('BAD_PUBLIC_KEY', { field, alg: 'Ed25519' });
  try {
    return createPublicKey({ key: Buffer.from(concatBytes(ED25519_SPKI_PREFIX, publicKey)), format: 'der', type: 'spki' });
  } catch (e) {
    return fail('BAD_PUBLIC_KEY', { field, alg: 'Ed25519' }, e);
  }
}

/** Private KeyObject and raw public key for a 32-byte Ed25519 seed (RFC 8032 §5.1.5). */
export function ed25519PrivateKey(seed: Uint8Array): { key: KeyObject; publicKey: Uint8Array } {
  if (seed.length !== 32) fail('BAD_PRIVATE_KEY', { field: 'privateKey', alg: 'Ed25519' });
  const key = createPrivateKey({ key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, seed)), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return { key, publicKey: new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url')) };
}
