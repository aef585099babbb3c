/**
 * SQLite registration store (better-sqlite3 12) on the ledger's database file: its own connection, WAL,
 * `synchronous=FULL`, `busy_timeout`; multi-row changes in `BEGIN IMMEDIATE` transactions.
 */
import type Database from 'better-sqlite3';
import { migrateSqlite, openMigratedSqlite, sqliteGuard, sqliteSchemaVersion } from '../../src/store/sqlite.js';
import type { MigrationSet } from '../../src/store/migrations.js';
import type { ApprovalRecord, RegistrationRecord, RegistrationStatus } from './types.js';
import {
  REGISTRATION_COLUMNS, REGISTRATION_SCHEMA_VERSION, approvalFromRow, recordFromRow, recordValues, registrationMigrations,
  type ApprovalRow, type InsertOutcome, type RegistrationRow, type RegistrationStore,
} from './store.js';

/** Registration migrations (own version table, so they upgrade independently of the ledger's). */
const MIGRATIONS: MigrationSet = { versionTable: 'registration_schema_version', version: REGISTRATION_SCHEMA_VERSION, migrations: registrationMigrations('INTEGER'), lockId: 0 };

/** Open (creating if needed) and migrate the registration tables in the SQLite file `path`. */
export async function openSqliteRegistrationStore(path: string, busyTimeoutMs = 5000): Promise<SqliteRegistrationStore> {
  return new SqliteRegistrationStore(openMigratedSqlite(path, MIGRATIONS, busyTimeoutMs));
}

/** The SQLite `RegistrationStore`. */
export class SqliteRegistrationStore implements RegistrationStore {
  readonly kind = 'sqlite' as const;

  /** Wrap an open database (use `openSqliteRegistrationStore`). */
  constructor(private readonly db: Database.Database) {}

  private run<T>(what: string, fn: () => T): T {
    return sqliteGuard(`registrations ${what}`, fn);
  }

  /** Apply missing migrations (STORE_SCHEMA_NEWER when the file is ahead of this build). */
  migrate(): void {
    migrateSqlite(this.db, MIGRATIONS);
  }

  async schemaVersion(): Promise<number> {
    return sqliteSchemaVersion(this.db, MIGRATIONS.versionTable);
  }

  async insert(rec: RegistrationRecord): Promise<InsertOutcome> {
    return this.run('insert', () =>
      this.db.transaction((): InsertOutcome => {
        const current = (this.db.prepare('SELECT COALESCE(MAX(version), 0) FROM registrations WHERE chain_id = ?').pluck().get(rec.chainId) as number) ?? 0;
        if (current >= rec.version) return { ok: false, current };
        this.db.prepare("UPDATE registrations SET status = 'superseded' WHERE chain_id = ? AND status = 'pending'").run(rec.chainId);
        this.db.prepare(`INSERT INTO registrations (${REGISTRATION_COLUMNS}) VALUES (${REGISTRATION_COLUMNS.split(',').map(() => '?').join(', ')})`).run(recordValues(rec));
        return { ok: true };
      }).immediate(),
    );
  }

  async get(chainId: string, version: number): Promise<RegistrationRecord | undefined> {
    const r = this.run('get', () => this.db.prepare(`SELECT ${REGISTRATION_COLUMNS} FROM registrations WHERE chain_id = ? AND version = ?`).get(chainId, version)) as RegistrationRow | undefined;
    return r && recordFromRow(r);
  }

  async versions(chainId: string): Promise<RegistrationRecord[]> {
    const rows = this.run('versions', () => this.db.prepare(`SELECT ${REGISTRATION_COLUMNS} FROM registrations WHERE chain_id = ? ORDER BY version`).all(chainId)) as RegistrationRow[];
    return rows.map(recordFromRow);
  }

  async list(status?: RegistrationStatus): Promise<RegistrationRecord[]> {
    const rows = this.run('list', () =>
      status === undefined
        ? this.db.prepare(`SELECT ${REGISTRATION_COLUMNS} FROM registrations ORDER BY chain_id, version`).all()
        : this.db.prepare(`SELECT ${REGISTRATION_COLUMNS} FROM registrations WHERE status = ? ORDER BY chain_id, version`).all(status),
    ) as RegistrationRow[];
    return rows.map(recordFromRow);
  }

  async addApproval(a: ApprovalRecord): Promise<boolean> {
    const r = this.run('addApproval', () =>
      this.db.prepare(`INSERT INTO registration_approvals (chain_id, version, admin, digest, jws, approved_at, ledger_index) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (chain_id, version, admin) DO NOTHING`).run(a.chainId, a.version, a.admin, a.digest, a.jws, a.approvedAt, a.ledgerIndex));
    return r.changes === 1;
  }

  async approvals(chainId: string, version: number): Promise<ApprovalRecord[]> {
    const rows = this.run('approvals', () =>
      this.db.prepare('SELECT chain_id, version, admin, digest, jws, approved_at, ledger_index FROM registration_approvals WHERE chain_id = ? AND version = ? ORDER BY ledger_index, admin').all(chainId, version)) as ApprovalRow[];
    return rows.map(approvalFromRow);
  }

  async activate(chainId: string, version: number, at: number, ledgerIndex: number): Promise<boolean> {
    return this.run('activate', () =>
      this.db.transaction((): boolean => {
        const st = this.db.prepare('SELECT status FROM registrations WHERE chain_id = ? AND version = ?').pluck().get(chainId, version);
        if (st !== 'pending') return false;
        this.db.prepare("UPDATE registrations SET status = 'superseded' WHERE chain_id = ? AND status = 'active'").run(chainId);
        this.db.prepare("UPDATE registrations SET status = 'active', activated_at = ?, activation_index = ? WHERE chain_id = ? AND version = ?").run(at, ledgerIndex, chainId, version);
        return true;
      }).immediate(),
    );
  }

  async disable(chainId: string, upTo: number, at: number, ledgerIndex: number): Promise<number> {
    return this.run('disable', () =>
      this.db.prepare("UPDATE registrations SET status = 'disabled', disabled_at = ?, disabled_index = ? WHERE chain_id = ? AND version <= ? AND status IN ('pending', 'active')")
        .run(at, ledgerIndex, chainId, upTo).changes);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
