/**
 * SQLite `RelayStore` on the ledger's own better-sqlite3 handle (same file, same WAL, `synchronous=FULL`): a claim is
 * one `UPDATE … RETURNING` in a `BEGIN IMMEDIATE` transaction, so two processes on one file never claim the same job.
 */
import type Database from 'better-sqlite3';
import { migrateSqlite, sqliteGuard } from '../../src/store/sqlite.js';
import { RELAY_SCHEMA_VERSION, RELAY_SQLITE_MIGRATIONS } from './schema.js';
import type {
  AnchorRow, AttestationReceiptRow, EvidenceRow, JobCounts, JobOutcome, JobRequest, JobRow, RelayStore, SubscriptionRow,
} from './types.js';
import { anchorFromDb, countsFrom, evidenceFromDb, jobFromDb, receiptFromDb, subscriptionFromDb } from './rows.js';
import { WEBHOOK_OUTBOX_SQLITE } from '../webhooks/outbox-sql.js';

type Db = Database.Database;

/** The SQLite relay store. */
export class SqliteRelayStore implements RelayStore {
  readonly kind = 'sqlite' as const;

  /** Wrap the ledger store's open database (`SqliteLedgerStore.database`). */
  constructor(private readonly db: Db) {}

  /** Prepared statements by SQL text: each is compiled once per connection, not once per call. */
  private readonly stmts = new Map<string, Database.Statement>();

  private prepare(sql: string): Database.Statement {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st;
  }

  private run<T>(what: string, fn: () => T): T {
    return sqliteGuard(`relay ${what}`, fn);
  }

  async migrate(): Promise<void> {
    migrateSqlite(this.db, {
      versionTable: 'relay_schema_version', version: RELAY_SCHEMA_VERSION, migrations: RELAY_SQLITE_MIGRATIONS, lockId: 0,
      after: ['INSERT INTO relay_ledger_scan (id, scanned_to) VALUES (1, 0) ON CONFLICT (id) DO NOTHING'],
    });
  }


  async enqueue(req: JobRequest, now: number): Promise<{ job: JobRow; created: boolean }> {
    return this.run('enqueue', () =>
      this.db.transaction(() => {
        const r = this.prepare(`INSERT INTO relay_jobs (chain_id, record_type, record_key, block_height, state, max_attempts, next_run_at, created_at, updated_at)
          VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?) ON CONFLICT (chain_id, record_type, record_key, block_height) DO NOTHING`)
          .run(req.chainId, req.recordType, req.key, req.blockHeight, req.maxAttempts, now, now, now);
        const row = this.prepare('SELECT * FROM relay_jobs WHERE chain_id = ? AND record_type = ? AND record_key = ? AND block_height = ?')
          .get(req.chainId, req.recordType, req.key, req.blockHeight);
        return { job: jobFromDb(row as Record<string, unknown>), created: r.changes === 1 };
      }).immediate(),
    );
  }

  async enqueueMany(reqs: readonly JobRequest[], now: number): Promise<JobRow[]> {
    return this.run('enqueueMany', () =>
      this.db.transaction(() => {
        const ins = this.prepare(`INSERT INTO relay_jobs (chain_id, record_type, record_key, block_height, state, max_attempts, next_run_at, created_at, updated_at)
          VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?) ON CONFLICT (chain_id, record_type, record_key, block_height) DO NOTHING`);
        const get = this.prepare('SELECT * FROM relay_jobs WHERE chain_id = ? AND record_type = ? AND record_key = ? AND block_height = ?');
        return reqs.map((r) => {
          ins.run(r.chainId, r.recordType, r.key, r.blockHeight, r.maxAttempts, now, now, now);
          return jobFromDb(get.get(r.chainId, r.recordType, r.key, r.blockHeight) as Record<string, unknown>);
        });
      }).immediate(),
    );
  }

  async job(id: number): Promise<JobRow | undefined> {
    const r = this.run('job', () => this.prepare('SELECT * FROM relay_jobs WHERE id = ?').get(id));
    return r === undefined ? undefined : jobFromDb(r as Record<string, unknown>);
  }

