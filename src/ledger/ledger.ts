/**
 * The judicial ledger service: an append-only RFC 9162 Merkle log of attestations over a `LedgerStore`.
 *
 * - `append` canonicalises objects (RFC 8785), group-commits them and resolves a receipt only once the batch is
 *   durable; hashing is O(log n) per leaf through the compact range, resumed from stored peaks at open.
 * - Proofs are assembled from stored complete subtrees (one query per proof) and checked before they are returned.
 * - `checkpoint` recomputes the root from stored nodes, compares it with the in-memory frontier, signs a C2SP
 *   tlog-checkpoint note with the ledger's Ed25519 and SM2 keys and stores it; witnesses' cosignatures attach later.
 * - `audit` re-derives everything stored (audit.ts).
 */
import { bytesEqual, toHex } from '../crypto/bytes.js';
import { canonicalBytes } from '../crypto/canonical.js';
import { hashSuite, type HashSuite } from '../crypto/hash.js';
import { fail, isCourtBridgeError } from '../errors.js';
import type { LedgerHashAlg } from '../config.js';
import { auditLedger, type AuditReport } from './audit.js';
import { GroupCommitter, type AppendReceipt } from './group-commit.js';
import {
  CompactRange, assemble, consistencyPlan, inclusionPlan, planNodes, rootFromPeaks, rootPlan, verifyConsistency, verifyInclusion,
} from './merkle.js';
import { LedgerKeyring, newLedgerKeys, type CosignatureInput } from './ledger-keys.js';
import { ProofReads } from './proof-reads.js';
import { Sequencer, type SequencerOptions } from './sequencer.js';
import { nodeKeyString, type CheckpointRow, type LedgerMeta, type LedgerStore } from './store/types.js';

export type { AppendReceipt } from './group-commit.js';

/** Entries above this many bytes are refused (attestations are a few hundred bytes; bundles stay outside). */
export const MAX_ENTRY_BYTES = 1024 * 1024;

/** Idempotency keys: printable ASCII, 1–256 characters (attestation ids, event ids). */
const ENTRY_KEY_RE = /^[\x21-\x7e]{1,256}$/;

/** Options of one append. */
export interface AppendOptions {
  /** Idempotency key: at most one leaf per key, across processes (see `Ledger.append`). */
  key?: string;
}

/** Options for opening an existing ledger. */
export interface LedgerOpenOptions {
  /** Master-key passphrase; needed only to sign checkpoints. */
  masterKey?: string;
  /** Most appends per transaction. Default 1000. */
  groupCommitMax?: number;
  /** Fail with LEDGER_CONFIG_MISMATCH unless the stored ledger has these. */
  expect?: { origin?: string; hashAlg?: LedgerHashAlg };
  /**
   * Append only while holding the sequencer lease (src/ledger/sequencer.ts): acquired on the first append, renewed
   * in the background, released on close; appends are fenced by its token. For several processes appending to one
   * store (docs/scaling.md). Unset: appends are unfenced (still conditional on the head, so the tree cannot fork).
   */
  sequencer?: SequencerOptions;
}

/** Options for creating a ledger. */
export interface LedgerInitOptions {
  origin: string;
  hashAlg: LedgerHashAlg;
  masterKey: string;
  groupCommitMax?: number;
  /** As in `LedgerOpenOptions`: the new ledger appends only under this process's sequencer lease. */
  sequencer?: LedgerOpenOptions['sequencer'];
}

/** A stored entry. */
export interface LedgerEntry {
  index: number;
  leafHash: string;
  data: Uint8Array;
}

/** An RFC 9162 inclusion proof with the root it leads to. */
export interface InclusionProof {
  index: number;
  treeSize: number;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  root: Uint8Array;
}

/** An RFC 9162 consistency proof with both roots. */
export interface ConsistencyProof {
  size1: number;
  size2: number;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: Uint8Array[];
}

/** What `head` reports: the committed size, the latest signed checkpoint (with cosignatures) and the verifier keys. */
export interface LedgerHead {
  origin: string;
  hashAlg: string;
  treeSize: number;
  checkpoint: { treeSize: number; root: string; note: string } | undefined;
  verifierKeys: string[];
}

