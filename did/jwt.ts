/**
 * JWS compact serialization (RFC 7515 §7.1) for DID-signed JWTs (RFC 7519), strict and fast.
 *
 * Algorithms (JOSE names): EdDSA (RFC 8037 §3.1, Ed25519 only), ES256K (RFC 8812 §3.2), ES256 (RFC 7518 §3.4).
 * DIFF FROM SPEC (consortium extension): `SM2SM3` — SM2 signature (GB/T 32918.2) over SM3(Z_A ‖ JWS signing input)
 * with the default user ID `1234567812345678` (GB/T 35276-2017 §5.3), encoded raw r‖s (64 bytes) like ES256.
 *
 * Verification is an ordered list of steps, each failing with its own code:
 *  1. size bound before any parsing (TOO_LARGE);  2. structure and base64url/JSON (JWT_MALFORMED);
 *  3. `alg: none` (JWT_ALG_NONE) and unknown algorithms (UNSUPPORTED_ALGORITHM); `crit` is refused (RFC 7515 §4.1.11:
 *     we understand no extensions);  4. issuer DID resolved, `kid` names a verification method of THAT DID listed under
 *     the purpose (JWT_KID_UNKNOWN);  5. the method's key type matches `alg` (JWT_ALG_MISMATCH — no algorithm
 *     confusion);  6. signature (JWT_SIGNATURE_INVALID) through a verifier cached per verification method (node:crypto
 *     KeyObject; SM2 precomputed point);  7. time claims and audience (JWT_EXPIRED, JWT_NOT_YET_VALID,
 *     JWT_AUDIENCE_MISMATCH), skippable for callers (VC verification) that check validity as a step of their own.
 */
import { fail, isCourtBridgeError } from '../src/errors.js';
import { fromBase64Url, toBase64Url, toHex, utf8 } from '../src/crypto/bytes.js';
import { sha256 } from '../src/crypto/hash.js';
import { sign as rawSign, signatureVerifier, type KeyPair, type SigAlg } from '../src/crypto/signature.js';
import { TtlLru } from './lru.js';
import { findVerificationMethod, verificationMethodKey, type DidDocument, type ProofPurpose } from './verification-method.js';

/** JOSE `alg` values we accept. */
export type JwsAlg = 'EdDSA' | 'ES256K' | 'ES256' | 'SM2SM3';

/** JOSE name per key type. */
export const JWS_ALG: Readonly<Record<SigAlg, JwsAlg>> = Object.freeze({ Ed25519: 'EdDSA', ES256K: 'ES256K', ES256: 'ES256', SM2: 'SM2SM3' });
const KEY_TYPE: Readonly<Record<JwsAlg, SigAlg>> = { EdDSA: 'Ed25519', ES256K: 'ES256K', ES256: 'ES256', SM2SM3: 'SM2' };

/** Default bound on a compact JWS, checked before parsing. */
export const MAX_JWT_LENGTH = 64 * 1024;

