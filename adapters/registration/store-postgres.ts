/**
 * PostgreSQL registration store (`pg` Pool) in the ledger's schema (`search_path`). Multi-row changes run in one
 * transaction that first locks the chain's rows (`SELECT … FOR UPDATE`), so concurrent hub replicas serialise per chain.
 */
import type pg from 'pg';
import { PgDatabase, type PgConnectOptions } from '../../src/store/postgres.js';
import type { MigrationSet } from '../../src/store/migrations.js';
import type { ApprovalRecord, RegistrationRecord, RegistrationStatus } from './types.js';
import {
  REGISTRATION_COLUMNS, REGISTRATION_SCHEMA_VERSION, approvalFromRow, recordFromRow, recordValues, registrationMigrations,
  type ApprovalRow, type InsertOutcome, type RegistrationRow, type RegistrationStore,
} from './store.js';

/** Registration migrations, serialised across processes by their own advisory lock ("cbrg"). */
const MIGRATIONS: MigrationSet = { versionTable: 'registration_schema_version', version: REGISTRATION_SCHEMA_VERSION, migrations: registrationMigrations('BIGINT'), lockId: 0x63627267 };

/** Connect and migrate the registration tables in `schema` (created when `createSchema`, for tests). */
export async function openPostgresRegistrationStore(url: string, opts: PgConnectOptions = {}): Promise<PostgresRegistrationStore> {
  return new PostgresRegistrationStore(await PgDatabase.open(url, MIGRATIONS, { max: 2, ...opts }));
}

/** The PostgreSQL `RegistrationStore`. */
export class PostgresRegistrationStore implements RegistrationStore {
  readonly kind = 'postgres' as const;

  /** Wrap a database whose connections use the ledger schema. */
  constructor(private readonly db: PgDatabase) {}

  /** One query; failures become STORE_UNAVAILABLE without credentials. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = [], client?: pg.PoolClient): Promise<pg.QueryResult<R>> {
    return this.db.query<R>(sql, params, client);
  }

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.db.tx(fn);
  }

  /** Apply missing migrations under an advisory lock. */
  async migrate(): Promise<void> {
    await this.db.migrate(MIGRATIONS);
  }

  async schemaVersion(): Promise<number> {
    return this.db.schemaVersion(MIGRATIONS.versionTable);
  }

  async insert(rec: RegistrationRecord): Promise<InsertOutcome> {
    return this.tx(async (c): Promise<InsertOutcome> => {
      // Serialise writers of one chain (also when it has no row yet) for the rest of the transaction.
      await this.query('SELECT pg_advisory_xact_lock(hashtext($1))', [rec.chainId], c);
      const r = await this.query<{ v: string }>('SELECT COALESCE(MAX(version), 0) AS v FROM registrations WHERE chain_id = $1', [rec.chainId], c);
      const current = Number(r.rows[0]?.v ?? 0);
      if (current >= rec.version) return { ok: false, current };
      await this.query("UPDATE registrations SET status = 'superseded' WHERE chain_id = $1 AND status = 'pending'", [rec.chainId], c);
      const params = REGISTRATION_COLUMNS.split(',').map((_, i) => `$${i + 1}`).join(', ');
      await this.query(`INSERT INTO registrations (${REGISTRATION_COLUMNS}) VALUES (${params})`, recordValues(rec), c);
      return { ok: true };
    });
  }

  async get(chainId: string, version: number): Promise<RegistrationRecord | undefined> {
    const r = await this.query<RegistrationRow>(`SELECT ${REGISTRATION_COLUMNS} FROM registrations WHERE chain_id = $1 AND version = $2`, [chainId, version]);
    return r.rows[0] && recordFromRow(r.rows[0]);
  }

  async versions(chainId: string): Promise<RegistrationRecord[]> {
    const r = await this.query<RegistrationRow>(`SELECT ${REGISTRATION_COLUMNS} FROM registrations WHERE chain_id = $1 ORDER BY version`, [chainId]);
    return r.rows.map(recordFromRow);
  }

  async list(status?: RegistrationStatus): Promise<RegistrationRecord[]> {
    const r = status === undefined
      ? await this.query<RegistrationRow>(`SELECT ${REGISTRATION_COLUMNS} FROM registrations ORDER BY chain_id COLLATE "C", version`)
      : await this.query<RegistrationRow>(`SELECT ${REGISTRATION_COLUMNS} FROM registrations WHERE status = $1 ORDER BY chain_id COLLATE "C", version`, [status]);
    return r.rows.map(recordFromRow);
  }

  async addApproval(a: ApprovalRecord): Promise<boolean> {
    const r = await this.query(`INSERT INTO registration_approvals (chain_id, version, admin, digest, jws, approved_at, ledger_index) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (chain_id, version, admin) DO NOTHING`, [a.chainId, a.version, a.admin, a.digest, a.jws, a.approvedAt, a.ledgerIndex]);
    return r.rowCount === 1;
  }

  async approvals(chainId: string, version: number): Promise<ApprovalRecord[]> {
    const r = await this.query<ApprovalRow>('SELECT chain_id, version, admin, digest, jws, approved_at, ledger_index FROM registration_approvals WHERE chain_id = $1 AND version = $2 ORDER BY ledger_index, admin COLLATE "C"', [chainId, version]);
    return r.rows.map(approvalFromRow);
  }

  async activate(chainId: string, version: number, at: number, ledgerIndex: number): Promise<boolean> {
    return this.tx(async (c) => {
      await this.query('SELECT pg_advisory_xact_lock(hashtext($1))', [chainId], c);
      const st = await this.query<{ status: string }>('SELECT status FROM registrations WHERE chain_id = $1 AND version = $2', [chainId, version], c);
      if (st.rows[0]?.status !== 'pending') return false;
      await this.query("UPDATE registrations SET status = 'superseded' WHERE chain_id = $1 AND status = 'active'", [chainId], c);
      await this.query("UPDATE registrations SET status = 'active', activated_at = $1, activation_index = $2 WHERE chain_id = $3 AND version = $4", [at, ledgerIndex, chainId, version], c);
      return true;
    });
  }

  async disable(chainId: string, upTo: number, at: number, ledgerIndex: number): Promise<number> {
    const r = await this.query("UPDATE registrations SET status = 'disabled', disabled_at = $1, disabled_index = $2 WHERE chain_id = $3 AND version <= $4 AND status IN ('pending', 'active')",
      [at, ledgerIndex, chainId, upTo]);
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.db.end();
  }
}
