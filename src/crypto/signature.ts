/**
 * Signature suites: Ed25519 (RFC 8032), ES256K (ECDSA secp256k1 + SHA-256, RFC 8812 §3.2), ES256 (ECDSA P-256 +
 * SHA-256, RFC 7518 §3.4) and SM2 (GB/T 32918.2 with SM3 and a user ID).
 *
 * Encodings: signatures are raw — Ed25519 64 bytes, ECDSA/SM2 `r‖s` 2×32 bytes (RFC 7518 §3.4); `encoding: 'der'`
 * is accepted on verify for the three EC algorithms. Public keys: Ed25519 32 raw bytes; EC SEC1 compressed (33) or
 * uncompressed (65), compressed is what `keyPair*` return. Private keys: 32 bytes (Ed25519 seed / EC scalar).
 *
 * Outcomes of verify, consistently for every algorithm:
 *  - throws BAD_PUBLIC_KEY (input): wrong length / framing, point not on the curve;
 *  - throws BAD_SIGNATURE_ENCODING (verify): wrong signature length, DER that is not strict DER, DER for Ed25519;
 *  - returns false: a well-formed signature that does not verify, including r or s = 0 or ≥ n.
 *
 * Low-S (ES256K): JOSE (RFC 7518 §3.4, RFC 8812 §3.2) defines plain ECDSA validity and does not require low S, and
 * OpenSSL/Java/Go signers emit high S half of the time, so verify accepts both unless `lowS: true` is passed (use it
 * where signature bytes must be non-malleable, e.g. when they are used as identifiers). `sign` always emits low S for
 * ES256K (BIP 62 / EIP-2 normal form), so our signatures pass strict verifiers too.
 *
 * Ed25519, P-256 and secp256k1 run on node:crypto; SM2 never does (node cannot make or check GB/T 32918.2 signatures; see sm2.ts).
 */
