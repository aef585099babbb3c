/**
 * The `bft` adapter: I/O only. It fetches a record with its RFC 9162 inclusion proof and the quorum-certified header
 * of its block from a CourtBridge-BFT partner chain (docs/bft-format.md, docs/bft-simulator-rpc.md) and hands them on
 * as `bft-merkle` SourceEvidence, raw JSON kept; whether they prove anything is `verifySourceEvidence`'s business.
 *
 * Cheap consistency checks at the edge (the record's key field names the key asked for, the block is the record's
 * height) make a misbehaving endpoint fail with RPC_BAD_RESPONSE so that the next endpoint is tried.
 */
import { canonicalJson } from '../../src/crypto/canonical.js';
import { CourtBridgeError, fail } from '../../src/errors.js';
import type {
  Adapter, AdapterDeps, BftMerkleEvidence, BftRecordMapping, FinalizedHead, FollowEvent, FollowOptions, JsonValue, RecordRef, Registration,
} from '../types.js';
import { RecordNotFoundError } from '../errors.js';
import { sleep } from '../sleep.js';
import { parseBlock, parseBlockRecords, parseHandovers, parseHead, parseRecord, type FetchedBlock } from './parse.js';
import { BftRpcClient } from './rpc-client.js';

/** Longest record key (the RPC's limit). */
export const MAX_KEY_LENGTH = 256;
/** Default poll interval of `follow`. */
export const DEFAULT_FOLLOW_INTERVAL_MS = 1_000;
/** Most blocks `follow` reads per poll (it catches up over several polls). */
export const FOLLOW_BLOCKS_PER_POLL = 256;

/** The mapping of `recordType` (RECORD_TYPE_UNKNOWN / MAPPING_INVALID). */
function mappingOf(registration: Registration, recordType: string): BftRecordMapping {
  const entry = Object.hasOwn(registration.recordTypes, recordType) ? registration.recordTypes[recordType] : undefined;
  if (entry === undefined) return fail('RECORD_TYPE_UNKNOWN', { recordType, chain: registration.chainId });
  const m = entry.mapping;
  if (m.kind !== 'bft-merkle') return fail('MAPPING_INVALID', { field: `recordTypes.${recordType}.mapping.kind`, reason: `${m.kind} on a bft chain` });
  return m;
}

/** The record's key and type fields must name `ref` (a record of another key proves nothing about this one). */
function checkRecordNames(data: unknown, ref: RecordRef, m: BftRecordMapping): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('INVALID_INPUT', { field: 'result.record.data', reason: 'must be a JSON object' });
  const o = data as Record<string, unknown>;
  if (o[m.keyField] !== ref.key) fail('INVALID_INPUT', { field: `result.record.data.${m.keyField}`, reason: 'is not the key asked for' });
  if (m.typeField !== undefined && o[m.typeField] !== (m.typeValue ?? ref.recordType)) fail('INVALID_INPUT', { field: `result.record.data.${m.typeField}`, reason: 'is not the record type asked for' });
}

/** A `bft` adapter for an approved registration. */
export class BftAdapter implements Adapter {
  readonly kind = 'bft' as const;
  readonly chainId: string;
  readonly #registration: Registration;
  readonly #rpc: BftRpcClient;
  readonly #stop = new AbortController();

