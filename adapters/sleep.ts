/**
 * The poll wait of the adapters' `follow` loops: sleep `ms`, or less when any signal aborts (at once when one already
 * has); the abort listeners are removed either way, so that polls do not pile them up.
 */

/** Resolve after `ms`, or as soon as one of `signals` aborts. */
export function sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve) => {
    const live = signals.filter((s): s is AbortSignal => s !== undefined);
    if (live.some((s) => s.aborted)) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      for (const s of live) s.removeEventListener('abort', done);
      resolve();
    }
    for (const s of live) s.addEventListener('abort', done, { once: true });
  });
}
