/**
 * The one error table of CourtBridge: code → HTTP status → category → message template.
 *
 * Every failure anywhere in the code base is a `CourtBridgeError` with a code from this table. Callers branch on the
 * code, never on the message. The category decides how the CLI reports a failure (`invalid` for `verify`, `error` for
 * everything else) and the status is what the HTTP API answers.
 *
 * Message templates name their parameters in braces; `CourtBridgeError` fills them from `details`.
 * Add new codes to the section of their domain; keep codes SCREAMING_SNAKE and stable once released.
 */

/** How a failure is reported: `verify` = the input was checked and is wrong; `input` = it could not be read. */
export type ErrorCategory = 'input' | 'verify' | 'state' | 'auth' | 'io' | 'internal';

/** One row of the error table. */
export interface ErrorSpec {
  readonly status: number;
  readonly category: ErrorCategory;
  readonly message: string;
}

const row = (status: number, category: ErrorCategory, message: string): ErrorSpec => ({ status, category, message });

/** The error table. */
export const ERRORS = {
  // ── input: wire data that cannot be parsed into a domain value ──────────────────────────────────────────────
  INVALID_INPUT: row(400, 'input', '{field} is invalid: {reason}'),
  MALFORMED_JSON: row(400, 'input', '{field} is not valid JSON: {reason}'),
  BAD_HEX: row(400, 'input', '{field} must be a hex string'),
  BAD_BASE64: row(400, 'input', '{field} must be base64'),
  BAD_LENGTH: row(400, 'input', '{field} must be {expected} bytes, got {actual}'),
  BAD_INTEGER: row(400, 'input', '{field} must be a non-negative safe integer'),
  TOO_LARGE: row(413, 'input', '{field} exceeds the limit of {limit}'),
  UNKNOWN_TYPE: row(400, 'input', 'unknown type {type}'),
  UNSUPPORTED_ALGORITHM: row(400, 'input', 'unsupported algorithm {alg}'),
  FILE_UNREADABLE: row(400, 'input', 'cannot read {file}: {reason}'),

  // ── crypto ───────────────────────────────────────────────────────────────────────────────────────────────────
  BAD_PUBLIC_KEY: row(400, 'input', '{field} is not a valid {alg} public key'),
  BAD_PRIVATE_KEY: row(400, 'input', '{field} is not a valid {alg} private key'),
  BAD_SIGNATURE_ENCODING: row(422, 'verify', 'signature is not a well-formed {encoding} {alg} signature'),
  SIGNATURE_INVALID: row(422, 'verify', '{alg} signature does not verify'),

  // ── RFC 9162 Merkle proofs ───────────────────────────────────────────────────────────────────────────────────
  PROOF_SIZE_INVALID: row(422, 'verify', 'tree sizes are inconsistent: {reason}'),
  PROOF_WRONG_LENGTH: row(422, 'verify', 'proof has {actual} nodes, expected {expected}'),
  INCLUSION_PROOF_INVALID: row(422, 'verify', 'inclusion proof does not lead to the root'),
  CONSISTENCY_PROOF_INVALID: row(422, 'verify', 'consistency proof does not match {which}'),

  // ── signed notes and checkpoints (C2SP signed-note, tlog-checkpoint, tlog-cosignature) ────────────────────────
  NOTE_MALFORMED: row(422, 'verify', 'signed note is malformed: {reason}'),
  NOTE_UNSIGNED: row(422, 'verify', 'no signature line by key {name} on the note'),
  NOTE_SIGNATURE_INVALID: row(422, 'verify', 'signature by {name} does not verify over the note text'),
  BAD_VERIFIER_KEY: row(400, 'input', 'verifier key is malformed: {reason}'),
  CHECKPOINT_MALFORMED: row(422, 'verify', 'checkpoint body is malformed: {reason}'),

  // ── ledger ───────────────────────────────────────────────────────────────────────────────────────────────────
  LEDGER_NOT_INITIALIZED: row(409, 'state', 'ledger {origin} is not initialised'),
  LEDGER_EXISTS: row(409, 'state', 'ledger already initialised with origin {origin}'),
  LEDGER_CONFIG_MISMATCH: row(409, 'state', 'ledger was created with {field} {stored}, not {requested}'),
  LEAF_NOT_FOUND: row(404, 'state', 'no leaf at index {index} (tree size {size})'),
  CHECKPOINT_NOT_FOUND: row(404, 'state', 'no checkpoint at tree size {size}'),
  LEDGER_TAMPERED: row(500, 'verify', 'stored ledger fails its audit: {reason}'),
  STORE_UNAVAILABLE: row(503, 'io', 'storage backend unavailable: {reason}'),

  // ── configuration and internal ───────────────────────────────────────────────────────────────────────────────
  CONFIG_INVALID: row(500, 'state', 'configuration {field} is invalid: {reason}'),
  INTERNAL: row(500, 'internal', 'internal error'),
} as const satisfies Record<string, ErrorSpec>;

/** A code of the error table. */
export type ErrorCode = keyof typeof ERRORS;

/** Parameters that fill a message template and travel with the error. */
export type ErrorDetails = Record<string, string | number | boolean | null | undefined>;

function render(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => (details[key] === undefined ? `{${key}}` : String(details[key])));
}

/** The error every CourtBridge module throws. Tests assert `code`, never `message`. */
export class CourtBridgeError extends Error {
  override readonly name = 'CourtBridgeError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly category: ErrorCategory;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERRORS[code];
    super(render(spec.message, details), options);
    this.code = code;
    this.status = spec.status;
    this.category = spec.category;
    this.details = details;
  }

  /** The JSON an API or CLI shows: code, message, details. Never the stack or the cause. */
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Throw a `CourtBridgeError`. Useful in expression position: `x ?? fail('BAD_HEX', { field })`. */
export function fail(code: ErrorCode, details: ErrorDetails = {}, cause?: unknown): never {
  throw new CourtBridgeError(code, details, cause === undefined ? undefined : { cause });
}

/** True for errors of this table. */
export function isCourtBridgeError(e: unknown): e is CourtBridgeError {
  return e instanceof CourtBridgeError;
}

/** Wrap an unknown thrown value: a `CourtBridgeError` passes through; anything else becomes `fallback` with a cause. */
export function asCourtBridgeError(e: unknown, fallback: ErrorCode = 'INTERNAL', details: ErrorDetails = {}): CourtBridgeError {
  if (e instanceof CourtBridgeError) return e;
  return new CourtBridgeError(fallback, details, { cause: e });
}
