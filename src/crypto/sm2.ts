/**
 * SM2 digital signatures (GB/T 32918.2-2016 §6–7) on the recommended curve (GB/T 32918.5-2017), hashed with SM3.
 *
 * Why not node:crypto (Node 20, OpenSSL 3.0; see test/crypto/sm2-vectors.test.ts): node cannot pass a user ID
 * (`distid`) to OpenSSL; a public key imported with the SM2 OID rejected the standard's example (and, when probed, empty-ID SM2 and
 * plain ECDSA signatures too), and
 * node's own "SM2" keys (`ec`, namedCurve SM2) make plain ECDSA over the SM2 curve with e = SM3(M) and no Z_A — not
 * GB/T 32918.2 signatures, and not interoperable with Chinese SM2 stacks. DIFF FROM DESIGN.md, which says node uses
 * an empty ID: measured here, it does not do SM2 at all.
 *
 * Who does what: the protocol steps — Z_A (§5.5), e = SM3(Z_A‖M) (SM3 from node:crypto), key and scalar range checks
 * and the final comparison (§7.1 B1–B7), signing (§6.1 A1–A7) — are written out here. Point arithmetic: signing and
 * key derivation use sm-crypto-v2's (noble 1.x) constant-time `multiply`; verification uses the variable-time comb in
 * sm2-comb.ts (public scalars only), with Z_A and the public key's table computed once per `signatureVerifier`.
 */
import { randomBytes } from 'node:crypto';
import { sm2 as smc } from 'sm-crypto-v2';
import { fail } from '../errors.js';
import { bigIntToBytes, bytesToBigInt, SM2_N, splitRaw } from './ecdsa-der.js';
import { sm3 } from './hash.js';
import { checkSec1 } from './node-keys.js';
import { toHex } from './bytes.js';
import { addAffine, buildComb, combAdd, jacobianXEquals, jacobianZero, SM2_P, type CombTable, type SmPoint, type SmPointClass } from './sm2-comb.js';

/** Default signer ID of GB/T 32918 (GM/T 0009-2012 §10): the ASCII string "1234567812345678". */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

// GB/T 32918.5-2017 recommended curve parameters (y² = x³ + ax + b over F_p).
const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;
const N = SM2_N;

let pointClass: SmPointClass | undefined;
function Point(): SmPointClass {
  // sm-crypto-v2 does not export its curve; its precomputed G carries the class (window 2 keeps this cheap).
  pointClass ??= (smc.precomputePublicKey(`04${toHex(bigIntToBytes(GX, 32))}${toHex(bigIntToBytes(GY, 32))}`, 2) as unknown as { constructor: SmPointClass }).constructor;
  return pointClass;
}

let baseComb: CombTable | undefined;
function gComb(): CombTable {
  baseComb ??= buildComb(Point().BASE);
  return baseComb;
}

/** A parsed SM2 public key: the point, its comb table when built for hot loops, and its affine coordinates. */
export interface Sm2PublicKey {
  point: SmPoint;
  /** Comb table of the point (see sm2-comb.ts), built by `parseSm2PublicKey(…, true)`; else a plain ladder is used. */
  comb: CombTable | null;
  x: Uint8Array;
  y: Uint8Array;
}

/** Parse a SEC1 public key (33-byte compressed or 65-byte uncompressed); BAD_PUBLIC_KEY unless on the curve. */
export function parseSm2PublicKey(publicKey: Uint8Array, precompute: boolean, field = 'publicKey'): Sm2PublicKey {
  checkSec1(publicKey, 'SM2', field);
  let point: SmPoint;
  try {
    // fromHex checks that the point is on the curve and not the identity (GB/T 32918.1 §6.2.2).
    point = Point().fromHex(toHex(publicKey));
  } catch (e) {
    return fail('BAD_PUBLIC_KEY', { field, alg: 'SM2' }, e);
  }
  const { x, y } = point.toAffine();
  return { point, comb: precompute ? buildComb(point) : null, x: bigIntToBytes(x, 32), y: bigIntToBytes(y, 32) };
}

