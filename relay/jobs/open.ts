/**
 * The relay store of a ledger store: same database, same connection (SQLite handle / PostgreSQL pool and schema).
 */
import { fail } from '../../src/errors.js';
import type { LedgerStore } from '../../src/ledger/store/types.js';
import { SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import type { RelayStore } from './types.js';
import { SqliteRelayStore } from './sqlite.js';

/** Open (and migrate) the relay tables beside the ledger in `ledgerStore`. */
export async function openRelayStore(ledgerStore: LedgerStore): Promise<RelayStore> {
  let store: RelayStore;
  if (ledgerStore instanceof SqliteLedgerStore) {
    store = new SqliteRelayStore(ledgerStore.database);
  } else if (ledgerStore.kind === 'postgres') {
    const { PostgresLedgerStore } = await import('../../src/ledger/store/postgres.js');
    if (!(ledgerStore instanceof PostgresLedgerStore)) return fail('CONFIG_INVALID', { field: 'store', reason: 'unknown PostgreSQL store implementation' });
    const { PostgresRelayStore } = await import('./postgres.js');
    store = new PostgresRelayStore(ledgerStore);
  } else {
    return fail('CONFIG_INVALID', { field: 'store', reason: `no relay store for ${ledgerStore.kind}` });
  }
  await store.migrate();
  return store;
}
