/**
 * Token buckets, one per chain: at most `burst` calls at once, refilled at `ratePerSec`. `take()` waits (never fails)
 * so that a busy chain slows its own jobs down without failing them; RPC failover is the adapter's job.
 */

/** One token bucket. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /** `ratePerSec` > 0 tokens per second, up to `burst` stored. `now` in ms (injectable). */
  constructor(private readonly ratePerSec: number, private readonly burst: number, private readonly now: () => number = () => performance.now()) {
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
  }

  /** Take one token, waiting as long as needed. */
  async take(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000)));
    }
  }
}

/** Buckets by key, created on first use. `limits(key)` gives the rate, or undefined for unlimited. */
export class RateLimits {
  private readonly buckets = new Map<string, TokenBucket | null>();

  /** See class comment. */
  constructor(private readonly limits: (key: string) => { ratePerSec: number; burst: number } | undefined) {}

  /** Wait for a token of `key` (immediately when unlimited). */
  async take(key: string): Promise<void> {
    let b = this.buckets.get(key);
    if (b === undefined) {
      const l = this.limits(key);
      b = l === undefined ? null : new TokenBucket(l.ratePerSec, l.burst);
      this.buckets.set(key, b);
    }
    if (b !== null) await b.take();
  }
}
