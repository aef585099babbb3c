/**
 * Group commit: appends that arrive within one turn of the event loop (up to `maxBatch`) are hashed into a copy of
 * the compact range and written in ONE store transaction; each caller's promise resolves only after that
 * transaction is durable (DESIGN.md Principle 3). A batch that loses a race with another writer (the store's head
 * moved) is re-hashed on the committed frontier and retried; a batch whose commit fails is rejected as a whole and
 * nothing of it is acknowledged.
 */
import { hash as oneShotHash } from 'node:crypto';
import { HASHES, type HashSuite } from '../crypto/hash.js';
import { toHex } from '../crypto/bytes.js';
import { fail, asCourtBridgeError, isCourtBridgeError } from '../errors.js';
import { CompactRange, leafHash } from './merkle.js';
import type { Sequencer } from './sequencer.js';
import type { LeafRow, LedgerStore } from './store/types.js';

/** What an append resolves to once its leaf is durable. */
export interface AppendReceipt {
  /** Leaf index (0-based, dense). */
  index: number;
  /** Hex RFC 9162 leaf hash H(0x00 || entry). */
  leafHash: string;
  /** Tree size right after the batch that holds the leaf committed (for an existing key: the size when it was found). */
  treeSize: number;
  /** True when the append's idempotency key was already stored: this is that leaf, nothing was appended. */
  existing?: boolean;
}

interface Pending {
  data: Uint8Array;
  key: string | undefined;
  resolve: (r: AppendReceipt) => void;
  reject: (e: unknown) => void;
}

const NO_NODES = new Uint8Array(0);

/** Retries when another process keeps winning the head lock. */
const MAX_CONFLICT_RETRIES = 20;

