/**
 * SQLite backend of the ledger store (better-sqlite3 12): WAL, `synchronous=FULL` (every commit fsyncs the WAL, so a
 * resolved append survives power loss), `busy_timeout` for other processes, prepared statements throughout.
 * Appends run in `BEGIN IMMEDIATE` transactions that re-check the head row, so two processes cannot fork the tree.
 */
import type Database from 'better-sqlite3';
import { fail } from '../../errors.js';
import { migrateSqlite, openMigratedSqlite, sqliteGuard, sqliteSchemaVersion } from '../../store/sqlite.js';
import type { MigrationSet } from '../../store/migrations.js';
import type { HashAlg } from '../../crypto/hash.js';
import { SCHEMA_VERSION, SQLITE_MIGRATIONS } from './schema.js';
import {
  nodeFromRow, nodeHome, nodeKeyString,
  type AppendOutcome, type CheckpointRow, type CosignatureRow, type Fence, type KeyedLeaf, type KeyRow, type LeafRow, type LedgerMeta, type LedgerStore, type NodeKey,
  type SequencerLease,
} from './types.js';

type Db = Database.Database;
type Stmt = Database.Statement;

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** Milliseconds to wait for another process's write lock. Default 5000. */
  busyTimeoutMs?: number;
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

type RawLeaf = { idx: number; leaf_hash: Buffer; data: Buffer; nodes: Buffer };
const leafRow = (r: RawLeaf): LeafRow => ({ index: r.idx, leafHash: u8(r.leaf_hash), data: u8(r.data), nodes: u8(r.nodes) });

/** The ledger's migrations (BEGIN IMMEDIATE serialises them across processes; no advisory lock on SQLite). */
const LEDGER_MIGRATIONS: MigrationSet = { versionTable: 'schema_version', version: SCHEMA_VERSION, migrations: SQLITE_MIGRATIONS, lockId: 0 };

/** Open (creating the file and its directory if needed) a SQLite ledger store and migrate it. */
export async function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<SqliteLedgerStore> {
  return new SqliteLedgerStore(openMigratedSqlite(path, LEDGER_MIGRATIONS, opts.busyTimeoutMs ?? 5000), path);
}

/** The SQLite `LedgerStore`. */
export class SqliteLedgerStore implements LedgerStore {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  private readonly db: Db;
  private stmts: ReturnType<SqliteLedgerStore['prepare']> | undefined;
  private readonly nodeQueries = new Map<number, Stmt>();
  private readonly insertStmts = new Map<string, Stmt>();
  private readonly keyQueries = new Map<number, Stmt>();

  /** Wrap an open database (use `openSqliteStore`). */
  constructor(db: Db, location: string) {
    this.db = db;
    this.location = location;
  }

