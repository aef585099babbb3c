/**
 * Subject references: the only form in which a personal identifier reaches the ledger (DESIGN principle 4).
 *
 * Why not a plain hash: identifier spaces are tiny and structured. A resident ID is 6 digits of a known county code,
 * a birth date from a ~100-year window and 3 sequence digits (its 18th character is computed): about 3,000 counties ×
 * 36,500 days × 1,000 ≈ 10^11 candidates, fewer once the county or birth year is known — a laptop hashes that in
 * hours, so SHA-256(id) is a lookup table, not a pseudonym. A keyed hash (HMAC) with a consortium secret (the salt)
 * makes the refs unlinkable and un-enumerable for anyone without the salt, while every consortium member holding it
 * derives the same ref for the same person at ingest and at query time.
 *
 * ref = "<alg>:" ‖ hex( HMAC_H( salt, "courtbridge/subject/v1/" ‖ kind ‖ 0x00 ‖ UTF-8(normalised value) ) )
 * with H = SHA-256 (RFC 2104 / FIPS 198-1) or SM3 (GB/T 32905; HMAC construction per GB/T 15852.2 = RFC 2104).
 * The kind tag (domain separation) keeps a resident ID and a case number with the same text from colliding, and the
 * value is normalised first (parseUscc / parseResidentId / parseCaseNumber), so `京0491` in full-width parentheses and
 * a 15-digit legacy ID hash like their canonical forms.
 */
import { createHmac } from 'node:crypto';
import { fail } from '../errors.js';
import { normalizeUscc } from './uscc.js';
import { normalizeResidentId } from './resident-id.js';
import { normalizeCaseNumber } from './case-number.js';

/** Kinds of identifier checked by `x-identifier` in the schemas. */
export type IdentifierKind = 'uscc' | 'resident-id' | 'case-number';
/** Kinds a subject ref can be made for: the identifiers, plus `text` (names, phone numbers: NFKC, trimmed, spaces collapsed). */
export type SubjectKind = IdentifierKind | 'text';
/** Keyed-hash algorithms for subject refs. */
export type SubjectAlg = 'hmac-sha256' | 'hmac-sm3';

/** The identifier kinds, in a stable order. */
export const IDENTIFIER_KINDS: readonly IdentifierKind[] = ['uscc', 'resident-id', 'case-number'];
const SUBJECT_KINDS: readonly SubjectKind[] = [...IDENTIFIER_KINDS, 'text'];
/** Shortest consortium salt accepted: 16 bytes (128 bits), the HMAC key-length floor of NIST SP 800-107 §5.3.4. */
export const MIN_SALT_BYTES = 16;
/** Domain-separation prefix; bump `v1` if the normalisation of any kind ever changes. */
export const SUBJECT_TAG_PREFIX = 'courtbridge/subject/v1/';
const MAX_TEXT = 8192;

/** Parse a subject kind, failing with INVALID_INPUT for anything else. */
export function parseSubjectKind(value: unknown, field = 'kind'): SubjectKind {
  if (typeof value === 'string' && (SUBJECT_KINDS as readonly string[]).includes(value)) return value as SubjectKind;
  return fail('INVALID_INPUT', { field, reason: `must be one of ${SUBJECT_KINDS.join(', ')}` });
}

/** Normalise `value` for `kind` (identifier checks of src/ids; `text`: NFKC, trimmed, inner whitespace collapsed). */
export function normalizeSubject(kind: SubjectKind, value: unknown, field: string = kind): string {
  switch (kind) {
    case 'uscc':
      return normalizeUscc(value, field);
    case 'resident-id':
      return normalizeResidentId(value, field);
    case 'case-number':
      return normalizeCaseNumber(value, field);
    case 'text': {
      if (typeof value !== 'string') return fail('INVALID_INPUT', { field, reason: 'must be a string' });
      if (value.length > MAX_TEXT) return fail('TOO_LARGE', { field, limit: MAX_TEXT });
      // Total on every string the schemas let through (a blank name normalises to ''), so redaction of a valid record
      // never fails here.
      return value.normalize('NFKC').trim().replace(/\s+/g, ' ');
    }
    default: {
      const never: never = kind;
      return fail('INVALID_INPUT', { field: 'kind', reason: `unknown subject kind ${String(never)}` });
    }
  }
}

function checkSalt(salt: Uint8Array): void {
  if (!(salt instanceof Uint8Array)) fail('CONFIG_INVALID', { field: 'subject salt', reason: 'must be bytes' });
  if (salt.length < MIN_SALT_BYTES) fail('CONFIG_INVALID', { field: 'subject salt', reason: `must be at least ${MIN_SALT_BYTES} bytes` });
}

/** HMAC ref of an already-normalised value (callers that parsed the identifier themselves). */
export function subjectRefNormalized(kind: SubjectKind, normalized: string, salt: Uint8Array, alg: SubjectAlg = 'hmac-sha256'): string {
  checkSalt(salt);
  const h = alg === 'hmac-sha256' ? 'sha256' : alg === 'hmac-sm3' ? 'sm3' : fail('UNSUPPORTED_ALGORITHM', { alg: String(alg) });
  const mac = createHmac(h, salt).update(`${SUBJECT_TAG_PREFIX}${kind}\u0000`, 'utf8').update(normalized, 'utf8').digest('hex');
  return `${alg}:${mac}`;
}

/**
 * The salted subject reference of an identifier: `hmac-sha256:<64 hex>` or `hmac-sm3:<64 hex>`. The value is
 * checked and normalised first (USCC_INVALID, RESIDENT_ID_INVALID, CASE_NUMBER_INVALID); a short salt is CONFIG_INVALID.
 */
export function subjectRef(kind: SubjectKind, value: unknown, salt: Uint8Array, alg: SubjectAlg = 'hmac-sha256'): string {
  return subjectRefNormalized(parseSubjectKind(kind), normalizeSubject(kind, value), salt, alg);
}

/**
 * The consortium salt from the environment: `COURTBRIDGE_SUBJECT_SALT` as hex (at least 16 bytes). Kept out of
 * src/config.ts for now; CONFIG_INVALID when missing or malformed (the value is never shown).
 */
export function subjectSaltFromEnv(env: NodeJS.ProcessEnv = process.env): Uint8Array {
  const hex = env.COURTBRIDGE_SUBJECT_SALT;
  if (hex === undefined || !/^(0x)?([0-9a-fA-F]{2}){16,}$/.test(hex)) {
    return fail('CONFIG_INVALID', { field: 'COURTBRIDGE_SUBJECT_SALT', reason: 'must be at least 16 bytes of hex' });
  }
  return new Uint8Array(Buffer.from(hex.replace(/^0x/, ''), 'hex'));
}