/** The judicial ledger over one store. */
export class Ledger {
  readonly store: LedgerStore;
  readonly meta: LedgerMeta;
  readonly h: HashSuite;
  private readonly committer: GroupCommitter;
  private readonly keyring: LedgerKeyring;
  /** Node hashes and roots that checked proofs read (proof-reads.ts). */
  private readonly reads: ProofReads;
  /** This process's handle on the sequencer lease, when opened with `sequencer`. */
  readonly sequencer: Sequencer | undefined;
  /**
   * The largest committed size this process has read or appended to. The tree only grows, so a read at an index or
   * size below it needs no size query of its own (each was one more SQLite statement per entry or proof read).
   */
  private seenSize = 0;

  private constructor(store: LedgerStore, meta: LedgerMeta, range: CompactRange | undefined, keyring: LedgerKeyring, maxBatch: number, sequencer?: Sequencer) {
    this.store = store;
    this.meta = meta;
    this.h = hashSuite(meta.hashAlg);
    this.keyring = keyring;
    this.sequencer = sequencer;
    this.committer = new GroupCommitter(this.h, store, range, maxBatch, (size) => loadRange(store, this.h, size), sequencer);
    this.reads = new ProofReads(store);
  }

  /** Create a new ledger in `store`: meta row, head at 0, fresh Ed25519 + SM2 keys sealed with the master key. */
  static async init(store: LedgerStore, opts: LedgerInitOptions): Promise<Ledger> {
    const existing = await store.meta();
    if (existing) fail('LEDGER_EXISTS', { origin: existing.origin });
    const { meta, keys } = newLedgerKeys(opts.origin, opts.hashAlg, opts.masterKey);
    await store.init(meta, keys);
    return Ledger.open(store, { masterKey: opts.masterKey, groupCommitMax: opts.groupCommitMax ?? 1000, sequencer: opts.sequencer });
  }