  private prepare() {
    const p = (sql: string) => this.db.prepare(sql);
    return {
      meta: p('SELECT origin, hash_alg, created_at, kdf_salt FROM ledger_meta WHERE id = 1'),
      insMeta: p('INSERT INTO ledger_meta (id, origin, hash_alg, created_at, kdf_salt) VALUES (1, ?, ?, ?, ?)'),
      insHead: p('INSERT INTO ledger_head (id, tree_size) VALUES (1, 0)'),
      insKey: p('INSERT INTO ledger_keys (key_id, alg, public_key, verifier_key, sealed_private, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      head: p('SELECT tree_size FROM ledger_head WHERE id = 1').pluck(),
      setHead: p('UPDATE ledger_head SET tree_size = ? WHERE id = 1'),
      leaf: p('SELECT idx, leaf_hash, data, nodes FROM leaves WHERE idx = ?'),
      leaves: p('SELECT idx, leaf_hash, data, nodes FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx'),
      insCheckpoint: p('INSERT INTO checkpoints (tree_size, root, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING'),
      checkpoint: p('SELECT tree_size, root, note, created_at FROM checkpoints WHERE tree_size = ?'),
      latest: p('SELECT tree_size, root, note, created_at FROM checkpoints ORDER BY tree_size DESC LIMIT 1'),
      checkpoints: p('SELECT tree_size, root, note, created_at FROM checkpoints ORDER BY tree_size'),
      insCosig: p(`INSERT INTO cosignatures (tree_size, key_name, verifier_key, signature_line, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (tree_size, key_name) DO UPDATE SET verifier_key = excluded.verifier_key, signature_line = excluded.signature_line, created_at = excluded.created_at`),
      cosigs: p('SELECT tree_size, key_name, verifier_key, signature_line, created_at FROM cosignatures WHERE tree_size = ? ORDER BY key_name'),
      keys: p('SELECT key_id, alg, public_key, verifier_key, sealed_private, created_at FROM ledger_keys ORDER BY key_id'),
      lease: p('SELECT name, holder, token, expires_at FROM ledger_sequencer WHERE name = ?'),
      acquire: p(`INSERT INTO ledger_sequencer (name, holder, token, expires_at) VALUES (@name, @holder, 1, @now + @ttl)
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = ledger_sequencer.token + 1, expires_at = excluded.expires_at
        WHERE ledger_sequencer.expires_at <= @now OR ledger_sequencer.holder = excluded.holder RETURNING token`),
      renew: p('UPDATE ledger_sequencer SET expires_at = @now + @ttl WHERE name = @name AND holder = @holder AND token = @token AND expires_at > @now'),
      release: p('UPDATE ledger_sequencer SET expires_at = @now WHERE name = @name AND holder = @holder AND token = @token AND expires_at > @now'),
    };
  }

  private get s() {
    return (this.stmts ??= this.prepare());
  }

  private run<T>(what: string, fn: () => T): T {
    return sqliteGuard(what, fn);
  }

  async migrate(): Promise<void> {
    migrateSqlite(this.db, LEDGER_MIGRATIONS);
  }

  async schemaVersion(): Promise<number> {
    return sqliteSchemaVersion(this.db, LEDGER_MIGRATIONS.versionTable);
  }

  async meta(): Promise<LedgerMeta | undefined> {
    const r = this.run('meta', () => this.s.meta.get()) as { origin: string; hash_alg: string; created_at: string; kdf_salt: Buffer } | undefined;
    return r && { origin: r.origin, hashAlg: r.hash_alg as HashAlg, createdAt: r.created_at, kdfSalt: u8(r.kdf_salt) };
  }

  async init(meta: LedgerMeta, keys: readonly KeyRow[]): Promise<void> {
    this.run('init', () =>
      this.db.transaction(() => {
        const existing = this.s.meta.get() as { origin: string } | undefined;
        if (existing) fail('LEDGER_EXISTS', { origin: existing.origin });
        this.s.insMeta.run(meta.origin, meta.hashAlg, meta.createdAt, meta.kdfSalt);
        this.s.insHead.run();
        for (const k of keys) this.s.insKey.run(k.keyId, k.alg, k.publicKey, k.verifierKey, k.sealedPrivate, k.createdAt);
      }).immediate(),
    );
  }

  async size(): Promise<number> {
    return this.run('size', () => (this.s.head.get() as number | undefined) ?? 0);
  }

  async appendBatch(expectedSize: number, leaves: readonly LeafRow[], fence?: Fence): Promise<AppendOutcome> {
    const s = this.s;
    return this.run('append', () =>
      this.db.transaction((): AppendOutcome => {
        const current = s.head.get() as number | undefined;
        if (current === undefined) fail('LEDGER_NOT_INITIALIZED', { origin: this.location });
        // The write lock (BEGIN IMMEDIATE) serialises this check with every acquisition, as the head lock does on PostgreSQL.
        if (fence !== undefined) {
          const l = s.lease.get(fence.name) as { token: number; expires_at: number } | undefined;
          if (l === undefined || l.token !== fence.token) fail('SEQUENCER_FENCED', { name: fence.name, token: fence.token, reason: l === undefined ? 'no lease' : `the lease is at token ${l.token}` });
          if (l.expires_at <= Date.now()) fail('SEQUENCER_FENCED', { name: fence.name, token: fence.token, reason: 'the lease expired' });
        }
        if (current !== expectedSize) return { ok: false, currentSize: current };
        // Keyed leaves: check the keys under the write lock first; key-less batches skip this entirely.
        let keyed: LeafRow[] | undefined;
        for (const l of leaves) if (l.key !== undefined) (keyed ??= []).push(l);
        if (keyed !== undefined) {
          const existing = [...this.lookupKeys(keyed.map((l) => l.key!)).values()];
          if (existing.length > 0) return { ok: false, currentSize: current, existing };
        }
        this.insertRows('leaves (idx, leaf_hash, data, nodes)', leaves, (l, a) => a.push(l.index, l.leafHash, l.data, l.nodes));
        if (keyed !== undefined) this.insertRows('leaf_keys (entry_key, idx)', keyed, (l, a) => a.push(l.key, l.index));
        s.setHead.run(expectedSize + leaves.length);
        return { ok: true };
      }).immediate(),
    );
  }

  async keyed(keys: readonly string[]): Promise<Map<string, KeyedLeaf>> {
    return this.run('keyed', () => this.lookupKeys(keys));
  }

  // The lease on SQLite: one host, so the host clock (Date.now()) is the store clock; BEGIN IMMEDIATE serialises
  // acquisitions with appends. A single process holds it trivially; the interface is the PostgreSQL one.
  async acquireLease(name: string, holder: string, ttlMs: number): Promise<{ token: number } | undefined> {
    return this.run('acquireLease', () => this.db.transaction(() => {
      const token = this.s.acquire.pluck().get({ name, holder, now: Date.now(), ttl: ttlMs }) as number | undefined;
      return token === undefined ? undefined : { token };
    }).immediate());
  }

  async renewLease(name: string, holder: string, token: number, ttlMs: number): Promise<boolean> {
    return this.run('renewLease', () => this.s.renew.run({ name, holder, token, ttl: ttlMs, now: Date.now() }).changes === 1);
  }

  async releaseLease(name: string, holder: string, token: number): Promise<void> {
    this.run('releaseLease', () => this.s.release.run({ name, holder, token, now: Date.now() }));
  }

  async lease(name: string): Promise<SequencerLease | undefined> {
    const x = this.run('lease', () => this.s.lease.get(name)) as { name: string; holder: string; token: number; expires_at: number } | undefined;
    return x && { name: x.name, holder: x.holder, token: x.token, expiresAt: new Date(x.expires_at).toISOString(), live: x.expires_at > Date.now() };
  }

  /** Stored leaves of `keys`, in pages of at most 256 keys (`entry_key IN (…)`, primary-key lookups). */
  private lookupKeys(keys: readonly string[]): Map<string, KeyedLeaf> {
    const out = new Map<string, KeyedLeaf>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 256) {
      const page = unique.slice(i, i + 256);
      let stmt = this.keyQueries.get(page.length);
      if (!stmt) {
        stmt = this.db.prepare(`SELECT k.entry_key, k.idx, l.leaf_hash FROM leaf_keys k JOIN leaves l ON l.idx = k.idx WHERE k.entry_key IN (${page.map(() => '?').join(',')})`);
        if (this.keyQueries.size < 64) this.keyQueries.set(page.length, stmt);
      }
      for (const r of stmt.all(page) as { entry_key: string; idx: number; leaf_hash: Buffer }[]) {
        out.set(r.entry_key, { key: r.entry_key, index: r.idx, leafHash: u8(r.leaf_hash) });
      }
    }
    return out;
  }

