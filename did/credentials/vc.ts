/**
 * JWT verifiable credentials, W3C VC Data Model v1.1 §6.3.1 (JWT encoding): `iss` = issuer DID, `sub` =
 * credentialSubject.id (the holder DID), `nbf` = issuanceDate, `exp` = expirationDate, `jti` = credential id, and the
 * rest of the credential in the `vc` claim. Issuance validates against the type's JSON Schema before signing;
 * verification checks the signature (issuer's assertionMethod key) and the schema — validity dates, accreditation
 * and status are separate steps of presentation verification (./presentation.ts).
 */
import { randomUUID } from 'node:crypto';
import { fail, isCourtBridgeError } from '../../src/errors.js';
import type { JwsSigner, JwtVerifier, VerifiedJwt } from '../jwt.js';
import { signJwt, numericDate } from '../jwt.js';
import type { BitstringStatusListEntry } from '../status-list.js';
import { CREDENTIAL_SCHEMAS, VC_CONTEXT_V1, parseCredentialType, schemaFailure, type CredentialType } from './types.js';

/** What an issuer supplies. Times in seconds since the epoch. */
export interface IssueCredentialInput {
  type: CredentialType;
  /** The issuer's assertion key (its `kid` must be a DID URL of `issuer`). */
  signer: JwsSigner;
  issuer: string;
  /** The holder's DID. */
  subject: string;
  /** credentialSubject without `id`. */
  claims: Record<string, unknown>;
  validFrom: number;
  validUntil: number;
  status: BitstringStatusListEntry[];
  /** Credential id; default a fresh `urn:uuid:`. */
  id?: string;
}

/** Issue a JWT VC; VC_SCHEMA_INVALID when the claims do not match the type's schema. */
export async function issueCredential(input: IssueCredentialInput): Promise<string> {
  const type = parseCredentialType(input.type);
  if (!input.signer.kid.startsWith(`${input.issuer}#`)) fail('JWT_KID_UNKNOWN', { kid: input.signer.kid, did: input.issuer, purpose: 'assertionMethod' });
  if (!Number.isSafeInteger(input.validFrom) || !Number.isSafeInteger(input.validUntil) || input.validUntil <= input.validFrom) {
    fail('INVALID_INPUT', { field: 'validUntil', reason: 'must be an integer after validFrom' });
  }
  const id = input.id ?? `urn:uuid:${randomUUID()}`;
  const vc = {
    '@context': [VC_CONTEXT_V1],
    type: ['VerifiableCredential', type],
    credentialSchema: { id: CREDENTIAL_SCHEMAS[type], type: 'JsonSchema' },
    credentialStatus: input.status,
    credentialSubject: input.claims,
  };
  const why = schemaFailure(type, vc);
  if (why) fail('VC_SCHEMA_INVALID', { id, schema: CREDENTIAL_SCHEMAS[type], reason: why });
  return signJwt({ iss: input.issuer, sub: input.subject, nbf: input.validFrom, exp: input.validUntil, jti: id, vc }, input.signer);
}

/** A credential whose signature and schema were verified. */
export interface VerifiedCredential {
  jwt: string;
  id: string;
  type: CredentialType;
  issuer: string;
  subject: string;
  /** issuance (nbf) and expiry (exp), seconds. */
  validFrom: number;
  validUntil: number;
  claims: Record<string, unknown>;
  status: BitstringStatusListEntry[];
}

/**
 * Verify a JWT VC's signature (VC_SIGNATURE_INVALID, cause kept) and structure/schema (VC_SCHEMA_INVALID). Time
 * claims are read but not judged here. `memo`: reuse an earlier signature check of the identical token while the
 * issuer's resolved document is unchanged (see VerifyJwtOptions.memo).
 */
export async function verifyCredentialJwt(token: unknown, verifier: JwtVerifier, index = 0, memo = true): Promise<VerifiedCredential> {
  return verifyCredentialJwtNow(token, verifier, index, memo);
}