/** Check a user ID: GB/T 32918.2 §5.5 encodes its bit length in two bytes (ENTL), so at most 8191 bytes. */
export function sm2UserIdBytes(userId: string | undefined): Uint8Array {
  if (userId !== undefined && typeof userId !== 'string') fail('INVALID_INPUT', { field: 'userId', reason: 'must be a string' });
  const id = Buffer.from(userId ?? SM2_DEFAULT_USER_ID, 'utf8');
  if (id.length * 8 > 0xffff) fail('TOO_LARGE', { field: 'userId', limit: 8191 });
  return new Uint8Array(id);
}

/** Curve coefficients and base point hashed into Z_A. */
export interface Sm2ZCurve {
  a: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
}

/** The GB/T 32918.5 recommended curve's Z_A parameters. */
export const SM2_RECOMMENDED_CURVE: Readonly<Sm2ZCurve> = Object.freeze({ a: A, b: B, gx: GX, gy: GY });

/**
 * Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2-2016 §5.5). `curve` exists for the
 * standard's test-curve example (Annex A); everything else uses the recommended curve.
 */
export function sm2Z(key: Pick<Sm2PublicKey, 'x' | 'y'>, userId: Uint8Array, curve: Sm2ZCurve = SM2_RECOMMENDED_CURVE): Uint8Array {
  const entl = new Uint8Array([(userId.length * 8) >> 8, (userId.length * 8) & 0xff]);
  const c = (v: bigint): Uint8Array => bigIntToBytes(v, 32);
  return sm3(entl, userId, c(curve.a), c(curve.b), c(curve.gx), c(curve.gy), key.x, key.y);
}

/** e = SM3(Z_A ‖ M) as an integer (GB/T 32918.2 §6.1 A1–A2 / §7.1 B3–B4). */
function digestE(z: Uint8Array, message: Uint8Array): bigint {
  return bytesToBigInt(sm3(z, message));
}

/** Verify a raw 64-byte r‖s against a precomputed Z_A (GB/T 32918.2-2016 §7.1 B1–B7). */
export function sm2VerifyRaw(key: Sm2PublicKey, z: Uint8Array, message: Uint8Array, raw: Uint8Array): boolean {
  const { r, s } = splitRaw(raw);
  if (r < 1n || r >= N || s < 1n || s >= N) return false; // B1, B2
  const e = digestE(z, message); // B3, B4
  const t = (r + s) % N; // B5
  if (t === 0n) return false;
  // B6: (x1', y1') = [s']G + [t]P_A, variable time (the scalars are public), into one Jacobian accumulator.
  const acc = jacobianZero();
  combAdd(acc, gComb(), s);
  if (key.comb !== null) {
    combAdd(acc, key.comb, t);
  } else {
    const tP = key.point.multiplyUnsafe(t);
    if (!tP.is0()) {
      const a = tP.toAffine();
      addAffine(acc, a.x, a.y);
    }
  }
  // B7: accept iff (e' + x1') mod n = r', i.e. x1' ≡ r' − e' (mod n); as x1' < p < 2n, x1' ∈ {c, c + n}.
  // Compared in Jacobian form (X = x·Z²) to skip a field inversion; the identity never matches.
  const c = (((r - e) % N) + N) % N;
  return jacobianXEquals(acc, c) || (c + N < SM2_P && jacobianXEquals(acc, c + N));
}

/** Private key d must satisfy 1 ≤ d ≤ n − 2 (GB/T 32918.1-2016 §6.1: (1 + d)⁻¹ must exist). */
export function sm2CheckPrivate(privateKey: Uint8Array): bigint {
  const d = privateKey.length === 32 ? bytesToBigInt(privateKey) : 0n;
  if (d < 1n || d > N - 2n) fail('BAD_PRIVATE_KEY', { field: 'privateKey', alg: 'SM2' });
  return d;
}

