/**
 * SQLite plumbing shared by every embedded store: one way to open a file (WAL, `synchronous=FULL` so a commit is
 * durable before it returns, `busy_timeout`, foreign keys), one way to migrate, one way to turn driver failures into
 * STORE_UNAVAILABLE.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { asCourtBridgeError, fail } from '../errors.js';
import { checkVersionTable, type MigrationSet } from './migrations.js';

/** An open better-sqlite3 handle. */
export type SqliteDb = Database.Database;

/** Open (creating the file and its directory if needed) a SQLite database with the durability pragmas. */
export function openSqliteDatabase(path: string, busyTimeoutMs = 5000): SqliteDb {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (e) {
    throw asCourtBridgeError(e, 'STORE_UNAVAILABLE', { reason: `cannot open SQLite file ${path}: ${(e as Error).message}` });
  }
}

/** Run `fn`, turning a driver failure into STORE_UNAVAILABLE (coded errors pass through). */
export function sqliteGuard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asCourtBridgeError(e, 'STORE_UNAVAILABLE', { reason: `${what}: ${(e as Error).message}` });
  }
}

/** The version recorded in `versionTable` (0 when none). */
export function sqliteSchemaVersion(db: SqliteDb, versionTable: string): number {
  const t = checkVersionTable(versionTable);
  return sqliteGuard('schema version', () => {
    return (db.prepare(`SELECT COALESCE(MAX(version), 0) FROM ${t}`).pluck().get() as number) ?? 0;
  });
}

/** Apply the missing migrations of `set` in one `BEGIN IMMEDIATE` transaction (safe across processes). */
export function migrateSqlite(db: SqliteDb, set: MigrationSet): void {
  const t = checkVersionTable(set.versionTable);
  sqliteGuard('migrate', () => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${t} (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`);
    db.transaction(() => {
      const current = (db.prepare(`SELECT COALESCE(MAX(version), 0) FROM ${t}`).pluck().get() as number) ?? 0;
      if (current > set.version) fail('STORE_SCHEMA_NEWER', { found: current, supported: set.version });
      for (const m of set.migrations) {
        if (m.version <= current || m.version > set.version) continue;
        for (const sql of m.statements) db.exec(sql);
        db.prepare(`INSERT INTO ${t} (version, applied_at) VALUES (?, ?)`).run(m.version, new Date().toISOString());
      }
      for (const sql of set.after ?? []) db.exec(sql);
    }).immediate();
  });
}

/** Open (as `openSqliteDatabase`) and apply the missing migrations of `set`; the handle is closed if migrating fails. */
export function openMigratedSqlite(path: string, set: MigrationSet, busyTimeoutMs = 5000): SqliteDb {
  const db = openSqliteDatabase(path, busyTimeoutMs);
  try {
    migrateSqlite(db, set);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
