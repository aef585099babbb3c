/**
 * A small bounded LRU map with per-entry TTL. Written here (≈40 lines) rather than adding lru-cache: we need only
 * get/set/delete with max entries and expiry, and an injectable clock for tests; did-resolver's own cache has neither
 * bound nor expiry. Map iteration order is insertion order, so re-inserting on `get` keeps the LRU at the front.
 */

/** Bounded LRU with TTL. */
export class TtlLru<K, V> {
  private readonly map = new Map<K, { value: V; expires: number }>();

  /** `max` entries at most; each lives `ttlMs` from its `set`; `now` is injectable for tests. */
  constructor(
    readonly max: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('max must be a positive integer');
  }

  /** The live value for `key`, refreshing its recency; undefined when absent or expired. */
  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    if (e.expires <= this.now()) return undefined;
    this.map.set(key, e);
    return e.value;
  }

  /** Insert or replace, evicting the least recently used entry when full. */
  set(key: K, value: V, ttlMs = this.ttlMs): void {
    this.map.delete(key);
    while (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
    this.map.set(key, { value, expires: this.now() + ttlMs });
  }

  /** Remove one key. */
  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Remove everything. */
  clear(): void {
    this.map.clear();
  }

  /** Number of stored entries (expired ones included until touched). */
  get size(): number {
    return this.map.size;
  }
}
