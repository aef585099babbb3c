/**
 * The simulated copyright chain's state: final blocks (header + quorum certificate + records tree), the record index,
 * pending records, validator-set epochs with hand-overs, and equivocating (conflicting) blocks. Blocks are final when
 * produced: the whole validator set signs each one (docs/bft-format.md §Validity).
 */
import { canonicalBytes } from '../../../src/crypto/canonical.js';
import { fail } from '../../../src/errors.js';
import { buildRecordsTree, signCertificate, validatorSetOf, type BftSigner, type RecordsTree } from '../../../src/proofs/bft/build.js';
import { bftHeaderHash, bftValidatorSetHash } from '../../../src/proofs/bft/encoding.js';
import type { BftCertificate, BftHeader, BftRecordProof, BftValidatorSet } from '../../../src/proofs/bft/format.js';
import { simulatorGenesis, simulatorSigners, type SimChainOptions } from './genesis.js';

/** One record as stored on the chain: its leaf is the RFC 8785 JSON of `data`; type and key index it. */
export interface SimRecord {
  readonly recordType: string;
  /** The value of the record's key field (e.g. its registration number). */
  readonly key: string;
  /** The record itself (a JSON object). */
  readonly data: unknown;
}

/** A final block. */
export interface SimBlock {
  readonly header: BftHeader;
  readonly hash: string;
  readonly certificate: BftCertificate;
  /** The set the header hands over to (present exactly when it does). */
  readonly nextValidatorSet?: BftValidatorSet;
  readonly records: readonly SimRecord[];
  readonly tree: RecordsTree;
}

/** A pending validator-set change, applied by the next block. */
export interface RotationPlan {
  /** true: the next block commits to the new set (certified by the old one); false: the new set just takes over. */
  readonly certified: boolean;
  readonly validators: number;
}

/** Most records per block and most pending records. */
export const MAX_RECORDS_PER_BLOCK = 1000;
/** Largest record (canonical JSON bytes of its leaf). */
export const MAX_RECORD_BYTES = 16 * 1024;
const RECORD_TYPE_RE = /^[a-z][a-z0-9-]{0,63}$/;

/** The simulated chain. */
export class SimChain {
  readonly options: SimChainOptions;
  readonly #blocks: SimBlock[] = [];
  readonly #forks = new Map<number, SimBlock>();
  readonly #index = new Map<string, { height: number; index: number }[]>();
  readonly #sets: { fromHeight: number; introducedAt: number; set: BftValidatorSet; signers: BftSigner[] }[] = [];
  #pending: SimRecord[] = [];
  #rotation: RotationPlan | undefined;
  #epoch = 0;
  /** Number of reverts so far: the `round` of every block produced after one, so re-signed heights differ. */
  #generation = 0;

  constructor(options: SimChainOptions) {
    this.options = options;
    const g = simulatorGenesis(options);
    this.#sets.push({ fromHeight: 0, introducedAt: 0, set: g.validatorSet, signers: g.signers });
    const tree = buildRecordsTree([], options.hashAlg);
    this.#blocks.push({ header: g.header, hash: g.hash, certificate: signCertificate(g.header, g.validatorSet, g.signers), records: [], tree });
  }

  /** The newest block (a conflicting block at its height, when one was signed, is served instead). */
  head(): SimBlock {
    const h = this.#blocks.length - 1;
    return this.#forks.get(h) ?? this.#blocks[h]!;
  }

  /** The block at `height` (the conflicting one after equivocation), or undefined above the head. */
  block(height: number): SimBlock | undefined {
    return this.#forks.get(height) ?? this.#blocks[height];
  }

