/** The store conformance suite against the SQLite backend (a real file in a temp directory, WAL, synchronous=FULL). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { openSqliteStore, type SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import { nodeHome, type LedgerStore } from '../../src/ledger/store/types.js';
import { storeConformance } from './store-conformance.js';

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
