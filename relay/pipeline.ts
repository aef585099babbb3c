/**
 * The relay pipeline for a batch of claimed jobs (DESIGN.md "The flow"):
 *   1. fetch      adapter.fetchRecord(ref, job.blockHeight)                      (I/O; endpoint failover inside)
 *   2. verify     TrustBook: light-client update + verifySourceEvidence          (pure; CHAIN_FROZEN, proof codes)
 *   3. validate   the record against its schema (src/schema validateRecord)      (SCHEMA_INVALID)
 *   4. build      the attestation (deterministic id; issue time stamped on the job before any append)
 *   5. dedupe     the attestation id in the receipt index — found ⇒ that leaf (checked) is the receipt
 *   5a. evidence  the raw SourceEvidence (RFC 8785 text hashing to the attested evidence digest) is upserted into
 *                 `relay_evidence` BEFORE the append, so an acknowledged attestation always has its evidence (a
 *                 crash in between leaves a row without a leaf: harmless, the retry rewrites the same row). First
 *                 attempts write in step 4's stamp transaction (no extra commit); a retry never overwrites the
 *                 evidence of a leaf an earlier attempt already appended with another evidence digest.
 *   6. append     sign (detached JWS) and append with the attestation id as the ledger's idempotency key: the
 *                 database holds at most one leaf per key, checked in the leaf's own transaction, so a worker that
 *                 appended and died before its receipt, or one stalled past its lease while another process took
 *                 the job over, gets the EXISTING leaf back instead of appending twice (exactly once, across
 *                 processes). Resolves once the leaf is durable (group commit).
 *   7. receipt    all outcomes of the batch in ONE store transaction (receipt rows with their jobs)
 * A step that throws fails only its own job, with the error's code; `input` errors and a few codes that retrying
 * cannot change are permanent (dead at once), everything else retries with backoff until maxAttempts.
 */
import { CourtBridgeError, asCourtBridgeError, fail } from '../src/errors.js';
import type { Ledger } from '../src/ledger/ledger.js';
import { validateRecord } from '../src/schema/index.js';
import type { JwsSigner } from '../did/jwt.js';
import type { Adapter, EvidenceTrust, Registration } from '../adapters/types.js';
import { attestationIdOfLeaf, buildAttestation, signAttestation, type Attestation, type SignedAttestation } from './attestation.js';
import { evidenceRow } from './evidence.js';
import { backoffDelay, type BackoffOptions } from './jobs/backoff.js';
import type { AttestationReceiptRow, EvidenceRow, JobOutcome, JobRow, RelayStore } from './jobs/types.js';
import type { RelayMetrics } from './metrics.js';
import type { RateLimits } from './rate-limit.js';
import type { TrustBook } from './trust.js';

/** One partner chain as the relay sees it. */
export interface RelayChain {
  /** The approved registration (adapters/types.ts view). */
  registration: Registration;
  /** Its adapter (created once, reused). */
  adapter: Adapter;
  /** Trust to start from when none is stored: TrustState from the trust anchor, or DepthTrust for depth rules. */
  initialTrust(): EvidenceTrust;
  /** Key of the stored trust state (default: the chain id; registered-chains.ts keys it by chain and anchor). */
  trustId?: string;
}

/** Chain lookup: undefined when no approved registration exists; REGISTRATION_DISABLED when it was disabled. */
export type ChainResolver = (chainId: string) => Promise<RelayChain | undefined>;

/** What the pipeline needs. */
export interface PipelineDeps {
  ledger: Ledger;
  store: RelayStore;
  chains: ChainResolver;
  trust: TrustBook;
  signer: JwsSigner;
  relayDid: string;
  salt: Uint8Array;
  metrics?: RelayMetrics;
  rateLimits?: RateLimits;
  backoff?: BackoffOptions;
  nowMs?: () => number;
  /**
   * Fetch + verify + build must finish within this many ms of the claim (default 30 000; the engine passes half the
   * lease), else the attempt fails with RELAY_TIMEOUT before it can append: an append therefore always starts while
   * the claim's lease still runs, so no other worker can have reclaimed the job.
   */
  prepareTimeoutMs?: number;
}