  /** The validator set that certifies `height` (undefined above the head). */
  validatorSetAt(height: number): BftValidatorSet | undefined {
    if (height >= this.#blocks.length) return undefined;
    return this.#epochAt(height).set;
  }

  #epochAt(height: number) {
    let e = this.#sets[0]!;
    for (const s of this.#sets) if (s.fromHeight <= height) e = s;
    return e;
  }

  /** Heights above `after` whose certified header hands over to a new set (ascending, at most `limit`). */
  handovers(after: number, limit = 64): number[] {
    return this.#sets.filter((e) => e.fromHeight === e.introducedAt + 1 && e.introducedAt > after).map((e) => e.introducedAt).slice(0, limit);
  }

  /** Queue a record for the next block; returns the number pending. */
  submit(record: SimRecord): number {
    if (!RECORD_TYPE_RE.test(record.recordType)) fail('INVALID_INPUT', { field: 'recordType', reason: 'must match [a-z][a-z0-9-]{0,63}' });
    if (record.key.length === 0 || record.key.length > 256) fail('INVALID_INPUT', { field: 'key', reason: 'must be 1…256 characters' });
    if (canonicalBytes(record.data).length > MAX_RECORD_BYTES) fail('TOO_LARGE', { field: 'record', limit: MAX_RECORD_BYTES });
    if (this.#pending.length >= MAX_RECORDS_PER_BLOCK) fail('TOO_LARGE', { field: 'pending records', limit: MAX_RECORDS_PER_BLOCK });
    this.#pending.push({ recordType: record.recordType, key: record.key, data: record.data });
    return this.#pending.length;
  }

  /** Plan a validator-set change for the next block. */
  planRotation(plan: RotationPlan): void {
    this.#rotation = plan;
  }

  /** Produce, sign and append the next block with the pending records. */
  produce(now = Math.floor(Date.now() / 1000)): SimBlock {
    const parent = this.#blocks[this.#blocks.length - 1]!;
    const height = parent.header.height + 1;
    const records = this.#pending;
    this.#pending = [];
    const tree = buildRecordsTree(records.map((r) => r.data), this.options.hashAlg);
    let epoch = this.#epochAt(height);
    let next: { set: BftValidatorSet; signers: BftSigner[] } | undefined;
    const plan = this.#rotation;
    this.#rotation = undefined;
    if (plan !== undefined) {
      this.#epoch += 1;
      const signers = simulatorSigners(this.options.seed, plan.validators, this.#epoch);
      const fresh = { set: validatorSetOf(signers), signers };
      if (plan.certified) {
        next = fresh; // this block (old set) commits to the new set, which certifies height + 1 on
        this.#sets.push({ fromHeight: height + 1, introducedAt: height, ...fresh });
      } else {
        this.#sets.push({ fromHeight: height, introducedAt: height, ...fresh }); // no hand-over: the new set simply signs this block
        epoch = this.#epochAt(height);
      }
    }
    const alg = this.options.hashAlg;
    const header: BftHeader = {
      chainId: this.options.chainId,
      height,
      round: this.#generation,
      timestamp: Math.max(parent.header.timestamp, now),
      parentHash: parent.hash,
      recordsRoot: tree.root,
      recordCount: tree.count,
      recordsHashAlg: alg,
      validatorSetHash: bftValidatorSetHash(epoch.set, alg),
      ...(next === undefined ? {} : { nextValidatorSetHash: bftValidatorSetHash(next.set, alg) }),
    };
    const block: SimBlock = {
      header,
      hash: bftHeaderHash(header),
      certificate: signCertificate(header, epoch.set, epoch.signers),
      ...(next === undefined ? {} : { nextValidatorSet: next.set }),
      records,
      tree,
    };
    this.#blocks.push(block);
    records.forEach((r, index) => {
      const k = indexKey(r.recordType, r.key);
      const list = this.#index.get(k) ?? [];
      list.push({ height, index });
      this.#index.set(k, list);
    });
    return block;
  }

  /**
   * Equivocate: the set valid at `height` signs a second, conflicting block there (same parent, next round, a later
   * timestamp); from now on it is served for that height. Returns the conflicting block.
   */
  equivocate(height = this.#blocks.length - 1): SimBlock {
    const honest = this.#blocks[height] ?? fail('INVALID_INPUT', { field: 'height', reason: `above the head ${this.#blocks.length - 1}` });
    const epoch = this.#epochAt(height);
    const header: BftHeader = { ...honest.header, round: (honest.header.round ?? 0) + 1, timestamp: honest.header.timestamp + 1 };
    const block: SimBlock = { ...honest, header, hash: bftHeaderHash(header), certificate: signCertificate(header, epoch.set, epoch.signers) };
    this.#forks.set(height, block);
    return block;
  }

  /**
   * Fork final blocks: forget every block above `height` (their records too); the blocks produced next at those
   * heights are signed again by the same validators with other contents — a safety violation a light client that
   * saw the first chain detects as conflicting final headers.
   */
  revert(height: number): void {
    if (height >= this.#blocks.length) fail('INVALID_INPUT', { field: 'height', reason: `above the head ${this.#blocks.length - 1}` });
    this.#blocks.length = height + 1;
    for (const h of [...this.#forks.keys()]) if (h > height) this.#forks.delete(h);
    for (const [k, list] of this.#index) {
      const kept = list.filter((e) => e.height <= height);
      if (kept.length === 0) this.#index.delete(k);
      else this.#index.set(k, kept);
    }
    while (this.#sets.length > 1 && this.#sets[this.#sets.length - 1]!.introducedAt > height) this.#sets.pop();
    this.#pending = [];
    this.#generation += 1;
  }

  /** The newest record `(recordType, key)` at or below `atHeight` (default: the head), with its inclusion proof. */
  record(recordType: string, key: string, atHeight?: number): { height: number; record: BftRecordProof } | undefined {
    const list = this.#index.get(indexKey(recordType, key));
    if (list === undefined) return undefined;
    const limit = atHeight ?? Number.MAX_SAFE_INTEGER;
    for (let i = list.length - 1; i >= 0; i--) {
      const hit = list[i]!;
      if (hit.height > limit) continue;
      const block = this.#blocks[hit.height]!;
      return { height: hit.height, record: block.tree.proof(hit.index) };
    }
    return undefined;
  }

  /** Another record of `recordType` than `key` (for the wrong-key fault), if any. */
  otherRecord(recordType: string, key: string): { height: number; record: BftRecordProof } | undefined {
    for (const k of this.#index.keys()) {
      const [t, other] = splitKey(k);
      if (t === recordType && other !== key) return this.record(t, other);
    }
    return undefined;
  }
}

function indexKey(recordType: string, key: string): string {
  return `${recordType}\u0000${key}`;
}

function splitKey(k: string): [string, string] {
  const i = k.indexOf('\u0000');
  return [k.slice(0, i), k.slice(i + 1)];
}

