/**
 * The API's own tables beside the ledger (same database): the court-record index (`court_records`, so the public
 * lookup by hash or 存证编号 is one indexed query) and the member registry (`api_members`, DID → roles). Versioned in
 * `api_schema_version`, apart from the ledger's and the relay's versions.
 */
import type { Member, MemberRegistry } from '../../../did/auth.js';
import type { TokenUseStore } from '../../../did/replay.js';

/** One court record as indexed (mirrors the ledger entry; no personal data). */
export interface CourtRecordRow {
  evidenceId: string;
  kind: string;
  documentType: string;
  caseNumber: string;
  courtDid: string;
  sha256: string;
  sm3: string;
  ledgerIndex: number;
  leafHash: string;
  recordedAt: string;
}

/** The API store: court-record index, members, and bearer-token uses (replay guard shared by replicas). */
export interface ApiStore extends MemberRegistry, TokenUseStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Create or upgrade the API tables. Idempotent. */
  migrate(): Promise<void>;
  /** Insert a record unless its idempotency key (court, sha256, documentType, caseNumber) exists; returns the stored row. */
  putCourtRecord(row: CourtRecordRow): Promise<{ row: CourtRecordRow; created: boolean }>;
  /** The record with this idempotency key. */
  findCourtRecord(courtDid: string, sha256: string, documentType: string, caseNumber: string): Promise<CourtRecordRow | undefined>;
  /** Records whose SHA-256 or SM3 is `hash` (lower-case hex), oldest first, at most `limit`. */
  courtRecordsByHash(hash: string, limit: number): Promise<CourtRecordRow[]>;
  /** The record with this 存证编号. */
  courtRecordById(evidenceId: string): Promise<CourtRecordRow | undefined>;
  /** Add or replace a member. */
  putMember(m: Member): Promise<void>;
  /** Index relay attestations (existing ledger indices are kept). */
  putAttestations(rows: readonly AttestationIndexRow[]): Promise<void>;
  /** Attestations matching `q`, by ledger index, after `q.after`, at most `q.limit`. */
  queryAttestations(q: AttestationQuery): Promise<AttestationIndexRow[]>;
  /** Ledger leaves below this index have been scanned for court records. */
  scanCursor(): Promise<number>;
  /** Advance the scan cursor (never backwards). */
  setScanCursor(index: number): Promise<void>;
  /** Cheap round trip for `/readyz`. */
  ping(): Promise<void>;
}

/** One relay attestation as indexed for the court query (refs only: salted subject hashes). */
export interface AttestationIndexRow {
  ledgerIndex: number;
  attestationId: string;
  chainId: string;
  recordType: string;
  schemaId: string;
  /** From the schema id (`…/schemas/domain/<domain>/…`), or '' when the schema is not a domain schema. */
  domain: string;
  blockHeight: number;
  issuedAt: string;
  subjectRefs: string[];
}

/** A court's attestation query (every field optional except paging). */
export interface AttestationQuery {
  subjectRefs?: string[];
  chainId?: string;
  recordType?: string;
  domain?: string;
  /** ISO times, [from, to). */
  from?: string;
  to?: string;
  after: number;
  limit: number;
}

/** WHERE clause and parameters of `q` in a dialect (`ph(n)` renders the n-th placeholder, 1-based). */
export function attestationWhere(q: AttestationQuery, ph: (n: number) => string): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const add = (v: unknown): string => {
    params.push(v);
    return ph(params.length);
  };
  // With a subject, the query is driven by the subject index (PRIMARY KEY (ref, ledger_index)): an index range scan in
  // ledger order that stops at LIMIT, instead of walking every attestation and probing its subjects (which grew with
  // the ledger: the court query was the load test's costliest read).
  const [first, ...more] = q.subjectRefs ?? [];
  const from = first === undefined
    ? 'api_attestations a'
    : `api_attestation_subjects s0 JOIN api_attestations a ON a.ledger_index = s0.ledger_index`;
  const order = first === undefined ? 'a.ledger_index' : 's0.ledger_index';
  const where = first === undefined ? [`a.ledger_index > ${add(q.after)}`] : [`s0.ref = ${add(first)}`, `s0.ledger_index > ${add(q.after)}`];
  if (q.chainId !== undefined) where.push(`a.chain_id = ${add(q.chainId)}`);
  if (q.recordType !== undefined) where.push(`a.record_type = ${add(q.recordType)}`);
  if (q.domain !== undefined) where.push(`a.domain = ${add(q.domain)}`);
  if (q.from !== undefined) where.push(`a.issued_at >= ${add(q.from)}`);
  if (q.to !== undefined) where.push(`a.issued_at < ${add(q.to)}`);
  for (const ref of more) where.push(`EXISTS (SELECT 1 FROM api_attestation_subjects s WHERE s.ledger_index = a.ledger_index AND s.ref = ${add(ref)})`);
  const limit = add(q.limit);
  return { sql: `SELECT ${ATTESTATION_COLUMNS.map((c) => `a.${c}`).join(', ')} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${limit}`, params };
}

/** The columns an attestation query returns, in this order (`attestationFromValues`). */
export const ATTESTATION_COLUMNS = ['ledger_index', 'attestation_id', 'chain_id', 'record_type', 'schema_id', 'domain', 'block_height', 'issued_at'] as const;