import { randomBytes, sign as nodeSign, timingSafeEqual, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { fail, isCourtBridgeError } from '../errors.js';
import { bigIntToBytes, derToRaw, scalarsInRange, splitRaw } from './ecdsa-der.js';
import { EC_CURVES, ecPrivateKey, ecPublicKeyObject, ed25519PrivateKey, ed25519PublicKeyObject, type NodeEcAlg } from './node-keys.js';
import { toHex } from './bytes.js';
import { parseSm2PublicKey, sm2PublicFromPrivate, sm2Signer, sm2SignPrepared, sm2VerifyRaw, sm2Z, sm2UserIdBytes, type Sm2Signer } from './sm2.js';

/** Signature algorithm names (JOSE names where one exists). */
export type SigAlg = 'Ed25519' | 'ES256K' | 'ES256' | 'SM2';

/** Every supported algorithm, in a stable order. */
export const SIG_ALGS: readonly SigAlg[] = Object.freeze(['Ed25519', 'ES256K', 'ES256', 'SM2']);

/** A key pair: 32-byte private key; public key 32 raw bytes (Ed25519) or SEC1 compressed 33 bytes (EC). */
export interface KeyPair {
  alg: SigAlg;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/** Options for signing. */
export interface SignOptions {
  /** SM2 only: the signer's ID hashed into Z_A; default '1234567812345678'. */
  userId?: string;
}

/** Options for verifying. */
export interface VerifyOptions extends SignOptions {
  /** Signature encoding: raw r‖s (default) or DER (EC algorithms only). */
  encoding?: 'raw' | 'der';
  /** ES256K/ES256: reject S > n/2 (default false: JOSE does not require low S). */
  lowS?: boolean;
}

/** Parse an algorithm name, failing with UNSUPPORTED_ALGORITHM for anything else. */
export function parseSigAlg(value: unknown): SigAlg {
  if (typeof value === 'string' && (SIG_ALGS as readonly string[]).includes(value)) return value as SigAlg;
  return fail('UNSUPPORTED_ALGORITHM', { alg: String(value) });
}

/** Generate a fresh key pair from node:crypto's CSPRNG. */
export function generateKeyPair(alg: SigAlg): KeyPair {
  const a = parseSigAlg(alg);
  // Rejection sampling: for the EC curves a random 32-byte string is out of range with probability < 2^-32.
  for (let i = 0; i < 128; i++) {
    const candidate = new Uint8Array(randomBytes(32));
    try {
      return keyPairFromPrivate(a, candidate);
    } catch (e) {
      if (!(isCourtBridgeError(e) && e.code === 'BAD_PRIVATE_KEY')) throw e;
    }
  }
  return fail('INTERNAL', { reason: 'key generation did not converge' });
}

/** Derive the key pair of a 32-byte private key; BAD_PRIVATE_KEY when it is out of range. */
export function keyPairFromPrivate(alg: SigAlg, privateKey: Uint8Array): KeyPair {
  const a = parseSigAlg(alg);
  const priv = Uint8Array.from(privateKey);
  switch (a) {
    case 'Ed25519':
      return { alg: a, privateKey: priv, publicKey: ed25519PrivateKey(priv).publicKey };
    case 'ES256K':
    case 'ES256':
      return { alg: a, privateKey: priv, publicKey: ecPrivateKey(a, priv).publicKey };
    case 'SM2':
      return { alg: a, privateKey: priv, publicKey: sm2PublicFromPrivate(priv) };
  }
}

/**
 * Sign `message`: Ed25519 64 bytes (deterministic, RFC 8032); ES256/ES256K SHA-256 + ECDSA raw r‖s (OpenSSL's random
 * k; ES256K normalised to low S); SM2 SM3 with Z_A, raw r‖s. Only `key.privateKey` is used.
 */
export function sign(key: KeyPair, message: Uint8Array, opts: SignOptions = {}): Uint8Array {
  const alg = parseSigAlg(key.alg);
  const m = signingMaterial(alg, key.privateKey);
  switch (alg) {
    case 'Ed25519':
      return new Uint8Array(nodeSign(null, message, m.key!));
    case 'ES256K':
    case 'ES256': {
      const raw = new Uint8Array(nodeSign('sha256', message, { key: m.key!, dsaEncoding: 'ieee-p1363' }));
      return alg === 'ES256K' ? toLowS(raw, EC_CURVES.ES256K.n) : raw;
    }
    case 'SM2':
      // Z_A hashes the signer's public key; it is derived from the private key rather than taken from `key.publicKey`.
      return sm2SignPrepared(m.sm2!, message, opts.userId);
  }
}

/** What signing derives from a private key: node's KeyObject (Ed25519, EC) or the SM2 signer (public key, Z_A, (1 + d)⁻¹). */
interface SigningMaterial {
  alg: SigAlg;
  /** A copy of the key bytes the material was derived from. */
  bytes: Buffer;
  key?: KeyObject;
  sm2?: Sm2Signer;
}

/**
 * Derived signing material per private-key array, reused while its bytes are unchanged (a zeroised or rewritten key
 * derives afresh). Deriving cost more than the signature itself: an Ed25519 KeyObject plus its public key ≈ 0.5 ms,
 * the SM2 public point, its parse and Z_A ≈ 0.5 ms, paid on every checkpoint and every hub-signed token (bench `crypto.sign.*`).
 */
const derived = new WeakMap<Uint8Array, SigningMaterial>();

function signingMaterial(alg: SigAlg, privateKey: Uint8Array): SigningMaterial {
  const known = derived.get(privateKey);
  if (known !== undefined && known.alg === alg && known.bytes.length === privateKey.length && timingSafeEqual(known.bytes, privateKey)) return known;
  const m: SigningMaterial = { alg, bytes: Buffer.from(privateKey) };
  if (alg === 'Ed25519') m.key = ed25519PrivateKey(privateKey).key;
  else if (alg === 'SM2') m.sm2 = sm2Signer(privateKey);
  else m.key = ecPrivateKey(alg, privateKey).key;
  derived.set(privateKey, m);
  return m;
}

/** Replace s by n − s when s > n/2 (the signature stays valid; BIP 62 low-S normal form). */
function toLowS(raw: Uint8Array, n: bigint): Uint8Array {
  const { s } = splitRaw(raw);
  if (s <= n >> 1n) return raw;
  const out = Uint8Array.from(raw);
  out.set(bigIntToBytes(n - s, 32), 32);
  return out;
}

/** Bring a signature to raw 64 bytes per `encoding`; null when DER integers cannot be scalars (→ false). */
function normalise(alg: SigAlg, signature: Uint8Array, encoding: 'raw' | 'der'): Uint8Array | null {
  if (encoding === 'der') {
    if (alg === 'Ed25519') fail('BAD_SIGNATURE_ENCODING', { encoding, alg });
    return derToRaw(signature, alg);
  }
  if (encoding !== 'raw') fail('BAD_SIGNATURE_ENCODING', { encoding: String(encoding), alg });
  if (signature.length !== 64) fail('BAD_SIGNATURE_ENCODING', { encoding, alg });
  return signature;
}

/**
 * Build a verifier for one public key, parsing and precomputing once (node KeyObject; SM2: Z_A and comb tables, which
 * cost tens of ms to build — worth it from a few dozen verifications on). Throws BAD_PUBLIC_KEY at construction; the returned function returns false / throws BAD_SIGNATURE_ENCODING.
 */
export function signatureVerifier(alg: SigAlg, publicKey: Uint8Array, opts: VerifyOptions = {}): SignatureVerifier {
  return makeVerifier(parseSigAlg(alg), publicKey, opts, true);
}

/**
 * A verifier of one public key. Called directly it checks on the calling thread; `offloaded` makes the same check
 * (same outcomes, same throws — as rejections) on libuv's thread pool for the node:crypto algorithms, so a server's
 * event loop is not held for the ~0.1–0.25 ms an ES256 verification takes. SM2 is JavaScript: it runs on the calling
 * thread either way.
 */
export interface SignatureVerifier {
  (message: Uint8Array, signature: Uint8Array): boolean;
  offloaded(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** `check` as a SignatureVerifier whose `offloaded` form is `offloaded`, or `check` itself in a promise. */
function verifierOf(check: (message: Uint8Array, signature: Uint8Array) => boolean, offloaded?: (message: Uint8Array, signature: Uint8Array) => Promise<boolean>): SignatureVerifier {
  const v = check as SignatureVerifier;
  v.offloaded = offloaded ?? ((message, signature) => new Promise((resolve) => resolve(check(message, signature))));
  return v;
}

/** node:crypto's verify on the thread pool (the callback form). */
function nodeVerifyOffloaded(algorithm: string | null, message: Uint8Array, key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' }, raw: Uint8Array): Promise<boolean> {
  return new Promise((resolve, reject) => {
    nodeVerify(algorithm, message, key, raw, (err, ok) => (err ? reject(err) : resolve(ok)));
  });
}

/**
 * Parsed-key verifiers of recent one-shot calls (LRU by insertion order), so repeated keys skip parsing. An SM2 key
 * seen often is promoted to a hot verifier (comb tables, ~350 KB), for at most HOT_MAX keys at a time.
 */
const recent = new Map<string, { verify: SignatureVerifier; uses: number; hot: boolean }>();
const RECENT_MAX = 256;
const PROMOTE_AFTER = 16;
const HOT_MAX = 8;
let hotCount = 0;

/** Verify one signature (see the module comment for which failures throw and which return false). */
export function verifySignature(alg: SigAlg, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, opts: VerifyOptions = {}): boolean {
  const a = parseSigAlg(alg);
  // Oversized keys or IDs are rejected by makeVerifier; never build a cache key from them.
  if (publicKey.length > 65 || (typeof opts.userId === 'string' && opts.userId.length > 8191)) return makeVerifier(a, publicKey, opts, false)(message, signature);
  // The hex of the key never contains '|', so the user ID (free text) can safely come last; '' ≠ absent (default ID).
  const id = opts.userId === undefined ? '-' : `=${String(opts.userId)}`;
  const cacheKey = `${a}|${String(opts.encoding ?? 'raw')}|${opts.lowS === true ? 1 : 0}|${toHex(publicKey)}|${id}`;
  let entry = recent.get(cacheKey);
  if (entry === undefined) {
    entry = { verify: makeVerifier(a, publicKey, opts, false), uses: 0, hot: false }; // throws before caching
    if (recent.size >= RECENT_MAX) {
      const oldest = recent.keys().next().value as string;
      if (recent.get(oldest)?.hot === true) hotCount--;
      recent.delete(oldest);
    }
  } else {
    recent.delete(cacheKey); // re-insert below: most recently used last
  }
  recent.set(cacheKey, entry);
  entry.uses++;
  if (a === 'SM2' && !entry.hot && entry.uses >= PROMOTE_AFTER && hotCount < HOT_MAX) {
    entry.verify = makeVerifier(a, publicKey, opts, true);
    entry.hot = true;
    hotCount++;
  }
  return entry.verify(message, signature);
}

function makeVerifier(alg: SigAlg, publicKey: Uint8Array, opts: VerifyOptions, hot: boolean): SignatureVerifier {
  const encoding = opts.encoding ?? 'raw';
  if ((encoding !== 'raw' && encoding !== 'der') || (alg === 'Ed25519' && encoding !== 'raw')) {
    fail('BAD_SIGNATURE_ENCODING', { encoding: String(encoding), alg });
  }
  switch (alg) {
    case 'Ed25519': {
      const key = ed25519PublicKeyObject(publicKey);
      return verifierOf((message, signature) => {
        const raw = normalise(alg, signature, encoding);
        return raw !== null && nodeVerify(null, message, key, raw);
      }, async (message, signature) => {
        const raw = normalise(alg, signature, encoding);
        return raw !== null && nodeVerifyOffloaded(null, message, key, raw);
      });
    }
    case 'ES256K':
    case 'ES256':
      return ecVerifier(alg, ecPublicKeyObject(alg, publicKey), encoding, opts.lowS === true);
    case 'SM2': {
      const key = parseSm2PublicKey(publicKey, hot);
      const z = sm2Z(key, sm2UserIdBytes(opts.userId));
      return verifierOf((message, signature) => {
        const raw = normalise(alg, signature, encoding);
        return raw !== null && sm2VerifyRaw(key, z, message, raw);
      });
    }
  }
}

function ecVerifier(alg: NodeEcAlg, key: KeyObject, encoding: 'raw' | 'der', lowS: boolean): SignatureVerifier {
  const n = EC_CURVES[alg].n;
  const p1363 = { key, dsaEncoding: 'ieee-p1363' } as const;
  /** The checks before the curve arithmetic: the raw signature, or null when it cannot verify. */
  const screened = (signature: Uint8Array): Uint8Array | null => {
    const raw = normalise(alg, signature, encoding);
    if (raw === null || !scalarsInRange(raw, n)) return null; // SEC1 §4.1.4 step 1
    if (lowS && splitRaw(raw).s > n >> 1n) return null;
    return raw;
  };
  return verifierOf((message, signature) => {
    const raw = screened(signature);
    return raw !== null && nodeVerify('sha256', message, p1363, raw);
  }, async (message, signature) => {
    const raw = screened(signature);
    return raw !== null && nodeVerifyOffloaded('sha256', message, p1363, raw);
  });
}
