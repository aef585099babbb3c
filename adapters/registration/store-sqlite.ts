/**
 * SQLite registration store (better-sqlite3 12) on the ledger's database file: its own connection, WAL,
 * `synchronous=FULL`, `busy_timeout`; multi-row changes in `BEGIN IMMEDIATE` transactions.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { asCourtBridgeError, fail } from '../../src/errors.js';
import type { ApprovalRecord, RegistrationRecord, RegistrationStatus } from './types.js';
import {
  REGISTRATION_COLUMNS, REGISTRATION_SCHEMA_VERSION, approvalFromRow, recordFromRow, recordValues, registrationMigrations,
  type ApprovalRow, type InsertOutcome, type RegistrationRow, type RegistrationStore,
} from './store.js';

/** Open (creating if needed) and migrate the registration tables in the SQLite file `path`. */
export async function openSqliteRegistrationStore(path: string, busyTimeoutMs = 5000): Promise<SqliteRegistrationStore> {
  let db: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('foreign_keys = ON');
  } catch (e) {
    throw asCourtBridgeError(e, 'STORE_UNAVAILABLE', { reason: `cannot open SQLite file ${path}: ${(e as Error).message}` });
  }
  const store = new SqliteRegistrationStore(db);
  store.migrate();
  return store;
}

/** The SQLite `RegistrationStore`. */
export class SqliteRegistrationStore implements RegistrationStore {
  readonly kind = 'sqlite' as const;

  /** Wrap an open database (use `openSqliteRegistrationStore`). */
  constructor(private readonly db: Database.Database) {}

  private run<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw asCourtBridgeError(e, 'STORE_UNAVAILABLE', { reason: `registrations ${what}: ${(e as Error).message}` });
    }
  }

  /** Apply missing migrations (STORE_SCHEMA_NEWER when the file is ahead of this build). */
  migrate(): void {
    this.run('migrate', () => {
      this.db.exec('CREATE TABLE IF NOT EXISTS registration_schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      this.db.transaction(() => {
        const current = this.db.prepare('SELECT COALESCE(MAX(version), 0) FROM registration_schema_version').pluck().get() as number;
        if (current > REGISTRATION_SCHEMA_VERSION) fail('STORE_SCHEMA_NEWER', { found: current, supported: REGISTRATION_SCHEMA_VERSION });
        for (const m of registrationMigrations('INTEGER')) {
          if (m.version <= current) continue;
          for (const sql of m.statements) this.db.exec(sql);
          this.db.prepare('INSERT INTO registration_schema_version (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
        }
      }).immediate();
    });
  }

  async schemaVersion(): Promise<number> {
    return this.run('schemaVersion', () => this.db.prepare('SELECT COALESCE(MAX(version), 0) FROM registration_schema_version').pluck().get() as number);
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
