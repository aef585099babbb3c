/**
 * The registration store conformance suite on PostgreSQL (`COURTBRIDGE_TEST_PG`, e.g.
 * postgres://postgres@127.0.0.1:5432/test): one schema per store, created here and dropped afterwards.
 */
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { openPostgresRegistrationStore } from '../../../adapters/registration/store-postgres.js';
import { registrationStoreConformance } from './store-conformance.js';

const PG = process.env.COURTBRIDGE_TEST_PG;
const run = `cbreg_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
const schemaOf = new WeakMap<object, string>();

describe.skipIf(!PG)(`registration store conformance: PostgreSQL${PG ? ' (own schema per store)' : ' — skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)'}`, () => {
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    try {
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    } finally {
      await c.end();
    }
  });
  registrationStoreConformance({
    fresh: async () => {
      const schema = `${run}_${schemas.length}`;
      schemas.push(schema);
      const s = await openPostgresRegistrationStore(PG!, { schema, createSchema: true });
      schemaOf.set(s, schema);
      return s;
    },
    reopen: async (s) => {
      const schema = schemaOf.get(s)!;
      const again = await openPostgresRegistrationStore(PG!, { schema });
      schemaOf.set(again, schema);
      return again;
    },
  });
});
