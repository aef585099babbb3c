/**
 * SQLite `WebhookStore` on the ledger's own better-sqlite3 handle (the relay tables' database): a claim is one
 * `UPDATE … RETURNING` in a `BEGIN IMMEDIATE` transaction, so two processes on one file never claim the same delivery.
 */
import type Database from 'better-sqlite3';
import { sqliteGuard } from '../../src/store/sqlite.js';
import { SqliteRelayStore } from '../jobs/sqlite.js';
import { claimedFromDb, deliveryFromDb, webhookFromDb } from './rows.js';
import type { ClaimedDelivery, DeliveryOutcome, DeliveryRow, WebhookRow, WebhookStore } from './types.js';

/** The SQLite webhook store. */
export class SqliteWebhookStore implements WebhookStore {
  readonly kind = 'sqlite' as const;

  /** Wrap the ledger store's open database (`SqliteLedgerStore.database`). */
  constructor(private readonly db: Database.Database) {}

  private run<T>(what: string, fn: () => T): T {
    return sqliteGuard(`webhooks ${what}`, fn);
  }

  async migrate(): Promise<void> {
    // The tables are relay schema v3: the relay store's migration set creates them.
    await new SqliteRelayStore(this.db).migrate();
  }

  async create(row: WebhookRow, maxPerOwner: number): Promise<boolean> {
    return this.run('create', () =>
      this.db.transaction(() => {
        const n = this.db.prepare('SELECT COUNT(*) FROM relay_webhooks WHERE owner_did = ?').pluck().get(row.ownerDid) as number;
        if (n >= maxPerOwner) return false;
        this.db.prepare('INSERT INTO relay_webhooks (id, owner_did, url, chain_id, record_type, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(row.id, row.ownerDid, row.url, row.chainId, row.recordType, row.createdAt);
        return true;
      }).immediate(),
    );
  }

  async get(id: string): Promise<WebhookRow | undefined> {
    const r = this.run('get', () => this.db.prepare('SELECT * FROM relay_webhooks WHERE id = ?').get(id));
    return r === undefined ? undefined : webhookFromDb(r as Record<string, unknown>);
  }

  async list(ownerDid: string): Promise<WebhookRow[]> {
    return (this.run('list', () => this.db.prepare('SELECT * FROM relay_webhooks WHERE owner_did = ? ORDER BY created_at, id').all(ownerDid)) as Record<string, unknown>[]).map(webhookFromDb);
  }

  async delete(id: string, ownerDid: string): Promise<boolean> {
    return this.run('delete', () =>
      this.db.transaction(() => {
        const r = this.db.prepare('DELETE FROM relay_webhooks WHERE id = ? AND owner_did = ?').run(id, ownerDid);
        // Explicit as well as ON DELETE CASCADE: the cascade needs `foreign_keys = ON` on this connection.
        if (r.changes === 1) this.db.prepare('DELETE FROM relay_webhook_deliveries WHERE webhook_id = ?').run(id);
        return r.changes === 1;
      }).immediate(),
    );
  }

  async deliveries(webhookId: string, limit: number): Promise<DeliveryRow[]> {
    return (this.run('deliveries', () => this.db.prepare('SELECT * FROM relay_webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?').all(webhookId, limit)) as Record<string, unknown>[])
      .map(deliveryFromDb);
  }

  async claim(owner: string, limit: number, now: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = this.run('claim', () =>
      this.db.transaction(() => {
        const ids = this.db.prepare(`UPDATE relay_webhook_deliveries SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?, updated_at = ?
          WHERE id IN (SELECT id FROM relay_webhook_deliveries
                       WHERE (state IN ('queued', 'failed') AND next_run_at <= ?) OR (state = 'running' AND lease_until <= ?)
                       ORDER BY next_run_at, id LIMIT ?)
          RETURNING id`).pluck().all(owner, now + leaseMs, now, now, now, limit) as number[];
        const get = this.db.prepare('SELECT d.*, w.url, w.owner_did FROM relay_webhook_deliveries d JOIN relay_webhooks w ON w.id = d.webhook_id WHERE d.id = ?');
        return ids.map((id) => get.get(id)).filter((r) => r !== undefined);
      }).immediate(),
    ) as Record<string, unknown>[];
    return rows.map(claimedFromDb).sort((a, b) => a.seq - b.seq);
  }

  async finish(outcomes: readonly DeliveryOutcome[], owner: string, now: number, maxAttempts: number): Promise<void> {
    if (outcomes.length === 0) return;
    this.run('finish', () =>
      this.db.transaction(() => {
        // A delivery that reached the receiver is delivered whoever holds the lease now (receivers dedupe by deliveryId).
        const ok = this.db.prepare(`UPDATE relay_webhook_deliveries SET state = 'delivered', last_status = ?, last_error = NULL, last_error_detail = NULL,
          delivered_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND state <> 'delivered'`);
        const failed = this.db.prepare(`UPDATE relay_webhook_deliveries SET state = CASE WHEN attempts >= ? OR ? = 1 THEN 'dead' ELSE 'failed' END,
          next_run_at = ?, last_error = ?, last_status = ?, last_error_detail = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
          WHERE id = ? AND state = 'running' AND lease_owner = ?`);
        for (const o of outcomes) {
          if (o.kind === 'delivered') ok.run(o.status, now, now, o.seq);
          else failed.run(maxAttempts, o.permanent ? 1 : 0, o.retryAt, o.code, o.status, o.detail.slice(0, 2000), now, o.seq, owner);
        }
      }).immediate(),
    );
  }
}
