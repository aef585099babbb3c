/**
 * `RelayEngine`: worker loops over the durable job queue, subscriptions that follow partner chains, and periodic
 * anchoring of ledger checkpoints on the courts' EVM chain.
 *
 * - Workers: each loop claims up to `batchSize` runnable jobs (lease `leaseMs`) and runs them through the pipeline;
 *   it sleeps `pollMs` when nothing is runnable and wakes early when this process enqueues.
 * - Start: the attestation index is repaired from the ledger before any worker runs (crash between append and
 *   receipt, see ledger-index.ts).
 * - Stop: no new claims; in-flight batches finish and store their outcomes (graceful drain); timers are cleared.
 * - Webhooks: the optional delivery worker runs beside the job loops (the outbox is written with each receipt).
 * - Subscriptions: `adapter.follow` per stored subscription; every event is enqueued at the final block of the change
 *   it reports and the cursor is stored as `height − 1`, or as the scanned height the adapter reports through
 *   `onProgress` (re-enqueueing the same (ref, height) after a crash is harmless: jobs are idempotent). Stop waits for
 *   the follows to end, so nothing is enqueued after it. With `subscriptionRefreshMs`, subscriptions stored by other
 *   processes (the API creates one per webhook (chainId, recordType)) are picked up within that interval.
 */
import { randomBytes } from 'node:crypto';
import { fail } from '../src/errors.js';
import type { Ledger } from '../src/ledger/ledger.js';
import type { JwsSigner } from '../did/jwt.js';
import type { EvidenceTrust, RecordRef } from '../adapters/types.js';
import type { AdminDecision, TrustState } from '../src/proofs/lightclient/types.js';
import { anchorCheckpoint, type AnchorConfig } from './anchor.js';
import type { BackoffOptions } from './jobs/backoff.js';
import type { AnchorRow, JobRow, RelayStore, SubscriptionRow } from './jobs/types.js';
import { repairIndex } from './ledger-index.js';
import { RelayMetrics } from './metrics.js';
import { Pipeline, type ChainResolver } from './pipeline.js';
import { RateLimits } from './rate-limit.js';
import { TrustBook, type EvidenceVerifier } from './trust.js';
import type { WebhookDeliverer } from './webhooks/deliver.js';

/** Engine options. */
export interface RelayEngineOptions {
  ledger: Ledger;
  store: RelayStore;
  chains: ChainResolver;
  /** The pure verifier (src/proofs/evidence.ts `verifySourceEvidence`). */
  verifier: EvidenceVerifier;
  /** The hub's DID key signer and DID. */
  signer: JwsSigner;
  relayDid: string;
  /** Consortium subject salt. */
  salt: Uint8Array;
  /** Concurrent worker loops. Default 2. */
  workers?: number;
  /** Jobs claimed per batch. Default 32. */
  batchSize?: number;
  /** Lease of a claim, ms. Default 60 000 (must exceed the longest attempt). */
  leaseMs?: number;
  /** Idle poll interval, ms. Default 250. */
  pollMs?: number;
  /** Attempts before a job is dead. Default 8. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Per-chain token bucket (default: unlimited). */
  rateLimit?: (chainId: string) => { ratePerSec: number; burst: number } | undefined;
  /** Anchoring of checkpoints; off when absent. */
  anchor?: AnchorConfig & { intervalMs: number };
  /** Metrics registry (default: a new one). */
  metrics?: RelayMetrics;
  /** Lease owner id (default random). */
  owner?: string;
  /** Court webhook delivery worker (relay/webhooks/deliver.ts), started and stopped with the engine. */
  webhooks?: WebhookDeliverer;
  /**
   * Re-read the stored subscriptions this often (ms) while running and follow the enabled ones nobody here follows:
   * subscriptions created by other processes (an API's webhook registration, a stand-alone `subscribe`) and follows
   * that ended (chain not registered yet, adapter without `follow`). Off when absent: only those stored at `start`.
   */
  subscriptionRefreshMs?: number;
}

