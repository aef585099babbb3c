/** The webhook store of a ledger store: same database, same connection as the relay tables (relay/jobs/open.ts). */
import { fail } from '../../src/errors.js';
import type { LedgerStore } from '../../src/ledger/store/types.js';
import { SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import { SqliteWebhookStore } from './sqlite.js';
import type { WebhookStore } from './types.js';

/** Open (and migrate) the webhook tables beside the ledger in `ledgerStore`. */
export async function openWebhookStore(ledgerStore: LedgerStore): Promise<WebhookStore> {
  let store: WebhookStore;
  if (ledgerStore instanceof SqliteLedgerStore) {
    store = new SqliteWebhookStore(ledgerStore.database);
  } else if (ledgerStore.kind === 'postgres') {
    const { PostgresLedgerStore } = await import('../../src/ledger/store/postgres.js');
    if (!(ledgerStore instanceof PostgresLedgerStore)) return fail('CONFIG_INVALID', { field: 'store', reason: 'unknown PostgreSQL store implementation' });
    const { PostgresWebhookStore } = await import('./postgres.js');
    store = new PostgresWebhookStore(ledgerStore);
  } else {
    return fail('CONFIG_INVALID', { field: 'store', reason: `no webhook store for ${ledgerStore.kind}` });
  }
  await store.migrate();
  return store;
}
