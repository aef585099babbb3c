/**
 * `follow` for the `substrate` adapter: new records of a `StorageMap` found by diffing its KEYS between final blocks.
 *
 * Why a key diff: a registration maps a record type to a storage item only (SubstrateStorageMapping has no event), and
 * decoding `System.Events` would need the runtime's metadata-driven SCALE types. The map hashers the mapping allows
 * are all transparent (`blake2_128_concat`, `twox64_concat`, `identity` end in the SCALE key itself), so a storage
 * key names its record key, which is checked by recomputing the storage key (adapters/substrate/adapter.ts).
 *
 * Per poll: `chain_getFinalizedHead` (+ `chain_getHeader`); when it moved, the map's keys at the new final block with
 * `state_getKeysPaged(prefix, 1000, startKey, at)` (sc-rpc StateApi), compared with the keys at the block scanned
 * before (kept in memory; read once at start at `fromHeight`, which therefore must be a block whose state the node
 * still holds — an archive node, or within its pruning window). For each new key, the FIRST final block holding it
 * is found by bisecting `state_getStorageHash(key, blockHash)` over (previous, new] — so the event's height does not
 * depend on when the poll ran, and a re-delivery after a restart names the same (ref, height) (FollowEvent).
 *
 * Cost: O(map size / 1000) `state_getKeysPaged` calls and O(map size) memory per new final head seen (not per block:
 * blocks between two polls are covered by one diff), plus ⌈log2(blocks since the last poll)⌉ × 2 calls per new key.
 * Bounded: a map beyond MAX_FOLLOW_KEYS keys fails with TOO_LARGE rather than growing without limit.
 * Not reported, by design of a key diff: values changed under an existing key, and keys removed. Bisection assumes a
 * new key, once present, stays present up to the new head (a key added, removed and added again between two polls is
 * reported at one of the blocks holding it).
 */
import { bytesEqual, concatBytes, fromHex, toHex0x, utf8 } from '../../src/crypto/bytes.js';
import { CourtBridgeError, fail } from '../../src/errors.js';
import { encodeSubstrateKey } from '../../src/proofs/evidence/substrate.js';
import { storageMapKey, twox128 } from '../../src/proofs/evidence/twox.js';
import { decodeAll } from '../../src/proofs/substrate/scale.js';
import { sleep } from '../sleep.js';
import type { FinalizedHead, FollowEvent, FollowOptions, RecordRef, SubstrateStorageMapping } from '../types.js';

/** Keys asked of one `state_getKeysPaged` call. */
export const KEYS_PAGE = 1000;
/** Most keys of one followed map (memory bound of the diff). */
export const MAX_FOLLOW_KEYS = 200_000;
/** Default poll interval of `follow`. */
export const DEFAULT_FOLLOW_INTERVAL_MS = 1_000;

/** What `followStorageKeys` needs from the adapter (calls parse their answers at the edge, as the adapter's do). */
export interface SubstrateFollowDeps {
  readonly chainId: string;
  /** The mapping of a record type (RECORD_TYPE_UNKNOWN / MAPPING_INVALID). */
  mapping(recordType: string): SubstrateStorageMapping;
  /** Longest `bytes` record key. */
  readonly maxKeyBytes: number;
  finalizedHead(): Promise<FinalizedHead>;
  call<T>(method: string, params: readonly unknown[], parse: (v: unknown) => T): Promise<T>;
  /** Aborts when the adapter closes. */
  readonly closed: AbortSignal;
}

const HASH_BYTES: Readonly<Record<SubstrateStorageMapping['hasher'], number>> = { blake2_128_concat: 16, twox64_concat: 8, identity: 0 };

/** The record key a storage key of `m` names, or null when it is not an entry of the map as the mapping encodes it. */
export function recordKeyOf(m: SubstrateStorageMapping, storageKey: Uint8Array, maxKeyBytes: number): string | null {
  const encoded = storageKey.subarray(32 + HASH_BYTES[m.hasher]);
  let key: string;
  try {
    if (m.keyType === 'bytes32') {
      if (encoded.length !== 32) return null;
      key = toHex0x(encoded);
    } else {
      key = new TextDecoder('utf-8', { fatal: true }).decode(decodeAll(encoded, 'key', (r) => r.byteVec('key', maxKeyBytes)));
      if (key.length === 0) return null;
    }
  } catch {
    return null;
  }
  // The hash part must be the hasher's output for this key (identity: the same bytes): recompute the whole key.
  return bytesEqual(storageMapKey(m, encodeSubstrateKey(m, key)), storageKey) ? key : null;
}

