/**
 * Signed webhook deliveries. The body is the RFC 8785 canonical JSON of `WebhookPayload`; the `CourtBridge-Signature`
 * header is a compact JWS (RFC 7515 §7.1) JWT (RFC 7519) signed by the hub's DID key (EdDSA for Ed25519, SM2SM3 for
 * SM2: did/jwt.ts), `typ` `courtbridge-webhook+jwt`, with claims:
 *   iss  the hub DID (its DID document lists `kid` under assertionMethod)
 *   aud  the DID of the court that owns the webhook
 *   iat / exp   signing time and iat + 300 s: a captured request cannot be replayed later than that
 *   jti  the delivery id — the SAME on every retry of one delivery: receivers process a jti once and answer 2xx to
 *        repeats (a retry after a lost 2xx answer), which also makes replays within the 5 minutes harmless
 *   htm / htu   `POST` and the webhook URL (as RFC 9449 DPoP binds a proof to one request): a delivery cannot be
 *        replayed to another endpoint
 *   body_sha256 base64url SHA-256 of the exact body bytes (the JWT signs the body through it; RFC 7515 Appendix F /
 *        RFC 7797 detached payloads would do the same but fewer JOSE libraries verify them)
 * `verifyDelivery` is the receiver-side check (docs/webhooks.md); tests run it against the hub's DID document.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../src/crypto/canonical.js';
import { toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { sha256 } from '../../src/crypto/hash.js';
import { fail } from '../../src/errors.js';
import { signJwt, type JwsSigner, type JwtVerifier, type VerifiedJwt } from '../../did/jwt.js';

/** JWS `typ` of a delivery signature. */
export const WEBHOOK_JWT_TYP = 'courtbridge-webhook+jwt';
/** Header carrying the signature JWT. */
export const SIGNATURE_HEADER = 'CourtBridge-Signature';
/** Header repeating the delivery id (informational; the signed value is the JWT's `jti` and the body's). */
export const DELIVERY_HEADER = 'CourtBridge-Delivery';
/** Lifetime of a delivery signature, seconds. */
export const SIGNATURE_TTL_SEC = 300;

/** The JSON body of a delivery. */
export interface WebhookPayload {
  deliveryId: string;
  attestationId: string;
  ledgerIndex: number;
  treeSize: number;
  chainId: string;
  recordType: string;
  /**
   * The record key's salted reference (src/ids/subject.ts `subjectRef('text', key, salt)`, exactly the attestation's
   * `source.keyRef`), never the raw key: keys can be personal identifiers and a (chain, type) webhook also sees records
   * other courts asked for. The court reads the raw record from the evidence bundle of `attestationId`.
   */
  keyRef: string;
  blockHeight: number;
}

/** Delivery id of (webhook, attestation): `dlv_` + 32 hex of SHA-256(webhookId ‖ 0x0a ‖ attestationId); stable across retries. */
export function deliveryIdOf(webhookId: string, attestationId: string): string {
  return `dlv_${createHash('sha256').update(`${webhookId}\n${attestationId}`).digest('hex').slice(0, 32)}`;
}

/** The exact body bytes (RFC 8785 canonical JSON). */
export function webhookBody(p: WebhookPayload): string {
  return canonicalJson(p);
}

/** Base64url SHA-256 of the body. */
export function bodyDigest(body: string | Uint8Array): string {
  return toBase64Url(sha256(typeof body === 'string' ? utf8(body) : body));
}

/** Sign a delivery of `body` to `url` for the court `audience`. */
export async function signDelivery(body: string, o: { signer: JwsSigner; issuer: string; audience: string; url: string; deliveryId: string; nowSec: number }): Promise<string> {
  return signJwt({
    iss: o.issuer, aud: o.audience, iat: o.nowSec, exp: o.nowSec + SIGNATURE_TTL_SEC, jti: o.deliveryId,
    htm: 'POST', htu: o.url, body_sha256: bodyDigest(body),
  }, o.signer, WEBHOOK_JWT_TYP);
}

/** Receiver-side options. */
export interface VerifyDeliveryOptions {
  /** The receiving court's DID (`aud`). */
  audience: string;
  /** The hub DIDs accepted as `iss`. */
  issuers: readonly string[];
  /** When set, `htu` must equal it (the URL the receiver is registered under). */
  url?: string;
  /** Seconds since the epoch (default now). */
  nowSec?: number;
}

/**
 * Verify a received delivery: the JWT (signature against the issuer's DID document, `exp`, `aud`), then `typ`, the
 * issuer, the URL binding, the body digest and that the body's deliveryId is the `jti`. Returns the delivery id.
 */
export async function verifyDelivery(verifier: JwtVerifier, token: string | undefined, body: string | Uint8Array, o: VerifyDeliveryOptions): Promise<{ deliveryId: string; jwt: VerifiedJwt }> {
  if (token === undefined) return fail('WEBHOOK_SIGNATURE_INVALID', { reason: `no ${SIGNATURE_HEADER} header` });
  const jwt = await verifier.verify(token, { purpose: 'assertionMethod', audience: o.audience, now: o.nowSec });
  const bad = (reason: string): never => fail('WEBHOOK_SIGNATURE_INVALID', { reason });
  if (jwt.header.typ !== WEBHOOK_JWT_TYP) bad(`typ is not ${WEBHOOK_JWT_TYP}`);
  if (!o.issuers.includes(jwt.issuer)) bad('issuer is not the hub');
  const p = jwt.payload;
  if (typeof p.exp !== 'number' || typeof p.iat !== 'number') bad('iat and exp are required');
  if (p.htm !== 'POST') bad('htm is not POST');
  if (o.url !== undefined && p.htu !== o.url) bad('htu is not this endpoint');
  if (typeof p.jti !== 'string' || !/^dlv_[0-9a-f]{32}$/.test(p.jti)) bad('jti is not a delivery id');
  if (p.body_sha256 !== bodyDigest(body)) bad('body digest does not match');
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (e) {
    return fail('WEBHOOK_SIGNATURE_INVALID', { reason: 'body is not JSON' }, e);
  }
  if ((parsed as { deliveryId?: unknown } | null)?.deliveryId !== p.jti) bad('body deliveryId is not the jti');
  return { deliveryId: p.jti as string, jwt };
}