/** Compressed SEC1 public key of a private key. */
export function sm2PublicFromPrivate(privateKey: Uint8Array): Uint8Array {
  const d = sm2CheckPrivate(privateKey);
  return Point().BASE.multiply(d).toRawBytes(true);
}

/**
 * What signing with one private key needs, derived once (signature.ts keeps it per key): d, (1 + d)⁻¹ mod n, the
 * public key parsed from d (never trusted from the caller) and Z_A per user ID. Parsing the public key (a point
 * decompression) and Z_A cost about as much as the signature itself.
 */
export interface Sm2Signer {
  d: bigint;
  inverse: bigint;
  key: Sm2PublicKey;
  /** Z_A by user ID (a few IDs at most in practice; bounded). */
  z: Map<string, Uint8Array>;
}

/** Derive an Sm2Signer (BAD_PRIVATE_KEY when d is out of range). */
export function sm2Signer(privateKey: Uint8Array): Sm2Signer {
  const d = sm2CheckPrivate(privateKey);
  return { d, inverse: modInverse(1n + d, N), key: parseSm2PublicKey(sm2PublicFromPrivate(privateKey), false), z: new Map() };
}

/** Sign (GB/T 32918.2-2016 §6.1 A1–A7) with a fresh random k from node:crypto; returns raw r‖s. */
export function sm2SignPrepared(signer: Sm2Signer, message: Uint8Array, userId: string | undefined): Uint8Array {
  const id = userId ?? SM2_DEFAULT_USER_ID;
  let z = signer.z.get(id);
  if (z === undefined) {
    z = sm2Z(signer.key, sm2UserIdBytes(userId)); // A1
    if (signer.z.size < 16) signer.z.set(id, z);
  }
  const e = digestE(z, message); // A2
  for (let attempt = 0; attempt < 64; attempt++) {
    const k = bytesToBigInt(randomBytes(40)) % (N - 1n) + 1n; // A3: k ∈ [1, n−1], bias < 2^-64
    const sig = sm2SignWithK(signer.d, e, k, signer.inverse);
    if (sig !== null) return sig;
  }
  return fail('INTERNAL', { reason: 'SM2 signing did not converge' });
}

/**
 * GB/T 32918.2-2016 §6.1 A4–A7 for a given nonce k: null when k must be redrawn (r = 0, r + k = n or s = 0).
 * Exported for known-answer tests with the standard's fixed k; production callers use `sm2SignPrepared`. `inverse`
 * is (1 + d)⁻¹ mod n when the caller has it.
 */
export function sm2SignWithK(d: bigint, e: bigint, k: bigint, inverse = modInverse(1n + d, N)): Uint8Array | null {
  const x1 = Point().BASE.multiply(k).toAffine().x; // A4: (x1, y1) = [k]G
  const r = (e + x1) % N; // A5
  if (r === 0n || r + k === N) return null;
  const s = (inverse * ((((k - r * d) % N) + N) % N)) % N; // A6: s = (1 + d)⁻¹ · (k − r·d) mod n
  if (s === 0n) return null;
  const out = new Uint8Array(64); // A7
  out.set(bigIntToBytes(r, 32), 0);
  out.set(bigIntToBytes(s, 32), 32);
  return out;
}

/** e = SM3(Z_A ‖ M) as an integer, exported for known-answer tests (GB/T 32918.2 §6.1 A2). */
export function sm2E(z: Uint8Array, message: Uint8Array): bigint {
  return digestE(z, message);
}

function modInverse(a: bigint, m: bigint): bigint {
  // Fermat: m is prime. Square-and-multiply over the exponent's bits (256 iterations).
  let result = 1n;
  let base = a % m;
  let exp = m - 2n;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % m;
    base = (base * base) % m;
    exp >>= 1n;
  }
  return result;
}
