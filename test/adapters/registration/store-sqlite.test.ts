import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openSqliteRegistrationStore } from '../../../adapters/registration/store-sqlite.js';
import { openStore } from '../../../src/ledger/store/open.js';
import { registrationStoreConformance } from './store-conformance.js';
import { tempDir } from './fixtures.js';

const tmp = tempDir('cb-regstore-');
let n = 0;
const paths = new WeakMap<object, string>();

describe('registration store conformance: SQLite', () => {
  afterAll(() => tmp.cleanup());
  registrationStoreConformance({
    fresh: async () => {
      const path = join(tmp.dir, `r${n++}.db`);
      const s = await openSqliteRegistrationStore(path);
      paths.set(s, path);
      return s;
    },
    reopen: async (s) => {
      const path = paths.get(s)!;
      const again = await openSqliteRegistrationStore(path);
      paths.set(again, path);
      return again;
    },
  });
});

describe('registration store: SQLite specifics', () => {
  it('lives in the ledger file beside the ledger tables, with its own schema version table', async () => {
    const path = join(tmp.dir, 'shared.db');
    const ledgerStore = await openStore({ kind: 'sqlite', path });
    const reg = await openSqliteRegistrationStore(path);
    const db = new Database(path, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]);
    expect(tables).toEqual(expect.arrayContaining(['leaves', 'schema_version', 'registrations', 'registration_approvals', 'registration_schema_version']));
    expect(await ledgerStore.schemaVersion()).toBe(3); // ledger v3: leaf_keys (v2), sequencer lease (v3)
    db.close();
    await reg.close();
    await ledgerStore.close();
  });

  it('refuses a database migrated by a newer build (STORE_SCHEMA_NEWER)', async () => {
    const path = join(tmp.dir, 'newer.db');
    (await openSqliteRegistrationStore(path)).close();
    const db = new Database(path);
    db.prepare('INSERT INTO registration_schema_version (version, applied_at) VALUES (99, ?)').run('x');
    db.close();
    await expect(openSqliteRegistrationStore(path)).rejects.toMatchObject({ code: 'STORE_SCHEMA_NEWER' });
  });

  it('an unopenable path is STORE_UNAVAILABLE', async () => {
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    await expect(openSqliteRegistrationStore(join(file, 'x.db'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
