/**
 * The webhook outbox write that the relay stores' `finish` runs for every `done` outcome, INSIDE the transaction
 * (SQLite) or the single statement (PostgreSQL, a data-modifying CTE) that stores the receipt.
 *
 * DECISION (same transaction, not "afterwards"): the receipt row is what acknowledges an attestation (DESIGN.md
 * principle 3), so the deliveries it owes are committed with it — a crash can lose neither one without the other.
 * Re-running `finish` for the same attestation (a retry that found its receipt, a job reclaimed after a lease ran out)
 * hits the UNIQUE (webhook_id, attestation_id) key and adds nothing: each webhook is owed each attestation exactly
 * once. A webhook registered after the receipt is not owed it (no back-fill).
 */

/** SQLite: parameters (attestationId, ledgerIndex, treeSize, nextRunAt, createdAt, updatedAt, jobId). */
export const WEBHOOK_OUTBOX_SQLITE = `INSERT INTO relay_webhook_deliveries
    (webhook_id, attestation_id, ledger_index, tree_size, chain_id, record_type, record_key, block_height, state, attempts, next_run_at, created_at, updated_at)
  SELECT w.id, ?, ?, ?, j.chain_id, j.record_type, j.record_key, j.block_height, 'queued', 0, ?, ?, ?
  FROM relay_jobs j JOIN relay_webhooks w ON w.chain_id = j.chain_id AND w.record_type = j.record_type
  WHERE j.id = ?
  ON CONFLICT (webhook_id, attestation_id) DO NOTHING`;

/**
 * PostgreSQL: one CTE of `RelayStore.finish`'s statement, over its parameters $1 (attestation ids), $2 (job ids),
 * $3 (ledger indices), $5 (tree sizes) and $7 (now).
 */
export const WEBHOOK_OUTBOX_POSTGRES_CTE = `wh AS (
        INSERT INTO relay_webhook_deliveries
          (webhook_id, attestation_id, ledger_index, tree_size, chain_id, record_type, record_key, block_height, state, attempts, next_run_at, created_at, updated_at)
        SELECT w.id, u.aid, u.idx, u.size, j.chain_id, j.record_type, j.record_key, j.block_height, 'queued', 0, $7, $7, $7
        FROM unnest($1::text[], $2::bigint[], $3::bigint[], $5::bigint[]) AS u(aid, id, idx, size)
        JOIN relay_jobs j ON j.id = u.id
        JOIN relay_webhooks w ON w.chain_id = j.chain_id AND w.record_type = j.record_type
        ON CONFLICT (webhook_id, attestation_id) DO NOTHING)`;
