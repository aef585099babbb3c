/**
 * The registration store conformance suite on PostgreSQL (`COURTBRIDGE_TEST_PG`, e.g.
 * postgres://postgres@127.0.0.1:5432/test): one schema per store, created here and dropped afterwards.
 */
import { afterAll, describe } from 'vitest';
import { openPostgresRegistrationStore } from '../../../adapters/registration/store-postgres.js';
import { registrationStoreConformance } from './store-conformance.js';
import { pgSchemas, TEST_PG as PG } from '../../helpers/pg.js';

const schemas = pgSchemas('cbreg');
const schemaOf = new WeakMap<object, string>();

describe.skipIf(!PG)(`registration store conformance: PostgreSQL${PG ? ' (own schema per store)' : ' — skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)'}`, () => {
  afterAll(() => schemas.drop());
  registrationStoreConformance({
    fresh: async () => {
      const schema = schemas.next();
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
