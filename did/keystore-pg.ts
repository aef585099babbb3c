/**
 * PostgreSQL rows for `SealedKeyStore` (same `did_keys` table shape as SQLite, in a configurable schema), so several
 * API replicas share the hub's DID keys. Private keys are stored sealed exactly as in SQLite; the salt for deriving
 * the master key from the configured passphrase lives in `did_keys_meta`.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { fail } from '../src/errors.js';
import { redactUrl } from '../src/config.js';
import type { KeyRow, KeyRows } from './keystore.js';

const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** `did_keys` rows in PostgreSQL. */
export class PgKeyRows implements KeyRows {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly t: string,
    private readonly meta: string,
  ) {}

  /** Connect and create the tables in `schema` when missing. */
  static async open(url: string, schema = 'public'): Promise<PgKeyRows> {
    if (!SCHEMA_RE.test(schema)) fail('CONFIG_INVALID', { field: 'schema', reason: 'an SQL identifier' });
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const rows = new PgKeyRows(pool, `"${schema}".did_keys`, `"${schema}".did_keys_meta`);
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${rows.t} (kid TEXT PRIMARY KEY, alg TEXT NOT NULL, public_key BYTEA NOT NULL, sealed_private TEXT NOT NULL, created_at BIGINT NOT NULL)`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${rows.meta} (k TEXT PRIMARY KEY, v BYTEA NOT NULL)`);
    } catch (e) {
      await pool.end().catch(() => undefined);
      return fail('STORE_UNAVAILABLE', { reason: `PostgreSQL at ${redactUrl(url)}: ${(e as Error).message}` }, e);
    }
    return rows;
  }

  /** Insert unless the kid exists. */
  async insert(row: KeyRow): Promise<boolean> {
    const r = await this.q(`INSERT INTO ${this.t} (kid, alg, public_key, sealed_private, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kid) DO NOTHING`, [row.kid, row.alg, Buffer.from(row.publicKey), row.sealed, row.createdAt]);
    return r.rowCount === 1;
  }

  /** Row by kid. */
  async get(kid: string): Promise<KeyRow | undefined> {
    const r = await this.q(`SELECT kid, alg, public_key, sealed_private, created_at FROM ${this.t} WHERE kid = $1`, [kid]);
    return r.rows[0] && fromDb(r.rows[0]);
  }

  /** All rows by kid. */
  async list(): Promise<KeyRow[]> {
    return (await this.q(`SELECT kid, alg, public_key, sealed_private, created_at FROM ${this.t} ORDER BY kid`, [])).rows.map(fromDb);
  }

  /** The scrypt salt of this store (created once). */
  async kdfSalt(): Promise<Uint8Array> {
    await this.q(`INSERT INTO ${this.meta} (k, v) VALUES ('kdf_salt', $1) ON CONFLICT (k) DO NOTHING`, [randomBytes(16)]);
    return new Uint8Array((await this.q(`SELECT v FROM ${this.meta} WHERE k = 'kdf_salt'`, [])).rows[0].v);
  }

  /** Close the pool. */
  async close(): Promise<void> {
    await this.pool.end();
  }

  private async q(sql: string, params: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(sql, params);
    } catch (e) {
      return fail('STORE_UNAVAILABLE', { reason: (e as { code?: string }).code ?? 'query failed' }, e);
    }
  }
}

function fromDb(r: { kid: string; alg: string; public_key: Buffer; sealed_private: string; created_at: string | number }): KeyRow {
  return { kid: r.kid, alg: r.alg, publicKey: new Uint8Array(r.public_key), sealed: r.sealed_private, createdAt: Number(r.created_at) };
}