/** Something that signs for a verification method: a key pair in memory or a key store entry. */
export interface JwsSigner {
  alg: SigAlg;
  /** DID URL of the verification method (`did:…#key-1`). */
  kid: string;
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** A signer over an in-memory key pair. */
export function keyPairSigner(key: KeyPair, kid: string): JwsSigner {
  return { alg: key.alg, kid, sign: (data) => rawSign(key, data) };
}

/** A parsed, not yet verified compact JWS. */
export interface DecodedJwt {
  header: { alg: JwsAlg; kid: string; typ?: string; [k: string]: unknown };
  payload: Record<string, unknown>;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

/** Sign `payload` as a compact JWS with header `{alg, typ, kid}`. */
export async function signJwt(payload: Record<string, unknown>, signer: JwsSigner, typ = 'JWT'): Promise<string> {
  const header = { alg: JWS_ALG[signer.alg], typ, kid: signer.kid };
  const input = `${toBase64Url(utf8(JSON.stringify(header)))}.${toBase64Url(utf8(JSON.stringify(payload)))}`;
  const sig = await signer.sign(utf8(input));
  return `${input}.${toBase64Url(sig)}`;
}

function parseJsonObject(part: string, field: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(fromBase64Url(part, field)).toString('utf8'));
  } catch (e) {
    if (isCourtBridgeError(e)) fail('JWT_MALFORMED', { reason: `${field} is not base64url` }, e);
    return fail('JWT_MALFORMED', { reason: `${field} is not JSON` }, e);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('JWT_MALFORMED', { reason: `${field} is not a JSON object` });
  return v as Record<string, unknown>;
}

/** Steps 1–3: bound, split, decode and check the header strictly (no signature check). */
export function decodeJwt(token: unknown, maxLength = MAX_JWT_LENGTH): DecodedJwt {
  if (typeof token !== 'string') return fail('JWT_MALFORMED', { reason: 'not a string' });
  if (token.length > maxLength) fail('TOO_LARGE', { field: 'JWT', limit: maxLength });
  const parts = token.split('.');
  if (parts.length !== 3) fail('JWT_MALFORMED', { reason: `${parts.length} parts, compact JWS has 3` });
  const [h, p, s] = parts as [string, string, string];
  const header = parseJsonObject(h, 'header');
  if (typeof header.alg !== 'string') fail('JWT_MALFORMED', { reason: 'header.alg missing' });
  if (header.alg.toLowerCase() === 'none') fail('JWT_ALG_NONE');
  if (!Object.hasOwn(KEY_TYPE, header.alg)) fail('UNSUPPORTED_ALGORITHM', { alg: header.alg.slice(0, 40) });
  if ('crit' in header) fail('JWT_MALFORMED', { reason: 'crit header parameters are not understood' });
  if ('b64' in header || 'jku' in header || 'jwk' in header || 'x5u' in header || 'x5c' in header) {
    // Keys come from the issuer's DID document only, never from the token itself.
    fail('JWT_MALFORMED', { reason: 'embedded or remote key header parameters are refused' });
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 2048) fail('JWT_MALFORMED', { reason: 'header.kid must name a verification method' });
  const payload = parseJsonObject(p, 'payload');
  const signature = fromBase64UrlOr(s);
  return { header: header as DecodedJwt['header'], payload, signingInput: utf8(`${h}.${p}`), signature };
}

function fromBase64UrlOr(s: string): Uint8Array {
  try {
    return fromBase64Url(s, 'signature');
  } catch (e) {
    return fail('JWT_MALFORMED', { reason: 'signature is not base64url' }, e);
  }
}

/** What verification needs from a resolver. */
export interface DocumentResolver {
  resolveDocument(did: string): Promise<DidDocument>;
}

/** Options of one verification. */
export interface VerifyJwtOptions {
  /** Verification relationship the key must be listed under. */
  purpose: ProofPurpose;
  /** When set, `aud` must be or contain it. */
  audience?: string;
  /** Check exp/nbf (default true). */
  checkTime?: boolean;
  /**
   * Remember a successful signature check of this exact token string (for credentials presented again and again).
   * A hit still re-resolves the issuer (a cache hit) and counts only while the resolver returns the very document
   * object the signature was checked against, so a refreshed or rotated DID document re-verifies; claims are always
   * re-checked.
   */
  memo?: boolean;
  /** Seconds since the epoch (default now). */
  now?: number;
  /** Allowed clock skew in seconds (default 60). */
  skewSec?: number;
}

/** A verified JWT. */
export interface VerifiedJwt extends DecodedJwt {
  issuer: string;
  /** Absolute DID URL of the verification method that signed. */
  kid: string;
}

/** Verifies DID-signed JWTs, caching one prebuilt signature verifier per verification method and key. */
export class JwtVerifier {
  private readonly verifiers: TtlLru<string, (m: Uint8Array, s: Uint8Array) => boolean>;
  /** Per resolved document object (the resolver cache returns the same object until it refreshes): kid → method. */
  private readonly perDoc = new WeakMap<DidDocument, Map<string, Prepared>>();
  /** Verified tokens (opt-in per call, see VerifyJwtOptions.memo). */
  private readonly memo: TtlLru<string, { doc: DidDocument; result: VerifiedJwt }>;

  /** `maxLength` bounds tokens; verifiers are cached for `cacheMs` (default 10 min), at most `cacheMax` of them. */
  constructor(
    private readonly resolver: DocumentResolver,
    private readonly opts: { maxLength?: number; cacheMax?: number; cacheMs?: number } = {},
  ) {
    this.verifiers = new TtlLru(opts.cacheMax ?? 10_000, opts.cacheMs ?? 10 * 60_000);
    this.memo = new TtlLru(opts.cacheMax ?? 10_000, opts.cacheMs ?? 10 * 60_000);
  }

