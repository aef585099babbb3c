/**
 * Replay guards for DID-signed bearer tokens: each (issuer, jti) is accepted once until the token can no longer be
 * accepted anyway (its `exp` plus the allowed clock skew). RFC 7519 §4.1.7: `jti` "can be used to prevent the JWT
 * from being replayed". One process remembers jtis in memory (`MemoryReplayGuard`); API replicas sharing one database
 * share the memory through it (`StoreReplayGuard`: one INSERT per authenticated request), so a token used on one
 * replica is refused on every other.
 */
import { createHash } from 'node:crypto';
import { TtlLru } from './lru.js';

/** Decides whether a token's (issuer, jti) is used for the first time. */
export interface ReplayGuard {
  /** True on the first use of (issuer, jti); false on every later one until `untilSec` (seconds since the epoch). */
  firstUse(issuer: string, jti: string, untilSec: number): Promise<boolean>;
}

/** Where a shared guard records token uses (the API store: table `api_token_uses`). */
export interface TokenUseStore {
  /** Record `key` as used until `untilSec`; true when it was not recorded (or its record expired before `nowSec`). */
  claimTokenUse(key: string, untilSec: number, nowSec: number): Promise<boolean>;
  /** Delete at most `limit` records that expired before `nowSec`; returns how many were deleted. */
  sweepTokenUses(nowSec: number, limit: number): Promise<number>;
}

const secondsNow = (): number => Math.floor(Date.now() / 1000);

/** The jti cache of one process (bounded LRU; an entry lives until the token's expiry). */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen: TtlLru<string, true>;

  /** At most `max` remembered tokens; `now` in seconds since the epoch (tests). */
  constructor(max = 1_000_000, private readonly now: () => number = secondsNow) {
    this.seen = new TtlLru(max, 1000, () => this.now() * 1000);
  }

  /** Synchronous form of `firstUse` (the shared guard consults it before its query). */
  firstUseSync(issuer: string, jti: string, untilSec: number): boolean {
    const key = `${issuer}\n${jti}`;
    if (this.seen.get(key)) return false;
    this.seen.set(key, true, Math.max(1, untilSec - this.now()) * 1000);
    return true;
  }

  /** Forget one use (its shared record could not be written, so the token may be presented again). */
  forget(issuer: string, jti: string): void {
    this.seen.delete(`${issuer}\n${jti}`);
  }

  async firstUse(issuer: string, jti: string, untilSec: number): Promise<boolean> {
    return this.firstUseSync(issuer, jti, untilSec);
  }
}

/** Options of `StoreReplayGuard`. */
export interface StoreReplayGuardOptions {
  /** Seconds since the epoch (tests). */
  now?: () => number;
  /** Expired records are deleted at most this often per process (default 10 s)… */
  sweepEverySec?: number;
  /** …at most this many per sweep (default 10,000; a full sweep is followed by another on the next request). */
  sweepLimit?: number;
  /** Size of the in-memory cache in front of the store (default 100,000). */
  localMax?: number;
}

/**
 * A replay guard shared through a database. The process's own memory stays in front: a jti this process has already
 * seen is refused without a query; otherwise one `INSERT … ON CONFLICT` decides atomically across replicas.
 */
export class StoreReplayGuard implements ReplayGuard {
  private readonly local: MemoryReplayGuard;
  private readonly now: () => number;
  private nextSweep = 0;

  /** Record uses in `store`. */
  constructor(private readonly store: TokenUseStore, private readonly o: StoreReplayGuardOptions = {}) {
    this.now = o.now ?? secondsNow;
    this.local = new MemoryReplayGuard(o.localMax ?? 100_000, this.now);
  }

  async firstUse(issuer: string, jti: string, untilSec: number): Promise<boolean> {
    if (!this.local.firstUseSync(issuer, jti, untilSec)) return false;
    const now = this.now();
    let first: boolean;
    try {
      first = await this.store.claimTokenUse(tokenUseKey(issuer, jti), untilSec, now);
    } catch (e) {
      // Nothing was recorded: the caller may retry with the same token once the store answers again.
      this.local.forget(issuer, jti);
      throw e;
    }
    if (now >= this.nextSweep) await this.sweep(now);
    return first;
  }

  /** Delete expired records (bounded); runs opportunistically from `firstUse`. */
  async sweep(now = this.now()): Promise<number> {
    const limit = this.o.sweepLimit ?? 10_000;
    this.nextSweep = now + (this.o.sweepEverySec ?? 10);
    try {
      const n = await this.store.sweepTokenUses(now, limit);
      if (n >= limit) this.nextSweep = now; // more left: keep sweeping on the next requests
      return n;
    } catch {
      // Cleanup only: a failed sweep must not fail the request whose token was already recorded; the next one retries.
      return 0;
    }
  }
}

/** The stored key of (issuer, jti): SHA-256, base64url — fixed width for the index, and no caller DID in the table. */
export function tokenUseKey(issuer: string, jti: string): string {
  return createHash('sha256').update(`${issuer}\n${jti}`).digest('base64url');
}
