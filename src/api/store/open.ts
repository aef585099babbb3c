/** The API store of a ledger store: same database, same connection (SQLite handle / PostgreSQL pool and schema). */
import { fail } from '../../errors.js';
import type { LedgerStore } from '../../ledger/store/types.js';
import { SqliteLedgerStore } from '../../ledger/store/sqlite.js';
import type { ApiStore } from './types.js';
import { SqliteApiStore } from './sqlite.js';

/** Open (and migrate) the API tables beside the ledger in `ledgerStore`. */
export async function openApiStore(ledgerStore: LedgerStore): Promise<ApiStore> {
  let store: ApiStore;
  if (ledgerStore instanceof SqliteLedgerStore) {
    store = new SqliteApiStore(ledgerStore.database);
  } else if (ledgerStore.kind === 'postgres') {
    const { PostgresLedgerStore } = await import('../../ledger/store/postgres.js');
    if (!(ledgerStore instanceof PostgresLedgerStore)) return fail('CONFIG_INVALID', { field: 'store', reason: 'unknown PostgreSQL store implementation' });
    const { PostgresApiStore } = await import('./postgres.js');
    store = new PostgresApiStore(ledgerStore);
  } else {
    return fail('CONFIG_INVALID', { field: 'store', reason: `no API store for ${ledgerStore.kind}` });
  }
  await store.migrate();
  return store;
}
