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
 *
 * Cost (issue 4): the signature check dominates. Around it, base64url is checked without re-encoding, headers are
 * parsed once per distinct segment, credentials can be kept parsed by their exact string (`keepParsed`), and
 * `verifyNow` finishes synchronously when the issuer's document is cached — no step is skipped by any of these.
 */
import { fail } from '../src/errors.js';
import { toBase64Url, toHex, utf8 } from '../src/crypto/bytes.js';
import { sha256 } from '../src/crypto/hash.js';
import { sign as rawSign, signatureVerifier, type KeyPair, type SigAlg, type SignatureVerifier } from '../src/crypto/signature.js';
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

/** base64url alphabet (RFC 4648 §5) without padding. */
const B64URL_RE = /^[A-Za-z0-9_-]*$/;
/** Value of a base64url character (for the unused-bits check of the last one). */
const B64URL_VALUE = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) B64URL_VALUE[c.charCodeAt(0)] = i;

/**
 * Strict unpadded base64url (RFC 7515 §2): alphabet only, no impossible length, and zero unused bits in the last
 * character, so every byte string has exactly one accepted spelling (what a decode/re-encode round trip checks,
 * without the re-encoding). undefined when `s` is not canonical base64url.
 */
function base64UrlStrict(s: string): Buffer | undefined {
  const tail = s.length & 3;
  if (tail === 1 || !B64URL_RE.test(s)) return undefined;
  if (tail !== 0 && (B64URL_VALUE[s.charCodeAt(s.length - 1)]! & (tail === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  return Buffer.from(s, 'base64url');
}

function parseJsonObject(part: string, field: string): Record<string, unknown> {
  const bytes = base64UrlStrict(part);
  if (bytes === undefined) return fail('JWT_MALFORMED', { reason: `${field} is not base64url` });
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return fail('JWT_MALFORMED', { reason: `${field} is not JSON` }, e);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('JWT_MALFORMED', { reason: `${field} is not a JSON object` });
  return v as Record<string, unknown>;
}

/** Checked headers by their exact base64url segment: a signer's header repeats on every token it signs. */
const headers = new Map<string, DecodedJwt['header']>();
const HEADERS_MAX = 1024;

/** Steps 2–3 for the header segment; the result is frozen and shared by every token with the same segment. */
function parseHeader(h: string): DecodedJwt['header'] {
  const known = headers.get(h);
  if (known !== undefined) return known;
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
  if (headers.size >= HEADERS_MAX) headers.clear();
  const frozen = deepFreeze(header) as DecodedJwt['header'];
  if (h.length <= 4096) headers.set(h, frozen);
  return frozen;
}

/** Freeze a parsed JSON value in place (objects shared between verifications must not be mutable). */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Steps 1–3: bound, split, decode and check the header strictly (no signature check). */
export function decodeJwt(token: unknown, maxLength = MAX_JWT_LENGTH): DecodedJwt {
  if (typeof token !== 'string') return fail('JWT_MALFORMED', { reason: 'not a string' });
  if (token.length > maxLength) fail('TOO_LARGE', { field: 'JWT', limit: maxLength });
  const d1 = token.indexOf('.');
  const d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
  if (d2 < 0 || token.indexOf('.', d2 + 1) >= 0) fail('JWT_MALFORMED', { reason: `${token.split('.').length} parts, compact JWS has 3` });
  const header = parseHeader(token.slice(0, d1));
  const payload = parseJsonObject(token.slice(d1 + 1, d2), 'payload');
  const signature = base64UrlStrict(token.slice(d2 + 1)) ?? fail('JWT_MALFORMED', { reason: 'signature is not base64url' });
  // Header and payload are checked base64url, i.e. ASCII: latin1 gives their UTF-8 bytes without a TextEncoder.
  return { header, payload, signingInput: Buffer.from(token.slice(0, d2), 'latin1'), signature: new Uint8Array(signature) };
}

/** What verification needs from a resolver. */
export interface DocumentResolver {
  resolveDocument(did: string): Promise<DidDocument>;
  /** The document of `did` when the resolver already holds it (no I/O): lets verification finish synchronously. */
  cachedDocument?(did: string): DidDocument | undefined;
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
   * The token is likely to be verified again (a credential presented again and again): once its signature has
   * verified, keep the parsed token keyed by its exact string (at most KEPT_TOKEN_MAX characters), so a repeat skips
   * base64url and JSON decoding. The signature is still checked on every call unless `memo` is set too.
   */
  keepParsed?: boolean;
  /**
   * Remember a successful signature check of this exact token string (for credentials presented again and again;
   * implies `keepParsed`). A hit still looks up the issuer's document (a resolver cache hit) and counts only while the
   * resolver returns the very document object the signature was checked against, under the same purpose, so a
   * refreshed or rotated DID document re-verifies; claims are always re-checked.
   */
  memo?: boolean;
  /** Seconds since the epoch (default now). */
  now?: number;
  /** Allowed clock skew in seconds (default 60). */
  skewSec?: number;
  /**
   * Check the signature on libuv's thread pool (node:crypto algorithms; SM2 stays on this thread), leaving the event
   * loop free meanwhile: for a server verifying one token per request (the API's bearer tokens, issue 7). The answer
   * is always a promise then; outcomes and error codes are the same.
   */
  offload?: boolean;
}

/** A verified JWT. */
export interface VerifiedJwt extends DecodedJwt {
  issuer: string;
  /** Absolute DID URL of the verification method that signed. */
  kid: string;
}

/** Longest token kept parsed / memoised (a licence VC is about 1.7 KB): bounds the kept cache to keptMax × 16 KiB. */
export const KEPT_TOKEN_MAX = 16 * 1024;

/** A token whose signature verified, kept by its exact string: the frozen result and what it was checked against. */
interface Kept {
  result: VerifiedJwt;
  doc: DidDocument;
  purpose: ProofPurpose;
}

/** Verifies DID-signed JWTs, caching one prebuilt signature verifier per verification method and key. */
export class JwtVerifier {
  private readonly verifiers: TtlLru<string, SignatureVerifier>;
  /** Per purpose, per resolved document object (the resolver cache returns the same object until it refreshes): kid → method. */
  private readonly perDoc: Record<ProofPurpose, WeakMap<DidDocument, Map<string, Prepared>>> = { authentication: new WeakMap(), assertionMethod: new WeakMap() };
  /** Verified tokens kept parsed (opt-in per call, see VerifyJwtOptions.keepParsed and .memo). */
  private readonly kept: TtlLru<string, Kept>;

  /**
   * `maxLength` bounds tokens; verifiers are cached for `cacheMs` (default 10 min), at most `cacheMax` of them; at most
   * `keptMax` (default 2,048) verified tokens are kept parsed, for `cacheMs` too.
   */
  constructor(
    private readonly resolver: DocumentResolver,
    private readonly opts: { maxLength?: number; cacheMax?: number; cacheMs?: number; keptMax?: number } = {},
  ) {
    this.verifiers = new TtlLru(opts.cacheMax ?? 10_000, opts.cacheMs ?? 10 * 60_000);
    this.kept = new TtlLru(opts.keptMax ?? 2048, opts.cacheMs ?? 10 * 60_000);
  }

  /** Verify `token` (steps 1–7 of the module comment); resolves to the decoded token or throws a coded error. */
  async verify(token: unknown, o: VerifyJwtOptions): Promise<VerifiedJwt> {
    return this.verifyNow(token, o);
  }

  /**
   * `verify`, synchronous whenever the resolver already holds the issuer's document (`cachedDocument`): returns the
   * verified token, or a promise when resolution needs I/O. Coded errors are thrown (or the promise rejects).
   */
  verifyNow(token: unknown, o: VerifyJwtOptions): VerifiedJwt | Promise<VerifiedJwt> {
    const keep = (o.memo === true || o.keepParsed === true) && typeof token === 'string' && token.length <= KEPT_TOKEN_MAX;
    const kept = keep ? this.kept.get(token as string) : undefined;
    let jwt: DecodedJwt;
    let iss: string;
    let kid: string;
    if (kept !== undefined) {
      ({ issuer: iss, kid } = kept.result);
      jwt = kept.result;
    } else {
      jwt = decodeJwt(token, this.opts.maxLength ?? MAX_JWT_LENGTH);
      const claimed = jwt.payload.iss;
      if (typeof claimed !== 'string' || !claimed.startsWith('did:')) fail('JWT_CLAIM_INVALID', { claim: 'iss', reason: 'must be a DID' });
      iss = claimed;
      kid = jwt.header.kid.startsWith('#') ? `${iss}${jwt.header.kid}` : jwt.header.kid;
      if (kid.length <= iss.length || kid.charCodeAt(iss.length) !== 0x23 || !kid.startsWith(iss)) fail('JWT_KID_UNKNOWN', { kid, did: iss, purpose: o.purpose });
    }
    const cached = this.resolver.cachedDocument?.(iss);
    if (cached !== undefined) return this.checkAgainst(token as string, jwt, iss, kid, cached, o, keep, kept);
    return this.resolver.resolveDocument(iss).then((doc) => this.checkAgainst(token as string, jwt, iss, kid, doc, o, keep, kept));
  }

  /** Steps 4–7 against the issuer's resolved document. */
  private checkAgainst(token: string, jwt: DecodedJwt, iss: string, kid: string, doc: DidDocument, o: VerifyJwtOptions, keep: boolean, kept: Kept | undefined): VerifiedJwt | Promise<VerifiedJwt> {
    if (kept !== undefined && o.memo === true && kept.doc === doc && kept.purpose === o.purpose) {
      checkClaims(jwt.payload, o);
      return kept.result;
    }
    const pinned = this.prepared(doc, kid, o.purpose);
    const want = KEY_TYPE[jwt.header.alg];
    if (pinned.kind === 'address') {
      if (want !== 'ES256K') fail('JWT_ALG_MISMATCH', { alg: jwt.header.alg, kid });
      return recoversToAddress(jwt, pinned.address).then((ok) => (ok ? this.accept(token, jwt, iss, kid, doc, o, keep, kept) : fail('JWT_SIGNATURE_INVALID', { kid })));
    }
    if (pinned.alg !== want) fail('JWT_ALG_MISMATCH', { alg: jwt.header.alg, kid });
    if (o.offload === true && pinned.alg !== 'SM2') {
      return pinned.verify.offloaded(jwt.signingInput, jwt.signature).then(
        (ok) => (ok ? this.accept(token, jwt, iss, kid, doc, o, keep, kept) : fail('JWT_SIGNATURE_INVALID', { kid })),
        (e: unknown) => fail('JWT_SIGNATURE_INVALID', { kid }, e),
      );
    }
    let ok: boolean;
    try {
      ok = pinned.verify(jwt.signingInput, jwt.signature);
    } catch (e) {
      return fail('JWT_SIGNATURE_INVALID', { kid }, e);
    }
    if (!ok) fail('JWT_SIGNATURE_INVALID', { kid });
    return this.accept(token, jwt, iss, kid, doc, o, keep, kept);
  }

  /** Step 7 after a good signature; keeps the token when asked to. */
  private accept(token: string, jwt: DecodedJwt, iss: string, kid: string, doc: DidDocument, o: VerifyJwtOptions, keep: boolean, kept: Kept | undefined): VerifiedJwt {
    checkClaims(jwt.payload, o);
    if (kept !== undefined) {
      kept.doc = doc;
      kept.purpose = o.purpose;
      return kept.result;
    }
    const result: VerifiedJwt = { header: jwt.header, payload: jwt.payload, signingInput: jwt.signingInput, signature: jwt.signature, issuer: iss, kid };
    if (!keep) return result;
    // Shared by every later verification of the same string: frozen, so no caller can alter what the next one sees.
    deepFreeze(jwt.payload);
    Object.freeze(result);
    this.kept.set(token, { result, doc, purpose: o.purpose });
    return result;
  }

  /** Steps 4–5 prework, memoised per document object: find the method under the purpose, parse its key, build a verifier. */
  private prepared(doc: DidDocument, kid: string, purpose: ProofPurpose): Prepared {
    const perDoc = this.perDoc[purpose];
    let byKid = perDoc.get(doc);
    if (!byKid) {
      byKid = new Map();
      perDoc.set(doc, byKid);
    }
    const hit = byKid.get(kid);
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
    if (byKid.size < 64) byKid.set(kid, prepared);
    return prepared;
  }
}

/** A verification method ready to check signatures. */
type Prepared = { kind: 'key'; alg: SigAlg; verify: SignatureVerifier } | { kind: 'address'; address: string };

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