/** What `attest` resolves to. */
export interface AttestResult {
  job: JobRow;
  receipt: { attestationId: string; ledgerIndex: number; leafHash: string; treeSize: number };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const abortableSleep = (ms: number, signal: AbortSignal) => new Promise<void>((r) => {
  const done = () => { clearTimeout(t); signal.removeEventListener('abort', done); r(); };
  const t = setTimeout(done, ms);
  signal.addEventListener('abort', done, { once: true });
});

/** The relay engine. */
export class RelayEngine {
  readonly metrics: RelayMetrics;
  readonly owner: string;
  private readonly pipeline: Pipeline;
  private readonly trust: TrustBook;
  private running = false;
  private loops: Promise<void>[] = [];
  private wake: (() => void)[] = [];
  private readonly follows = new Set<AbortController>();
  private readonly following = new Set<Promise<void>>();
  /** Running follows per subscription id (the refresh starts one only where none runs). */
  private readonly followed = new Map<string, number>();
  private subscriptionTimer: NodeJS.Timeout | undefined;
  private pickingUp: Promise<unknown> = Promise.resolve();
  private anchorTimer: NodeJS.Timeout | undefined;
  private anchoring: Promise<unknown> = Promise.resolve();
  private readonly doneWaiters = new Map<number, (() => void)[]>();
  private readonly lagAt = new Map<string, number>();
  private readonly inFlight = new Set<number>();