  /**
   * Insert rows with multi-row INSERT statements of 64, 8 and 1 rows (prepared once per shape): one native call per
   * 64 rows instead of one per row, which is most of the per-row cost of better-sqlite3.
   */
  private insertRows<T>(target: string, rows: readonly T[], bind: (row: T, args: unknown[]) => void): void {
    let i = 0;
    for (const width of [64, 8, 1]) {
      if (rows.length - i < width) continue;
      const stmt = this.multiInsert(target, width);
      const args: unknown[] = [];
      for (; rows.length - i >= width; i += width) {
        args.length = 0;
        for (let j = i; j < i + width; j++) bind(rows[j]!, args);
        stmt.run(args);
      }
    }
  }

  private multiInsert(target: string, width: number): Stmt {
    const key = `${target}/${width}`;
    let stmt = this.insertStmts.get(key);
    if (!stmt) {
      const cols = target.slice(target.indexOf('(') + 1, target.indexOf(')')).split(',').length;
      const tuple = `(${Array.from({ length: cols }, () => '?').join(',')})`;
      stmt = this.db.prepare(`INSERT INTO ${target} VALUES ${Array.from({ length: width }, () => tuple).join(',')}`);
      this.insertStmts.set(key, stmt);
    }
    return stmt;
  }

  async leaf(index: number): Promise<LeafRow | undefined> {
    const r = this.run('leaf', () => this.s.leaf.get(index)) as RawLeaf | undefined;
    return r && leafRow(r);
  }

