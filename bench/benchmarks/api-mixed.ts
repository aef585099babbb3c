/**
 * `api.mixed`: the API under the mixed load of the reliability suite (test/reliability/load-mix.ts: public
 * attestation reads with inclusion proofs, the latest checkpoint, lookups by hash, court attestation queries with a
 * single-use DID-signed token each, and 2 % court-record writes, each answered with a fresh signed checkpoint). The
 * server is the load test's (test/reliability/load-server.ts: the real API on a SQLite file, pre-filled with 2,000
 * attestations over 40 subjects and 200 court records) in a process of its own; autocannon drives it from this
 * process over 50 connections, closed loop (as fast as it answers), 2,000 requests per call.
 *
 * Baseline: a bare fastify in a process of its own (bare-mixed-server.ts) answering the same requests with the real
 * API's answers precomputed: the ratio is the share of a bare server's rate the API keeps while it authenticates,
 * queries, proves, signs and commits.
 *
 * `notes`: the load test's question in small — after a warm-up of 4,000 requests, 15 s at a fixed 2,000 req/s
 * (autocannon `overallRate`): the rate achieved, p50 / p99 latency, errors and non-2xx, and the server's CPU per
 * request over that run (≤ 0.5 ms means one core sustains 2,000 req/s).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from '../harness.js';
import { mixedRequests, type LoadRequest } from '../../test/reliability/load-mix.js';
import type { LoadServerArgs } from '../../test/reliability/load-server.js';
import type { BareBodies } from './bare-mixed-server.js';
import { childMessage, stopChild } from '../../test/reliability/ipc.js';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PREFILL = { attestations: 2000, records: 200, subjects: 40 };
const CONNECTIONS = 50;
const REQUESTS_PER_CALL = 2000;
const FIXED = { rate: 2000, seconds: 15 };
/** Closed-loop calls before the fixed-rate run (JIT and caches, as the load test's warm-up). */
const WARMUP_CALLS = 2;
const WRITE_SHARE = 0.02;

interface Result {
  requests: { total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<Result>;

async function setup() {
  const autocannon = (await import('autocannon' as string)).default as Autocannon;
  // Tokens: the warm-up and the fixed run (≈ 26 % of 34,000 requests authenticated), then the rounds (closed loop, ≈ 8 calls a side).
  const args: LoadServerArgs = { ...PREFILL, tokens: 16_000 };
  const server = fork(join(DIST, 'test', 'reliability', 'load-server.js'), [JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let bare: ChildProcess | undefined;
  try {
    const ready = await childMessage<{ url: string; prefillHashes: string[]; tokens: string[] }>(server, 'ready');
    const gen = mixedRequests({ ...PREFILL, prefillHashes: ready.prefillHashes, tokens: ready.tokens }, { seed: 0x0b_e7c4, writeShare: WRITE_SHARE, tag: 'bench' });
    const drive = async (url: string, next: () => LoadRequest, opts: Record<string, unknown>): Promise<Result> => {
      const r = await autocannon({ url, connections: CONNECTIONS, requests: [{ setupRequest: () => next().request }], ...opts });
      if (r.errors > 0 || r.timeouts > 0 || r.non2xx > 0) throw new Error(`api.mixed: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx at ${url}`);
      return r;
    };

    // Warm-up (closed loop, as the harness warms every benchmark), then the fixed-rate run with the server's CPU over
    // exactly that run.
    for (let i = 0; i < WARMUP_CALLS; i++) await drive(ready.url, gen.next, { amount: REQUESTS_PER_CALL });
    const serverCpu = async (): Promise<number> => {
      const answer = childMessage<{ cpuMicros: number }>(server, 'cpuMicros', 'api.mixed load server');
      server.send({ cpu: true });
      return (await answer).cpuMicros;
    };
    const cpu0 = await serverCpu();
    const fixed = await drive(ready.url, gen.next, { overallRate: FIXED.rate, duration: FIXED.seconds });
    const cpu1 = await serverCpu();

    // The baseline answers with the API's own answers, one per kind (taken now, after the fixed run).
    const sample = async (kind: LoadRequest['kind']): Promise<string> => {
      for (;;) {
        const r = gen.next();
        if (r.kind !== kind) continue;
        const res = await fetch(ready.url + r.request.path, { method: r.request.method, headers: r.request.headers, body: r.request.body });
        if (!res.ok) throw new Error(`api.mixed: ${kind} answered ${res.status}`);
        return res.text();
      }
    };
    const bodies: BareBodies = { attestation: await sample('attestation'), checkpoint: await sample('checkpoint'), lookup: await sample('lookup'), courtQuery: await sample('court-query'), write: await sample('write') };
    bare = fork(join(DIST, 'bench', 'benchmarks', 'bare-mixed-server.js'), [JSON.stringify(bodies)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const bareUrl = (await childMessage<{ url: string }>(bare, 'ready')).url;
    // The baseline ignores tokens: its generator gets placeholders (same kinds, same paths and bodies' shape).
    const bareGen = mixedRequests({ ...PREFILL, prefillHashes: ready.prefillHashes, tokens: new Array<string>(1_000_000).fill('x') }, { seed: 0x0b_e7c4, writeShare: WRITE_SHARE, tag: 'bare' });

    const requests = fixed.requests.total;
    const notes = {
      fixedRateTarget: FIXED.rate, fixedRateSeconds: FIXED.seconds, fixedRateAchieved: Math.round((requests / FIXED.seconds) * 10) / 10,
      fixedRateP50ms: fixed.latency.p50, fixedRateP99ms: fixed.latency.p99, fixedRateErrors: fixed.errors + fixed.timeouts, fixedRateNon2xx: fixed.non2xx,
      serverCpuMsPerRequest: Math.round(((cpu1 - cpu0) / 1000 / Math.max(1, requests)) * 1000) / 1000,
      mix: 'attestation 39.2 %, checkpoint 14.7 %, lookup 19.6 %, court query 24.5 %, write 2 %',
    };
    const srv = bare;
    return {
      subject: { label: 'the API (SQLite file, own process): mixed requests, closed loop', batch: REQUESTS_PER_CALL, run: () => drive(ready.url, gen.next, { amount: REQUESTS_PER_CALL, sampleInt: 5 }) },
      baseline: { label: 'bare fastify (own process), the API answers precomputed', batch: REQUESTS_PER_CALL, run: () => drive(bareUrl, bareGen.next, { amount: REQUESTS_PER_CALL, sampleInt: 5 }) },
      notes: () => ({ ...notes, tokensUsed: gen.tokensUsed() }),
      teardown: async () => {
        await stopChild(srv);
        await stopChild(server);
      },
    };
  } catch (e) {
    if (bare) await stopChild(bare);
    await stopChild(server);
    throw e;
  }
}

/** The mixed-load API benchmark. */
export const apiMixedBenchmarks: Benchmark[] = [{ name: 'api.mixed', setup }];