  /** Open the ledger in `store`, resuming the compact range from the stored peaks. */
  static async open(store: LedgerStore, opts: LedgerOpenOptions = {}): Promise<Ledger> {
    const meta = await store.meta();
    if (!meta) return fail('LEDGER_NOT_INITIALIZED', { origin: store.location });
    if (opts.expect?.origin !== undefined && opts.expect.origin !== meta.origin) {
      fail('LEDGER_CONFIG_MISMATCH', { field: 'origin', stored: meta.origin, requested: opts.expect.origin });
    }
    if (opts.expect?.hashAlg !== undefined && opts.expect.hashAlg !== meta.hashAlg) {
      fail('LEDGER_CONFIG_MISMATCH', { field: 'hash', stored: meta.hashAlg, requested: opts.expect.hashAlg });
    }
    const h = hashSuite(meta.hashAlg);
    // Resume the frontier from stored peaks. If they are damaged the ledger still opens (to be read and audited);
    // appends then fail with the coded error of the load.
    const range = await loadRange(store, h, await store.size()).catch((e: unknown) => {
      if (isCourtBridgeError(e) && e.code === 'LEDGER_TAMPERED') return undefined;
      throw e;
    });
    const keyring = new LedgerKeyring(meta, await store.keys(), opts.masterKey);
    const maxBatch = opts.groupCommitMax ?? 1000;
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) fail('CONFIG_INVALID', { field: 'groupCommitMax', reason: 'must be a positive integer' });
    return new Ledger(store, meta, range, keyring, maxBatch, opts.sequencer && new Sequencer(store, opts.sequencer));
  }

  /** The ledger's origin (first line of its checkpoints). */
  get origin(): string {
    return this.meta.origin;
  }

  /** Transactions committed by this process's group committer. */
  get transactions(): number {
    return this.committer.transactions;
  }

  /**
   * Append one entry (bytes as given; objects as RFC 8785 canonical JSON). Resolves once durable. With `key`
   * (idempotency key, 1–256 printable ASCII characters): if a leaf with that key is already committed — by any
   * process — resolves with THAT leaf's receipt (`existing: true`) and appends nothing; the database refuses a
   * second leaf with the same key (schema v2 `leaf_keys`, written in the leaf's transaction).
   */
  append(entry: Uint8Array | object, opts: AppendOptions = {}): Promise<AppendReceipt> {
    let data: Uint8Array;
    try {
      if (opts.key !== undefined && (typeof opts.key !== 'string' || !ENTRY_KEY_RE.test(opts.key))) {
        fail('INVALID_INPUT', { field: 'key', reason: 'must be 1–256 printable ASCII characters' });
      }
      data = entry instanceof Uint8Array ? entry : canonicalBytes(entry);
      if (data.length > MAX_ENTRY_BYTES) fail('TOO_LARGE', { field: 'entry', limit: MAX_ENTRY_BYTES });
    } catch (e) {
      return Promise.reject(e);
    }
    return this.committer.enqueue(data, opts.key).then((r) => {
      this.saw(r.treeSize);
      return r;
    });
  }

  /** Note a committed size read or produced by this process. */
  private saw(size: number): number {
    if (size > this.seenSize) this.seenSize = size;
    return size;
  }

  /** The committed size when it may exceed `atLeast`, else (no query) the size already seen, which does. */
  private async committedBeyond(atLeast: number): Promise<number> {
    return this.seenSize > atLeast ? this.seenSize : this.saw(await this.store.size());
  }

  /** The committed leaf appended with idempotency key `key`, or undefined. */
  async keyed(key: string): Promise<AppendReceipt | undefined> {
    const [hit, treeSize] = await Promise.all([this.store.keyed([key]).then((m) => m.get(key)), this.store.size()]);
    return hit && { index: hit.index, leafHash: toHex(hit.leafHash), treeSize, existing: true };
  }

  /** Wait until every queued append has committed (or failed). */
  flush(): Promise<void> {
    return this.committer.drain();
  }

  /** The committed tree size in the store (other processes may have appended). */
  async size(): Promise<number> {
    return this.saw(await this.store.size());
  }

  /** The entry at `index`; LEAF_NOT_FOUND beyond the committed size. */
  async get(index: number): Promise<LedgerEntry> {
    checkIndex(index, 'index');
    const [row, size] = await Promise.all([this.store.leaf(index), this.committedBeyond(index)]);
    if (!row || index >= size) return fail('LEAF_NOT_FOUND', { index, size });
    return { index: row.index, leafHash: toHex(row.leafHash), data: row.data };
  }

  private async sizeFor(size: number | undefined): Promise<number> {
    if (size === undefined) return this.size();
    checkIndex(size, 'size');
    const committed = await this.committedBeyond(size - 1);
    if (size > committed) fail('LEDGER_SIZE_EXCEEDED', { size, treeSize: committed });
    return size;
  }

  /** Root of the committed tree of `size` leaves, recomputed from stored nodes (all read from the store). */
  async rootAt(size: number): Promise<Uint8Array> {
    const n = await this.sizeFor(size);
    const plan = rootPlan(n);
    const { get } = await this.reads.fetch(plan, true);
    return rootFromPeaks(this.h, plan.map(get));
  }

  /** Inclusion proof of leaf `index` in the tree of `size` leaves (default: the committed size), checked before return. */
  async proveInclusion(index: number, size?: number): Promise<InclusionProof> {
    checkIndex(index, 'index');
    const treeSize = await this.sizeFor(size);
    if (index >= treeSize) fail('LEAF_NOT_FOUND', { index, size: treeSize });
    const plan = inclusionPlan(index, treeSize);
    const known = this.reads.root(treeSize);
    const peaks = known ? [] : rootPlan(treeSize);
    const leafId = { level: 0, index };
    const { get, keep } = await this.reads.fetch([leafId, ...planNodes(plan), ...peaks]);
    const proof = assemble(this.h, plan, get);
    const root = known ?? rootFromPeaks(this.h, peaks.map(get));
    const out = { index, treeSize, leafHash: get(leafId), proof, root };
    selfCheck(() => verifyInclusion(this.h, index, treeSize, out.leafHash, proof, out.root), 'inclusion');
    keep();
    if (!known) this.reads.rememberRoot(treeSize, root);
    return out;
  }

  /** Consistency proof between the trees of `size1` and `size2` (default: committed) leaves, checked before return. */
  async proveConsistency(size1: number, size2?: number): Promise<ConsistencyProof> {
    checkIndex(size1, 'size1');
    const s2 = await this.sizeFor(size2);
    const plan = consistencyPlan(size1, s2);
    const p1 = rootPlan(size1);
    const p2 = rootPlan(s2);
    const { get, keep } = await this.reads.fetch([...planNodes(plan), ...p1, ...p2]);
    const out = { size1, size2: s2, root1: rootFromPeaks(this.h, p1.map(get)), root2: rootFromPeaks(this.h, p2.map(get)), proof: assemble(this.h, plan, get) };
    selfCheck(() => verifyConsistency(this.h, size1, s2, out.root1, out.root2, out.proof), 'consistency');
    keep();
    return out;
  }

  /**
   * Sign a checkpoint of the committed tree: the root is RECOMPUTED from stored nodes and compared with the frontier
   * this process holds (when it is at the same size), then signed with both ledger keys and stored.
   */
  async checkpoint(): Promise<CheckpointRow> {
    await this.committer.drain();
    const size = await this.store.size();
    const root = await this.rootAt(size);
    const frontier = this.committer.frontier;
    if (frontier !== undefined && frontier.size === size && !bytesEqual(frontier.root(), root)) {
      fail('LEDGER_TAMPERED', { reason: `stored nodes give root ${toHex(root)} at size ${size}, appends gave ${toHex(frontier.root())}` });
    }
    const existing = await this.store.checkpoint(size);
    if (existing) {
      // A signed checkpoint is never replaced: the same size with another root means the stored tree changed.
      if (!bytesEqual(existing.root, root)) fail('LEDGER_TAMPERED', { reason: `checkpoint ${size} was signed over root ${toHex(existing.root)}, stored nodes now give ${toHex(root)}` });
      return existing;
    }
    const row: CheckpointRow = { treeSize: size, root, note: this.keyring.signCheckpoint(size, root), createdAt: new Date().toISOString() };
    await this.store.putCheckpoint(row);
    // Another process may have signed this size a moment earlier: what is stored is the checkpoint.
    return (await this.store.checkpoint(size)) ?? row;
  }

  /** Every stored checkpoint, oldest first. */
  checkpoints(): Promise<CheckpointRow[]> {
    return this.store.checkpoints();
  }

  /** The stored checkpoint note of `treeSize` with its witness cosignature lines appended. */
  async checkpointNote(treeSize: number): Promise<string> {
    const cp = (await this.store.checkpoint(treeSize)) ?? fail('CHECKPOINT_NOT_FOUND', { size: treeSize });
    const cosigs = await this.store.cosignatures(treeSize);
    return cp.note + cosigs.map((c) => c.signatureLine).join('');
  }

  /** Verify a witness cosignature over the checkpoint of `treeSize` and store it. */
  async attachCosignature(treeSize: number, input: CosignatureInput): Promise<void> {
    const cp = (await this.store.checkpoint(treeSize)) ?? fail('CHECKPOINT_NOT_FOUND', { size: treeSize });
    const row = this.keyring.checkCosignature(cp, input);
    await this.store.putCosignature(row);
  }

  /** Committed size, latest checkpoint (with cosignatures) and the ledger's verifier keys. */
  async head(): Promise<LedgerHead> {
    const latest = await this.store.latestCheckpoint();
    return {
      origin: this.meta.origin,
      hashAlg: this.meta.hashAlg,
      treeSize: await this.store.size(),
      checkpoint: latest && { treeSize: latest.treeSize, root: toHex(latest.root), note: await this.checkpointNote(latest.treeSize) },
      verifierKeys: this.keyring.verifierKeys,
    };
  }

  /** Re-derive every stored leaf hash, node, checkpoint and cosignature; the report lists each discrepancy. */
  async audit(): Promise<AuditReport> {
    await this.committer.drain();
    return auditLedger(this.store, this.meta, this.keyring);
  }

  /** Drain pending appends and close the store. */
  async close(): Promise<void> {
    try {
      await this.committer.drain();
    } finally {
      await this.sequencer?.close();
      await this.store.close();
    }
  }
}

/** Rebuild the compact range of the committed tree of `size` leaves from its stored peaks (one query). */
export async function loadRange(store: LedgerStore, h: HashSuite, size: number): Promise<CompactRange> {
  const plan = rootPlan(size);
  const got = await store.nodes(plan);
  const peaks = plan.map((id) => got.get(nodeKeyString(id.level, id.index)) ?? fail('LEDGER_TAMPERED', { reason: `peak ${id.level}/${id.index} of size ${size} is missing` }));
  return new CompactRange(h, size, peaks);
}

function checkIndex(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail('BAD_INTEGER', { field });
}

/** A proof built from stored nodes that does not verify means the store is inconsistent. */
function selfCheck(fn: () => void, what: string): void {
  try {
    fn();
  } catch (e) {
    fail('LEDGER_TAMPERED', { reason: `${what} proof built from stored nodes does not verify` }, e);
  }
}
