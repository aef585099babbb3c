/**
 * `api.getAttestation`: GET a public attestation — a ledger entry with its RFC 9162 inclusion proof in the latest
 * signed checkpoint (`/api/v1/public/attestations/:index`, the full API app: routing, hooks, schema serialisation,
 * SQLite reads) — against a bare fastify route returning a precomputed JSON body of the same shape and size, both
 * listening on loopback in this process and driven by the same in-process autocannon client (10 connections).
 * Target 0.4 (issue 6). `notes` adds p50 / p99 latency of the API route at a fixed 2,000 req/s (autocannon
 * `overallRate`, 5 s). The API logs at `warn` here (per-request info lines would measure the log sink instead).
 *
 * The route keeps serialised answers per (index, signed tree size) — they are immutable — and the requests cycle over
 * 64 leaves, so the ratio measures the hot path a public verification page sees. `notes.uncachedRatio` is the same
 * comparison with the answer cache off (every request reads the leaf and assembles its proof; the node hashes a
 * checked proof has read stay in the ledger's memory, so after the first round no node is read from SQLite again),
 * each side run for 2 s at the same concurrency.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import type { Benchmark } from '../harness.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { openApiStore } from '../../src/api/store/open.js';
import { buildApp } from '../../src/api/app.js';
import { apiLogger } from '../../src/api/logging.js';
import { JwtVerifier } from '../../did/jwt.js';
import { DidResolver } from '../../did/resolver.js';

const ENTRIES = 4096;
const REQUESTS_PER_CALL = 10_000;
const CONNECTIONS = 10;

type Autocannon = (opts: Record<string, unknown>) => Promise<{ requests: { total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }>;

async function setup() {
  const autocannon = (await import('autocannon' as string)).default as Autocannon;
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-api-'));
  const store = await openSqliteStore(join(dir, 'api.db'));
  const ledger = await Ledger.init(store, { origin: 'bench.courtbridge/api', hashAlg: 'sha256', masterKey: 'bench-api-master-key-0123456789' });
  await Promise.all(Array.from({ length: ENTRIES }, (_, i) => ledger.append({ type: 'courtbridge.bench/v1', i, digest: `${i}`.padStart(64, '0') })));
  await ledger.checkpoint();
  const app = await buildApp({
    ledger, store: await openApiStore(store), hubDid: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    jwt: new JwtVerifier(new DidResolver()), rateLimit: false, log: { level: 'warn' },
  });
  const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const cold = await buildApp({
    ledger, store: await openApiStore(store), hubDid: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    jwt: new JwtVerifier(new DidResolver()), rateLimit: false, log: { level: 'warn' }, attestationCacheSize: 0,
  });
  const coldUrl = await cold.listen({ host: '127.0.0.1', port: 0 });
  // The same requests on both sides: 64 different leaves, cycled.
  const paths = Array.from({ length: 64 }, (_, i) => `/api/v1/public/attestations/${(i * 61) % ENTRIES}`);
  const bodies = new Map<string, string>();
  for (const p of paths) bodies.set(p, (await app.inject({ method: 'GET', url: p })).body);
  const bare = Fastify();
  bare.get('/api/v1/public/attestations/:index', async (req, reply) => {
    void reply.type('application/json; charset=utf-8');
    return bodies.get(req.url);
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const requests = paths.map((path) => ({ method: 'GET', path }));
  const burst = async (url: string) => {
    // sampleInt 5 ms: autocannon notices the end of a fixed amount on its next sample tick (default 1 s).
    const r = await autocannon({ url, connections: CONNECTIONS, amount: REQUESTS_PER_CALL, requests, sampleInt: 5 });
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`api bench: ${r.non2xx} non-2xx, ${r.errors} errors at ${url}`);
  };
  await burst(apiUrl);
  const fixed = await autocannon({ url: apiUrl, connections: CONNECTIONS, overallRate: 2000, duration: 5, requests });
  const rate = async (url: string) => (await autocannon({ url, connections: CONNECTIONS, duration: 2, requests })).requests.total / 2;
  const coldRate = await rate(coldUrl);
  const bareRate = await rate(bareUrl);
  const notes = { uncachedOpsPerSec: Math.round(coldRate), uncachedBaselineOpsPerSec: Math.round(bareRate), uncachedRatio: Math.round((coldRate / bareRate) * 1000) / 1000, p50msAt2000rps: fixed.latency.p50, p99msAt2000rps: fixed.latency.p99, requestsAt2000rps: fixed.requests.total, non2xxAt2000rps: fixed.non2xx };
  return {
    subject: { label: 'GET /api/v1/public/attestations/:index (entry + inclusion proof)', batch: REQUESTS_PER_CALL, run: () => burst(apiUrl) },
    baseline: { label: 'bare fastify route, precomputed JSON of the same response', batch: REQUESTS_PER_CALL, run: () => burst(bareUrl) },
    notes: () => notes,
    teardown: async () => {
      await app.close();
      await cold.close();
      await bare.close();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `api.log.line`: what fastify does per request at info level with the API's logger (src/api/logging.ts: secret and
 * personal keys scrubbed to depth 2) — a child logger with the request id, then the request-completed line with a
 * nested object — against plain pino doing the same without any redaction, both writing to a discarding stream.
 */
const logLine: Benchmark = {
  name: 'api.log.line',
  async setup() {
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const ours = apiLogger({ level: 'info', stream: sink });
    const plain = pino({ level: 'info' }, sink);
    const fields = { res: { statusCode: 200 }, responseTime: 1.25, detail: { route: '/api/v1/court/attestations', query: { limit: 20 } } };
    let i = 0;
    let j = 0;
    return {
      subject: { label: 'apiLogger: child({reqId}) + one info line (scrubbed)', run: () => ours.child({ reqId: `req-${i++}` }).info(fields, 'request completed') },
      baseline: { label: 'plain pino: child({reqId}) + one info line, no redaction', run: () => plain.child({ reqId: `req-${j++}` }).info(fields, 'request completed') },
    };
  },
};

/** API benchmarks. */
export const apiBenchmarks: Benchmark[] = [{ name: 'api.getAttestation', target: 0.4, setup }, logLine];