/** An attestation query row as an array in ATTESTATION_COLUMNS order (SQLite raw mode: no per-row column-name object). */
export function attestationFromValues(v: readonly unknown[]): AttestationIndexRow {
  return {
    ledgerIndex: Number(v[0]), attestationId: String(v[1]), chainId: String(v[2]), recordType: String(v[3]),
    schemaId: String(v[4]), domain: String(v[5]), blockHeight: Number(v[6]), issuedAt: String(v[7]), subjectRefs: [],
  };
}

/** An `api_attestations` row (subject refs are not returned by queries). */
export function attestationFromDb(r: Record<string, unknown>): AttestationIndexRow {
  return {
    ledgerIndex: Number(r.ledger_index), attestationId: String(r.attestation_id), chainId: String(r.chain_id), recordType: String(r.record_type),
    schemaId: String(r.schema_id), domain: String(r.domain), blockHeight: Number(r.block_height), issuedAt: String(r.issued_at), subjectRefs: [],
  };
}

/** Newest API schema version. */
export const API_SCHEMA_VERSION = 2;

/** Migration v1 (both dialects: `int` is INTEGER or BIGINT). */
export function apiMigrationV1(int: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS court_records (
       evidence_id TEXT PRIMARY KEY, kind TEXT NOT NULL, document_type TEXT NOT NULL, case_number TEXT NOT NULL,
       court_did TEXT NOT NULL, sha256 TEXT NOT NULL, sm3 TEXT NOT NULL, ledger_index ${int} NOT NULL UNIQUE,
       leaf_hash TEXT NOT NULL, recorded_at TEXT NOT NULL,
       UNIQUE (court_did, sha256, document_type, case_number))`,
    'CREATE INDEX IF NOT EXISTS court_records_sha256 ON court_records (sha256)',
    'CREATE INDEX IF NOT EXISTS court_records_sm3 ON court_records (sm3)',
    `CREATE TABLE IF NOT EXISTS api_members (did TEXT PRIMARY KEY, roles TEXT NOT NULL, enabled INTEGER NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS api_attestations (
       ledger_index ${int} PRIMARY KEY, attestation_id TEXT NOT NULL, chain_id TEXT NOT NULL, record_type TEXT NOT NULL,
       schema_id TEXT NOT NULL, domain TEXT NOT NULL, block_height ${int} NOT NULL, issued_at TEXT NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS api_attestations_chain ON api_attestations (chain_id, record_type)',
    'CREATE INDEX IF NOT EXISTS api_attestations_issued ON api_attestations (issued_at)',
    `CREATE TABLE IF NOT EXISTS api_attestation_subjects (ref TEXT NOT NULL, ledger_index ${int} NOT NULL, PRIMARY KEY (ref, ledger_index))`,
    `CREATE TABLE IF NOT EXISTS api_ledger_scan (id INTEGER PRIMARY KEY CHECK (id = 1), scanned_to ${int} NOT NULL)`,
    'INSERT INTO api_ledger_scan (id, scanned_to) VALUES (1, 0) ON CONFLICT (id) DO NOTHING',
  ];
}

/**
 * Migration v2: bearer-token uses (did/replay.ts `StoreReplayGuard`). `key` is SHA-256 of issuer and jti; `exp` (seconds
 * since the epoch) is when the record may go — indexed so the bounded sweep of expired rows is a range scan.
 */
export function apiMigrationV2(int: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS api_token_uses (key TEXT PRIMARY KEY, exp ${int} NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS api_token_uses_exp ON api_token_uses (exp)',
  ];
}

/** Every API migration in a dialect (`int` is INTEGER or BIGINT). */
export function apiMigrations(int: string): { version: number; statements: string[] }[] {
  return [{ version: 1, statements: apiMigrationV1(int) }, { version: 2, statements: apiMigrationV2(int) }];
}

/** A row from the database (snake_case) as a `CourtRecordRow`. */
export function courtRecordFromDb(r: Record<string, unknown>): CourtRecordRow {
  return {
    evidenceId: String(r.evidence_id), kind: String(r.kind), documentType: String(r.document_type), caseNumber: String(r.case_number),
    courtDid: String(r.court_did), sha256: String(r.sha256), sm3: String(r.sm3), ledgerIndex: Number(r.ledger_index),
    leafHash: String(r.leaf_hash), recordedAt: String(r.recorded_at),
  };
}

/** A member row as a `Member` (roles stored as a JSON array). */
export function memberFromDb(r: Record<string, unknown>): Member {
  return { did: String(r.did), roles: JSON.parse(String(r.roles)) as Member['roles'], enabled: Number(r.enabled) === 1 };
}

/** Column list of `court_records` in insert order. */
export const COURT_RECORD_COLUMNS = 'evidence_id, kind, document_type, case_number, court_did, sha256, sm3, ledger_index, leaf_hash, recorded_at';

/** Values of a row in `COURT_RECORD_COLUMNS` order. */
export function courtRecordValues(r: CourtRecordRow): unknown[] {
  return [r.evidenceId, r.kind, r.documentType, r.caseNumber, r.courtDid, r.sha256, r.sm3, r.ledgerIndex, r.leafHash, r.recordedAt];
}
