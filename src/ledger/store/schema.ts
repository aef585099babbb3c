/**
 * Versioned schema of the ledger store, one list of migrations per SQL dialect. Migration N is applied once, in a
 * transaction that also records N in `schema_version`; a store at a version newer than this build refuses to open.
 */

import type { Migration } from '../../store/migrations.js';

export type { Migration };

/**
 * SQLite migrations. Tree nodes are stored in the row of the leaf whose append completed them (`leaves.nodes`, see
 * types.ts `nodeHome`): one row per append. Measured against a separate nodes table keyed by (level, idx) or by
 * position, this cuts the SQL time of an append by ~40 % and is what brings durable appends within 0.3 of a bare
 * insert (bench ledger.append.sqlite).
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE ledger_meta (id INTEGER PRIMARY KEY CHECK (id = 1), origin TEXT NOT NULL, hash_alg TEXT NOT NULL,
         created_at TEXT NOT NULL, kdf_salt BLOB NOT NULL)`,
      `CREATE TABLE ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), tree_size INTEGER NOT NULL CHECK (tree_size >= 0))`,
      `CREATE TABLE leaves (idx INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, data BLOB NOT NULL, nodes BLOB NOT NULL)`,
      `CREATE TABLE checkpoints (tree_size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL)`,
      `CREATE TABLE cosignatures (tree_size INTEGER NOT NULL REFERENCES checkpoints (tree_size), key_name TEXT NOT NULL,
         verifier_key TEXT NOT NULL, signature_line TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tree_size, key_name))`,
      `CREATE TABLE ledger_keys (key_id TEXT PRIMARY KEY, alg TEXT NOT NULL, public_key BLOB NOT NULL, verifier_key TEXT NOT NULL,
         sealed_private TEXT NOT NULL, created_at TEXT NOT NULL)`,
    ],
  },
  {
    // v2: idempotency keys (Ledger.append(entry, { key })). A separate table rather than a nullable column of
    // `leaves`: a key-less append writes no index entry at all, so ledger.append.sqlite keeps its speed; a keyed
    // append adds one primary-key row in the SAME transaction as its leaf, so the database refuses a second leaf
    // with the same key whichever process tries.
    version: 2,
    statements: [
      `CREATE TABLE leaf_keys (entry_key TEXT PRIMARY KEY, idx INTEGER NOT NULL UNIQUE REFERENCES leaves (idx)) WITHOUT ROWID`,
    ],
  },
  {
    // v3: the sequencer lease (src/ledger/sequencer.ts, docs/scaling.md). One row per lease name: holder, fencing
    // token (incremented on every acquisition) and expiry in Unix ms (SQLite has no server clock: every process on the
    // file shares the host's clock).
    version: 3,
    statements: [
      `CREATE TABLE ledger_sequencer (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token INTEGER NOT NULL CHECK (token > 0),
         expires_at INTEGER NOT NULL)`,
    ],
  },
];

/** PostgreSQL migrations (same tables and keys; BIGINT indices, BYTEA hashes). */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE ledger_meta (id INTEGER PRIMARY KEY CHECK (id = 1), origin TEXT NOT NULL, hash_alg TEXT NOT NULL,
         created_at TEXT NOT NULL, kdf_salt BYTEA NOT NULL)`,
      `CREATE TABLE ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), tree_size BIGINT NOT NULL CHECK (tree_size >= 0))`,
      `CREATE TABLE leaves (idx BIGINT PRIMARY KEY, leaf_hash BYTEA NOT NULL, data BYTEA NOT NULL, nodes BYTEA NOT NULL)`,
      `CREATE TABLE checkpoints (tree_size BIGINT PRIMARY KEY, root BYTEA NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL)`,
      `CREATE TABLE cosignatures (tree_size BIGINT NOT NULL REFERENCES checkpoints (tree_size), key_name TEXT NOT NULL,
         verifier_key TEXT NOT NULL, signature_line TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tree_size, key_name))`,
      `CREATE TABLE ledger_keys (key_id TEXT PRIMARY KEY, alg TEXT NOT NULL, public_key BYTEA NOT NULL, verifier_key TEXT NOT NULL,
         sealed_private TEXT NOT NULL, created_at TEXT NOT NULL)`,
    ],
  },
  {
    // v2: idempotency keys, as SQLite v2.
    version: 2,
    statements: [
      `CREATE TABLE leaf_keys (entry_key TEXT PRIMARY KEY, idx BIGINT NOT NULL UNIQUE REFERENCES leaves (idx))`,
    ],
  },
  {
    // v3: the sequencer lease, as SQLite v3, but the expiry is a TIMESTAMPTZ on the DATABASE clock (clock_timestamp()),
    // so processes on different hosts never compare their own clocks.
    version: 3,
    statements: [
      `CREATE TABLE ledger_sequencer (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL CHECK (token > 0),
         expires_at TIMESTAMPTZ NOT NULL)`,
    ],
  },
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = 3;
