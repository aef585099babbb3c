/**
 * PostgreSQL `RelayStore` over the ledger store's pool (`PostgresLedgerStore.query`, same schema / `search_path`).
 * Every write that must be atomic is ONE statement (data-modifying CTEs over `unnest` arrays), so no transaction
 * has to span round trips. Claims use `FOR UPDATE SKIP LOCKED`: concurrent workers never wait on, or take, each
 * other's rows.
 */
import type { PostgresLedgerStore } from '../../src/ledger/store/postgres.js';
import type { PgDatabase } from '../../src/store/postgres.js';
import { RELAY_POSTGRES_MIGRATIONS, RELAY_SCHEMA_VERSION } from './schema.js';
import type {
  AnchorRow, AttestationReceiptRow, EvidenceRow, JobCounts, JobOutcome, JobRequest, JobRow, RelayStore, SubscriptionRow,
} from './types.js';
import { anchorFromDb, countsFrom, evidenceFromDb, jobFromDb, receiptFromDb, subscriptionFromDb } from './rows.js';
import { WEBHOOK_OUTBOX_POSTGRES_CTE } from '../webhooks/outbox-sql.js';

/** One row per attestation id, the last one given (one statement's ON CONFLICT cannot touch a row twice). */
function lastPerId(rows: readonly EvidenceRow[]): EvidenceRow[] {
  return [...new Map(rows.map((r) => [r.attestationId, r])).values()];
}

/** Advisory-lock key serialising relay migrations of one database ("rlay"). */
const RELAY_MIGRATION_LOCK = 0x726c6179;

type Query = PostgresLedgerStore['query'];

/** The PostgreSQL relay store. */
export class PostgresRelayStore implements RelayStore {
  readonly kind = 'postgres' as const;
  private readonly q: Query;
  private readonly db: PgDatabase;

  /** Wrap the ledger store (its pool and schema are shared). */
  constructor(ledgerStore: PostgresLedgerStore) {
    this.db = ledgerStore.db;
    this.q = ledgerStore.query.bind(ledgerStore) as Query;
  }

  async migrate(): Promise<void> {
    await this.db.migrate({
      versionTable: 'relay_schema_version', version: RELAY_SCHEMA_VERSION, migrations: RELAY_POSTGRES_MIGRATIONS, lockId: RELAY_MIGRATION_LOCK,
      after: ['INSERT INTO relay_ledger_scan (id, scanned_to) VALUES (1, 0) ON CONFLICT (id) DO NOTHING'],
    });
  }


  async enqueue(req: JobRequest, now: number): Promise<{ job: JobRow; created: boolean }> {
    const ins = await this.q(`INSERT INTO relay_jobs (chain_id, record_type, record_key, block_height, state, max_attempts, next_run_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, 'queued', $5, $6, $6, $6) ON CONFLICT (chain_id, record_type, record_key, block_height) DO NOTHING RETURNING *`,
    [req.chainId, req.recordType, req.key, req.blockHeight, req.maxAttempts, now]);
    if (ins.rows[0]) return { job: jobFromDb(ins.rows[0]), created: true };
    const r = await this.q('SELECT * FROM relay_jobs WHERE chain_id = $1 AND record_type = $2 AND record_key = $3 AND block_height = $4',
      [req.chainId, req.recordType, req.key, req.blockHeight]);
    return { job: jobFromDb(r.rows[0]!), created: false };
  }

  async enqueueMany(reqs: readonly JobRequest[], now: number): Promise<JobRow[]> {
    if (reqs.length === 0) return [];
    const cols = [reqs.map((r) => r.chainId), reqs.map((r) => r.recordType), reqs.map((r) => r.key), reqs.map((r) => r.blockHeight), reqs.map((r) => r.maxAttempts)];
    // Insert the new keys (one atomic statement), then read every requested job in a NEW snapshot: a row a
    // concurrent enqueuer committed while this insert waited on it is invisible to the insert's own snapshot.
    await this.q(`INSERT INTO relay_jobs (chain_id, record_type, record_key, block_height, state, max_attempts, next_run_at, created_at, updated_at)
      SELECT c, t, k, h, 'queued', m, $6, $6, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[]) AS u(c, t, k, h, m)
      ON CONFLICT (chain_id, record_type, record_key, block_height) DO NOTHING`, [...cols, now]);
    const r = await this.q(`SELECT j.* FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS u(c, t, k, h, ord)
      JOIN relay_jobs j ON j.chain_id = u.c AND j.record_type = u.t AND j.record_key = u.k AND j.block_height = u.h ORDER BY u.ord`, cols.slice(0, 4));
    return r.rows.map(jobFromDb);
  }