  constructor(registration: Registration) {
    if (registration.kind !== 'bft') fail('ADAPTER_KIND_UNKNOWN', { kind: String(registration.kind) });
    if (registration.rpc.length === 0) fail('INVALID_INPUT', { field: 'registration.rpc', reason: 'needs at least one endpoint' });
    this.chainId = registration.chainId;
    this.#registration = registration;
    this.#rpc = new BftRpcClient({
      chainId: registration.chainId,
      endpoints: registration.rpc,
      ...(registration.rpcLimits?.timeoutMs === undefined ? {} : { timeoutMs: registration.rpcLimits.timeoutMs }),
      ...(registration.rpcLimits?.maxResponseBytes === undefined ? {} : { maxResponseBytes: registration.rpcLimits.maxResponseBytes }),
    });
  }

  /** `bft_finalizedHead`: every certified block is final, so the head is the newest block. */
  finalizedHead(): Promise<FinalizedHead> {
    return this.#rpc.call('bft_finalizedHead', [], parseHead);
  }

  /** `bft_getBlock(height)`: header, certificate and revealed next set (undefined above the head). */
  block(height: number): Promise<FetchedBlock | undefined> {
    return this.#rpc.call('bft_getBlock', [height], (v) => parseBlock(v, height));
  }

  /**
   * Light-client evidence `{header, certificate, nextValidatorSet}` of every hand-over header above `afterHeight`
   * (ascending): what a relay feeds `acceptHeader` before records certified by a newer validator set can verify.
   */
  async handovers(afterHeight: number): Promise<JsonValue[]> {
    if (!Number.isSafeInteger(afterHeight) || afterHeight < 0) fail('BAD_INTEGER', { field: 'afterHeight' });
    const heights = await this.#rpc.call('bft_getHandovers', [afterHeight], (v) => parseHandovers(v, afterHeight));
    const out: JsonValue[] = [];
    for (const h of heights) {
      const b = await this.block(h);
      if (b?.raw.nextValidatorSet === undefined) throw new CourtBridgeError('RPC_BAD_RESPONSE', { method: 'bft_getBlock', chain: this.chainId, endpoint: '-', reason: `block ${h} reveals no hand-over` });
      out.push({ header: b.raw.header, certificate: b.raw.certificate, nextValidatorSet: b.raw.nextValidatorSet });
    }
    return out;
  }

  /** Adapter.trustUpdates: the hand-overs above `fromHeight` (see `handovers`). */
  trustUpdates(fromHeight: number): Promise<JsonValue[]> {
    return this.handovers(fromHeight);
  }

  /** The newest record `ref` at or below `at` (default: the finalized head) with the certified header of its block. */
  async fetchRecord(ref: RecordRef, at?: number): Promise<BftMerkleEvidence> {
    if (ref.chainId !== this.chainId) fail('INVALID_INPUT', { field: 'ref.chainId', reason: `this adapter serves ${this.chainId}` });
    const mapping = mappingOf(this.#registration, ref.recordType);
    if (typeof ref.key !== 'string' || ref.key.length === 0 || ref.key.length > MAX_KEY_LENGTH) fail('INVALID_INPUT', { field: 'ref.key', reason: `must be a string of 1…${MAX_KEY_LENGTH} characters` });
    if (at !== undefined && (!Number.isSafeInteger(at) || at < 0)) fail('BAD_INTEGER', { field: 'at' });
    const height = at ?? (await this.finalizedHead()).height;
    const found = await this.#rpc.call('bft_getRecord', [ref.recordType, ref.key, height], (v) => {
      const r = parseRecord(v, height);
      if (r !== undefined) checkRecordNames(r.record.data, ref, mapping);
      return r;
    });
    // Records trees are unsorted: absence is not provable, so RECORD_NOT_FOUND carries no absence evidence.
    if (found === undefined) throw new RecordNotFoundError({ recordType: ref.recordType, key: ref.key, chain: this.chainId, height });
    const block = await this.block(found.height);
    if (block === undefined) throw new CourtBridgeError('RPC_BAD_RESPONSE', { method: 'bft_getBlock', chain: this.chainId, endpoint: '-', reason: `block ${found.height} of the record is missing` });
    return {
      kind: 'bft-merkle',
      chainId: this.chainId,
      recordType: ref.recordType,
      key: ref.key,
      header: block.raw.header,
      certificate: block.raw.certificate,
      ...(block.raw.nextValidatorSet === undefined ? {} : { validatorSet: block.raw.nextValidatorSet }),
      record: { data: canonicalJson(found.record.data), index: found.record.index, proof: [...found.record.proof] },
    };
  }

  /**
   * Poll final blocks above `fromHeight` (default: the head when called) and report each record of the chosen types,
   * in chain order. Transient RPC failures are retried at the next poll; an error of `onEvent` stops following and
   * rejects. Resolves when `opts.signal` aborts or the adapter is closed.
   */
  async follow(opts: FollowOptions, onEvent: (event: FollowEvent) => void | Promise<void>): Promise<void> {
    for (const t of opts.recordTypes) mappingOf(this.#registration, t);
    const types = new Set(opts.recordTypes);
    const interval = opts.intervalMs ?? DEFAULT_FOLLOW_INTERVAL_MS;
    const stopped = () => opts.signal?.aborted === true || this.#stop.signal.aborted;
    let done = opts.fromHeight ?? (await this.finalizedHead()).height;
    while (!stopped()) {
      try {
        const head = await this.finalizedHead();
        const last = Math.min(head.height, done + FOLLOW_BLOCKS_PER_POLL);
        for (let h = done + 1; h <= last && !stopped(); h++) {
          const entries = await this.#rpc.call('bft_getBlockRecords', [h], (v) => parseBlockRecords(v, h));
          const wanted = entries.filter((e) => types.has(e.recordType));
          if (wanted.length > 0) {
            const block = await this.block(h);
            if (block === undefined) break; // not served yet: retry at the next poll
            const at: FinalizedHead = { height: h, hash: block.certificate.headerHash, timestamp: block.header.timestamp };
            for (const e of wanted) await onEvent({ ref: { chainId: this.chainId, recordType: e.recordType, key: e.key }, head: at });
          }
          done = h;
        }
        await opts.onProgress?.(done, head);
      } catch (e) {
        if (!(e instanceof CourtBridgeError) || e.category !== 'io') throw e;
      }
      await sleep(interval, opts.signal, this.#stop.signal);
    }
  }

  /** Stop following and release connections. */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#rpc.close();
  }
}

/** Create the adapter (the factory in adapters/bft/factory.ts loads this module lazily). */
export async function createBftAdapter(registration: Registration, _deps: AdapterDeps): Promise<BftAdapter> {
  return new BftAdapter(registration);
}
