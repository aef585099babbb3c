/**
 * The relay's durable state, kept in the SAME database as the ledger (SQLite file / PostgreSQL schema): jobs,
 * attestation receipts (attestation id → ledger index), the raw source evidence of each attestation, light-client trust states, subscriptions and checkpoint
 * anchors. One `RelayStore` interface, two backends (sqlite.ts, postgres.ts), one conformance suite
 * (test/relay/store-conformance.ts).
 *
 * Job life cycle: queued → running → done | failed (retrying, `nextRunAt` stored) → … → dead (after `maxAttempts`).
 * A claim takes a lease; a running job whose lease ran out (its worker died) is claimable again. The idempotency key
 * (chainId, recordType, key, blockHeight) is unique: enqueueing the same request twice returns the existing job.
 * Times are Unix milliseconds.
 */

/** Job states. */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'dead';

/** What a job attests: one record of one chain at one (final) block height. */
export interface JobRequest {
  chainId: string;
  recordType: string;
  key: string;
  blockHeight: number;
  /** Attempts before the job is dead. */
  maxAttempts: number;
}

/** A stored job. */
export interface JobRow extends JobRequest {
  id: number;
  state: JobState;
  /** Attempts started so far (incremented by each claim). */
  attempts: number;
  nextRunAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** Error code of the last failed attempt. */
  lastError: string | null;
  lastErrorDetail: string | null;
  /** Attestation id and issue time, stamped before the first ledger append and reused by every retry. */
  attestationId: string | null;
  issuedAt: string | null;
  /** Ledger index of the attestation once done. */
  ledgerIndex: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A receipt: where an attestation is in the ledger. */
export interface AttestationReceiptRow {
  attestationId: string;
  jobId: number | null;
  ledgerIndex: number;
  leafHash: string;
  treeSize: number;
  createdAt: number;
}

/** The outcome of one attempt. */
export type JobOutcome =
  | { kind: 'done'; jobId: number; receipt: AttestationReceiptRow }
  | { kind: 'failed'; jobId: number; code: string; detail: string; retryAt: number; /** Retrying cannot help: dead now. */ permanent: boolean };

/** A subscription: follow `chainId` and enqueue new records of `recordType`, from `cursor` on. */
export interface SubscriptionRow {
  id: string;
  chainId: string;
  recordType: string;
  /** Adapter-defined position (JSON), e.g. the next block height to scan. */
  cursor: string;
  enabled: boolean;
  updatedAt: number;
}

/** A checkpoint anchored on the courts' EVM chain, with what the evidence bundle needs. */
export interface AnchorRow {
  treeSize: number;
  rootHash: string;
  noteHash: string;
  chainId: string;
  contract: string;
  txHash: string;
  blockNumber: number;
  blockHash: string;
  /** JSON: the raw block header and receipts (or receipt proof) of the anchor transaction. */
  receiptProof: string;
  createdAt: number;
}

/** The raw source evidence of an attestation (schema v2), written before its ledger append. */
export interface EvidenceRow {
  attestationId: string;
  /** RFC 8785 canonical JSON of the SourceEvidence. */
  evidence: string;
  /** `0x` hex SHA-256 of the UTF-8 bytes of `evidence` (equals the attestation's `evidence.digest`). */
  evidenceDigest: string;
  createdAt: number;
}

/** Job counts by state (queue depth). */
export type JobCounts = Record<JobState, number>;

/** The relay's storage. Writes are durable when their promise resolves. */
export interface RelayStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Create or upgrade the relay tables (versioned in `relay_schema_version`). Idempotent. */
  migrate(): Promise<void>;
  /** Insert a job unless its idempotency key exists; returns the job and whether it was created. */
  enqueue(req: JobRequest, now: number): Promise<{ job: JobRow; created: boolean }>;
  /** Insert many jobs in one transaction (existing idempotency keys kept); returns the jobs in request order. */
  enqueueMany(reqs: readonly JobRequest[], now: number): Promise<JobRow[]>;
  /** A job by id. */
  job(id: number): Promise<JobRow | undefined>;
  /** Claim up to `limit` runnable jobs (queued/failed with nextRunAt ≤ now, or running with an expired lease). */
  claim(owner: string, limit: number, now: number, leaseMs: number): Promise<JobRow[]>;
  /**
   * Record attestation id and issue time on each job unless already set; returns the stored issue time per job.
   * `evidence` rows are upserted in the same transaction (as `putEvidence`), saving the pipeline a second commit.
   */
  stamp(items: readonly { jobId: number; attestationId: string; issuedAt: string }[], now: number, evidence?: readonly EvidenceRow[]): Promise<Map<number, string>>;
  /** Apply outcomes in one transaction (receipts with their jobs); `failed` becomes `dead` at maxAttempts. */
  finish(outcomes: readonly JobOutcome[], owner: string, now: number): Promise<void>;
  /** Receipt of an attestation, or undefined. */
  receipt(attestationId: string): Promise<AttestationReceiptRow | undefined>;
  /** Insert receipts found by a ledger scan (existing ids are kept). */
  putReceipts(rows: readonly AttestationReceiptRow[]): Promise<void>;
  /** Ledger leaves below this index have been scanned for attestations. */
  scanCursor(): Promise<number>;
  /** Advance the scan cursor (never backwards). */
  setScanCursor(index: number): Promise<void>;
  /** Stored TrustState JSON of a chain, with its version. */
  trustState(chainId: string): Promise<{ json: string; version: number } | undefined>;
  /** Store a TrustState JSON if the stored version is still `expectedVersion` (0 = none yet); false otherwise. */
  putTrustState(chainId: string, json: string, expectedVersion: number, now: number): Promise<boolean>;
  /** Create or update a subscription. */
  putSubscription(row: SubscriptionRow): Promise<void>;
  /** Every subscription. */
  subscriptions(): Promise<SubscriptionRow[]>;
  /** Store an anchor (one per tree size). */
  putAnchor(row: AnchorRow): Promise<void>;
  /** Every anchor, by tree size. */
  anchors(): Promise<AnchorRow[]>;
  /** Job counts by state. */
  counts(): Promise<JobCounts>;
  /** Upsert evidence rows in one transaction (keyed by attestation id; a retry rewrites its row). */
  putEvidence(rows: readonly EvidenceRow[]): Promise<void>;
  /** The stored evidence of an attestation, or undefined (attestations made before schema v2). */
  evidence(attestationId: string): Promise<EvidenceRow | undefined>;
}