  async leaves(from: number, to: number): Promise<LeafRow[]> {
    return (this.run('leaves', () => this.s.leaves.all(from, to)) as RawLeaf[]).map(leafRow);
  }

  /** One query for the whole plan: the home leaf rows of every node (`idx IN (…)`, primary key lookups). */
  async nodes(keys: readonly NodeKey[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (keys.length === 0) return out;
    const homes = [...new Set(keys.map((k) => (k.level === 0 ? k.index : nodeHome(k.level, k.index).leaf)))];
    let stmt = this.nodeQueries.get(homes.length);
    if (!stmt) {
      stmt = this.run('prepare nodes', () => this.db.prepare(`SELECT idx, leaf_hash, nodes FROM leaves WHERE idx IN (${homes.map(() => '?').join(',')})`));
      if (this.nodeQueries.size < 256) this.nodeQueries.set(homes.length, stmt);
    }
    const rows = this.run('nodes', () => stmt.all(homes)) as { idx: number; leaf_hash: Buffer; nodes: Buffer }[];
    const byIdx = new Map(rows.map((r) => [r.idx, r]));
    for (const k of keys) {
      const row = byIdx.get(k.level === 0 ? k.index : nodeHome(k.level, k.index).leaf);
      const hash = row && (k.level === 0 ? u8(row.leaf_hash) : nodeFromRow(u8(row.nodes), k.level));
      if (hash) out.set(nodeKeyString(k.level, k.index), hash);
    }
    return out;
  }

  async putCheckpoint(row: CheckpointRow): Promise<void> {
    this.run('putCheckpoint', () => this.s.insCheckpoint.run(row.treeSize, row.root, row.note, row.createdAt));
  }

  async checkpoint(treeSize: number): Promise<CheckpointRow | undefined> {
    return cp(this.run('checkpoint', () => this.s.checkpoint.get(treeSize)));
  }

  async latestCheckpoint(): Promise<CheckpointRow | undefined> {
    return cp(this.run('latestCheckpoint', () => this.s.latest.get()));
  }

  async checkpoints(): Promise<CheckpointRow[]> {
    return (this.run('checkpoints', () => this.s.checkpoints.all()) as unknown[]).map((r) => cp(r)!);
  }

  async putCosignature(row: CosignatureRow): Promise<void> {
    this.run('putCosignature', () => this.s.insCosig.run(row.treeSize, row.keyName, row.verifierKey, row.signatureLine, row.createdAt));
  }

  async cosignatures(treeSize: number): Promise<CosignatureRow[]> {
    const rows = this.run('cosignatures', () => this.s.cosigs.all(treeSize)) as Record<string, unknown>[];
    return rows.map((r) => ({
      treeSize: r.tree_size as number, keyName: r.key_name as string, verifierKey: r.verifier_key as string,
      signatureLine: r.signature_line as string, createdAt: r.created_at as string,
    }));
  }

  async keys(): Promise<KeyRow[]> {
    const rows = this.run('keys', () => this.s.keys.all()) as Record<string, unknown>[];
    return rows.map((r) => ({
      keyId: r.key_id as string, alg: r.alg as string, publicKey: u8(r.public_key as Buffer), verifierKey: r.verifier_key as string,
      sealedPrivate: r.sealed_private as string, createdAt: r.created_at as string,
    }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The underlying handle, for tests that tamper with rows and for benchmarks. */
  get database(): Db {
    return this.db;
  }
}

function cp(r: unknown): CheckpointRow | undefined {
  if (!r) return undefined;
  const x = r as { tree_size: number; root: Buffer; note: string; created_at: string };
  return { treeSize: x.tree_size, root: u8(x.root), note: x.note, createdAt: x.created_at };
}