/** `state_getKeysPaged` answer: `0x` keys under `prefix`, strictly ascending after `start`, at most `count`. */
function parseKeysPage(v: unknown, prefix: string, start: string | undefined, count: number): string[] {
  if (!Array.isArray(v)) return fail('INVALID_INPUT', { field: 'result', reason: 'must be an array of storage keys' });
  if (v.length > count) fail('TOO_LARGE', { field: 'result', limit: count });
  let prev = start;
  return v.map((k, i) => {
    const key = toHex0x(fromHex(k, `result[${i}]`));
    if (!key.startsWith(prefix)) fail('INVALID_INPUT', { field: `result[${i}]`, reason: 'is not under the storage prefix asked for' });
    if (prev !== undefined && key <= prev) fail('INVALID_INPUT', { field: `result[${i}]`, reason: 'keys must ascend after the start key' });
    prev = key;
    return key;
  });
}

/** `state_getStorageHash` answer: present (a hash) or absent (null). */
function parsePresent(v: unknown): boolean {
  if (v === null) return false;
  fromHex(v, 'result', 32);
  return true;
}

/**
 * Follow new keys of the mapped maps until `opts.signal` aborts or the adapter closes. I/O errors are retried at the
 * next poll (the diff base is kept); other errors, and errors of `onEvent` / `onProgress`, end it (rejects).
 */
export async function followStorageKeys(d: SubstrateFollowDeps, opts: FollowOptions, onEvent: (e: FollowEvent) => void | Promise<void>): Promise<void> {
  const types = opts.recordTypes.map((t) => {
    const m = d.mapping(t);
    return { recordType: t, mapping: m, prefix: toHex0x(concatBytes(twox128(utf8(m.pallet)), twox128(utf8(m.item)))) };
  });
  const stopped = (): boolean => opts.signal?.aborted === true || d.closed.aborted;
  const hashAt = (n: number): Promise<string> =>
    d.call('chain_getBlockHash', [n], (v) => (v === null ? fail('INVALID_INPUT', { field: 'result', reason: `no block ${n}` }) : toHex0x(fromHex(v, 'result', 32))));
  const keysAt = async (prefix: string, at: string): Promise<Set<string>> => {
    const out = new Set<string>();
    let start: string | undefined;
    for (;;) {
      const page = await d.call('state_getKeysPaged', start === undefined ? [prefix, KEYS_PAGE, null, at] : [prefix, KEYS_PAGE, start, at], (v) => parseKeysPage(v, prefix, start, KEYS_PAGE));
      for (const k of page) out.add(k);
      if (out.size > MAX_FOLLOW_KEYS) fail('TOO_LARGE', { field: `${prefix} storage keys`, limit: MAX_FOLLOW_KEYS });
      if (page.length < KEYS_PAGE) return out;
      start = page[page.length - 1];
    }
  };
  const present = (key: string, at: string): Promise<boolean> => d.call('state_getStorageHash', [key, at], parsePresent);

  // The diff base: the keys at `fromHeight` (default the head now), read once and then carried from poll to poll.
  let base: { height: number; keys: Set<string>[] } | undefined;
  while (!stopped()) {
    try {
      if (base === undefined) {
        const height = opts.fromHeight ?? (await d.finalizedHead()).height;
        const at = await hashAt(height);
        const keys: Set<string>[] = [];
        for (const t of types) keys.push(await keysAt(t.prefix, at));
        base = { height, keys };
      }
      const head = await d.finalizedHead();
      if (head.height > base.height) {
        const found: { height: number; ref: RecordRef }[] = [];
        const hashes = new Map<number, string>([[head.height, head.hash]]);
        const hashOf = async (n: number): Promise<string> => hashes.get(n) ?? (hashes.set(n, await hashAt(n)), hashes.get(n)!);
        const now: Set<string>[] = [];
        for (const [i, t] of types.entries()) {
          const keys = await keysAt(t.prefix, head.hash);
          now.push(keys);
          for (const k of keys) {
            if (base.keys[i]!.has(k)) continue;
            const key = recordKeyOf(t.mapping, fromHex(k, 'storage key'), d.maxKeyBytes);
            if (key === null) continue; // not an entry the mapping can name: nothing to attest
            // Bisect (lo, hi]: absent at lo (the base), present at hi — the first block holding the key.
            let lo = base.height;
            let hi = head.height;
            while (hi - lo > 1) {
              const mid = lo + Math.floor((hi - lo) / 2);
              if (await present(k, await hashOf(mid))) hi = mid;
              else lo = mid;
            }
            found.push({ height: hi, ref: { chainId: d.chainId, recordType: t.recordType, key } });
          }
        }
        found.sort((a, b) => a.height - b.height || (a.ref.key < b.ref.key ? -1 : a.ref.key > b.ref.key ? 1 : 0));
        for (const f of found) await onEvent({ ref: f.ref, head: { height: f.height, hash: await hashOf(f.height), timestamp: 0 } });
        base = { height: head.height, keys: now };
        await opts.onProgress?.(head.height, head);
      }
    } catch (e) {
      if (!(e instanceof CourtBridgeError) || e.category !== 'io') throw e;
    }
    await sleep(opts.intervalMs ?? DEFAULT_FOLLOW_INTERVAL_MS, opts.signal, d.closed);
  }
}