  async job(id: number): Promise<JobRow | undefined> {
    const r = await this.q('SELECT * FROM relay_jobs WHERE id = $1', [id]);
    return r.rows[0] && jobFromDb(r.rows[0]);
  }

  async claim(owner: string, limit: number, now: number, leaseMs: number): Promise<JobRow[]> {
    const r = await this.q(`UPDATE relay_jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_until = $2, updated_at = $3
      WHERE id IN (SELECT id FROM relay_jobs WHERE (state IN ('queued', 'failed') AND next_run_at <= $3) OR (state = 'running' AND lease_until <= $3)
                   ORDER BY next_run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
      RETURNING *`, [owner, now + leaseMs, now, limit]);
    return r.rows.map(jobFromDb).sort((a, b) => a.id - b.id);
  }

  async stamp(items: readonly { jobId: number; attestationId: string; issuedAt: string }[], now: number, evidence: readonly EvidenceRow[] = []): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (items.length === 0) {
      await this.putEvidence(evidence);
      return out;
    }
    const ev = lastPerId(evidence);
    // One statement: the evidence upsert is a data-modifying CTE (runs whether or not it is referenced).
    const r = await this.q<{ id: string; issued_at: string }>(`WITH ev AS (
        INSERT INTO relay_evidence (attestation_id, evidence, evidence_digest, created_at)
        SELECT * FROM unnest($5::text[], $6::text[], $7::text[], $8::bigint[])
        ON CONFLICT (attestation_id) DO UPDATE SET evidence = excluded.evidence, evidence_digest = excluded.evidence_digest, created_at = excluded.created_at)
      UPDATE relay_jobs j SET attestation_id = COALESCE(j.attestation_id, u.aid),
        issued_at = COALESCE(j.issued_at, u.at), updated_at = $4
      FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, aid, at) WHERE j.id = u.id RETURNING j.id, j.issued_at`,
    [items.map((i) => i.jobId), items.map((i) => i.attestationId), items.map((i) => i.issuedAt), now,
      ev.map((e) => e.attestationId), ev.map((e) => e.evidence), ev.map((e) => e.evidenceDigest), ev.map((e) => e.createdAt)]);
    for (const row of r.rows) out.set(Number(row.id), row.issued_at);
    return out;
  }

  async finish(outcomes: readonly JobOutcome[], owner: string, now: number): Promise<void> {
    if (outcomes.length === 0) return;
    const done = outcomes.filter((o): o is Extract<JobOutcome, { kind: 'done' }> => o.kind === 'done');
    const failed = outcomes.filter((o): o is Extract<JobOutcome, { kind: 'failed' }> => o.kind === 'failed');
    await this.q(`WITH ins AS (
        INSERT INTO relay_attestations (attestation_id, job_id, ledger_index, leaf_hash, tree_size, created_at)
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[]) ON CONFLICT (attestation_id) DO NOTHING),
      d AS (UPDATE relay_jobs j SET state = 'done', ledger_index = u.idx, lease_owner = NULL, lease_until = NULL, last_error = NULL,
          last_error_detail = NULL, updated_at = $7
        FROM unnest($2::bigint[], $3::bigint[]) AS u(id, idx) WHERE j.id = u.id),
      f AS (UPDATE relay_jobs j SET state = CASE WHEN j.attempts >= j.max_attempts OR u.permanent THEN 'dead' ELSE 'failed' END, next_run_at = u.retry_at,
          last_error = u.code, last_error_detail = u.detail, lease_owner = NULL, lease_until = NULL, updated_at = $7
        FROM unnest($8::bigint[], $9::bigint[], $10::text[], $11::text[], $13::boolean[]) AS u(id, retry_at, code, detail, permanent)
        WHERE j.id = u.id AND j.state = 'running' AND j.lease_owner = $12),
      ${WEBHOOK_OUTBOX_POSTGRES_CTE}
      SELECT 1`,
    [
      done.map((o) => o.receipt.attestationId), done.map((o) => o.jobId), done.map((o) => o.receipt.ledgerIndex),
      done.map((o) => o.receipt.leafHash), done.map((o) => o.receipt.treeSize), done.map((o) => o.receipt.createdAt), now,
      failed.map((o) => o.jobId), failed.map((o) => o.retryAt), failed.map((o) => o.code), failed.map((o) => o.detail.slice(0, 2000)), owner,
      failed.map((o) => o.permanent),
    ]);
  }

  async receipt(attestationId: string): Promise<AttestationReceiptRow | undefined> {
    const r = await this.q('SELECT * FROM relay_attestations WHERE attestation_id = $1', [attestationId]);
    return r.rows[0] && receiptFromDb(r.rows[0]);
  }

  async putReceipts(rows: readonly AttestationReceiptRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.q(`INSERT INTO relay_attestations (attestation_id, job_id, ledger_index, leaf_hash, tree_size, created_at)
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[]) ON CONFLICT (attestation_id) DO NOTHING`,
    [rows.map((r) => r.attestationId), rows.map((r) => r.jobId), rows.map((r) => r.ledgerIndex), rows.map((r) => r.leafHash), rows.map((r) => r.treeSize), rows.map((r) => r.createdAt)]);
  }

  async scanCursor(): Promise<number> {
    const r = await this.q<{ scanned_to: string }>('SELECT scanned_to FROM relay_ledger_scan WHERE id = 1');
    return r.rows[0] ? Number(r.rows[0].scanned_to) : 0;
  }

  async setScanCursor(index: number): Promise<void> {
    await this.q('UPDATE relay_ledger_scan SET scanned_to = GREATEST(scanned_to, $1) WHERE id = 1', [index]);
  }

  async trustState(chainId: string): Promise<{ json: string; version: number } | undefined> {
    const r = await this.q<{ state: string; version: number }>('SELECT state, version FROM relay_trust_state WHERE chain_id = $1', [chainId]);
    return r.rows[0] && { json: r.rows[0].state, version: Number(r.rows[0].version) };
  }

  async putTrustState(chainId: string, json: string, expectedVersion: number, now: number): Promise<boolean> {
    const r = expectedVersion === 0
      ? await this.q('INSERT INTO relay_trust_state (chain_id, state, version, updated_at) VALUES ($1, $2, 1, $3) ON CONFLICT (chain_id) DO NOTHING', [chainId, json, now])
      : await this.q('UPDATE relay_trust_state SET state = $1, version = version + 1, updated_at = $2 WHERE chain_id = $3 AND version = $4', [json, now, chainId, expectedVersion]);
    return r.rowCount === 1;
  }

  async putSubscription(row: SubscriptionRow): Promise<void> {
    await this.q(`INSERT INTO relay_subscriptions (id, chain_id, record_type, cursor_json, enabled, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (id) DO UPDATE SET cursor_json = excluded.cursor_json, enabled = excluded.enabled, updated_at = excluded.updated_at`,
    [row.id, row.chainId, row.recordType, row.cursor, row.enabled ? 1 : 0, row.updatedAt]);
  }

  async subscriptions(): Promise<SubscriptionRow[]> {
    return (await this.q('SELECT * FROM relay_subscriptions ORDER BY id')).rows.map(subscriptionFromDb);
  }

  async putAnchor(row: AnchorRow): Promise<void> {
    await this.q(`INSERT INTO relay_anchors (tree_size, root_hash, note_hash, chain_id, contract, tx_hash, block_number, block_hash, receipt_proof, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (tree_size) DO NOTHING`,
    [row.treeSize, row.rootHash, row.noteHash, row.chainId, row.contract, row.txHash, row.blockNumber, row.blockHash, row.receiptProof, row.createdAt]);
  }

  async anchors(): Promise<AnchorRow[]> {
    return (await this.q('SELECT * FROM relay_anchors ORDER BY tree_size')).rows.map(anchorFromDb);
  }

  async counts(): Promise<JobCounts> {
    return countsFrom((await this.q<{ state: string; n: string }>('SELECT state, COUNT(*) AS n FROM relay_jobs GROUP BY state')).rows);
  }

  async putEvidence(rows: readonly EvidenceRow[]): Promise<void> {
    if (rows.length === 0) return;
    const last = lastPerId(rows);
    await this.q(`INSERT INTO relay_evidence (attestation_id, evidence, evidence_digest, created_at)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
      ON CONFLICT (attestation_id) DO UPDATE SET evidence = excluded.evidence, evidence_digest = excluded.evidence_digest, created_at = excluded.created_at`,
    [last.map((r) => r.attestationId), last.map((r) => r.evidence), last.map((r) => r.evidenceDigest), last.map((r) => r.createdAt)]);
  }

  async evidence(attestationId: string): Promise<EvidenceRow | undefined> {
    const r = await this.q('SELECT * FROM relay_evidence WHERE attestation_id = $1', [attestationId]);
    return r.rows[0] && evidenceFromDb(r.rows[0]);
  }
}
