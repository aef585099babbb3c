/**
 * The one storage interface of the judicial ledger, implemented by `sqlite.ts` (embedded default) and `postgres.ts`
 * (production). Both pass the same conformance suite (test/ledger/store-conformance.ts).
 *
 * What is stored: the ledger meta row (origin, hash, creation time, KDF salt), the head (committed tree size), the
 * leaves (index, leaf hash, canonical bytes, and the tree nodes the leaf's append completed), checkpoints (size,
 * root, signed note), witness cosignatures, the ledger keys (sealed private key, public verifier key) and, from schema
 * v2, idempotency keys of leaves (`leaf_keys`: key → index, written in the transaction of the leaf) and, from v3, the
 * sequencer lease (`ledger_sequencer`: holder, fencing token, expiry) that fenced appends are checked against.
 *
 * Tree nodes live in the row of the leaf whose append completed them (`nodeHome`): appending leaf i closes one
 * complete subtree per trailing one bit of i, levels 1…t, stored as t consecutive 32-byte hashes. Every complete
 * subtree is thus stored exactly once, an append writes exactly ONE row, and any RFC 9162 proof is O(log n) leaf
 * rows fetched in one query (`WHERE idx IN (…)` / `= ANY`).
 */
import type { HashAlg } from '../../crypto/hash.js';

/** Address of a complete subtree: 2^level leaves starting at leaf index·2^level (level 0 = a leaf hash). */
export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

/** The ledger's identity, fixed at init. */
export interface LedgerMeta {
  readonly origin: string;
  readonly hashAlg: HashAlg;
  readonly createdAt: string;
  /** Salt of the master-key derivation that sealed this ledger's private keys. */
  readonly kdfSalt: Uint8Array;
}

/** One stored leaf. */
export interface LeafRow {
  readonly index: number;
  readonly leafHash: Uint8Array;
  readonly data: Uint8Array;
  /** Hashes of the nodes this leaf's append completed, levels 1…t (t = trailing one bits of index), 32 bytes each. */
  readonly nodes: Uint8Array;
  /** Idempotency key (schema v2 `leaf_keys`): at most one leaf per key, enforced by the database. */
  readonly key?: string;
}

/** Where a keyed leaf is: its index and leaf hash. */
export interface KeyedLeaf {
  readonly key: string;
  readonly index: number;
  readonly leafHash: Uint8Array;
}

/** A stored checkpoint: the ledger-signed note over the tlog-checkpoint body. */
export interface CheckpointRow {
  readonly treeSize: number;
  readonly root: Uint8Array;
  readonly note: string;
  readonly createdAt: string;
}

/** A witness cosignature attached to a checkpoint (the signature line and the key that verifies it). */
export interface CosignatureRow {
  readonly treeSize: number;
  readonly keyName: string;
  readonly verifierKey: string;
  readonly signatureLine: string;
  readonly createdAt: string;
}

/** A ledger signing key: public part in the clear, private part sealed with the master key (AAD = keyId). */
export interface KeyRow {
  readonly keyId: string;
  readonly alg: string;
  readonly publicKey: Uint8Array;
  readonly verifierKey: string;
  readonly sealedPrivate: string;
  readonly createdAt: string;
}

/**
 * Result of a conditional batch append: `ok`; or nothing written because the head moved (`currentSize`) or because
 * keys of the batch are already stored (`existing`, checked in the same transaction, under the head lock).
 */
export type AppendOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly currentSize: number; readonly existing?: readonly KeyedLeaf[] };

/**
 * The fence an append carries (src/ledger/sequencer.ts): the lease name and the token its writer acquired. The store
 * checks it in the append transaction, under the head lock, and refuses the batch with SEQUENCER_FENCED unless the
 * lease row still has this token and has not expired.
 */
export interface Fence {
  readonly name: string;
  readonly token: number;
}

/** A sequencer lease as stored. */
export interface SequencerLease {
  readonly name: string;
  readonly holder: string;
  /** Fencing token: incremented on every acquisition, never reused. */
  readonly token: number;
  /** Expiry (ISO 8601, the store's clock). */
  readonly expiresAt: string;
  /** Not yet expired, by the store's clock. */
  readonly live: boolean;
}

