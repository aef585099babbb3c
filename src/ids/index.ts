/** Chinese identifiers (USCC, resident ID, case number) and salted subject references: the public surface of src/ids. */
export { parseUscc, normalizeUscc, usccCheckChar, orgCodeCheckChar, USCC_CHARSET, USCC_WEIGHTS, USCC_AUTHORITIES, type Uscc } from './uscc.js';
export { parseResidentId, normalizeResidentId, residentIdCheckChar, RESIDENT_ID_WEIGHTS, type ResidentId, type ResidentIdOptions } from './resident-id.js';
export { parseCaseNumber, normalizeCaseNumber, CASE_TYPES, COURT_PROVINCES, type CaseNumber, type CaseNumberOptions } from './case-number.js';
export { PROVINCE_PREFIXES, isKnownDivisionPrefix } from './division.js';
export {
  subjectRef, subjectRefNormalized, normalizeSubject, parseSubjectKind, subjectSaltFromEnv, IDENTIFIER_KINDS, MIN_SALT_BYTES,
  SUBJECT_TAG_PREFIX, type IdentifierKind, type SubjectKind, type SubjectAlg,
} from './subject.js';
