/**
 * PostgreSQL `WebhookStore` over the ledger store's pool (same schema as the relay tables). Every write is ONE
 * statement; claims use `FOR UPDATE SKIP LOCKED`, so concurrent delivery workers never wait on or take each other's
 * rows.
 */
import type { PostgresLedgerStore } from '../../src/ledger/store/postgres.js';
import { PostgresRelayStore } from '../jobs/postgres.js';
import { claimedFromDb, deliveryFromDb, webhookFromDb } from './rows.js';
import type { ClaimedDelivery, DeliveryOutcome, DeliveryRow, WebhookRow, WebhookStore } from './types.js';

type Query = PostgresLedgerStore['query'];

/** The PostgreSQL webhook store. */
export class PostgresWebhookStore implements WebhookStore {
  readonly kind = 'postgres' as const;
  private readonly q: Query;

  /** Wrap the ledger store (its pool and schema are shared). */
  constructor(private readonly ledgerStore: PostgresLedgerStore) {
    this.q = ledgerStore.query.bind(ledgerStore) as Query;
  }

  async migrate(): Promise<void> {
    // The tables are relay schema v3: the relay store's migration set creates them.
    await new PostgresRelayStore(this.ledgerStore).migrate();
  }

  async create(row: WebhookRow, maxPerOwner: number): Promise<boolean> {
    // One statement; two concurrent registrations of one court may both pass the count (the bound is a guard, not a quota).
    const r = await this.q(`INSERT INTO relay_webhooks (id, owner_did, url, chain_id, record_type, created_at)
      SELECT $1, $2, $3, $4, $5, $6 WHERE (SELECT COUNT(*) FROM relay_webhooks WHERE owner_did = $2) < $7`,
    [row.id, row.ownerDid, row.url, row.chainId, row.recordType, row.createdAt, maxPerOwner]);
    return r.rowCount === 1;
  }

  async get(id: string): Promise<WebhookRow | undefined> {
    const r = await this.q('SELECT * FROM relay_webhooks WHERE id = $1', [id]);
    return r.rows[0] && webhookFromDb(r.rows[0]);
  }

  async list(ownerDid: string): Promise<WebhookRow[]> {
    return (await this.q('SELECT * FROM relay_webhooks WHERE owner_did = $1 ORDER BY created_at, id', [ownerDid])).rows.map(webhookFromDb);
  }

  async delete(id: string, ownerDid: string): Promise<boolean> {
    // Deliveries go by ON DELETE CASCADE (PostgreSQL always enforces foreign keys).
    const r = await this.q('DELETE FROM relay_webhooks WHERE id = $1 AND owner_did = $2', [id, ownerDid]);
    return r.rowCount === 1;
  }

  async deliveries(webhookId: string, limit: number): Promise<DeliveryRow[]> {
    return (await this.q('SELECT * FROM relay_webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2', [webhookId, limit])).rows.map(deliveryFromDb);
  }

  async claim(owner: string, limit: number, now: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const r = await this.q(`WITH c AS (
        UPDATE relay_webhook_deliveries SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_until = $2, updated_at = $3
        WHERE id IN (SELECT id FROM relay_webhook_deliveries
                     WHERE (state IN ('queued', 'failed') AND next_run_at <= $3) OR (state = 'running' AND lease_until <= $3)
                     ORDER BY next_run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING *)
      SELECT c.*, w.url, w.owner_did FROM c JOIN relay_webhooks w ON w.id = c.webhook_id`, [owner, now + leaseMs, now, limit]);
    return r.rows.map(claimedFromDb).sort((a, b) => a.seq - b.seq);
  }

  async finish(outcomes: readonly DeliveryOutcome[], owner: string, now: number, maxAttempts: number): Promise<void> {
    if (outcomes.length === 0) return;
    const ok = outcomes.filter((o): o is Extract<DeliveryOutcome, { kind: 'delivered' }> => o.kind === 'delivered');
    const failed = outcomes.filter((o): o is Extract<DeliveryOutcome, { kind: 'failed' }> => o.kind === 'failed');
    await this.q(`WITH d AS (
        UPDATE relay_webhook_deliveries x SET state = 'delivered', last_status = u.status, last_error = NULL, last_error_detail = NULL,
          delivered_at = $3, lease_owner = NULL, lease_until = NULL, updated_at = $3
        FROM unnest($1::bigint[], $2::int[]) AS u(id, status) WHERE x.id = u.id AND x.state <> 'delivered'),
      f AS (
        UPDATE relay_webhook_deliveries x SET state = CASE WHEN x.attempts >= $4 OR u.permanent THEN 'dead' ELSE 'failed' END, next_run_at = u.retry_at,
          last_error = u.code, last_status = u.status, last_error_detail = u.detail, lease_owner = NULL, lease_until = NULL, updated_at = $3
        FROM unnest($5::bigint[], $6::bigint[], $7::text[], $8::int[], $9::text[], $10::boolean[]) AS u(id, retry_at, code, status, detail, permanent)
        WHERE x.id = u.id AND x.state = 'running' AND x.lease_owner = $11)
      SELECT 1`,
    [ok.map((o) => o.seq), ok.map((o) => o.status), now, maxAttempts,
      failed.map((o) => o.seq), failed.map((o) => o.retryAt), failed.map((o) => o.code), failed.map((o) => o.status), failed.map((o) => o.detail.slice(0, 2000)),
      failed.map((o) => o.permanent), owner]);
  }
}
