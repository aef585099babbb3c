/**
 * PostgreSQL backend of the ledger store (`pg` Pool). Tables live in one schema (`search_path`, default `public`).
 * Appends are serialised across processes by `SELECT … FOR UPDATE` on the head row: the writer that holds the lock
 * sees the committed size, and writes nothing unless it matches, so two sequencers can never fork the tree.
 * A batch goes in with one `INSERT … SELECT FROM unnest(…)`.
 */
import type pg from 'pg';
import { fail } from '../../errors.js';
import type { HashAlg } from '../../crypto/hash.js';
import { PgDatabase, type PgConnectOptions } from '../../store/postgres.js';
import type { MigrationSet } from '../../store/migrations.js';
import { POSTGRES_MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import {
  nodeFromRow, nodeHome, nodeKeyString,
  type AppendOutcome, type CheckpointRow, type CosignatureRow, type Fence, type KeyedLeaf, type KeyRow, type LeafRow, type LedgerMeta, type LedgerStore, type NodeKey,
  type SequencerLease,
} from './types.js';

/** Options of the PostgreSQL store. */
export type PostgresStoreOptions = PgConnectOptions;

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

type RawLeaf = { idx: string; leaf_hash: Buffer; data: Buffer; nodes: Buffer };
const leafRow = (r: RawLeaf): LeafRow => ({ index: Number(r.idx), leafHash: u8(r.leaf_hash), data: u8(r.data), nodes: u8(r.nodes) });

/** The ledger's migrations ("cour" serialises them across processes). */
const LEDGER_MIGRATIONS: MigrationSet = { versionTable: 'schema_version', version: SCHEMA_VERSION, migrations: POSTGRES_MIGRATIONS, lockId: 0x636f7572 };

/** Connect to PostgreSQL and migrate the ledger schema. */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresLedgerStore> {
  return new PostgresLedgerStore(await PgDatabase.open(url, LEDGER_MIGRATIONS, opts));
}

/** The PostgreSQL `LedgerStore`. */
export class PostgresLedgerStore implements LedgerStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  /** The pool and schema, shared with the relay, registration and API stores of the same database. */
  readonly db: PgDatabase;

  /** Wrap a database (use `openPostgresStore`). */
  constructor(db: PgDatabase) {
    this.db = db;
    this.location = db.location;
  }

  /** Run one query (STORE_UNAVAILABLE on failure, credentials removed). */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = [], client?: pg.PoolClient): Promise<pg.QueryResult<R>> {
    return this.db.query<R>(sql, params, client);
  }

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.db.tx(fn);
  }

  async migrate(): Promise<void> {
    await this.db.migrate(LEDGER_MIGRATIONS);
  }

  async schemaVersion(): Promise<number> {
    return this.db.schemaVersion(LEDGER_MIGRATIONS.versionTable);
  }

  async meta(): Promise<LedgerMeta | undefined> {
    const r = await this.query<{ origin: string; hash_alg: string; created_at: string; kdf_salt: Buffer }>('SELECT origin, hash_alg, created_at, kdf_salt FROM ledger_meta WHERE id = 1');
    const m = r.rows[0];
    return m && { origin: m.origin, hashAlg: m.hash_alg as HashAlg, createdAt: m.created_at, kdfSalt: u8(m.kdf_salt) };
  }

  async init(meta: LedgerMeta, keys: readonly KeyRow[]): Promise<void> {
    await this.tx(async (c) => {
      await this.query('LOCK TABLE ledger_meta IN EXCLUSIVE MODE', [], c);
      const existing = await this.query<{ origin: string }>('SELECT origin FROM ledger_meta WHERE id = 1', [], c);
      if (existing.rows[0]) fail('LEDGER_EXISTS', { origin: existing.rows[0].origin });
      await this.query('INSERT INTO ledger_meta (id, origin, hash_alg, created_at, kdf_salt) VALUES (1, $1, $2, $3, $4)', [meta.origin, meta.hashAlg, meta.createdAt, buf(meta.kdfSalt)], c);
      await this.query('INSERT INTO ledger_head (id, tree_size) VALUES (1, 0)', [], c);
      for (const k of keys) {
        await this.query('INSERT INTO ledger_keys (key_id, alg, public_key, verifier_key, sealed_private, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [k.keyId, k.alg, buf(k.publicKey), k.verifierKey, k.sealedPrivate, k.createdAt], c);
      }
    });
  }

  async size(): Promise<number> {
    const r = await this.query<{ tree_size: string }>('SELECT tree_size FROM ledger_head WHERE id = 1');
    return r.rows[0] ? Number(r.rows[0].tree_size) : 0;
  }

  async appendBatch(expectedSize: number, leaves: readonly LeafRow[], fence?: Fence): Promise<AppendOutcome> {
    return this.tx(async (c): Promise<AppendOutcome> => {
      // Row lock on the head: concurrent writers queue here and then see the size committed before them. A fenced
      // append reads the lease in the same statement; acquisitions take the head lock too, so no new token can be
      // granted between this check and the commit.
      const head = fence === undefined
        ? await this.query<{ tree_size: string }>('SELECT tree_size FROM ledger_head WHERE id = 1 FOR UPDATE', [], c)
        : await this.query<{ tree_size: string; token: string | null; live: boolean | null }>(
          `SELECT h.tree_size, s.token, s.expires_at > clock_timestamp() AS live FROM ledger_head h
           LEFT JOIN ledger_sequencer s ON s.name = $1 WHERE h.id = 1 FOR UPDATE OF h`, [fence.name], c);
      if (!head.rows[0]) fail('LEDGER_NOT_INITIALIZED', { origin: this.location });
      if (fence !== undefined) {
        const r = head.rows[0] as unknown as { token: string | null; live: boolean | null };
        if (r.token === null || Number(r.token) !== fence.token) fail('SEQUENCER_FENCED', { name: fence.name, token: fence.token, reason: r.token === null ? 'no lease' : `the lease is at token ${r.token}` });
        if (r.live !== true) fail('SEQUENCER_FENCED', { name: fence.name, token: fence.token, reason: 'the lease expired' });
      }
      const current = Number(head.rows[0].tree_size);
      if (current !== expectedSize) return { ok: false, currentSize: current };
      // Keyed leaves: checked under the head lock, so no other writer can insert the same key before we commit.
      const keyed = leaves.filter((l) => l.key !== undefined);
      if (keyed.length > 0) {
        const existing = [...(await this.lookupKeys(keyed.map((l) => l.key!), c)).values()];
        if (existing.length > 0) return { ok: false, currentSize: current, existing };
      }
      if (leaves.length > 0) {
        await this.query('INSERT INTO leaves (idx, leaf_hash, data, nodes) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[])',
          [leaves.map((l) => l.index), leaves.map((l) => buf(l.leafHash)), leaves.map((l) => buf(l.data)), leaves.map((l) => buf(l.nodes))], c);
      }
      if (keyed.length > 0) {
        await this.query('INSERT INTO leaf_keys (entry_key, idx) SELECT * FROM unnest($1::text[], $2::bigint[])', [keyed.map((l) => l.key!), keyed.map((l) => l.index)], c);
      }
      await this.query('UPDATE ledger_head SET tree_size = $1 WHERE id = 1', [expectedSize + leaves.length], c);
      return { ok: true };
    });
  }

  async keyed(keys: readonly string[]): Promise<Map<string, KeyedLeaf>> {
    return this.lookupKeys(keys);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<{ token: number } | undefined> {
    return this.tx(async (c) => {
      // Serialise with appends: an append holding the head lock commits (checked against the old token) first.
      await this.query('SELECT 1 FROM ledger_head WHERE id = 1 FOR UPDATE', [], c);
      const r = await this.query<{ token: string }>(`INSERT INTO ledger_sequencer (name, holder, token, expires_at)
        VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond')
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = ledger_sequencer.token + 1, expires_at = excluded.expires_at
        WHERE ledger_sequencer.expires_at <= clock_timestamp() OR ledger_sequencer.holder = excluded.holder
        RETURNING token`, [name, holder, ttlMs], c);
      return r.rows[0] && { token: Number(r.rows[0].token) };
    });
  }

  async renewLease(name: string, holder: string, token: number, ttlMs: number): Promise<boolean> {
    const r = await this.query(`UPDATE ledger_sequencer SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'
      WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > clock_timestamp()`, [name, holder, token, ttlMs]);
    return r.rowCount === 1;
  }

  async releaseLease(name: string, holder: string, token: number): Promise<void> {
    await this.query('UPDATE ledger_sequencer SET expires_at = clock_timestamp() WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > clock_timestamp()', [name, holder, token]);
  }

  async lease(name: string): Promise<SequencerLease | undefined> {
    const r = await this.query<{ name: string; holder: string; token: string; expires_at: Date; live: boolean }>(
      'SELECT name, holder, token, expires_at, expires_at > clock_timestamp() AS live FROM ledger_sequencer WHERE name = $1', [name]);
    const x = r.rows[0];
    return x && { name: x.name, holder: x.holder, token: Number(x.token), expiresAt: x.expires_at.toISOString(), live: x.live };
  }

  private async lookupKeys(keys: readonly string[], client?: pg.PoolClient): Promise<Map<string, KeyedLeaf>> {
    const out = new Map<string, KeyedLeaf>();
    if (keys.length === 0) return out;
    const r = await this.query<{ entry_key: string; idx: string; leaf_hash: Buffer }>(
      'SELECT k.entry_key, k.idx, l.leaf_hash FROM leaf_keys k JOIN leaves l ON l.idx = k.idx WHERE k.entry_key = ANY($1::text[])', [[...new Set(keys)]], client);
    for (const x of r.rows) out.set(x.entry_key, { key: x.entry_key, index: Number(x.idx), leafHash: u8(x.leaf_hash) });
    return out;
  }

  async leaf(index: number): Promise<LeafRow | undefined> {
    const r = await this.query<RawLeaf>('SELECT idx, leaf_hash, data, nodes FROM leaves WHERE idx = $1', [index]);
    return r.rows[0] && leafRow(r.rows[0]);
  }

  async leaves(from: number, to: number): Promise<LeafRow[]> {
    const r = await this.query<RawLeaf>('SELECT idx, leaf_hash, data, nodes FROM leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx', [from, to]);
    return r.rows.map(leafRow);
  }

  /** One query for the whole plan: the home leaf rows of every node (`idx = ANY($1)`). */
  async nodes(keys: readonly NodeKey[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (keys.length === 0) return out;
    const home = (k: NodeKey): number => (k.level === 0 ? k.index : nodeHome(k.level, k.index).leaf);
    const r = await this.query<{ idx: string; leaf_hash: Buffer; nodes: Buffer }>('SELECT idx, leaf_hash, nodes FROM leaves WHERE idx = ANY($1::bigint[])', [[...new Set(keys.map(home))]]);
    const byIdx = new Map(r.rows.map((x) => [Number(x.idx), x]));
    for (const k of keys) {
      const row = byIdx.get(home(k));
      const hash = row && (k.level === 0 ? u8(row.leaf_hash) : nodeFromRow(u8(row.nodes), k.level));
      if (hash) out.set(nodeKeyString(k.level, k.index), hash);
    }
    return out;
  }

  async putCheckpoint(row: CheckpointRow): Promise<void> {
    await this.query('INSERT INTO checkpoints (tree_size, root, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tree_size) DO NOTHING',
      [row.treeSize, buf(row.root), row.note, row.createdAt]);
  }

  async checkpoint(treeSize: number): Promise<CheckpointRow | undefined> {
    const r = await this.query('SELECT tree_size, root, note, created_at FROM checkpoints WHERE tree_size = $1', [treeSize]);
    return r.rows[0] && cp(r.rows[0]);
  }

  async latestCheckpoint(): Promise<CheckpointRow | undefined> {
    const r = await this.query('SELECT tree_size, root, note, created_at FROM checkpoints ORDER BY tree_size DESC LIMIT 1');
    return r.rows[0] && cp(r.rows[0]);
  }

  async checkpoints(): Promise<CheckpointRow[]> {
    const r = await this.query('SELECT tree_size, root, note, created_at FROM checkpoints ORDER BY tree_size');
    return r.rows.map(cp);
  }

  async putCosignature(row: CosignatureRow): Promise<void> {
    await this.query(`INSERT INTO cosignatures (tree_size, key_name, verifier_key, signature_line, created_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (tree_size, key_name) DO UPDATE SET verifier_key = excluded.verifier_key, signature_line = excluded.signature_line, created_at = excluded.created_at`,
    [row.treeSize, row.keyName, row.verifierKey, row.signatureLine, row.createdAt]);
  }

  async cosignatures(treeSize: number): Promise<CosignatureRow[]> {
    const r = await this.query('SELECT tree_size, key_name, verifier_key, signature_line, created_at FROM cosignatures WHERE tree_size = $1 ORDER BY key_name', [treeSize]);
    return r.rows.map((x) => ({
      treeSize: Number(x.tree_size), keyName: x.key_name as string, verifierKey: x.verifier_key as string,
      signatureLine: x.signature_line as string, createdAt: x.created_at as string,
    }));
  }

  async keys(): Promise<KeyRow[]> {
    const r = await this.query('SELECT key_id, alg, public_key, verifier_key, sealed_private, created_at FROM ledger_keys ORDER BY key_id');
    return r.rows.map((x) => ({
      keyId: x.key_id as string, alg: x.alg as string, publicKey: u8(x.public_key as Buffer), verifierKey: x.verifier_key as string,
      sealedPrivate: x.sealed_private as string, createdAt: x.created_at as string,
    }));
  }

  async close(): Promise<void> {
    await this.db.end();
  }
}

function cp(x: Record<string, unknown>): CheckpointRow {
  return { treeSize: Number(x.tree_size), root: u8(x.root as Buffer), note: x.note as string, createdAt: x.created_at as string };
}