/** Codes that no retry can change (the block is pinned, so the record and its proof are fixed). */
const PERMANENT_CODES = new Set(['SCHEMA_INVALID', 'SCHEMA_UNKNOWN', 'RECORD_NOT_FOUND', 'UNKNOWN_TYPE', 'RELAY_NO_ADAPTER', 'CHAIN_FROZEN', 'REGISTRATION_DISABLED']);

type Prepared = { job: JobRow; chainId: string; attestation: Attestation; evidence: EvidenceRow; started: number };
type Failed = { job: JobRow; error: CourtBridgeError; verify: boolean };

/** Runs batches of claimed jobs. */
export class Pipeline {
  private readonly now: () => number;

  /** See PipelineDeps. */
  constructor(private readonly d: PipelineDeps) {
    this.now = d.nowMs ?? Date.now;
  }

  /** Run steps 1–7 for `jobs` (claimed by `owner`); returns their outcomes, already stored. */
  async runBatch(jobs: readonly JobRow[], owner: string): Promise<JobOutcome[]> {
    const started = this.now();
    const limit = this.d.prepareTimeoutMs ?? 30_000;
    const results = await Promise.all(jobs.map((j) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<Failed>((r) => {
        timer = setTimeout(() => r({ job: j, error: new CourtBridgeError('RELAY_TIMEOUT', { id: j.id, ms: limit }), verify: false }), limit);
      });
      return Promise.race([this.prepare(j, started), late]).finally(() => clearTimeout(timer));
    }));
    const outcomes: JobOutcome[] = [];
    const prepared: Prepared[] = [];
    for (const r of results) {
      if ('attestation' in r) prepared.push(r);
      else outcomes.push(this.failure(r));
    }
    // Step 4: the issue time is stamped before any append and reused by every retry. Step 5a for first attempts (never
    // stamped before this batch, so no leaf of theirs can exist): their evidence rows in the same transaction.
    if (prepared.length > 0) {
      const first = prepared.filter((p) => p.job.attestationId === null).map((p) => p.evidence);
      const stamped = await this.d.store.stamp(prepared.map((p) => ({ jobId: p.job.id, attestationId: p.attestation.id, issuedAt: p.attestation.issuedAt })), this.now(), first);
      for (const p of prepared) {
        const at = stamped.get(p.job.id);
        if (at !== undefined && at !== p.attestation.issuedAt) p.attestation = { ...p.attestation, issuedAt: at };
      }
    }
    const appended = await Promise.all(prepared.map((p) => this.append(p)));
    outcomes.push(...appended);
    await this.d.store.finish(outcomes, owner, this.now());
    this.observe(outcomes, prepared, jobs);
    return outcomes;
  }

  /** Steps 1–4 for one job. */
  private async prepare(job: JobRow, started: number): Promise<Prepared | Failed> {
    let verifying = false;
    try {
      const chain = await this.d.chains(job.chainId);
      if (chain === undefined) return { job, error: new CourtBridgeError('RELAY_NO_ADAPTER', { chainId: job.chainId }), verify: false };
      const rt = Object.hasOwn(chain.registration.recordTypes, job.recordType) ? chain.registration.recordTypes[job.recordType] : undefined;
      if (rt === undefined) return { job, error: new CourtBridgeError('UNKNOWN_TYPE', { type: job.recordType }), verify: false };
      const ref = { chainId: job.chainId, recordType: job.recordType, key: job.key };
      // Step 1.
      await this.d.rateLimits?.take(job.chainId);
      const evidence = await chain.adapter.fetchRecord(ref, job.blockHeight);
      // Step 2.
      verifying = true;
      const updates = chain.adapter.trustUpdates?.bind(chain.adapter);
      const verified = await this.d.trust.verify(chain.trustId ?? job.chainId, evidence, { mapping: rt.mapping, expect: ref }, () => chain.initialTrust(), updates);
      verifying = false;
      // Step 3.
      validateRecord(rt.schemaId, verified.record);
      // Step 4.
      const attestation = buildAttestation(verified, {
        schemaId: rt.schemaId, evidenceKind: evidence.kind, relayDid: this.d.relayDid,
        issuedAt: job.issuedAt ?? new Date(this.now()).toISOString(), salt: this.d.salt,
      });
      return { job, chainId: job.chainId, attestation, evidence: evidenceRow(attestation, evidence, this.now(), verified.evidenceText), started };
    } catch (e) {
      return { job, error: asCourtBridgeError(e), verify: verifying };
    }
  }

  /** Steps 5–6 for one prepared job. */
  private async append(p: Prepared): Promise<JobOutcome> {
    try {
      const existing = await this.d.store.receipt(p.attestation.id);
      if (existing) {
        // The index says the attestation is already in the ledger: check the leaf there really is it.
        const leaf = await this.d.ledger.get(existing.ledgerIndex);
        const found = attestationIdOfLeaf(leaf.data);
        if (found !== p.attestation.id) fail('RELAY_LEDGER_MISMATCH', { id: p.attestation.id, index: existing.ledgerIndex, reason: found === undefined ? 'not an attestation' : `holds ${found}` });
        if (p.job.attestationId !== null) await this.keepEvidenceOnRetry(p, leaf.data);
        return { kind: 'done', jobId: p.job.id, receipt: { ...existing, jobId: p.job.id } };
      }
      // A registration disabled while the job was being prepared: no attestation (throws REGISTRATION_DISABLED).
      await this.d.chains(p.chainId);
      if (p.job.attestationId !== null) await this.keepEvidenceOnRetry(p);
      const signed = await signAttestation(p.attestation, this.d.signer);
      const r = await this.d.ledger.append(signed, { key: p.attestation.id });
      const receipt: AttestationReceiptRow = { attestationId: p.attestation.id, jobId: p.job.id, ledgerIndex: r.index, leafHash: r.leafHash, treeSize: r.treeSize, createdAt: this.now() };
      return { kind: 'done', jobId: p.job.id, receipt };
    } catch (e) {
      return this.failure({ job: p.job, error: asCourtBridgeError(e), verify: false });
    }
  }

  /**
   * Step 5a for a retry: an earlier attempt may have appended the leaf (after writing ITS evidence) and died before
   * its receipt. `leafData`: that leaf when already read; else it is looked up by the ledger key.
   */
  private async keepEvidenceOnRetry(p: Prepared, leafData?: Uint8Array): Promise<void> {
    let data = leafData;
    if (data === undefined) {
      const earlier = await this.d.ledger.keyed(p.attestation.id);
      if (earlier !== undefined) data = (await this.d.ledger.get(earlier.index)).data;
    }
    if (data !== undefined) {
      let digest: unknown;
      try {
        digest = (JSON.parse(Buffer.from(data).toString('utf8')) as SignedAttestation).attestation?.evidence?.digest;
      } catch {
        digest = undefined;
      }
      // Keep the row the appending attempt wrote unless this evidence is the very one its leaf attests.
      if (digest !== p.attestation.evidence.digest) return;
    }
    await this.d.store.putEvidence([p.evidence]);
  }

  private failure(f: Failed): JobOutcome {
    const permanent = f.error.category === 'input' || PERMANENT_CODES.has(f.error.code);
    if (f.verify) this.d.metrics?.verifyFailures.inc({ chain: f.job.chainId, code: f.error.code });
    return {
      kind: 'failed', jobId: f.job.id, code: f.error.code, detail: f.error.message, permanent,
      retryAt: this.now() + backoffDelay(f.job.attempts, this.d.backoff),
    };
  }

  private observe(outcomes: readonly JobOutcome[], prepared: readonly Prepared[], jobs: readonly JobRow[]): void {
    const m = this.d.metrics;
    if (!m) return;
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const startedById = new Map(prepared.map((p) => [p.job.id, p.started]));
    const end = this.now();
    for (const o of outcomes) {
      const job = byId.get(o.jobId)!;
      if (o.kind === 'done') {
        m.attested.inc({ chain: job.chainId });
        m.attestLatency.observe({ chain: job.chainId }, (end - (startedById.get(o.jobId) ?? end)) / 1000);
      } else if (o.permanent || job.attempts >= job.maxAttempts) {
        m.dead.inc({ chain: job.chainId, code: o.code });
      } else {
        m.retries.inc({ chain: job.chainId, code: o.code });
      }
    }
  }
}
