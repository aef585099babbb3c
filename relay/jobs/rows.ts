/**
 * Row mapping shared by both relay backends (column names are the same; PostgreSQL returns BIGINT as strings).
 */
import type { AnchorRow, AttestationReceiptRow, EvidenceRow, JobCounts, JobRow, JobState, SubscriptionRow } from './types.js';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** A `relay_jobs` row. */
export function jobFromDb(r: Record<string, unknown>): JobRow {
  return {
    id: num(r.id), chainId: String(r.chain_id), recordType: String(r.record_type), key: String(r.record_key),
    blockHeight: num(r.block_height), state: r.state as JobState, attempts: num(r.attempts), maxAttempts: num(r.max_attempts),
    nextRunAt: num(r.next_run_at), leaseOwner: strOrNull(r.lease_owner), leaseUntil: numOrNull(r.lease_until),
    lastError: strOrNull(r.last_error), lastErrorDetail: strOrNull(r.last_error_detail), attestationId: strOrNull(r.attestation_id),
    issuedAt: strOrNull(r.issued_at), ledgerIndex: numOrNull(r.ledger_index), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
  };
}

/** A `relay_attestations` row. */
export function receiptFromDb(r: Record<string, unknown>): AttestationReceiptRow {
  return {
    attestationId: String(r.attestation_id), jobId: numOrNull(r.job_id), ledgerIndex: num(r.ledger_index), leafHash: String(r.leaf_hash),
    treeSize: num(r.tree_size), createdAt: num(r.created_at),
  };
}

/** A `relay_subscriptions` row. */
export function subscriptionFromDb(r: Record<string, unknown>): SubscriptionRow {
  return { id: String(r.id), chainId: String(r.chain_id), recordType: String(r.record_type), cursor: String(r.cursor_json), enabled: num(r.enabled) === 1, updatedAt: num(r.updated_at) };
}

/** A `relay_anchors` row. */
export function anchorFromDb(r: Record<string, unknown>): AnchorRow {
  return {
    treeSize: num(r.tree_size), rootHash: String(r.root_hash), noteHash: String(r.note_hash), chainId: String(r.chain_id),
    contract: String(r.contract), txHash: String(r.tx_hash), blockNumber: num(r.block_number), blockHash: String(r.block_hash),
    receiptProof: String(r.receipt_proof), createdAt: num(r.created_at),
  };
}

/** A `relay_evidence` row. */
export function evidenceFromDb(r: Record<string, unknown>): EvidenceRow {
  return { attestationId: String(r.attestation_id), evidence: String(r.evidence), evidenceDigest: String(r.evidence_digest), createdAt: num(r.created_at) };
}

/** Job counts from `SELECT state, COUNT(*) AS n … GROUP BY state`. */
export function countsFrom(rows: readonly { state: string; n: unknown }[]): JobCounts {
  const out: JobCounts = { queued: 0, running: 0, done: 0, failed: 0, dead: 0 };
  for (const r of rows) if (Object.hasOwn(out, r.state)) out[r.state as JobState] = num(r.n);
  return out;
}
