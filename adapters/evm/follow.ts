/**
 * `follow` for the `evm` adapter: poll the finalized head and, for every new final range, `eth_getLogs` of the mapped
 * contracts. Convention (until registrations carry an event mapping): a log's first indexed topic (topics[1]) is the
 * mapping key of the record it changed — true of both partner contracts (`Listed`/`Delisted(bytes32 indexed subject)`,
 * `Registered(bytes32 indexed uscc, …)`). Each changed key is reported once per block it changed in, AT that block
 * (the log's block number and hash), in block order: a re-delivery after a restart then names the same (ref, height),
 * which the relay's idempotent jobs absorb, whereas the head at poll time would differ and attest the record twice.
 * The relay then fetches and verifies it like any record. Logs are hints only: nothing here is trusted.
 */
import { fail } from '../../src/errors.js';
import { fromHex, toHex0x } from '../../src/crypto/bytes.js';
import type { EvmKeyType, EvmStorageMapping, FinalizedHead, FollowEvent, FollowOptions, RecordRef } from '../types.js';
import { sleep } from '../sleep.js';

/** Most blocks asked of one eth_getLogs call. */
export const LOG_RANGE = 1000;

/** The record key a topic encodes, per the key type (null when the topic cannot be such a key). */
export function keyFromTopic(topic: string, keyType: EvmKeyType): string | null {
  const b = fromHex(topic, 'topic', 32);
  switch (keyType) {
    case 'bytes32':
      return toHex0x(b);
    case 'address':
      return b.subarray(0, 12).every((x) => x === 0) ? toHex0x(b.subarray(12)) : null;
    case 'uint256':
      return BigInt(toHex0x(b)).toString(10);
    case 'bytes32-utf8': {
      let end = 32;
      while (end > 0 && b[end - 1] === 0) end--;
      try {
        return end === 0 ? null : new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, end));
      } catch {
        return null;
      }
    }
  }
}

/** What `followLogs` needs from the adapter. */
export interface FollowDeps {
  readonly chainId: string;
  readonly mappings: ReadonlyMap<string, EvmStorageMapping>;
  finalizedHead(): Promise<FinalizedHead>;
  call(method: string, params: readonly unknown[]): Promise<unknown>;
}

/** A usable log: contract, first indexed topic, block number and hash (in [from, to]); others are skipped. */
interface KeyLog { address: string; topic: string; height: number; hash: string; index: number }

/** The logs that can name a record, sorted by block and log index (nodes return them so; not relied upon). */
function inBlockOrder(logs: readonly unknown[], from: number, to: number): KeyLog[] {
  const out: KeyLog[] = [];
  for (const raw of logs) {
    const log = raw as { address?: unknown; topics?: unknown; blockNumber?: unknown; blockHash?: unknown; logIndex?: unknown; removed?: unknown };
    const topic = Array.isArray(log?.topics) ? log.topics[1] : undefined;
    if (typeof log?.address !== 'string' || typeof topic !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(topic)) continue;
    if (log.removed === true || typeof log.blockNumber !== 'string' || !/^0x[0-9a-fA-F]{1,13}$/.test(log.blockNumber)) continue;
    if (typeof log.blockHash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(log.blockHash)) continue;
    const height = Number(log.blockNumber);
    if (height < from || height > to) continue;
    const index = typeof log.logIndex === 'string' && /^0x[0-9a-fA-F]{1,13}$/.test(log.logIndex) ? Number(log.logIndex) : 0;
    out.push({ address: log.address.toLowerCase(), topic, height, hash: log.blockHash.toLowerCase(), index });
  }
  return out.sort((a, b) => a.height - b.height || a.index - b.index);
}

/** Follow new final records of `opts.recordTypes` until `opts.signal` aborts; RPC errors end it (the caller retries). */
export async function followLogs(d: FollowDeps, opts: FollowOptions, onEvent: (e: FollowEvent) => void | Promise<void>): Promise<void> {
  const types = opts.recordTypes.map((t) => [t, d.mappings.get(t) ?? fail('RECORD_TYPE_UNKNOWN', { recordType: t, chain: d.chainId })] as const);
  const byContract = new Map<string, (readonly [string, EvmStorageMapping])[]>();
  for (const t of types) byContract.set(t[1].contract, [...(byContract.get(t[1].contract) ?? []), t]);
  const stopped = (): boolean => opts.signal?.aborted === true;
  let from = opts.fromHeight === undefined ? (await d.finalizedHead()).height + 1 : opts.fromHeight + 1;
  while (!stopped()) {
    const head = await d.finalizedHead();
    while (from <= head.height && !stopped()) {
      const to = Math.min(head.height, from + LOG_RANGE - 1);
      const logs = await d.call('eth_getLogs', [{ address: [...byContract.keys()], fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` }]);
      if (!Array.isArray(logs)) fail('RPC_BAD_RESPONSE', { chain: d.chainId, method: 'eth_getLogs', endpoint: '-', reason: 'result is not an array' });
      const seen = new Set<string>();
      for (const log of inBlockOrder(logs as unknown[], from, to)) {
        for (const [recordType, mapping] of byContract.get(log.address) ?? []) {
          const key = keyFromTopic(log.topic, mapping.keyType);
          if (key === null || seen.has(`${log.height}\u0000${recordType}\u0000${key}`)) continue;
          seen.add(`${log.height}\u0000${recordType}\u0000${key}`);
          const ref: RecordRef = { chainId: d.chainId, recordType, key };
          await onEvent({ ref, head: { height: log.height, hash: log.hash, timestamp: 0 } });
        }
      }
      from = to + 1;
      await opts.onProgress?.(to, head);
    }
    await sleep(opts.intervalMs ?? 1000, opts.signal);
  }
}
