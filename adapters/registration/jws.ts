/**
 * The three signed messages of the registration flow, each a compact JWS (RFC 7515 §7.1) made and checked with
 * did/jwt.ts; the header `typ` names the message so that one can never be passed off as another:
 * - registration (typ `courtbridge-registration+jwt`) by the partner DID: `{iss, iat, version, registration}`;
 * - approval (typ `courtbridge-registration-approval+jwt`) by an administrator: `{iss, iat, chainId, version, digest}`;
 * - disable (typ `courtbridge-registration-disable+jwt`) by an administrator: `{iss, iat, chainId, version, reason}`;
 * - unfreeze (typ `courtbridge-chain-unfreeze+jwt`) by an administrator: `{iss, iat, chainId, reason, canonicalHash?}` —
 *   the decision that lifts a light-client freeze (src/proofs/lightclient/state.ts `unfreeze`, types.ts AdminDecision).
 * Keys come from the signer's DID document (assertionMethod), resolved through the DID resolver.
 */
import { fail, isCourtBridgeError } from '../../src/errors.js';
import { signJwt, type JwsSigner, type JwtVerifier, type VerifiedJwt } from '../../did/jwt.js';
import { parseRegistration, registrationDigest } from './parse.js';
import type { RegistrationDocument } from './types.js';

/** JWS `typ` of each message. */
export const JWS_TYP = {
  registration: 'courtbridge-registration+jwt',
  approval: 'courtbridge-registration-approval+jwt',
  disable: 'courtbridge-registration-disable+jwt',
  unfreeze: 'courtbridge-chain-unfreeze+jwt',
} as const;

/** Which message a token is. */
export type RegistrationMessage = keyof typeof JWS_TYP;

const DIGEST_RE = /^[0-9a-f]{64}$/;
const CHAIN_RE = /^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/;

/** Sign a registration document as the partner (`iss` = `doc.partner`). */
export function signRegistration(doc: RegistrationDocument, signer: JwsSigner, iat = Math.floor(Date.now() / 1000)): Promise<string> {
  return signJwt({ iss: doc.partner, iat, version: doc.version, registration: doc }, signer, JWS_TYP.registration);
}

/** Sign an approval of `digest` (version `version` of `chainId`) as administrator `admin`. */
export function signApproval(a: { admin: string; chainId: string; version: number; digest: string }, signer: JwsSigner, iat = Math.floor(Date.now() / 1000)): Promise<string> {
  return signJwt({ iss: a.admin, iat, chainId: a.chainId, version: a.version, digest: a.digest }, signer, JWS_TYP.approval);
}

/** Sign a disable order for `chainId` up to and including `version`. */
export function signDisable(d: { admin: string; chainId: string; version: number; reason: string }, signer: JwsSigner, iat = Math.floor(Date.now() / 1000)): Promise<string> {
  return signJwt({ iss: d.admin, iat, chainId: d.chainId, version: d.version, reason: d.reason }, signer, JWS_TYP.disable);
}

/** Sign an order lifting the freeze of `chainId`; `canonicalHash` names the header kept at each conflict height. */
export function signUnfreeze(u: { admin: string; chainId: string; reason: string; canonicalHash?: string }, signer: JwsSigner, iat = Math.floor(Date.now() / 1000)): Promise<string> {
  return signJwt({ iss: u.admin, iat, chainId: u.chainId, reason: u.reason, ...(u.canonicalHash === undefined ? {} : { canonicalHash: u.canonicalHash }) }, signer, JWS_TYP.unfreeze);
}

/** Verify signature and time claims; JWT verification failures become REGISTRATION_SIGNATURE_INVALID. */
async function verifyToken(verifier: JwtVerifier, token: unknown, what: RegistrationMessage, now: number): Promise<VerifiedJwt> {
  let jwt: VerifiedJwt;
  try {
    jwt = await verifier.verify(token, { purpose: 'assertionMethod', now });
  } catch (e) {
    // DID resolution failures (io, not found) are not a verdict on the signature: they keep their own codes.
    if (isCourtBridgeError(e) && (e.code.startsWith('DID_') || e.category === 'io')) throw e;
    const reason = isCourtBridgeError(e) ? e.code : 'unreadable';
    return fail('REGISTRATION_SIGNATURE_INVALID', { what, reason }, e);
  }
  if (jwt.header.typ !== JWS_TYP[what]) fail('REGISTRATION_SIGNATURE_INVALID', { what, reason: `typ must be ${JWS_TYP[what]}` });
  const iat = jwt.payload.iat;
  if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0) fail('REGISTRATION_SIGNATURE_INVALID', { what, reason: 'iat is required' });
  if (iat > now + 60) fail('REGISTRATION_SIGNATURE_INVALID', { what, reason: 'iat is in the future' });
  return jwt;
}