  /** Verify `token` (steps 1–7 of the module comment); resolves to the decoded token or throws a coded error. */
  async verify(token: unknown, o: VerifyJwtOptions): Promise<VerifiedJwt> {
    const memoKey = o.memo === true && typeof token === 'string' ? `${o.purpose}|${token}` : undefined;
    const hit = memoKey === undefined ? undefined : this.memo.get(memoKey);
    if (hit && (await this.resolver.resolveDocument(hit.result.issuer)) === hit.doc) {
      checkClaims(hit.result.payload, o);
      return hit.result;
    }
    const jwt = decodeJwt(token, this.opts.maxLength ?? MAX_JWT_LENGTH);
    const iss = jwt.payload.iss;
    if (typeof iss !== 'string' || !iss.startsWith('did:')) fail('JWT_CLAIM_INVALID', { claim: 'iss', reason: 'must be a DID' });
    const kid = jwt.header.kid.startsWith('#') ? `${iss}${jwt.header.kid}` : jwt.header.kid;
    if (!kid.startsWith(`${iss}#`)) fail('JWT_KID_UNKNOWN', { kid, did: iss, purpose: o.purpose });
    const doc = await this.resolver.resolveDocument(iss);
    const pinned = this.prepared(doc, kid, o.purpose);
    const want = KEY_TYPE[jwt.header.alg];
    if (pinned.kind === 'address') {
      if (want !== 'ES256K') fail('JWT_ALG_MISMATCH', { alg: jwt.header.alg, kid });
      if (!(await recoversToAddress(jwt, pinned.address))) fail('JWT_SIGNATURE_INVALID', { kid });
    } else {
      if (pinned.alg !== want) fail('JWT_ALG_MISMATCH', { alg: jwt.header.alg, kid });
      let ok: boolean;
      try {
        ok = pinned.verify(jwt.signingInput, jwt.signature);
      } catch (e) {
        return fail('JWT_SIGNATURE_INVALID', { kid }, e);
      }
      if (!ok) fail('JWT_SIGNATURE_INVALID', { kid });
    }
    checkClaims(jwt.payload, o);
    const result = { ...jwt, issuer: iss, kid };
    if (memoKey !== undefined) this.memo.set(memoKey, { doc, result });
    return result;
  }

  /** Steps 4–5 prework, memoised per document object: find the method under the purpose, parse its key, build a verifier. */
  private prepared(doc: DidDocument, kid: string, purpose: ProofPurpose): Prepared {
    let byKid = this.perDoc.get(doc);
    if (!byKid) {
      byKid = new Map();
      this.perDoc.set(doc, byKid);
    }
    const memoKey = `${purpose}|${kid}`;
    const hit = byKid.get(memoKey);
    if (hit) return hit;
    const pinned = verificationMethodKey(findVerificationMethod(doc, kid, purpose), doc.id);
    let prepared: Prepared;
    if (pinned.kind === 'address') {
      prepared = pinned;
    } else {
      const cacheKey = `${kid}|${pinned.key.alg}|${toHex(pinned.key.bytes)}`;
      let verify = this.verifiers.get(cacheKey);
      if (!verify) {
        verify = signatureVerifier(pinned.key.alg, pinned.key.bytes);
        this.verifiers.set(cacheKey, verify);
      }
      prepared = { kind: 'key', alg: pinned.key.alg, verify };
    }
    if (byKid.size < 64) byKid.set(memoKey, prepared);
    return prepared;
  }
}

/** A verification method ready to check signatures. */
type Prepared = { kind: 'key'; alg: SigAlg; verify: (m: Uint8Array, s: Uint8Array) => boolean } | { kind: 'address'; address: string };

/** Read an optional NumericDate claim (RFC 7519 §2). */
export function numericDate(payload: Record<string, unknown>, claim: string): number | undefined {
  const v = payload[claim];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail('JWT_CLAIM_INVALID', { claim, reason: 'must be a non-negative integer NumericDate' });
  return v;
}

/** Step 7: exp / nbf (RFC 7519 §4.1.4–4.1.5) and aud (§4.1.3). */
function checkClaims(payload: Record<string, unknown>, o: VerifyJwtOptions): void {
  const exp = numericDate(payload, 'exp');
  const nbf = numericDate(payload, 'nbf');
  numericDate(payload, 'iat');
  if (o.checkTime !== false) {
    const now = o.now ?? Math.floor(Date.now() / 1000);
    const skew = o.skewSec ?? 60;
    if (exp !== undefined && now - skew >= exp) fail('JWT_EXPIRED', { exp });
    if (nbf !== undefined && now + skew < nbf) fail('JWT_NOT_YET_VALID', { nbf });
  }
  if (o.audience !== undefined) {
    const aud = payload.aud;
    const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.slice(0, 64) : [];
    if (!list.includes(o.audience)) fail('JWT_AUDIENCE_MISMATCH', { expected: o.audience });
  }
}

/** did:ethr controller keys: recover the ES256K signer (both parities) and compare its address. */
async function recoversToAddress(jwt: DecodedJwt, address: string): Promise<boolean> {
  if (jwt.signature.length !== 64) return false;
  const { Signature, SigningKey, computeAddress } = await import('ethers');
  const { SECP256K1_N } = await import('../src/crypto/ecdsa-der.js');
  const digest = sha256(jwt.signingInput);
  const r = `0x${toHex(jwt.signature.subarray(0, 32))}`;
  let s = BigInt(`0x${toHex(jwt.signature.subarray(32))}`);
  if (s === 0n || s >= SECP256K1_N) return false;
  if (s > SECP256K1_N >> 1n) s = SECP256K1_N - s;
  for (const v of [27, 28]) {
    try {
      const sig = Signature.from({ r, s: `0x${s.toString(16).padStart(64, '0')}`, v });
      if (computeAddress(SigningKey.recoverPublicKey(digest, sig)).toLowerCase() === address) return true;
    } catch {
      // not recoverable with this parity
    }
  }
  return false;
}
