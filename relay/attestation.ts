/**
 * The Attestation: what the relay writes to the judicial ledger for one verified partner-chain record (DESIGN.md
 * "Core types"). Plain JSON, canonicalised with RFC 8785, signed by the hub's DID key.
 *
 * - Identity: `id = SHA-256(lp(chainId) ‖ lp(recordType) ‖ lp(key) ‖ blockHash ‖ recordDigest)` where `lp(s)` is the
 *   4-byte big-endian length of the UTF-8 bytes of `s` followed by those bytes, and blockHash / recordDigest are the
 *   32 raw bytes. DIFF FROM ISSUE TEXT: the issue writes plain `‖`; the length prefixes make the concatenation
 *   unambiguous (`"ab"‖"c"` ≠ `"a"‖"bc"`). Same record at the same block ⇒ same id, so retries are idempotent.
 * - Personal data (DESIGN principle 4): the attestation holds digests and salted subject refs only — the record's
 *   subjects come from `redactForLedger` (src/schema), the record key is kept as a salted ref too (a key may be a
 *   resident ID). The raw record and its proof live in the SourceEvidence the court receives in the bundle.
 * - Time: `issuedAt` is the job's first completion time, stored with the job, so a retry re-derives the identical
 *   attestation (and, with Ed25519, RFC 8032 §5.1.6 deterministic signatures, the identical ledger entry).
 * - Signature: a detached JWS (RFC 7515 §7.1 compact serialization, Appendix F detached content): protected header
 *   `{alg, kid, typ: "courtbridge-attestation+jws"}`, payload = the RFC 8785 bytes of the attestation (base64url in the
 *   signing input, left out of the serialization: `header..signature`). Chosen over a JWT because the payload is
 *   then the canonical bytes themselves — anyone can re-canonicalise the attestation from the ledger and check it.
 */
import { canonicalBytes } from '../src/crypto/canonical.js';
import { bytesEqual, concatBytes, fromBase64Url, fromHex, toBase64Url, toHex0x, utf8 } from '../src/crypto/bytes.js';
import { sha256 } from '../src/crypto/hash.js';
import { signatureVerifier, type SigAlg } from '../src/crypto/signature.js';
import { fail, isCourtBridgeError } from '../src/errors.js';
import { subjectRef } from '../src/ids/subject.js';
import { redactForLedger, type SubjectEntry } from '../src/schema/index.js';
import { JWS_ALG, type JwsSigner } from '../did/jwt.js';
import type { VerifiedRecord } from '../adapters/types.js';
import { digestOf } from '../src/proofs/evidence/common.js';

/** The `type` of every attestation (also how a ledger scan recognises one). */
export const ATTESTATION_TYPE = 'courtbridge.attestation/v1';
/** JWS `typ` of the detached signature. */
export const ATTESTATION_JWS_TYP = 'courtbridge-attestation+jws';
/** Schema `$id` of schemas/attestation.json. */
export const ATTESTATION_SCHEMA_ID = 'https://courtbridge.example/schemas/attestation/v1';

/** A subject of the attested record: where it was, what kind, its salted ref (never the value). */
export interface AttestationSubject {
  pointer: string;
  kind: string;
  ref: string;
}

/** What the ledger stores for one verified record. */
export interface Attestation {
  type: typeof ATTESTATION_TYPE;
  /** `0x` hex SHA-256 deterministic id (see module comment). */
  id: string;
  source: {
    /** CAIP-2 chain id. */
    chainId: string;
    recordType: string;
    /** Salted subject ref (kind `text`) of the record key. */
    keyRef: string;
    blockHeight: number;
    /** `0x` hex 32-byte block hash. */
    blockHash: string;
  };
  record: {
    schemaId: string;
    /** `0x` hex SHA-256 of the RFC 8785 bytes of the raw (unredacted) record. */
    digest: string;
  };
  evidence: {
    kind: string;
    /** `0x` hex SHA-256 of the RFC 8785 bytes of the SourceEvidence. */
    digest: string;
  };
  subjects: AttestationSubject[];
  /** DID of the hub that relayed it. */
  relay: string;
  /** ISO 8601 UTC time of the job's first completion. */
  issuedAt: string;
}

/** The ledger entry: the attestation and its detached JWS. */
export interface SignedAttestation {
  attestation: Attestation;
  jws: string;
}

/** Everything the builder needs besides the verified record. */
export interface AttestationContext {
  schemaId: string;
  /** `kind` of the SourceEvidence the record was verified from. */
  evidenceKind: string;
  relayDid: string;
  /** ISO 8601 time: the job's first completion time. */
  issuedAt: string;
  /** Consortium subject salt (≥ 16 bytes). */
  salt: Uint8Array;
}

function lp(s: string): Uint8Array {
  const b = utf8(s);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, b.length);
  return concatBytes(len, b);
}

/** The deterministic attestation id of a record at a block. */
export function attestationId(chainId: string, recordType: string, key: string, blockHash: string, recordDigest: string): string {
  return toHex0x(sha256(lp(chainId), lp(recordType), lp(key), fromHex(blockHash, 'blockHash', 32), fromHex(recordDigest, 'recordDigest', 32)));
}

/** `0x` hex SHA-256 of the RFC 8785 bytes of `value` (the evidence verifier's `digestOf`, one definition). */
export const jsonDigest: (value: unknown) => string = digestOf;