  async claim(owner: string, limit: number, now: number, leaseMs: number): Promise<JobRow[]> {
    const rows = this.run('claim', () =>
      this.db.transaction(() =>
        this.prepare(`UPDATE relay_jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?, updated_at = ?
          WHERE id IN (SELECT id FROM relay_jobs WHERE (state IN ('queued', 'failed') AND next_run_at <= ?) OR (state = 'running' AND lease_until <= ?)
                       ORDER BY next_run_at, id LIMIT ?)
          RETURNING *`).all(owner, now + leaseMs, now, now, now, limit),
      ).immediate(),
    ) as Record<string, unknown>[];
    return rows.map(jobFromDb).sort((a, b) => a.id - b.id);
  }

  async stamp(items: readonly { jobId: number; attestationId: string; issuedAt: string }[], now: number, evidence: readonly EvidenceRow[] = []): Promise<Map<number, string>> {
    return this.run('stamp', () =>
      this.db.transaction(() => {
        this.upsertEvidence(evidence);
        const upd = this.prepare(`UPDATE relay_jobs SET attestation_id = COALESCE(attestation_id, ?), issued_at = COALESCE(issued_at, ?), updated_at = ?
          WHERE id = ? RETURNING issued_at`).pluck();
        const out = new Map<number, string>();
        for (const it of items) {
          const at = upd.get(it.attestationId, it.issuedAt, now, it.jobId) as string | undefined;
          if (at !== undefined) out.set(it.jobId, at);
        }
        return out;
      }).immediate(),
    );
  }

  async finish(outcomes: readonly JobOutcome[], owner: string, now: number): Promise<void> {
    this.run('finish', () =>
      this.db.transaction(() => {
        const ins = this.prepare(`INSERT INTO relay_attestations (attestation_id, job_id, ledger_index, leaf_hash, tree_size, created_at)
          VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (attestation_id) DO NOTHING`);
        const done = this.prepare(`UPDATE relay_jobs SET state = 'done', ledger_index = ?, lease_owner = NULL, lease_until = NULL,
          last_error = NULL, last_error_detail = NULL, updated_at = ? WHERE id = ?`);
        // Only the current lease holder may record a failure (a reclaimed job's old worker must not undo its successor).
        const failed = this.prepare(`UPDATE relay_jobs SET state = CASE WHEN attempts >= max_attempts OR ? = 1 THEN 'dead' ELSE 'failed' END,
          next_run_at = ?, last_error = ?, last_error_detail = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
          WHERE id = ? AND state = 'running' AND lease_owner = ?`);
        // Webhook outbox (relay/webhooks/): one delivery per matching webhook, in the receipt's own transaction.
        const outbox = this.prepare(WEBHOOK_OUTBOX_SQLITE);
        for (const o of outcomes) {
          if (o.kind === 'done') {
            const r = o.receipt;
            ins.run(r.attestationId, r.jobId, r.ledgerIndex, r.leafHash, r.treeSize, r.createdAt);
            done.run(r.ledgerIndex, now, o.jobId);
            outbox.run(r.attestationId, r.ledgerIndex, r.treeSize, now, now, now, o.jobId);
          } else {
            failed.run(o.permanent ? 1 : 0, o.retryAt, o.code, o.detail.slice(0, 2000), now, o.jobId, owner);
          }
        }
      }).immediate(),
    );
  }

  async receipt(attestationId: string): Promise<AttestationReceiptRow | undefined> {
    const r = this.run('receipt', () => this.prepare('SELECT * FROM relay_attestations WHERE attestation_id = ?').get(attestationId));
    return r === undefined ? undefined : receiptFromDb(r as Record<string, unknown>);
  }

  async putReceipts(rows: readonly AttestationReceiptRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.run('putReceipts', () =>
      this.db.transaction(() => {
        const ins = this.prepare(`INSERT INTO relay_attestations (attestation_id, job_id, ledger_index, leaf_hash, tree_size, created_at)
          VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (attestation_id) DO NOTHING`);
        for (const r of rows) ins.run(r.attestationId, r.jobId, r.ledgerIndex, r.leafHash, r.treeSize, r.createdAt);
      }).immediate(),
    );
  }

