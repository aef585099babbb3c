/**
 * The RelayStore conformance suite on both backends: a real SQLite file (the ledger's own handle) and PostgreSQL
 * (`COURTBRIDGE_TEST_PG`, a schema per store, dropped afterwards; skipped without the variable).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { openPostgresStore } from '../../src/ledger/store/postgres.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import { relayStoreConformance } from './store-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-relay-store-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

relayStoreConformance('SQLite file', async () => {
  const ledgerStore = await openSqliteStore(join(dir, `s${n++}.db`));
  return { store: await openRelayStore(ledgerStore), close: () => ledgerStore.close() };
});

const PG = process.env.COURTBRIDGE_TEST_PG;
const run = `cbrelay_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];

describe.skipIf(!PG)(PG ? 'PostgreSQL (own schema per store)' : 'skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)', () => {
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    try {
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    } finally {
      await c.end();
    }
  });
  relayStoreConformance('PostgreSQL', async () => {
    const schema = `${run}_${schemas.length}`;
    schemas.push(schema);
    const ledgerStore = await openPostgresStore(PG!, { schema, createSchema: true });
    return { store: await openRelayStore(ledgerStore), close: () => ledgerStore.close() };
  });
});
