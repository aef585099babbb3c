/**
 * The benchmark harness behind `npm run bench`. A benchmark measures an operation and, in the same process on the
 * same inputs, a baseline (a hash-call floor, a reference library, a bare SQLite insert, a bare fastify route); the
 * figure that matters is the ratio, which is far steadier across machines than either rate.
 *
 * Both sides are timed in alternating rounds so that drift (thermal, GC, a neighbour on the other core) hits both.
 */

/** One line of bench/results.json. */
export interface BenchResult {
  name: string;
  opsPerSec: number;
  baseline: string;
  baselineOpsPerSec: number;
  ratio: number;
  /** Extra figures a benchmark reports (latency percentiles, sizes). */
  notes?: Record<string, number | string>;
  /** The ratio the issue asks for, when it asks for one. */
  target?: number;
}

/** A timed side: `run` performs `batch` operations per call and may be async. */
export interface Side {
  label: string;
  /** Operations performed by one call of `run`. Default 1. */
  batch?: number;
  run: () => unknown;
}

/** A benchmark definition: registered in bench/run.ts. */
export interface Benchmark {
  name: string;
  /** Required ratio (documented in the issue); printed beside the result, not asserted by tests. */
  target?: number;
  /** Prepare inputs; returns the subject and baseline sides and an optional teardown. */
  setup: () => Promise<{ subject: Side; baseline: Side; teardown?: () => Promise<void> | void; notes?: () => Record<string, number | string> }>;
}

/** Thrown by a benchmark's setup when its counterpart cannot run here (e.g. no PostgreSQL); run.ts prints `skipped`. */
export class BenchSkipped extends Error {
  override readonly name = 'BenchSkipped';
}

/** Options for one measurement. */
export interface MeasureOptions {
  /** Rounds of alternating subject/baseline timing. */
  rounds: number;
  /** Target duration of one round of one side, in ms. */
  roundMs: number;
}

async function timeSide(side: Side, ms: number): Promise<{ ops: number; seconds: number }> {
  const batch = side.batch ?? 1;
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1e6));
  let now = start;
  do {
    const r = side.run();
    if (r instanceof Promise) await r;
    ops += batch;
    now = process.hrtime.bigint();
  } while (now < deadline);
  return { ops, seconds: Number(now - start) / 1e9 };
}

/** Measure a subject against its baseline in alternating rounds; rates are total ops over total time. */
export async function measure(subject: Side, baseline: Side, opts: MeasureOptions): Promise<{ subject: number; baseline: number }> {
  // Warm-up: JIT, caches, connection pools.
  await timeSide(subject, Math.min(200, opts.roundMs));
  await timeSide(baseline, Math.min(200, opts.roundMs));
  const acc = { s: { ops: 0, seconds: 0 }, b: { ops: 0, seconds: 0 } };
  for (let i = 0; i < opts.rounds; i++) {
    const first = i % 2 === 0;
    const a = await timeSide(first ? subject : baseline, opts.roundMs);
    const b = await timeSide(first ? baseline : subject, opts.roundMs);
    const [s, base] = first ? [a, b] : [b, a];
    acc.s.ops += s.ops;
    acc.s.seconds += s.seconds;
    acc.b.ops += base.ops;
    acc.b.seconds += base.seconds;
  }
  return { subject: acc.s.ops / acc.s.seconds, baseline: acc.b.ops / acc.b.seconds };
}

/** Run one benchmark end to end. */
export async function runBenchmark(b: Benchmark, opts: MeasureOptions): Promise<BenchResult> {
  const { subject, baseline, teardown, notes } = await b.setup();
  try {
    const rates = await measure(subject, baseline, opts);
    const result: BenchResult = {
      name: b.name,
      opsPerSec: round(rates.subject),
      baseline: baseline.label,
      baselineOpsPerSec: round(rates.baseline),
      ratio: Math.round((rates.subject / rates.baseline) * 1000) / 1000,
    };
    if (b.target !== undefined) result.target = b.target;
    if (notes) result.notes = notes();
    return result;
  } finally {
    await teardown?.();
  }
}

function round(x: number): number {
  return x >= 100 ? Math.round(x) : Math.round(x * 100) / 100;
}