  /** See RelayEngineOptions. */
  constructor(private readonly o: RelayEngineOptions) {
    this.metrics = o.metrics ?? new RelayMetrics();
    this.owner = o.owner ?? `relay-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.trust = new TrustBook(o.store, o.verifier, () => Math.floor(Date.now() / 1000));
    this.pipeline = new Pipeline({
      ledger: o.ledger, store: o.store, chains: o.chains, trust: this.trust, signer: o.signer, relayDid: o.relayDid, salt: o.salt,
      metrics: this.metrics, backoff: o.backoff, rateLimits: o.rateLimit ? new RateLimits(o.rateLimit) : undefined,
      prepareTimeoutMs: Math.floor((o.leaseMs ?? 60_000) / 2),
    });
  }

  /** Repair the index, then start workers, subscriptions and anchoring. */
  async start(): Promise<void> {
    if (this.running) return;
    await repairIndex(this.o.ledger, this.o.store);
    this.running = true;
    for (let i = 0; i < (this.o.workers ?? 2); i++) this.loops.push(this.workerLoop());
    for (const s of await this.o.store.subscriptions()) if (s.enabled) this.startFollow(s);
    if (this.o.subscriptionRefreshMs !== undefined) {
      this.subscriptionTimer = setInterval(() => {
        this.pickingUp = this.pickingUp.then(() => this.pickUpSubscriptions()).catch(() => undefined);
      }, Math.max(100, this.o.subscriptionRefreshMs));
    }
    if (this.o.anchor) {
      const a = this.o.anchor;
      this.anchorTimer = setInterval(() => {
        this.anchoring = this.anchoring.then(() => this.anchorNow(a)).catch(() => undefined);
      }, a.intervalMs);
    }
    this.o.webhooks?.start();
  }

  /** Stop claiming, drain in-flight batches, stop following and anchoring. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.anchorTimer) clearInterval(this.anchorTimer);
    if (this.subscriptionTimer) clearInterval(this.subscriptionTimer);
    await this.pickingUp; // starts no follow once not running
    for (const c of this.follows) c.abort();
    for (const w of this.wake.splice(0)) w();
    await Promise.all(this.loops);
    await Promise.all([...this.following]); // a follow ends after its current range: no enqueue after stop
    this.loops = [];
    await this.anchoring;
    await this.o.webhooks?.stop();
  }

  /** Prometheus text of the relay metrics (queue depth refreshed from the store). */
  async metricsText(): Promise<string> {
    this.metrics.setCounts(await this.o.store.counts());
    return this.metrics.metricsText();
  }

  /** The stored trust of `chainId` and the id it is stored under (registered chains key it by chain and anchor). */
  async trustOf(chainId: string): Promise<{ trustId: string; trust: EvidenceTrust | undefined }> {
    const chain = (await this.o.chains(chainId)) ?? fail('RELAY_NO_ADAPTER', { chainId });
    const trustId = chain.trustId ?? chainId;
    return { trustId, trust: await this.trust.current(trustId) };
  }

  /** Lift the light-client freeze of `chainId` by an administrator's decision (relay/trust.ts `TrustBook.unfreeze`). */
  async unfreeze(chainId: string, decision: AdminDecision, attest: (facts: Record<string, unknown>) => Promise<{ index: number }>, signedAt?: number): Promise<{ state: TrustState; ledgerIndex: number }> {
    const chain = (await this.o.chains(chainId)) ?? fail('RELAY_NO_ADAPTER', { chainId });
    return this.trust.unfreeze(chain.trustId ?? chainId, decision, attest, signedAt);
  }

  /** Enqueue `ref` at height `at` (default: the chain's finalized head now). Idempotent per (ref, height). */
  async enqueue(ref: RecordRef, at?: number): Promise<JobRow> {
    let height = at;
    if (height === undefined) {
      const chain = (await this.o.chains(ref.chainId)) ?? fail('RELAY_NO_ADAPTER', { chainId: ref.chainId });
      height = (await chain.adapter.finalizedHead()).height;
    }
    return (await this.enqueueMany([{ ref, at: height }]))[0]!;
  }

  /** Enqueue many records at known heights in one store transaction. */
  async enqueueMany(items: readonly { ref: RecordRef; at: number }[]): Promise<JobRow[]> {
    const jobs = await this.o.store.enqueueMany(items.map(({ ref, at }) => ({ ...ref, blockHeight: at, maxAttempts: this.o.maxAttempts ?? 8 })), Date.now());
    for (const w of this.wake.splice(0)) w();
    return jobs;
  }

  /** Enqueue and wait for the durable receipt (RELAY_JOB_DEAD when it gives up, RELAY_TIMEOUT after `timeoutMs`). */
  async attest(ref: RecordRef, opts: { at?: number; timeoutMs?: number } = {}): Promise<AttestResult> {
    const job = await this.enqueue(ref, opts.at);
    return this.waitFor(job.id, opts.timeoutMs ?? 60_000);
  }

  /** Wait until job `id` is done (or dead). */
  async waitFor(id: number, timeoutMs: number): Promise<AttestResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Register for this process's completion notice BEFORE reading the job, so a completion in between is not missed;
      // the timer only catches completions by other processes.
      let timer: NodeJS.Timeout | undefined;
      let notify!: () => void;
      const woken = new Promise<void>((r) => { notify = r; });
      const list = this.doneWaiters.get(id) ?? [];
      list.push(notify);
      this.doneWaiters.set(id, list);
      try {
        const job = (await this.o.store.job(id)) ?? fail('RELAY_JOB_NOT_FOUND', { id });
        if (job.state === 'done') {
          const r = (await this.o.store.receipt(job.attestationId ?? '')) ?? fail('INTERNAL', { reason: `job ${id} is done without a receipt` });
          return { job, receipt: { attestationId: r.attestationId, ledgerIndex: r.ledgerIndex, leafHash: r.leafHash, treeSize: r.treeSize } };
        }
        if (job.state === 'dead') fail('RELAY_JOB_DEAD', { id, attempts: job.attempts, lastError: job.lastError ?? 'unknown' });
        const left = deadline - Date.now();
        if (left <= 0) fail('RELAY_TIMEOUT', { id, ms: timeoutMs });
        await Promise.race([woken, new Promise<void>((r) => { timer = setTimeout(r, Math.min(left, Math.max(this.o.pollMs ?? 250, 250))); })]);
      } finally {
        if (timer) clearTimeout(timer);
        const l = this.doneWaiters.get(id);
        if (l) {
          const i = l.indexOf(notify);
          if (i >= 0) l.splice(i, 1);
          if (l.length === 0) this.doneWaiters.delete(id);
        }
      }
    }
  }

  /** Follow `chainId` and attest every new final record of `recordType` (stored; resumes after restarts). */
  async subscribe(chainId: string, recordType: string, fromHeight?: number): Promise<SubscriptionRow> {
    const chain = (await this.o.chains(chainId)) ?? fail('RELAY_NO_ADAPTER', { chainId });
    const from = fromHeight ?? (await chain.adapter.finalizedHead()).height;
    const row: SubscriptionRow = { id: `${chainId}/${recordType}`, chainId, recordType, cursor: JSON.stringify(from), enabled: true, updatedAt: Date.now() };
    await this.o.store.putSubscription(row);
    if (this.running) this.startFollow(row);
    return row;
  }

  /** Follow every enabled stored subscription that no follow of this engine serves (the refresh timer's work). */
  async pickUpSubscriptions(): Promise<number> {
    let started = 0;
    for (const s of await this.o.store.subscriptions()) {
      if (!this.running) break;
      if (s.enabled && (this.followed.get(s.id) ?? 0) === 0) {
        this.startFollow(s);
        started++;
      }
    }
    return started;
  }

  private startFollow(sub: SubscriptionRow): void {
    this.followed.set(sub.id, (this.followed.get(sub.id) ?? 0) + 1);
    const p: Promise<void> = this.follow(sub).finally(() => {
      this.following.delete(p);
      const n = (this.followed.get(sub.id) ?? 1) - 1;
      if (n <= 0) this.followed.delete(sub.id);
      else this.followed.set(sub.id, n);
    });
    this.following.add(p);
  }

  /** Anchor the current checkpoint once (also what the timer does). */
  async anchorNow(cfg: AnchorConfig): Promise<AnchorRow | undefined> {
    const row = await anchorCheckpoint(this.o.ledger, this.o.store, cfg);
    if (row) this.metrics.anchors.inc();
    return row;
  }

  private async follow(sub: SubscriptionRow): Promise<void> {
    const ctl = new AbortController();
    this.follows.add(ctl);
    try {
      await this.followWith(sub, ctl);
    } finally {
      this.follows.delete(ctl);
    }
  }

  private async followWith(sub: SubscriptionRow, ctl: AbortController): Promise<void> {
    let cursor = Number(JSON.parse(sub.cursor));
    // Follow until stopped; a failure (RPC down, adapter error) restarts the follow from the stored cursor later.
    while (this.running && !ctl.signal.aborted) {
      try {
        const chain = await this.o.chains(sub.chainId);
        if (!chain?.adapter.follow) return; // this adapter cannot follow: the subscription waits for one that can
        // Cursor: events come in non-decreasing height at the block of the change (adapters/types.ts FollowEvent), so
        // after one at height h every record below h is enqueued (cursor h − 1); onProgress moves it over quiet blocks.
        const onProgress = async (scanned: number, head: { height: number }): Promise<void> => {
          this.metrics.followLag.set({ chain: sub.chainId, record_type: sub.recordType }, Math.max(0, head.height - scanned));
          if (scanned > cursor) {
            cursor = scanned;
            await this.o.store.putSubscription({ ...sub, cursor: JSON.stringify(cursor), updatedAt: Date.now() });
          }
        };
        await chain.adapter.follow({ recordTypes: [sub.recordType], fromHeight: cursor, signal: ctl.signal, intervalMs: this.o.pollMs ?? 250, onProgress }, async (ev) => {
          await this.enqueue(ev.ref, ev.head.height);
          void this.lag(sub.chainId, ev.head.height);
          if (ev.head.height - 1 > cursor) {
            cursor = ev.head.height - 1;
            await this.o.store.putSubscription({ ...sub, cursor: JSON.stringify(cursor), updatedAt: Date.now() });
          }
        });
        return;
      } catch {
        if (!ctl.signal.aborted) await abortableSleep(Math.max(this.o.pollMs ?? 250, 1000), ctl.signal);
      }
    }
  }

  private async workerLoop(): Promise<void> {
    while (this.running) {
      // With a sequencer lease (docs/scaling.md) only its holder claims: a standby claims nothing (its attempts could
      // not append) and takes over once the holder's lease expires or is released.
      const seq = this.o.ledger.sequencer;
      if (seq !== undefined && !(await seq.ensure().catch(() => false))) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.max(this.o.pollMs ?? 250, Math.floor(seq.ttlMs / 4)));
          this.wake.push(() => { clearTimeout(t); r(); });
        });
        continue;
      }
      let jobs: JobRow[] = [];
      try {
        jobs = await this.o.store.claim(this.owner, this.o.batchSize ?? 32, Date.now(), this.o.leaseMs ?? 60_000);
      } catch {
        await sleep(this.o.pollMs ?? 250); // store unavailable: try again later
        continue;
      }
      // A job this process is still running (its lease ran out under a slow attempt) is left to that attempt.
      jobs = jobs.filter((j) => !this.inFlight.has(j.id));
      if (jobs.length === 0) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.o.pollMs ?? 250);
          this.wake.push(() => { clearTimeout(t); r(); });
        });
        continue;
      }
      for (const j of jobs) this.inFlight.add(j.id);
      try {
        const outcomes = await this.pipeline.runBatch(jobs, this.owner);
        for (const o of outcomes) for (const w of [...(this.doneWaiters.get(o.jobId) ?? [])]) w();
        // Receipts may have filled the webhook outbox (same transaction): deliver without waiting for the next poll.
        if (outcomes.some((o) => o.kind === 'done')) this.o.webhooks?.wake();
        const last = jobs.reduce((m, j) => Math.max(m, j.blockHeight), 0);
        void this.lag(jobs[0]!.chainId, last);
      } catch {
        // Storing outcomes failed: the leases run out and the jobs are claimed again (idempotently).
        await sleep(this.o.pollMs ?? 250);
      } finally {
        for (const j of jobs) this.inFlight.delete(j.id);
      }
    }
  }

  private async lag(chainId: string, height: number): Promise<void> {
    // At most one head query per chain per second: the gauge must not cost the chain an RPC per batch.
    const last = this.lagAt.get(chainId) ?? 0;
    if (Date.now() - last < 1000) return;
    this.lagAt.set(chainId, Date.now());
    const chain = await this.o.chains(chainId).catch(() => undefined);
    const head = await chain?.adapter.finalizedHead().catch(() => undefined);
    if (head) this.metrics.headLag.set({ chain: chainId }, Math.max(0, head.height - height));
  }
}
