/**
 * Bounded exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015):
 * delay = random(0, min(cap, base · 2^(attempt−1))), at least `minMs`. The resulting next-run time is stored with the
 * job, so the schedule survives restarts.
 */

/** Backoff parameters. */
export interface BackoffOptions {
  /** Delay scale of the first retry, ms. Default 500. */
  baseMs?: number;
  /** Upper bound of any delay, ms. Default 60 000. */
  capMs?: number;
  /** Lower bound of any delay, ms. Default 50. */
  minMs?: number;
}

/** Delay before retry number `attempt` (1 = after the first failure), in ms. `random` returns [0, 1). */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = opts.baseMs ?? 500;
  const cap = opts.capMs ?? 60_000;
  const min = Math.min(opts.minMs ?? 50, cap);
  const exp = Math.min(cap, base * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.max(min, Math.floor(random() * exp));
}
