/**
 * PostgreSQL plumbing shared by every production store: a `pg` pool bound to one schema (`search_path`), queries and
 * transactions whose failures become STORE_UNAVAILABLE without the URL's credentials, and migrations serialised
 * across processes by an advisory lock.
 */
import pg from 'pg';
import { asCourtBridgeError, fail } from '../errors.js';
import { redactUrl } from '../config.js';
import { checkVersionTable, type MigrationSet } from './migrations.js';

const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Options for connecting. */
export interface PgConnectOptions {
  /** Schema holding the tables (must exist unless `createSchema`). Default `public`. */
  schema?: string;
  /** Create the schema if missing (tests). */
  createSchema?: boolean;
  /** Pool size. Default 4. */
  max?: number;
  /**
   * Server-side `idle_in_transaction_session_timeout`, ms. Default 10 000. A process cut off from the database in
   * the middle of a transaction would otherwise hold its row locks (the ledger head) until TCP keepalive notices;
   * every transaction of CourtBridge is a few back-to-back statements, so 10 s idle inside one means the client is gone.
   */
  idleInTransactionMs?: number;
}

/** A pool bound to one schema. */
export class PgDatabase {
  /** Where the database is, credentials removed (safe to print). */
  readonly location: string;
  readonly pool: pg.Pool;

  private constructor(pool: pg.Pool, location: string) {
    this.pool = pool;
    this.location = location;
  }

  /** Create the pool (and the schema when `createSchema`); nothing is connected until the first query. */
  static async connect(url: string, opts: PgConnectOptions = {}): Promise<PgDatabase> {
    const schema = opts.schema ?? 'public';
    if (!SCHEMA_RE.test(schema)) fail('CONFIG_INVALID', { field: 'schema', reason: 'must be an SQL identifier' });
    const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 4, options: `-c search_path=${schema} -c idle_in_transaction_session_timeout=${Math.max(0, Math.floor(opts.idleInTransactionMs ?? 10_000))}` });
    pool.on('error', () => { /* idle client errors surface on the next query */ });
    const db = new PgDatabase(pool, `${redactUrl(url)} (schema ${schema})`);
    if (opts.createSchema) {
      try {
        await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } catch (e) {
        await db.end();
        throw e;
      }
    }
    return db;
  }

  /** Connect (as `connect`) and apply the missing migrations of `set`; the pool is closed if migrating fails. */
  static async open(url: string, set: MigrationSet, opts: PgConnectOptions = {}): Promise<PgDatabase> {
    const db = await PgDatabase.connect(url, opts);
    try {
      await db.migrate(set);
    } catch (e) {
      await db.end();
      throw e;
    }
    return db;
  }

  /** Run one query, wrapping failures as STORE_UNAVAILABLE without the URL's credentials. */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = [], client?: pg.PoolClient): Promise<pg.QueryResult<R>> {
    try {
      return await (client ?? this.pool).query<R>(sql, params);
    } catch (e) {
      throw asCourtBridgeError(e, 'STORE_UNAVAILABLE', { reason: `${this.location}: ${(e as Error).message}` });
    }
  }

  /** Run `fn` in a transaction on one client; rolled back if it throws. */
  async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw asCourtBridgeError(e, 'STORE_UNAVAILABLE', { reason: `${this.location}: ${(e as Error).message}` });
    }
    try {
      await this.query('BEGIN', [], client);
      const r = await fn(client);
      await this.query('COMMIT', [], client);
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Apply the missing migrations of `set` in one transaction under its advisory lock. */
  async migrate(set: MigrationSet): Promise<void> {
    const t = checkVersionTable(set.versionTable);
    await this.tx(async (c) => {
      await this.query('SELECT pg_advisory_xact_lock($1)', [set.lockId], c);
      await this.query(`CREATE TABLE IF NOT EXISTS ${t} (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`, [], c);
      const r = await this.query<{ v: number }>(`SELECT COALESCE(MAX(version), 0) AS v FROM ${t}`, [], c);
      const current = Number(r.rows[0]?.v ?? 0);
      if (current > set.version) fail('STORE_SCHEMA_NEWER', { found: current, supported: set.version });
      for (const m of set.migrations) {
        if (m.version <= current || m.version > set.version) continue;
        for (const sql of m.statements) await this.query(sql, [], c);
        await this.query(`INSERT INTO ${t} (version, applied_at) VALUES ($1, $2)`, [m.version, new Date().toISOString()], c);
      }
      for (const sql of set.after ?? []) await this.query(sql, [], c);
    });
  }

  /** The version recorded in `versionTable` (0 when none). */
  async schemaVersion(versionTable: string): Promise<number> {
    const t = checkVersionTable(versionTable);
    const r = await this.query<{ v: number }>(`SELECT COALESCE(MAX(version), 0) AS v FROM ${t}`);
    return Number(r.rows[0]?.v ?? 0);
  }

  /** Close the pool. */
  async end(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