  async scanCursor(): Promise<number> {
    return this.run('scanCursor', () => (this.prepare('SELECT scanned_to FROM relay_ledger_scan WHERE id = 1').pluck().get() as number | undefined) ?? 0);
  }

  async setScanCursor(index: number): Promise<void> {
    this.run('setScanCursor', () => this.prepare('UPDATE relay_ledger_scan SET scanned_to = MAX(scanned_to, ?) WHERE id = 1').run(index));
  }

  async trustState(chainId: string): Promise<{ json: string; version: number } | undefined> {
    const r = this.run('trustState', () => this.prepare('SELECT state, version FROM relay_trust_state WHERE chain_id = ?').get(chainId)) as
      { state: string; version: number } | undefined;
    return r && { json: r.state, version: r.version };
  }

  async putTrustState(chainId: string, json: string, expectedVersion: number, now: number): Promise<boolean> {
    return this.run('putTrustState', () => {
      const r = expectedVersion === 0
        ? this.prepare('INSERT INTO relay_trust_state (chain_id, state, version, updated_at) VALUES (?, ?, 1, ?) ON CONFLICT (chain_id) DO NOTHING').run(chainId, json, now)
        : this.prepare('UPDATE relay_trust_state SET state = ?, version = version + 1, updated_at = ? WHERE chain_id = ? AND version = ?').run(json, now, chainId, expectedVersion);
      return r.changes === 1;
    });
  }

  async putSubscription(row: SubscriptionRow): Promise<void> {
    this.run('putSubscription', () => this.prepare(`INSERT INTO relay_subscriptions (id, chain_id, record_type, cursor_json, enabled, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET cursor_json = excluded.cursor_json, enabled = excluded.enabled, updated_at = excluded.updated_at`)
      .run(row.id, row.chainId, row.recordType, row.cursor, row.enabled ? 1 : 0, row.updatedAt));
  }

  async subscriptions(): Promise<SubscriptionRow[]> {
    return (this.run('subscriptions', () => this.prepare('SELECT * FROM relay_subscriptions ORDER BY id').all()) as Record<string, unknown>[]).map(subscriptionFromDb);
  }

  async putAnchor(row: AnchorRow): Promise<void> {
    this.run('putAnchor', () => this.prepare(`INSERT INTO relay_anchors (tree_size, root_hash, note_hash, chain_id, contract, tx_hash, block_number, block_hash, receipt_proof, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING`)
      .run(row.treeSize, row.rootHash, row.noteHash, row.chainId, row.contract, row.txHash, row.blockNumber, row.blockHash, row.receiptProof, row.createdAt));
  }

  async anchors(): Promise<AnchorRow[]> {
    return (this.run('anchors', () => this.prepare('SELECT * FROM relay_anchors ORDER BY tree_size').all()) as Record<string, unknown>[]).map(anchorFromDb);
  }

  async counts(): Promise<JobCounts> {
    return countsFrom(this.run('counts', () => this.prepare('SELECT state, COUNT(*) AS n FROM relay_jobs GROUP BY state').all()) as { state: string; n: number }[]);
  }

  /** Upsert evidence rows (inside the caller's transaction). */
  private upsertEvidence(rows: readonly EvidenceRow[]): void {
    if (rows.length === 0) return;
    const up = this.prepare(`INSERT INTO relay_evidence (attestation_id, evidence, evidence_digest, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (attestation_id) DO UPDATE SET evidence = excluded.evidence, evidence_digest = excluded.evidence_digest, created_at = excluded.created_at`);
    for (const r of rows) up.run(r.attestationId, r.evidence, r.evidenceDigest, r.createdAt);
  }

  async putEvidence(rows: readonly EvidenceRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.run('putEvidence', () => this.db.transaction(() => this.upsertEvidence(rows)).immediate());
  }

  async evidence(attestationId: string): Promise<EvidenceRow | undefined> {
    const r = this.run('evidence', () => this.prepare('SELECT * FROM relay_evidence WHERE attestation_id = ?').get(attestationId));
    return r === undefined ? undefined : evidenceFromDb(r as Record<string, unknown>);
  }
}
