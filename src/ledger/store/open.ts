/**
 * Open the configured ledger store: SQLite for a path, PostgreSQL for a `postgres://` URL. PostgreSQL is loaded
 * lazily so that the embedded default does not pay for the `pg` import.
 */
import type { StoreConfig } from '../../config.js';
import { fail } from '../../errors.js';
import type { LedgerStore } from './types.js';

/** Open (and migrate) the store described by `config`. */
export async function openStore(config: StoreConfig, opts: { createSchema?: boolean } = {}): Promise<LedgerStore> {
  switch (config.kind) {
    case 'sqlite': {
      const { openSqliteStore } = await import('./sqlite.js');
      return openSqliteStore(config.path);
    }
    case 'postgres': {
      const { openPostgresStore } = await import('./postgres.js');
      return openPostgresStore(config.url, { schema: config.schema, createSchema: opts.createSchema ?? false });
    }
    default: {
      const never: never = config;
      return fail('CONFIG_INVALID', { field: 'store', reason: `unknown kind ${String(never)}` });
    }
  }
}
