/** Test helper: per-run PostgreSQL schemas (`COURTBRIDGE_TEST_PG`), one per store, all dropped after the suite. */
import pg from 'pg';

/** The test database URL; suites that need it are `describe.skipIf(!TEST_PG)`. */
export const TEST_PG = process.env.COURTBRIDGE_TEST_PG;

/** Schema names `<prefix>_<pid>_<time>_<n>` unique to this run, and `drop()` for afterAll (a no-op when none were made). */
export function pgSchemas(prefix: string): { next(): string; drop(): Promise<void> } {
  const run = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const made: string[] = [];
  return {
    next: () => {
      const schema = `${run}_${made.length}`;
      made.push(schema);
      return schema;
    },
    drop: async () => {
      if (made.length === 0) return;
      const c = new pg.Client({ connectionString: TEST_PG });
      await c.connect();
      try {
        for (const s of made) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
