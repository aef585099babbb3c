/**
 * Load (issue 7, reliability suite): the real API in a process of its own (load-server.ts, forked from dist/:
 * `buildApp` listening on 127.0.0.1, a SQLite store FILE, the real ledger with signed checkpoints, rate limits on but
 * high), pre-filled with relay attestations and court records, driven from this process by autocannon — after an
 * untimed warm-up of 4,000 requests — at a FIXED 2,000 req/s (`overallRate`) for COURTBRIDGE_LOAD_SECONDS (default 60)
 * over 50 connections with a seeded mix:
 *   - public reads: an attestation with its inclusion proof, the latest checkpoint, a court record looked up by hash;
 *   - court (DID-signed bearer token, role court): the attestation query by subject, and WRITES — court records
 *     attested (`POST /api/v1/court/records`, each answered with a signed checkpoint covering it and its inclusion
 *     proof); COURTBRIDGE_LOAD_WRITE_SHARE sets their share.
 * Tokens are single-use (jti replay cache, did/auth.ts): the server signs a pool before the run and each
 * authenticated request takes the next one.
 *
 * Asserted (behaviour, not timings of our code): no connection errors or timeouts (10 s), every response 2xx, and
 * every write the API acknowledged is in the ledger afterwards (count, index row and leaf content; no other leaf).
 * p50 / p99 latency, the achieved rate and the server's CPU per request go to stdout and test/reliability/out/load-*.json;
 * the achieved rate is asserted (≥ 95 % of the target) only with COURTBRIDGE_LOAD_ASSERT_RATE=1, on a dedicated machine.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../relay/helpers.js';
import type { AckedWrite, LoadServerArgs } from './load-server.js';
import { childMessage, stopChild } from './ipc.js';
import { AUTHENTICATED, loadMix, mixedRequests, type LoadKind } from './load-mix.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'test', 'reliability', 'out');
const SERVER = join(ROOT, 'dist', 'test', 'reliability', 'load-server.js');
const SECONDS = Number(process.env.COURTBRIDGE_LOAD_SECONDS ?? 60);
const RATE = 2000;
const CONNECTIONS = 50;
/** Relay attestation leaves and court records written before the run. */
const PREFILL = { attestations: 2000, records: 200, subjects: 40 };
/**
 * Share of writes (COURTBRIDGE_LOAD_WRITE_SHARE, default 2 %, i.e. 40 court records a second). Each write is at least
 * two durable SQLite transactions on the server's event loop (synchronous = FULL: an fsync each, ≈ 4 ms on the shared
 * CI disk) plus its share of one checkpoint signing (SM2 + Ed25519): writes, not reads, bound what one process serves.
 */
const WRITE_SHARE = Number(process.env.COURTBRIDGE_LOAD_WRITE_SHARE ?? 0.02);
/** The request mix (load-mix.ts, shared with the `api.mixed` benchmark): the reads split the rest 40 / 15 / 20 / 25. */
const MIX = loadMix(WRITE_SHARE);
const SEED = 0x10ad_2026;
/**
 * Requests of the untimed warm-up before the run (closed loop, same mix, same checks): the server's JIT and caches,
 * as any load test warms its target; the reported rate, latencies and CPU are the timed run's alone.
 */
const WARMUP_REQUESTS = 4000;

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

