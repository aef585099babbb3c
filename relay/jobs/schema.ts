/**
 * Versioned migrations of the relay tables, one list per SQL dialect. They are recorded in their own
 * `relay_schema_version` table so that the ledger's `schema_version` (and its "newer than this build" check) is
 * untouched. Every statement is idempotent (`IF NOT EXISTS`), so concurrent migrators cannot collide.
 */

/** One migration: version and statements. */
export interface RelayMigration {
  readonly version: number;
  readonly statements: readonly string[];
}

/** Newest relay schema version. */
export const RELAY_SCHEMA_VERSION = 3;

const common = (int: string, blob: string, serial: string): string[] => [
  `CREATE TABLE IF NOT EXISTS relay_jobs (
     id ${serial},
     chain_id TEXT NOT NULL, record_type TEXT NOT NULL, record_key TEXT NOT NULL, block_height ${int} NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
     attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL,
     next_run_at ${int} NOT NULL, lease_owner TEXT, lease_until ${int},
     last_error TEXT, last_error_detail TEXT,
     attestation_id TEXT, issued_at TEXT, ledger_index ${int},
     created_at ${int} NOT NULL, updated_at ${int} NOT NULL,
     UNIQUE (chain_id, record_type, record_key, block_height))`,
  `CREATE INDEX IF NOT EXISTS relay_jobs_runnable ON relay_jobs (state, next_run_at)`,
  `CREATE TABLE IF NOT EXISTS relay_attestations (
     attestation_id TEXT PRIMARY KEY, job_id ${int}, ledger_index ${int} NOT NULL UNIQUE,
     leaf_hash TEXT NOT NULL, tree_size ${int} NOT NULL, created_at ${int} NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS relay_ledger_scan (id INTEGER PRIMARY KEY CHECK (id = 1), scanned_to ${int} NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS relay_trust_state (
     chain_id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL, updated_at ${int} NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS relay_subscriptions (
     id TEXT PRIMARY KEY, chain_id TEXT NOT NULL, record_type TEXT NOT NULL, cursor_json TEXT NOT NULL,
     enabled INTEGER NOT NULL, updated_at ${int} NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS relay_anchors (
     tree_size ${int} PRIMARY KEY, root_hash TEXT NOT NULL, note_hash TEXT NOT NULL, chain_id TEXT NOT NULL,
     contract TEXT NOT NULL, tx_hash TEXT NOT NULL, block_number ${int} NOT NULL, block_hash TEXT NOT NULL,
     receipt_proof ${blob} NOT NULL, created_at ${int} NOT NULL)`,
];

/**
 * v2: the raw SourceEvidence of every attestation (RFC 8785 text, written before the ledger append), so an evidence
 * bundle never depends on the partner chain still serving old blocks (DESIGN.md principle 1).
 */
const evidenceTable = (int: string): string[] => [
  `CREATE TABLE IF NOT EXISTS relay_evidence (
     attestation_id TEXT PRIMARY KEY, evidence TEXT NOT NULL, evidence_digest TEXT NOT NULL, created_at ${int} NOT NULL)`,
];

/**
 * v3: court webhooks and their delivery outbox (relay/webhooks/). The outbox lives in the relay's own tables because
 * `finish` writes its rows in the SAME transaction as the receipt (nothing acknowledged is lost, nothing is enqueued
 * twice: one row per (webhook, attestation)). Deleting a webhook deletes its deliveries (ON DELETE CASCADE).
 */
const webhookTables = (int: string, serial: string): string[] => [
  `CREATE TABLE IF NOT EXISTS relay_webhooks (
     id TEXT PRIMARY KEY, owner_did TEXT NOT NULL, url TEXT NOT NULL, chain_id TEXT NOT NULL, record_type TEXT NOT NULL,
     created_at ${int} NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS relay_webhooks_owner ON relay_webhooks (owner_did, created_at)`,
  `CREATE INDEX IF NOT EXISTS relay_webhooks_filter ON relay_webhooks (chain_id, record_type)`,
  `CREATE TABLE IF NOT EXISTS relay_webhook_deliveries (
     id ${serial},
     webhook_id TEXT NOT NULL REFERENCES relay_webhooks (id) ON DELETE CASCADE, attestation_id TEXT NOT NULL,
     ledger_index ${int} NOT NULL, tree_size ${int} NOT NULL,
     chain_id TEXT NOT NULL, record_type TEXT NOT NULL, record_key TEXT NOT NULL, block_height ${int} NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'failed', 'delivered', 'dead')),
     attempts INTEGER NOT NULL DEFAULT 0, next_run_at ${int} NOT NULL, lease_owner TEXT, lease_until ${int},
     last_error TEXT, last_status INTEGER, last_error_detail TEXT, delivered_at ${int},
     created_at ${int} NOT NULL, updated_at ${int} NOT NULL,
     UNIQUE (webhook_id, attestation_id))`,
  `CREATE INDEX IF NOT EXISTS relay_webhook_deliveries_runnable ON relay_webhook_deliveries (state, next_run_at)`,
  `CREATE INDEX IF NOT EXISTS relay_webhook_deliveries_by_webhook ON relay_webhook_deliveries (webhook_id, id)`,
];

/** SQLite migrations. */
export const RELAY_SQLITE_MIGRATIONS: readonly RelayMigration[] = [
  { version: 1, statements: common('INTEGER', 'TEXT', 'INTEGER PRIMARY KEY AUTOINCREMENT') },
  { version: 2, statements: evidenceTable('INTEGER') },
  { version: 3, statements: webhookTables('INTEGER', 'INTEGER PRIMARY KEY AUTOINCREMENT') },
];

/** PostgreSQL migrations (BIGINT times and indices). */
export const RELAY_POSTGRES_MIGRATIONS: readonly RelayMigration[] = [
  { version: 1, statements: common('BIGINT', 'TEXT', 'BIGSERIAL PRIMARY KEY') },
  { version: 2, statements: evidenceTable('BIGINT') },
  { version: 3, statements: webhookTables('BIGINT', 'BIGSERIAL PRIMARY KEY') },
];