/**
 * `verifyCredentialJwt`, synchronous when the issuer's document is cached (see JwtVerifier.verifyNow). A credential
 * is always kept parsed (VerifyJwtOptions.keepParsed): a lawyer presents the same licence again and again, and its
 * signature is still checked every time unless `memo`.
 */
export function verifyCredentialJwtNow(token: unknown, verifier: JwtVerifier, index = 0, memo = true): VerifiedCredential | Promise<VerifiedCredential> {
  let jwt: VerifiedJwt | Promise<VerifiedJwt>;
  try {
    jwt = verifier.verifyNow(token, { purpose: 'assertionMethod', checkTime: false, memo, keepParsed: true });
  } catch (e) {
    return signatureFailure(e, index);
  }
  if (jwt instanceof Promise) return jwt.then((j) => credentialOf(j, token, index), (e: unknown) => signatureFailure(e, index));
  return credentialOf(jwt, token, index);
}

function signatureFailure(e: unknown, index: number): never {
  const code = isCourtBridgeError(e) ? e.code : 'INTERNAL';
  if (isCourtBridgeError(e) && e.category === 'io') throw e; // resolution outages are not a verdict on the credential
  return fail('VC_SIGNATURE_INVALID', { id: `#${index}`, reason: code }, e);
}

/** Structure and schema of a verified VC-JWT; the verdict on a kept (frozen, shared) token is computed once. */
function credentialOf(jwt: VerifiedJwt, token: unknown, index: number): VerifiedCredential {
  const known = parsedCredentials.get(jwt);
  if (known) return known;
  const p = jwt.payload;
  const id = typeof p.jti === 'string' && p.jti.length <= 512 ? p.jti : fail('VC_SCHEMA_INVALID', { id: `#${index}`, schema: 'VC-JWT', reason: 'jti missing' });
  const bad = (reason: string): never => fail('VC_SCHEMA_INVALID', { id, schema: 'VC-JWT (VC Data Model v1.1 §6.3.1)', reason });
  if (typeof p.sub !== 'string' || !p.sub.startsWith('did:')) bad('sub must be the holder DID');
  let validFrom: number | undefined;
  let validUntil: number | undefined;
  try {
    validFrom = numericDate(p, 'nbf');
    validUntil = numericDate(p, 'exp');
  } catch {
    bad('nbf/exp must be NumericDates');
  }
  if (validFrom === undefined || validUntil === undefined) return bad('nbf and exp are required');
  const vc = p.vc;
  if (typeof vc !== 'object' || vc === null || Array.isArray(vc)) return bad('vc claim missing');
  const types = (vc as { type?: unknown }).type;
  const type = Array.isArray(types) && types.length === 2 && types[0] === 'VerifiableCredential' && typeof types[1] === 'string' && Object.hasOwn(CREDENTIAL_SCHEMAS, types[1]) ? (types[1] as CredentialType) : bad('unknown credential type');
  const why = schemaFailure(type, vc);
  if (why) fail('VC_SCHEMA_INVALID', { id, schema: CREDENTIAL_SCHEMAS[type], reason: why });
  const v = vc as { credentialSubject: Record<string, unknown>; credentialStatus: BitstringStatusListEntry[] };
  if (v.credentialSubject.id !== undefined && v.credentialSubject.id !== p.sub) bad('credentialSubject.id differs from sub');
  const out: VerifiedCredential = { jwt: token as string, id, type, issuer: jwt.issuer, subject: p.sub as string, validFrom, validUntil, claims: v.credentialSubject, status: v.credentialStatus };
  // Only a kept token (frozen, returned again for the same string) is ever seen twice; its payload is frozen too.
  if (Object.isFrozen(jwt)) parsedCredentials.set(jwt, Object.freeze(out));
  return out;
}

/** Parsed credentials per verified token object (only memoised tokens are ever seen twice). */
const parsedCredentials = new WeakMap<object, VerifiedCredential>();