describe(`load: the API process at a fixed ${RATE} req/s for ${SECONDS} s (autocannon, ${CONNECTIONS} connections, mixed reads and ${WRITE_SHARE * 100} % writes, SQLite file)`, () => {
  let child: ChildProcess | undefined;
  let ready: { url: string; courtDid: string; prefillHashes: string[]; tokens: string[] };
  const authShare = MIX.filter(([k]) => AUTHENTICATED.includes(k)).reduce((s, [, p]) => s + p, 0);

  beforeAll(async () => {
    ensureBuilt(ROOT);
    const src = join(ROOT, 'test', 'reliability', 'load-server.ts');
    if (!existsSync(SERVER) || statSync(SERVER).mtimeMs < statSync(src).mtimeMs) {
      try {
        execFileSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'ignore' });
      } catch { /* type errors elsewhere in the tree do not stop the emit */ }
    }
    // Single-use bearer tokens (jti replay cache), signed by the server process before the run.
    const args: LoadServerArgs = { ...PREFILL, tokens: Math.ceil((RATE * SECONDS + WARMUP_REQUESTS) * authShare * 1.1) + 200 };
    child = fork(SERVER, [JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    ready = await childMessage(child, 'ready', 'load server');
  }, 600_000);
  afterAll(async () => {
    if (child) await stopChild(child);
  });

  it(`0 errors, every response 2xx, ≥ 95 % of ${RATE} req/s achieved, every acknowledged write in the ledger; p50 / p99 reported`, async () => {
    expect(SECONDS, 'tokens are signed up front and live at most 5 min (did/auth.ts)').toBeLessThanOrEqual(240);
    const autocannon = (await import('autocannon' as string)).default as Autocannon;
    const { tokens, prefillHashes } = ready;
    const gen = mixedRequests({ attestations: PREFILL.attestations, subjects: PREFILL.subjects, prefillHashes, tokens }, { seed: SEED, writeShare: WRITE_SHARE, tag: 'run' });
    const sent: Record<string, number> = {};
    const byKind: Record<string, Record<number, number>> = {};
    const acked: AckedWrite[] = [];
    const pending = new Set<string>();
    const bad: string[] = [];
    const request = {
      setupRequest: (_req: unknown, context: { kind?: LoadKind }) => {
        const r = gen.next();
        context.kind = r.kind;
        sent[r.kind] = (sent[r.kind] ?? 0) + 1;
        if (r.sha256 !== undefined) pending.add(r.sha256);
        return r.request;
      },
      onResponse: (status: number, body: string, context: { kind?: LoadKind }) => {
        const kind = context.kind ?? 'unknown';
        (byKind[kind] ??= {})[status] = (byKind[kind]![status] ?? 0) + 1;
        if (status < 200 || status >= 300) {
          if (bad.length < 20) bad.push(`${kind} ${status} ${body.slice(0, 300)}`);
          return;
        }
        if (kind === 'write') {
          const r = JSON.parse(body) as { created: boolean; record: { hashes: { sha256: string }; ledgerIndex: number; evidenceId: string } };
          if (!pending.has(r.record.hashes.sha256) || !r.created) bad.push(`write acknowledged for an unknown or repeated document: ${body.slice(0, 200)}`);
          else acked.push({ sha256: r.record.hashes.sha256, ledgerIndex: r.record.ledgerIndex, evidenceId: r.record.evidenceId });
        }
      },
    };

    const warmup = await autocannon({ url: ready.url, connections: CONNECTIONS, amount: WARMUP_REQUESTS, requests: [request], timeout: 10 });
    const serverCpuMicros = async (): Promise<number> => {
      const answer = childMessage<{ cpuMicros: number }>(child!, 'cpuMicros', 'load server');
      child!.send({ cpu: true });
      return (await answer).cpuMicros;
    };
    const cpu0 = await serverCpuMicros();
    const result = await autocannon({ url: ready.url, connections: CONNECTIONS, overallRate: RATE, duration: SECONDS, requests: [request], timeout: 10 });
    const runCpuMs = ((await serverCpuMicros()) - cpu0) / 1000;
    const achieved = result.requests.total / SECONDS;

    // Every acknowledged write is in the ledger (index row and leaf content); the ledger grew by no other leaf.
    const check = childMessage<{ missing: string[]; strangers: string[]; ledgerGrowth: number; errorLogs: string[] }>(child!, 'checked', 'load server');
    child!.send({ check: true, acked, sent: [...pending] });
    const checked = await check;

    const figures = {
      at: new Date().toISOString(), seconds: SECONDS, targetRate: RATE, connections: CONNECTIONS, mix: Object.fromEntries(MIX),
      requests: result.requests.total, achievedRate: Math.round(achieved * 10) / 10,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
      errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, statusCodes: byKind, sent,
      writes: { sent: gen.writes(), acknowledged: acked.length, ledgerGrowth: checked.ledgerGrowth, missing: checked.missing.length },
      // Server CPU per request: ≤ 0.5 ms means one idle core sustains the target rate (a figure for a loaded box).
      server: { cpuMs: Math.round(runCpuMs), cpuMsPerRequest: Math.round((runCpuMs / Math.max(1, result.requests.total)) * 1000) / 1000, cpuShare: Math.round((runCpuMs / 1000 / SECONDS) * 100) / 100 },
      warmup: { requests: warmup.requests.total, errors: warmup.errors, timeouts: warmup.timeouts, non2xx: warmup.non2xx },
      loadAverage: loadavg(), tokensUsed: gen.tokensUsed(), prefill: PREFILL, cpus: cpus().length, node: process.version,
    };
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, `load-${figures.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`load: ${figures.requests} requests in ${SECONDS} s = ${figures.achievedRate} req/s (target ${RATE}); p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, max ${figures.latencyMs.max} ms; server CPU ${figures.server.cpuMsPerRequest} ms/request (${figures.server.cpuShare} of a core), load average ${figures.loadAverage.map((l) => l.toFixed(1)).join(' ')}; errors ${figures.errors}, timeouts ${figures.timeouts}, non-2xx ${figures.non2xx}; writes sent ${gen.writes()}, acknowledged ${acked.length}, ledger grew by ${checked.ledgerGrowth}; by kind ${JSON.stringify(byKind)} → ${file}`);
    for (const b of bad) console.log(`bad response: ${b}`);

    expect(bad).toEqual([]);
    expect([result.errors, result.timeouts, result.non2xx]).toEqual([0, 0, 0]);
    expect([warmup.errors, warmup.timeouts, warmup.non2xx]).toEqual([0, 0, 0]);
    expect(checked.missing).toEqual([]);
    expect(checked.strangers).toEqual([]);
    expect(checked.errorLogs).toEqual([]);
    if (WRITE_SHARE > 0) expect(acked.length).toBeGreaterThan(0);
    // Writes still in flight when the run ended were sent but not answered: the ledger may hold them, nothing else.
    expect(checked.ledgerGrowth).toBeGreaterThanOrEqual(acked.length);
    expect(checked.ledgerGrowth).toBeLessThanOrEqual(gen.writes());
    // The achieved rate is a property of the machine (a shared 2-core CI box also runs autocannon), and tests never
    // assert timings: it is reported above and in the JSON file. On a dedicated machine set
    // COURTBRIDGE_LOAD_ASSERT_RATE=1 to make falling below 95 % of the target a failure.
    if (process.env.COURTBRIDGE_LOAD_ASSERT_RATE === '1') expect(achieved, `achieved ${achieved.toFixed(0)} req/s of ${RATE}`).toBeGreaterThanOrEqual(0.95 * RATE);
  }, (SECONDS + 300) * 1000);
});
