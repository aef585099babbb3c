/**
 * The RelayStore conformance suite on both backends: a real SQLite file (the ledger's own handle) and PostgreSQL
 * (`COURTBRIDGE_TEST_PG`, a schema per store, dropped afterwards; skipped without the variable).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore, SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import { migrateSqlite, sqliteSchemaVersion } from '../../src/store/sqlite.js';
import { RELAY_SCHEMA_VERSION, RELAY_SQLITE_MIGRATIONS } from '../../relay/jobs/schema.js';
import { openPostgresStore } from '../../src/ledger/store/postgres.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import { relayStoreConformance } from './store-conformance.js';
import { pgSchemas, TEST_PG as PG } from '../helpers/pg.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-relay-store-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

relayStoreConformance('SQLite file', async () => {
  const ledgerStore = await openSqliteStore(join(dir, `s${n++}.db`));
  return { store: await openRelayStore(ledgerStore), close: () => ledgerStore.close() };
});

it('a relay database at schema v1 is upgraded to the newest version (v2 relay_evidence, v3 webhooks) on open, keeping its rows (SQLite file)', async () => {
  const ledgerStore = await openSqliteStore(join(dir, 'v1.db'));
  try {
    const db = (ledgerStore as SqliteLedgerStore).database;
    migrateSqlite(db, { versionTable: 'relay_schema_version', version: 1, migrations: RELAY_SQLITE_MIGRATIONS.slice(0, 1), lockId: 0 });
    db.prepare(`INSERT INTO relay_attestations (attestation_id, job_id, ledger_index, leaf_hash, tree_size, created_at) VALUES ('0x01', NULL, 0, 'ab', 1, 1)`).run();
    expect(sqliteSchemaVersion(db, 'relay_schema_version')).toBe(1);
    const store = await openRelayStore(ledgerStore);
    expect(sqliteSchemaVersion(db, 'relay_schema_version')).toBe(RELAY_SCHEMA_VERSION);
    expect((await store.receipt('0x01'))?.ledgerIndex).toBe(0);
    expect(await store.evidence('0x01')).toBeUndefined();
    await store.putEvidence([{ attestationId: '0x01', evidence: '{}', evidenceDigest: '0x00', createdAt: 1 }]);
    expect((await store.evidence('0x01'))?.evidence).toBe('{}');
  } finally {
    await ledgerStore.close();
  }
});

const schemas = pgSchemas('cbrelay');

describe.skipIf(!PG)(PG ? 'PostgreSQL (own schema per store)' : 'skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)', () => {
  afterAll(() => schemas.drop());
  relayStoreConformance('PostgreSQL', async () => {
    const schema = schemas.next();
    const ledgerStore = await openPostgresStore(PG!, { schema, createSchema: true });
    return { store: await openRelayStore(ledgerStore), close: () => ledgerStore.close() };
  });
});