/** Build the attestation of a verified record (its subjects redacted with the consortium salt). */
export function buildAttestation(v: VerifiedRecord, ctx: AttestationContext): Attestation {
  if (!Number.isSafeInteger(v.height) || v.height < 0) fail('BAD_INTEGER', { field: 'height' });
  if (Number.isNaN(Date.parse(ctx.issuedAt))) fail('INVALID_INPUT', { field: 'issuedAt', reason: 'not an ISO 8601 time' });
  const blockHash = toHex0x(fromHex(v.blockHash, 'blockHash', 32));
  // The digest is what the court re-derives from the raw record in its bundle: recompute rather than trust it.
  const recordDigest = jsonDigest(v.record);
  if (recordDigest !== v.recordDigest.toLowerCase()) fail('ATTESTATION_INVALID', { reason: 'recordDigest does not match the record' });
  const { subjects } = redactForLedger(ctx.schemaId, v.record, ctx.salt);
  return {
    type: ATTESTATION_TYPE,
    id: attestationId(v.chainId, v.recordType, v.key, blockHash, recordDigest),
    source: { chainId: v.chainId, recordType: v.recordType, keyRef: subjectRef('text', v.key, ctx.salt), blockHeight: v.height, blockHash },
    record: { schemaId: ctx.schemaId, digest: recordDigest },
    evidence: { kind: ctx.evidenceKind, digest: toHex0x(fromHex(v.evidenceDigest, 'evidenceDigest', 32)) },
    subjects: subjects.map((s: SubjectEntry) => ({ pointer: s.pointer, kind: s.kind, ref: s.ref })),
    relay: ctx.relayDid,
    issuedAt: new Date(ctx.issuedAt).toISOString(),
  };
}

function protectedHeader(alg: SigAlg, kid: string): string {
  return toBase64Url(canonicalBytes({ alg: JWS_ALG[alg], kid, typ: ATTESTATION_JWS_TYP }));
}

/** Sign an attestation with a detached JWS over its RFC 8785 bytes. */
export async function signAttestation(att: Attestation, signer: JwsSigner): Promise<SignedAttestation> {
  const header = protectedHeader(signer.alg, signer.kid);
  const input = utf8(`${header}.${toBase64Url(canonicalBytes(att))}`);
  const sig = await signer.sign(input);
  return { attestation: att, jws: `${header}..${toBase64Url(sig)}` };
}

/** The key that verifies attestations of one hub. */
export interface AttestationKey {
  alg: SigAlg;
  kid: string;
  publicKey: Uint8Array;
}

/**
 * Verify a signed attestation: 1. shape and type; 2. JWS header names this key and algorithm; 3. signature over the
 * canonical bytes; 4. the id matches the content it commits to (needs the raw key and record digest, so it is
 * re-derived only when `key` is given). ATTESTATION_INVALID otherwise.
 */
export function verifySignedAttestation(entry: unknown, key: AttestationKey, recordKey?: string): Attestation {
  const e = entry as Partial<SignedAttestation> | null;
  if (typeof e !== 'object' || e === null || typeof e.jws !== 'string' || typeof e.attestation !== 'object' || e.attestation === null) {
    return fail('ATTESTATION_INVALID', { reason: 'not {attestation, jws}' });
  }
  const att = e.attestation;
  if (att.type !== ATTESTATION_TYPE) fail('ATTESTATION_INVALID', { reason: 'wrong type' });
  const parts = e.jws.split('.');
  if (parts.length !== 3 || parts[1] !== '') fail('ATTESTATION_INVALID', { reason: 'jws is not a detached compact JWS' });
  if (parts[0] !== protectedHeader(key.alg, key.kid)) fail('ATTESTATION_INVALID', { reason: 'jws header does not name the hub key' });
  let sig: Uint8Array;
  try {
    sig = fromBase64Url(parts[2], 'jws.signature');
  } catch (err) {
    return fail('ATTESTATION_INVALID', { reason: 'signature is not base64url' }, err);
  }
  const input = utf8(`${parts[0]}.${toBase64Url(canonicalBytes(att))}`);
  if (!signatureVerifier(key.alg, key.publicKey)(input, sig)) fail('ATTESTATION_INVALID', { reason: 'signature does not verify' });
  if (recordKey !== undefined) {
    const id = attestationId(att.source.chainId, att.source.recordType, recordKey, att.source.blockHash, att.record.digest);
    if (!bytesEqual(utf8(id), utf8(att.id))) fail('ATTESTATION_INVALID', { reason: 'id does not match its content' });
  }
  return att;
}

/** Read a ledger entry's bytes as a signed attestation, or undefined when the leaf is something else. */
export function attestationIdOfLeaf(data: Uint8Array): string | undefined {
  // Cheap pre-filter before JSON.parse: attestations carry their type string.
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (!text.includes(ATTESTATION_TYPE)) return undefined;
  try {
    const v = JSON.parse(text) as Partial<SignedAttestation>;
    const id = v?.attestation?.type === ATTESTATION_TYPE ? v.attestation.id : undefined;
    return typeof id === 'string' && /^0x[0-9a-f]{64}$/.test(id) ? id : undefined;
  } catch (err) {
    if (isCourtBridgeError(err)) throw err;
    return undefined;
  }
}
