/**
 * Versioned schema migrations, shared by every store (ledger, relay, registrations, API) on both backends. Each
 * component keeps its own version table, so components upgrade independently inside one database.
 */

/** One migration: its version and the statements that bring the schema from version-1 to version. */
export interface Migration {
  readonly version: number;
  readonly statements: readonly string[];
}

/** A component's migrations. */
export interface MigrationSet {
  /** Table recording the applied versions, e.g. `schema_version` or `relay_schema_version`. */
  readonly versionTable: string;
  /** Newest version this build knows; a database ahead of it is refused with STORE_SCHEMA_NEWER. */
  readonly version: number;
  readonly migrations: readonly Migration[];
  /** PostgreSQL advisory-lock key serialising this component's migrations across processes. */
  readonly lockId: number;
  /** Statements run after the migrations in the same transaction (idempotent seeds). */
  readonly after?: readonly string[];
}

const TABLE_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Check a version-table name before it is interpolated into SQL. */
export function checkVersionTable(name: string): string {
  if (!TABLE_RE.test(name)) throw new TypeError(`version table ${name} is not a plain identifier`);
  return name;
}