/** The append queue of one ledger. */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private running: Promise<void> | undefined;
  /** Committed transactions (batches) so far, for tests and metrics. */
  transactions = 0;

  /**
   * `loadRange(size)` rebuilds the frontier of the committed tree of `size` leaves from stored nodes; `range` is the
   * frontier loaded at open, or undefined when that failed (a damaged store can still be read and audited; appends
   * retry the load and fail with its coded error).
   */
  constructor(
    private readonly h: HashSuite,
    private readonly store: LedgerStore,
    private range: CompactRange | undefined,
    private readonly maxBatch: number,
    private readonly loadRange: (size: number) => Promise<CompactRange>,
    /** When set, every batch is fenced by this process's sequencer lease (acquired on demand). */
    private readonly sequencer?: Sequencer,
  ) {}

  /** The in-memory frontier (for cross-checks only: checkpoints recompute roots from stored nodes). */
  get frontier(): CompactRange | undefined {
    return this.range;
  }

  /** Queue one entry's canonical bytes (with an optional idempotency key); resolves after its batch commits. */
  enqueue(data: Uint8Array, key?: string): Promise<AppendReceipt> {
    return new Promise<AppendReceipt>((resolve, reject) => {
      this.queue.push({ data, key, resolve, reject });
      if (!this.scheduled && this.running === undefined) {
        this.scheduled = true;
        setImmediate(() => this.kick());
      }
    });
  }

  /** Resolves when everything queued so far has been committed or rejected. */
  async drain(): Promise<void> {
    while (this.running !== undefined || this.queue.length > 0) {
      if (this.running === undefined) this.kick();
      await this.running;
    }
  }

  private kick(): void {
    this.scheduled = false;
    if (this.running !== undefined) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.kick());
      }
    });
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
      this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
      try {
        const receipts = await this.commit(batch);
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(receipts[i]!);
      } catch (e) {
        const err = asCourtBridgeError(e, 'STORE_UNAVAILABLE', { reason: 'append failed' });
        for (const p of batch) p.reject(err);
      }
    }
  }

  /**
   * Commit one batch; returns a receipt per pending entry. Keyed entries: a key repeated inside the batch is appended
   * once and every holder gets that leaf's receipt; keys the store reports as already committed (checked in the
   * append transaction) resolve with the stored leaf and are dropped from the batch, which is re-hashed and retried
   * without them — one duplicate never fails the others.
   */
  private async commit(batch: readonly Pending[]): Promise<AppendReceipt[]> {
    const receipts = new Array<AppendReceipt | undefined>(batch.length);
    // Entries to append: batch positions; `sameAs[i]` = position of the first entry with the same key.
    let todo: number[] = [];
    const sameAs = new Map<number, number>();
    const firstOfKey = new Map<string, number>();
    for (let i = 0; i < batch.length; i++) {
      const k = batch[i]!.key;
      if (k === undefined) { todo.push(i); continue; }
      const first = firstOfKey.get(k);
      if (first === undefined) { firstOfKey.set(k, i); todo.push(i); } else sameAs.set(i, first);
    }
    const hashes = batch.map((p, i) => (sameAs.has(i) ? NO_NODES : leafHash(this.h, p.data)));
    for (let attempt = 0; ; ) {
      const base = this.range ?? (this.range = await this.loadRange(await this.store.size()));
      const next = new CompactRange(this.h, base.size, base.peaks);
      const leaves: LeafRow[] = new Array<LeafRow>(todo.length);
      for (let j = 0; j < todo.length; j++) {
        const i = todo[j]!;
        // created[0] is the leaf; created[1…t] the subtrees it closed, levels 1…t — stored in the leaf's own row.
        const created = next.append(hashes[i]!);
        let nodes = NO_NODES;
        if (created.length > 1) {
          nodes = new Uint8Array(32 * (created.length - 1));
          for (let c = 1; c < created.length; c++) nodes.set(created[c]!.hash, 32 * (c - 1));
        }
        const key = batch[i]!.key;
        leaves[j] = key === undefined
          ? { index: base.size + j, leafHash: hashes[i]!, data: batch[i]!.data, nodes }
          : { index: base.size + j, leafHash: hashes[i]!, data: batch[i]!.data, nodes, key };
      }
      const outcome = todo.length === 0 ? { ok: true as const } : await this.append(base.size, leaves);
      if (outcome.ok) {
        this.range = next;
        if (todo.length > 0) this.transactions++;
        const treeSize = next.size;
        for (let j = 0; j < todo.length; j++) receipts[todo[j]!] = { index: base.size + j, leafHash: toHex(hashes[todo[j]!]!), treeSize };
        for (const [i, first] of sameAs) receipts[i] = receipts[first];
        return receipts as AppendReceipt[];
      }
      if (outcome.existing !== undefined && outcome.existing.length > 0) {
        // Keys committed before (by any process): those entries resolve with the stored leaf and leave the batch.
        const found = new Map(outcome.existing.map((e) => [e.key, e]));
        todo = todo.filter((i) => {
          const e = found.get(batch[i]!.key ?? '');
          if (e === undefined || batch[i]!.key === undefined) return true;
          receipts[i] = { index: e.index, leafHash: toHex(e.leafHash), treeSize: outcome.currentSize, existing: true };
          return false;
        });
        continue; // the head did not move: same base, fewer leaves
      }
      // Another writer committed first: resume from what is stored and re-hash on top of it.
      if (attempt >= MAX_CONFLICT_RETRIES) fail('LEDGER_CONFLICT', { reason: `head moved ${attempt + 1} times` });
      attempt++;
      this.range = await this.loadRange(outcome.currentSize);
    }
  }

  /**
   * One store append; with a sequencer, fenced by its token (acquiring the lease first if needed). A refusal by the
   * store deposes this process's sequencer, and the frontier is reloaded on the next batch (another holder appended).
   */
  private async append(expectedSize: number, leaves: readonly LeafRow[]) {
    const seq = this.sequencer;
    if (seq === undefined) return this.store.appendBatch(expectedSize, leaves);
    if (!(await seq.ensure())) fail('SEQUENCER_FENCED', { name: seq.name, token: 0, reason: 'another process holds the lease' });
    const fence = seq.fence();
    try {
      return await this.store.appendBatch(expectedSize, leaves, fence);
    } catch (e) {
      if (isCourtBridgeError(e) && e.code === 'SEQUENCER_FENCED') {
        seq.fenced(fence.token);
        this.range = undefined;
      }
      throw e;
    }
  }
}