function version(v: unknown, what: RegistrationMessage): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail('REGISTRATION_SIGNATURE_INVALID', { what, reason: 'version must be a positive integer claim' });
  return v;
}

/** A verified registration submission. */
export interface VerifiedRegistration {
  readonly document: RegistrationDocument;
  readonly digest: string;
  readonly partner: string;
  readonly iat: number;
  readonly jws: string;
}

/** Verify a partner's registration JWS: signature by `iss`, `iss` = `partner`, `version` claim = document version, document valid. */
export async function verifyRegistrationJws(verifier: JwtVerifier, token: unknown, now: number): Promise<VerifiedRegistration> {
  const jwt = await verifyToken(verifier, token, 'registration', now);
  const v = version(jwt.payload.version, 'registration');
  const document = parseRegistration(jwt.payload.registration);
  if (document.partner !== jwt.issuer) fail('REGISTRATION_SIGNATURE_INVALID', { what: 'registration', reason: 'iss is not the document partner' });
  if (document.version !== v) fail('REGISTRATION_SIGNATURE_INVALID', { what: 'registration', reason: 'version claim differs from the document version' });
  return { document, digest: registrationDigest(document), partner: jwt.issuer, iat: jwt.payload.iat as number, jws: token as string };
}

/** A verified approval or disable order. */
export interface VerifiedAdminOrder {
  readonly admin: string;
  readonly chainId: string;
  readonly version: number;
  readonly iat: number;
  readonly jws: string;
  /** Approvals: the approved digest. */
  readonly digest?: string;
  /** Disable orders: why. */
  readonly reason?: string;
}

/** Verify an administrator's approval or disable JWS (signature and shape; admin membership is the caller's step). */
export async function verifyAdminJws(verifier: JwtVerifier, token: unknown, what: 'approval' | 'disable', now: number): Promise<VerifiedAdminOrder> {
  const jwt = await verifyToken(verifier, token, what, now);
  const p = jwt.payload;
  if (typeof p.chainId !== 'string' || !CHAIN_RE.test(p.chainId)) fail('REGISTRATION_SIGNATURE_INVALID', { what, reason: 'chainId claim must be CAIP-2' });
  const base = { admin: jwt.issuer, chainId: p.chainId, version: version(p.version, what), iat: p.iat as number, jws: token as string };
  if (what === 'approval') {
    if (typeof p.digest !== 'string' || !DIGEST_RE.test(p.digest)) fail('REGISTRATION_SIGNATURE_INVALID', { what, reason: 'digest claim must be 64 lower-case hex digits' });
    return { ...base, digest: p.digest };
  }
  if (typeof p.reason !== 'string' || p.reason.length === 0 || p.reason.length > 1000) fail('REGISTRATION_SIGNATURE_INVALID', { what, reason: 'reason claim must be 1–1000 characters' });
  return { ...base, reason: p.reason };
}

/** A verified unfreeze order. */
export interface VerifiedUnfreezeOrder {
  readonly admin: string;
  readonly chainId: string;
  readonly reason: string;
  readonly canonicalHash?: string;
  readonly iat: number;
  readonly jws: string;
}

/** Verify an administrator's unfreeze order (signature and shape; admin membership is the caller's step). */
export async function verifyUnfreezeJws(verifier: JwtVerifier, token: unknown, now: number): Promise<VerifiedUnfreezeOrder> {
  const jwt = await verifyToken(verifier, token, 'unfreeze', now);
  const p = jwt.payload;
  const bad = (reason: string): never => fail('REGISTRATION_SIGNATURE_INVALID', { what: 'unfreeze', reason });
  if (typeof p.chainId !== 'string' || !CHAIN_RE.test(p.chainId)) bad('chainId claim must be CAIP-2');
  if (typeof p.reason !== 'string' || p.reason.length === 0 || p.reason.length > 1000) bad('reason claim must be 1–1000 characters');
  if (p.canonicalHash !== undefined && (typeof p.canonicalHash !== 'string' || !/^0x[0-9a-f]{64}$/.test(p.canonicalHash))) bad('canonicalHash claim must be 0x and 64 lower-case hex digits');
  return { admin: jwt.issuer, chainId: p.chainId as string, reason: p.reason as string, ...(p.canonicalHash === undefined ? {} : { canonicalHash: p.canonicalHash as string }), iat: p.iat as number, jws: token as string };
}
