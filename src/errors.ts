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
  SEALED_SECRET_MALFORMED: row(400, 'input', 'sealed secret is malformed: {reason}'),
  SEALED_SECRET_INVALID: row(403, 'auth', 'sealed secret cannot be opened: wrong key, wrong associated data or tampered'),

  // ── RFC 9162 Merkle proofs ───────────────────────────────────────────────────────────────────────────────────
  PROOF_SIZE_INVALID: row(422, 'verify', 'tree sizes are inconsistent: {reason}'),
  PROOF_WRONG_LENGTH: row(422, 'verify', 'proof has {actual} nodes, expected {expected}'),
  INCLUSION_PROOF_INVALID: row(422, 'verify', 'inclusion proof does not lead to the root'),
  CONSISTENCY_PROOF_INVALID: row(422, 'verify', 'consistency proof does not match {which}'),
  MERKLE_NODE_MISSING: row(500, 'state', 'stored Merkle node level {level} index {index} is missing'),

  // ── signed notes and checkpoints (C2SP signed-note, tlog-checkpoint, tlog-cosignature) ────────────────────────
  NOTE_MALFORMED: row(422, 'verify', 'signed note is malformed: {reason}'),
  NOTE_UNSIGNED: row(422, 'verify', 'no signature line by key {name} on the note'),
  NOTE_SIGNATURE_INVALID: row(422, 'verify', 'signature by {name} does not verify over the note text'),
  BAD_VERIFIER_KEY: row(400, 'input', 'verifier key is malformed: {reason}'),
  BAD_SIGNER_KEY: row(400, 'input', 'signer key is malformed: {reason}'),
  CHECKPOINT_MALFORMED: row(422, 'verify', 'checkpoint body is malformed: {reason}'),

  // ── ledger ───────────────────────────────────────────────────────────────────────────────────────────────────
  LEDGER_NOT_INITIALIZED: row(409, 'state', 'ledger {origin} is not initialised'),
  LEDGER_EXISTS: row(409, 'state', 'ledger already initialised with origin {origin}'),
  LEDGER_CONFIG_MISMATCH: row(409, 'state', 'ledger was created with {field} {stored}, not {requested}'),
  LEAF_NOT_FOUND: row(404, 'state', 'no leaf at index {index} (tree size {size})'),
  CHECKPOINT_NOT_FOUND: row(404, 'state', 'no checkpoint at tree size {size}'),
  LEDGER_TAMPERED: row(500, 'verify', 'stored ledger fails its audit: {reason}'),
  STORE_UNAVAILABLE: row(503, 'io', 'storage backend unavailable: {reason}'),
  LEDGER_SIZE_EXCEEDED: row(404, 'state', 'tree size {size} exceeds the ledger size {treeSize}'),
  LEDGER_CONFLICT: row(409, 'state', 'another writer keeps appending to the ledger: {reason}'),
  STORE_SCHEMA_NEWER: row(409, 'state', 'store schema version {found} is newer than this build supports ({supported})'),
  SEQUENCER_FENCED: row(409, 'state', 'ledger sequencer lease {name} is not held with token {token}: {reason}'),

  // ── light client and BFT ─────────────────────────────────────────────────────────────────────────────────────
  QUORUM_NOT_REACHED: row(422, 'verify', 'signatures carry {signed} of {total} weight; more than 2/3 is required'),
  DUPLICATE_SIGNER: row(422, 'verify', 'validator {signer} signed more than once'),
  SIGNER_NOT_IN_SET: row(422, 'verify', 'signer {signer} is not a member of the validator set'),
  HEADER_HASH_MISMATCH: row(422, 'verify', 'certificate is for header {claimed}, not {actual}'),
  VALIDATOR_SET_MISMATCH: row(422, 'verify', 'validator set hash {actual} does not match {expected}'),
  VALIDATOR_SET_UNCERTIFIED: row(422, 'verify', 'validator set {setId} is not certified by the current set: {reason}'),
  NO_VALIDATOR_SET_AT_HEIGHT: row(422, 'verify', 'no trusted validator set covers height {height}'),
  TRUSTING_PERIOD_EXPIRED: row(422, 'verify', 'trusting period expired: last trusted update {at}, now {now}'),
  CHAIN_FROZEN: row(409, 'state', 'chain {chainId} is frozen after misbehaviour evidence'),
  CHAIN_NOT_FROZEN: row(409, 'state', 'chain {chainId} is not frozen; there is nothing to unfreeze'),
  HEADER_CONFLICT: row(422, 'verify', 'two final headers at height {height}: {a} and {b}'),
  CHAIN_ID_MISMATCH: row(422, 'verify', 'header is for chain {actual}, not {expected}'),
  TRUST_STATE_INVALID: row(400, 'input', 'trust state is invalid: {reason}'),

  // ── EVM proofs (headers, MPT / EIP-1186, receipts, QBFT / IBFT 2.0 / Clique seals) ──────────────────────────
  RLP_MALFORMED: row(422, 'verify', '{field} is not canonical RLP: {reason}'),
  HEADER_UNKNOWN_FIELD: row(400, 'input', 'header field {field} is not known'),
  HEADER_SHAPE_INVALID: row(400, 'input', 'header fields are inconsistent: {reason}'),
  BLOCK_HASH_MISMATCH: row(422, 'verify', 'block hash {claimed} does not match the header ({actual})'),
  MPT_PROOF_INVALID: row(422, 'verify', '{field}: Merkle-Patricia proof is invalid: {reason}'),
  TRIE_ROOT_MISMATCH: row(422, 'verify', '{field}: computed root {actual} does not match {expected}'),
  PROOF_VALUE_MISMATCH: row(422, 'verify', '{field} is {claimed} but the proof shows {proven}'),
  BFT_EXTRA_DATA_INVALID: row(422, 'verify', 'BFT extraData is malformed: {reason}'),
  SEAL_INVALID: row(422, 'verify', '{field} is not a recoverable secp256k1 seal: {reason}'),

  // ── DIDs and credentials ─────────────────────────────────────────────────────────────────────────────────────
  DID_INVALID: row(400, 'input', '{did} is not a valid DID: {reason}'),
  DID_METHOD_UNSUPPORTED: row(400, 'input', 'DID method {method} is not supported'),
  DID_NOT_FOUND: row(404, 'state', 'DID {did} was not found'),
  DID_RESOLUTION_TIMEOUT: row(504, 'io', 'resolving {did} timed out after {ms} ms'),
  DID_RESOLUTION_FAILED: row(502, 'io', 'resolving {did} failed: {reason}'),
  DID_ADDRESS_FORBIDDEN: row(502, 'io', 'the did:web host of {did} resolves to a {kind} address, which is never fetched'),
  DID_DOCUMENT_INVALID: row(422, 'verify', 'DID document of {did} is invalid: {reason}'),
  DID_KEY_MISMATCH: row(422, 'verify', '{did} does not encode the given key: {reason}'),
  JWT_MALFORMED: row(400, 'input', 'JWT is malformed: {reason}'),
  JWT_ALG_NONE: row(401, 'verify', 'JWT with alg "none" is never accepted'),
  JWT_ALG_MISMATCH: row(401, 'verify', 'JWT alg {alg} does not match the key type of {kid}'),
  JWT_KID_UNKNOWN: row(401, 'verify', 'kid {kid} is not a {purpose} method of {did}'),
  JWT_SIGNATURE_INVALID: row(401, 'verify', 'JWT signature by {kid} does not verify'),
  JWT_EXPIRED: row(401, 'verify', 'JWT expired at {exp}'),
  JWT_NOT_YET_VALID: row(401, 'verify', 'JWT is not valid before {nbf}'),
  JWT_AUDIENCE_MISMATCH: row(401, 'verify', 'JWT audience does not include {expected}'),
  JWT_REPLAYED: row(401, 'verify', 'JWT {jti} was already used'),
  JWT_LIFETIME_TOO_LONG: row(401, 'verify', 'JWT lives {seconds} s, more than the allowed {max} s'),
  JWT_CLAIM_INVALID: row(401, 'verify', 'JWT claim {claim} is invalid: {reason}'),
  AUTH_MEMBER_UNKNOWN: row(401, 'auth', '{did} is not a consortium member'),
  AUTH_MEMBER_DISABLED: row(403, 'auth', 'member {did} is disabled'),
  VC_SCHEMA_INVALID: row(422, 'verify', 'credential {id} does not match schema {schema}: {reason}'),
  VC_SIGNATURE_INVALID: row(422, 'verify', 'credential {id} does not verify: {reason}'),
  VC_EXPIRED: row(422, 'verify', 'credential {id} expired at {exp}'),
  VC_NOT_YET_VALID: row(422, 'verify', 'credential {id} is not valid before {nbf}'),
  VC_REVOKED: row(422, 'verify', 'credential {id} is revoked'),
  VC_SUSPENDED: row(422, 'verify', 'credential {id} is suspended'),
  VC_SUBJECT_NOT_HOLDER: row(422, 'verify', 'credential {id} is about {subject}, not the holder {holder}'),
  VP_SIGNATURE_INVALID: row(422, 'verify', 'presentation by {holder} does not verify: {reason}'),
  VP_NONCE_MISMATCH: row(422, 'verify', 'presentation nonce does not match the challenge'),
  VP_AUDIENCE_MISMATCH: row(422, 'verify', 'presentation is addressed to {aud}, not {expected}'),
  VP_REPLAYED: row(422, 'verify', 'presentation nonce {nonce} was already used'),
  ISSUER_NOT_ACCREDITED: row(422, 'verify', '{issuer} is not accredited for {type} in {jurisdiction} at {at}'),
  ACCREDITATION_INVALID: row(400, 'input', 'accreditation is invalid: {reason}'),
  ACCREDITATION_EXCEEDS_DELEGATOR: row(422, 'verify', 'accreditation of {issuer} exceeds its delegator {delegator}: {reason}'),
  DELEGATION_CYCLE: row(422, 'verify', 'delegation of {issuer} forms a cycle'),
  STATUS_LIST_INVALID: row(422, 'verify', 'status list {id} is invalid: {reason}'),
  STATUS_INDEX_OUT_OF_RANGE: row(400, 'input', 'status index {index} is outside the list of {size} entries'),
  KEY_NOT_FOUND: row(404, 'state', 'key {kid} is not in the key store'),
  KEY_EXISTS: row(409, 'state', 'key {kid} already exists'),
  CREDENTIAL_NOT_FOUND: row(404, 'state', 'no credential {id} is registered with this hub'),
  CREDENTIAL_NOT_OWNED: row(403, 'auth', '{did} is not the issuer of credential {id} nor a delegator above it'),
  CREDENTIAL_EXISTS: row(409, 'state', 'credential {id} is already registered with other content'),
  CREDENTIAL_REVOKED_FINAL: row(409, 'state', 'credential {id} is revoked; revocation is final'),

  // ── identifiers and schemas ──────────────────────────────────────────────────────────────────────────────────
  USCC_INVALID: row(422, 'verify', '{field} is not a valid unified social credit code (GB 32100-2015): {reason}'),
  RESIDENT_ID_INVALID: row(422, 'verify', '{field} is not a valid resident identity number (GB 11643-1999): {reason}'),
  CASE_NUMBER_INVALID: row(422, 'verify', '{field} is not a valid case number: {reason}'),
  SCHEMA_INVALID: row(422, 'verify', 'record does not match schema {schemaId}: {failures}'),
  SCHEMA_UNKNOWN: row(404, 'input', 'no schema with id {schemaId}'),

  // ── Substrate proofs (SCALE, headers, base-16 trie read proofs, GRANDPA) ─────────────────────────────────────
  SCALE_INVALID: row(400, 'input', '{field} is not valid SCALE: {reason}'),
  TRIE_NODE_INVALID: row(422, 'verify', '{field} is not a canonical trie node: {reason}'),
  TRIE_PROOF_INVALID: row(422, 'verify', 'storage proof is invalid: {reason}'),
  GRANDPA_ANCESTRY_INVALID: row(422, 'verify', 'GRANDPA votes ancestry is invalid: {reason}'),
  GRANDPA_COMMIT_INVALID: row(422, 'verify', 'GRANDPA commit is invalid: {reason}'),
  GRANDPA_TARGET_MISMATCH: row(422, 'verify', 'justification finalizes {actual}, not {expected}'),
  AUTHORITY_SET_INVALID: row(400, 'input', 'authority set is invalid: {reason}'),
  AUTHORITY_CHANGE_INVALID: row(422, 'verify', 'authority set change cannot be applied: {reason}'),

  // ── relay engine ─────────────────────────────────────────────────────────────────────────────────────────────
  RELAY_JOB_NOT_FOUND: row(404, 'state', 'no relay job {id}'),
  RELAY_JOB_DEAD: row(409, 'state', 'relay job {id} gave up after {attempts} attempts: {lastError}'),
  RELAY_TIMEOUT: row(504, 'io', 'relay job {id} did not finish within {ms} ms'),
  RELAY_NO_ADAPTER: row(404, 'state', 'no adapter is registered for chain {chainId}'),
  RELAY_NO_TRUST_STATE: row(409, 'state', 'no light-client trust state for chain {chainId}'),
  RELAY_LEDGER_MISMATCH: row(500, 'state', 'attestation {id} is recorded at ledger index {index} but the leaf there differs: {reason}'),
  ATTESTATION_INVALID: row(422, 'verify', 'attestation is invalid: {reason}'),
  ANCHOR_FAILED: row(503, 'io', 'checkpoint anchor on {chainId} failed: {reason}'),

  // ── court webhooks (relay/webhooks) ──────────────────────────────────────────────────────────────────────────
  WEBHOOK_URL_INVALID: row(400, 'input', 'webhook URL is invalid: {reason}'),
  WEBHOOK_ADDRESS_FORBIDDEN: row(400, 'input', 'webhook host {host} resolves to {address}, which is {kind}: not reachable for webhooks'),
  WEBHOOK_NOT_FOUND: row(404, 'state', 'no webhook {id} of this court'),
  WEBHOOK_LIMIT: row(409, 'state', 'a court may register at most {max} webhooks'),
  WEBHOOK_RECEIVER_REJECTED: row(502, 'io', 'webhook receiver answered HTTP {status}'),
  WEBHOOK_TIMEOUT: row(504, 'io', 'webhook receiver did not answer within {ms} ms'),
  WEBHOOK_UNREACHABLE: row(502, 'io', 'webhook receiver cannot be reached: {reason}'),
  WEBHOOK_SIGNATURE_INVALID: row(401, 'verify', 'webhook delivery signature is invalid: {reason}'),

  // ── adapters and relay ───────────────────────────────────────────────────────────────────────────────────────
  RPC_UNAVAILABLE: row(503, 'io', '{method} on {chain}: no endpoint answered ({reason})'),
  RPC_TIMEOUT: row(504, 'io', '{method} on {chain} at {endpoint} timed out after {ms} ms'),
  RPC_BAD_RESPONSE: row(502, 'io', '{method} on {chain} at {endpoint} answered malformed: {reason}'),
  RPC_ERROR: row(502, 'io', '{method} on {chain} at {endpoint} returned JSON-RPC error {rpcCode}: {reason}'),
  RECORD_NOT_FOUND: row(404, 'state', 'no {recordType} record with key {key} on {chain} at height {height}'),
  RECORD_TYPE_UNKNOWN: row(404, 'input', 'record type {recordType} is not registered for {chain}'),
  ADAPTER_KIND_UNKNOWN: row(400, 'input', 'no adapter factory for kind {kind}'),
  ADAPTER_DUPLICATE: row(409, 'state', 'an adapter factory for kind {kind} is already registered'),
  MAPPING_INVALID: row(400, 'input', 'record mapping {field} is invalid: {reason}'),
  EVIDENCE_MISMATCH: row(422, 'verify', 'evidence {field} is {actual}, expected {expected}'),
  RECORD_NOT_FINAL: row(422, 'verify', 'block {height} has {confirmations} confirmations, {required} required'),
  BLOCK_NOT_CANONICAL: row(422, 'verify', 'block {height} is {actual}; the canonical chain has {expected}'),

  // ── registrations ──────────────────────────────────────────────────────────────────────────────────────────────
  REGISTRATION_INVALID: row(422, 'verify', 'registration is invalid: {field}: {reason}'),
  REGISTRATION_SIGNATURE_INVALID: row(401, 'verify', '{what} signature is invalid: {reason}'),
  REGISTRATION_VERSION_STALE: row(409, 'state', 'version {version} of {chainId} is not above version {current}'),
  REGISTRATION_NOT_FOUND: row(404, 'state', 'no registration of {chainId} (version {version})'),
  REGISTRATION_STATE_INVALID: row(409, 'state', 'registration {chainId} version {version} is {status}'),
  REGISTRATION_PARTNER_MISMATCH: row(403, 'auth', '{did} is not the registered partner of {chainId}'),
  REGISTRATION_DIGEST_MISMATCH: row(422, 'verify', 'approval is for digest {claimed}, the registration has {actual}'),
  REGISTRATION_DISABLED: row(409, 'state', 'registration {chainId} version {version} is disabled'),
  APPROVAL_DUPLICATE: row(409, 'state', '{admin} already approved {chainId} version {version}'),
  APPROVER_NOT_ADMIN: row(403, 'auth', '{did} is not a consortium administrator'),

  // ── public verification page (web/) ──────────────────────────────────────────────────────────────────────────
  WEB_API_UNAVAILABLE: row(502, 'io', 'public API {path} failed: {reason}'),
  ENTRY_MISMATCH: row(422, 'verify', 'ledger entry does not match the record: {reason}'),

  // ── HTTP API ─────────────────────────────────────────────────────────────────────────────────────────────────
  ROUTE_NOT_FOUND: row(404, 'input', 'no route {method} {url}'),
  UNSUPPORTED_MEDIA_TYPE: row(415, 'input', 'content type {contentType} is not accepted'),
  AUTH_REQUIRED: row(401, 'auth', 'a DID-signed bearer token is required: {reason}'),
  AUTH_FORBIDDEN: row(403, 'auth', 'role {roles} is required'),
  RATE_LIMITED: row(429, 'state', 'rate limit of {max} requests per {window} exceeded'),
  ROUTE_AUDIENCE_MISSING: row(500, 'internal', 'route {method} {url} declares no audience (config.roles or config.public)'),

  // ── evidence bundles (src/bundle) ──────────────────────────────────────────────────────────────────────────────
  BUNDLE_MALFORMED: row(400, 'input', 'evidence bundle cannot be read: {reason}'),
  BUNDLE_INCONSISTENT: row(422, 'verify', 'evidence bundle is inconsistent: step {step} failed with {code}'),
  BUNDLE_MISMATCH: row(422, 'verify', 'evidence bundle {field} does not match: {reason}'),
  BUNDLE_TRUST_MISMATCH: row(422, 'verify', 'trust anchors do not match the bundle: {reason}'),
  BUNDLE_EVIDENCE_UNAVAILABLE: row(409, 'state', 'source evidence of attestation {id} is unavailable: {reason}'),
  ATTESTATION_NOT_FOUND: row(404, 'state', 'no attestation {id}'),

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
