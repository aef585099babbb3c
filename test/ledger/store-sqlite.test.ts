/** The store conformance suite against the SQLite backend (a real file in a temp directory, WAL, synchronous=FULL). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { SQLITE_MIGRATIONS } from '../../src/ledger/store/schema.js';
import { migrateSqlite, openSqliteDatabase } from '../../src/store/sqlite.js';
import { openSqliteStore, type SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import { nodeHome, type LedgerStore } from '../../src/ledger/store/types.js';
import { TEST_MASTER_KEY, storeConformance } from './store-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-ledger-sqlite-'));
let n = 0;
let current = '';
const db = (s: LedgerStore) => (s as SqliteLedgerStore).database;

describe('store conformance: SQLite (temp file)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  storeConformance({
    fresh: async () => openSqliteStore((current = join(dir, `ledger-${n++}.db`))),
    reopen: async () => openSqliteStore(current),
    tamper: {
      leafData: async (s, index, data) => void db(s).prepare('UPDATE leaves SET data = ? WHERE idx = ?').run(data, index),
      nodeHash: async (s, level, index, hash) => {
        // Nodes live in the row of the leaf whose append completed them (types.ts nodeHome).
        const { leaf, offset } = nodeHome(level, index);
        const blob = Buffer.from(db(s).prepare('SELECT nodes FROM leaves WHERE idx = ?').pluck().get(leaf) as Buffer);
        blob.set(hash, offset);
        db(s).prepare('UPDATE leaves SET nodes = ? WHERE idx = ?').run(blob, leaf);
      },
      checkpointNote: async (s, size, note) => void db(s).prepare('UPDATE checkpoints SET note = ? WHERE tree_size = ?').run(note, size),
    },
  });
});

describe('ledger schema v2 on SQLite', () => {
  it('a v1 ledger file with leaves migrates to v2 (leaf_keys) and keeps its leaves; keyed appends work after', async () => {
    const path = join(dir, 'v1.db');
    {
      const store = await openSqliteStore(path);
      const ledger = await Ledger.init(store, { origin: 'court.test/v1', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
      await ledger.append({ old: 1 });
      await ledger.close();
      // Back to a v1 file: what a ledger written by the previous build looks like.
      const db = openSqliteDatabase(path);
      db.exec('DROP TABLE leaf_keys; DROP TABLE ledger_sequencer; DELETE FROM schema_version WHERE version >= 2;');
      db.close();
    }
    const check = openSqliteDatabase(path);
    migrateSqlite(check, { versionTable: 'schema_version', version: 1, migrations: SQLITE_MIGRATIONS, lockId: 0 });
    expect(check.prepare('SELECT MAX(version) FROM schema_version').pluck().get()).toBe(1);
    check.close();
    const store = await openSqliteStore(path);
    expect(await store.schemaVersion()).toBe(3);
    const ledger = await Ledger.open(store, { masterKey: TEST_MASTER_KEY });
    const a = await ledger.append({ new: 1 }, { key: 'k1' });
    const b = await ledger.append({ new: 2 }, { key: 'k1' });
    expect([a.index, b.index, b.existing]).toEqual([1, 1, true]);
    expect((await ledger.audit()).ok).toBe(true);
    await ledger.close();
  });
});