/** The storage backend of one ledger. All methods are async; writes are durable when their promise resolves. */
export interface LedgerStore {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store is, credentials removed (safe to print). */
  readonly location: string;
  /** Create or upgrade the tables (versioned in `schema_version`). Idempotent, safe across processes. */
  migrate(): Promise<void>;
  /** The schema version the store is at. */
  schemaVersion(): Promise<number>;
  /** The ledger meta row, or undefined before init. */
  meta(): Promise<LedgerMeta | undefined>;
  /** Create the ledger: meta row, head at size 0 and the keys, atomically. LEDGER_EXISTS when already there. */
  init(meta: LedgerMeta, keys: readonly KeyRow[]): Promise<void>;
  /** The committed tree size. */
  size(): Promise<number>;
  /**
   * Append leaves `expectedSize … expectedSize+leaves.length-1` (with the nodes they complete) in ONE transaction,
   * guarded by a lock on the head row: if the head is not at `expectedSize`, nothing is written and the current
   * size is returned. Keyed leaves (`key`) are checked in the same transaction first (one `IN (…)` / `= ANY` query):
   * if any key is already stored, nothing is written and the stored leaves of those keys are returned (`existing`);
   * otherwise the keys are inserted with their leaves. Durable (fsync / commit) before the promise resolves.
   * With `fence`, the sequencer lease is checked first in the same transaction (SEQUENCER_FENCED, nothing written).
   */
  appendBatch(expectedSize: number, leaves: readonly LeafRow[], fence?: Fence): Promise<AppendOutcome>;
  /**
   * Take lease `name` for `holder` for `ttlMs` (store clock) if it is free, expired, or already `holder`'s; the token
   * is incremented on every acquisition. Serialised with appends (head lock), so an append that commits after an
   * acquisition was checked against the new token. Undefined when another holder's lease is live.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<{ token: number } | undefined>;
  /** Extend the lease by `ttlMs` from now if `holder` still has it with `token` and it has not expired; false otherwise. */
  renewLease(name: string, holder: string, token: number, ttlMs: number): Promise<boolean>;
  /** Expire the lease now if `holder` has it with `token` (a graceful hand-over); otherwise nothing. */
  releaseLease(name: string, holder: string, token: number): Promise<void>;
  /** The lease row, or undefined. */
  lease(name: string): Promise<SequencerLease | undefined>;
  /** The committed leaves of `keys` (absent keys are absent from the map). */
  keyed(keys: readonly string[]): Promise<Map<string, KeyedLeaf>>;
  /** One leaf, or undefined. */
  leaf(index: number): Promise<LeafRow | undefined>;
  /** Leaves with `from ≤ index < to`, in index order (callers page with bounded ranges). */
  leaves(from: number, to: number): Promise<LeafRow[]>;
  /** Nodes (level 0 = leaf hashes) fetched in one query; missing keys are absent from the map (key `level:index`). */
  nodes(keys: readonly NodeKey[]): Promise<Map<string, Uint8Array>>;
  /** Store a checkpoint; an existing checkpoint of the same size is kept (signed checkpoints are never replaced). */
  putCheckpoint(row: CheckpointRow): Promise<void>;
  /** The checkpoint at `treeSize`, or undefined. */
  checkpoint(treeSize: number): Promise<CheckpointRow | undefined>;
  /** The checkpoint of the largest tree size, or undefined. */
  latestCheckpoint(): Promise<CheckpointRow | undefined>;
  /** All checkpoints in tree-size order. */
  checkpoints(): Promise<CheckpointRow[]>;
  /** Attach (or replace, per key name) a witness cosignature. */
  putCosignature(row: CosignatureRow): Promise<void>;
  /** Cosignatures of one checkpoint, by key name. */
  cosignatures(treeSize: number): Promise<CosignatureRow[]>;
  /** The ledger keys. */
  keys(): Promise<KeyRow[]>;
  /** Release connections / file handles. */
  close(): Promise<void>;
}

/** Where node (level ≥ 1, index) is stored: in leaf row (index+1)·2^level − 1, at byte offset 32·(level − 1). */
export function nodeHome(level: number, index: number): { leaf: number; offset: number } {
  return { leaf: (index + 1) * 2 ** level - 1, offset: 32 * (level - 1) };
}

/** Number of nodes the append of leaf `index` completes: its trailing one bits. */
export function nodesCompletedBy(index: number): number {
  let t = 0;
  for (let v = index; v % 2 === 1; v = (v - 1) / 2) t++;
  return t;
}

/** The hash of node (level, index) from its home leaf's `nodes` column, or undefined when absent. */
export function nodeFromRow(nodes: Uint8Array, level: number): Uint8Array | undefined {
  const off = 32 * (level - 1);
  return nodes.length >= off + 32 ? nodes.subarray(off, off + 32) : undefined;
}

/** Map key of a node: `level:index`. */
export function nodeKeyString(level: number, index: number): string {
  return `${level}:${index}`;
}
