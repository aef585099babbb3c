/**
 * JSON Web Key conversions for the four key types (RFC 7517, RFC 7518 §6.2 for EC, RFC 8037 §2 for OKP Ed25519,
 * RFC 8812 §3.1 for crv "secp256k1").
 *
 * DIFF FROM SPEC (consortium extension): SM2 keys are `{"kty":"EC","crv":"SM2","x","y"}` — no IANA-registered `crv`
 * exists for the SM2 curve (GB/T 32918.5); coordinates are 32-byte big-endian base64url like the other EC curves.
 */
import { fail } from '../src/errors.js';
import { concatBytes, fromBase64Url, toBase64Url } from '../src/crypto/bytes.js';
import type { SigAlg } from '../src/crypto/signature.js';
import { normalizePublicKey, uncompressedPoint, type PublicKey } from './key.js';

/** A public JWK of one of our key types. */
export type Jwk =
  | { kty: 'OKP'; crv: 'Ed25519'; x: string; [k: string]: unknown }
  | { kty: 'EC'; crv: 'P-256' | 'secp256k1' | 'SM2'; x: string; y: string; [k: string]: unknown };

const EC_CRV: Readonly<Record<Exclude<SigAlg, 'Ed25519'>, 'P-256' | 'secp256k1' | 'SM2'>> = { ES256: 'P-256', ES256K: 'secp256k1', SM2: 'SM2' };
const CRV_ALG: Readonly<Record<string, Exclude<SigAlg, 'Ed25519'>>> = { 'P-256': 'ES256', secp256k1: 'ES256K', SM2: 'SM2' };

/** Public JWK of a canonical key (no `kid`, `use` or `alg` members). */
export function publicKeyToJwk(key: PublicKey): Jwk {
  if (key.alg === 'Ed25519') return { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(key.bytes) };
  const p = uncompressedPoint(key);
  return { kty: 'EC', crv: EC_CRV[key.alg], x: toBase64Url(p.subarray(1, 33)), y: toBase64Url(p.subarray(33, 65)) };
}

/**
 * Parse a public JWK strictly into a canonical key. A private member (`d`) is refused (a public key slot must never
 * carry a secret); unknown kty/crv → UNSUPPORTED_ALGORITHM; wrong coordinate length or off-curve → BAD_PUBLIC_KEY.
 */
export function jwkToPublicKey(jwk: unknown, field = 'publicKeyJwk'): PublicKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) fail('INVALID_INPUT', { field, reason: 'must be an object' });
  const j = jwk as Record<string, unknown>;
  if ('d' in j) fail('INVALID_INPUT', { field, reason: 'a public JWK must not contain d' });
  if (j.kty === 'OKP') {
    if (j.crv !== 'Ed25519') fail('UNSUPPORTED_ALGORITHM', { alg: `OKP/${String(j.crv)}` });
    const x = fromBase64Url(j.x, `${field}.x`);
    if (x.length !== 32) fail('BAD_LENGTH', { field: `${field}.x`, expected: 32, actual: x.length });
    return normalizePublicKey('Ed25519', x, field);
  }
  if (j.kty === 'EC') {
    const alg = typeof j.crv === 'string' && Object.hasOwn(CRV_ALG, j.crv) ? CRV_ALG[j.crv]! : fail('UNSUPPORTED_ALGORITHM', { alg: `EC/${String(j.crv)}` });
    const x = fromBase64Url(j.x, `${field}.x`);
    const y = fromBase64Url(j.y, `${field}.y`);
    if (x.length !== 32) fail('BAD_LENGTH', { field: `${field}.x`, expected: 32, actual: x.length });
    if (y.length !== 32) fail('BAD_LENGTH', { field: `${field}.y`, expected: 32, actual: y.length });
    return normalizePublicKey(alg, concatBytes(Uint8Array.of(4), x, y), field);
  }
  return fail('UNSUPPORTED_ALGORITHM', { alg: `kty ${String(j.kty)}` });
}
