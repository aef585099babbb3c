/**
 * The store conformance suite against PostgreSQL (`COURTBRIDGE_TEST_PG`, e.g. postgres://postgres@127.0.0.1:5432/test).
 * Each store gets its own schema, created here and dropped afterwards. Without the variable the suite is skipped.
 */
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { openPostgresStore } from '../../src/ledger/store/postgres.js';
import { nodeHome } from '../../src/ledger/store/types.js';
import { storeConformance } from './store-conformance.js';

const PG = process.env.COURTBRIDGE_TEST_PG;
const run = `cbtest_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
let current = '';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const inSchema = (sql: string, params: unknown[]) => admin(async (c) => {
  await c.query(`SET search_path = ${current}`);
  await c.query(sql, params);
});

describe.skipIf(!PG)(`store conformance: PostgreSQL${PG ? ' (own schema per store)' : ' — skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)'}`, () => {
  afterAll(async () => {
    if (schemas.length > 0) await admin(async (c) => { for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`); });
  });
  storeConformance({
    fresh: async () => {
      current = `${run}_${schemas.length}`;
      schemas.push(current);
      return openPostgresStore(PG!, { schema: current, createSchema: true });
    },
    reopen: async () => openPostgresStore(PG!, { schema: current }),
    tamper: {
      leafData: (_s, index, data) => inSchema('UPDATE leaves SET data = $1 WHERE idx = $2', [Buffer.from(data), index]),
      nodeHash: (_s, level, index, hash) => {
        // Nodes live in the row of the leaf whose append completed them (types.ts nodeHome): overlay 32 bytes.
        const { leaf, offset } = nodeHome(level, index);
        return inSchema('UPDATE leaves SET nodes = overlay(nodes placing $1 from $2) WHERE idx = $3', [Buffer.from(hash), offset + 1, leaf]);
      },
      checkpointNote: (_s, size, note) => inSchema('UPDATE checkpoints SET note = $1 WHERE tree_size = $2', [note, size]),
    },
  }, { proofSizes: 24 });
});
