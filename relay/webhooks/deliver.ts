/**
 * `WebhookDeliverer`: the worker that drains the webhook outbox (relay schema v3, filled by the relay stores'
 * `finish` in the receipt's transaction). Run by the relay engine (RelayEngineOptions.webhooks) or on its own.
 *
 * One attempt of one delivery, as ordered steps:
 *   1. claim      a lease of `leaseMs` (must exceed `timeoutMs`); `attempts` is incremented by the claim itself, so
 *                 a worker that dies mid-POST still used up an attempt
 *   2. re-check   the URL against the policy (url.ts) — refused now ⇒ dead at once (WEBHOOK_URL_INVALID)
 *   3. sign       body = RFC 8785 JSON of the payload; `CourtBridge-Signature` = hub-signed JWT (signature.ts)
 *   4. POST       bounded (post.ts): 2xx ⇒ delivered; anything else, a timeout or no connection ⇒ failed; a host
 *                 that resolves to a refused address (private, loopback, link-local …: address.ts) is never
 *                 connected to ⇒ dead at once (WEBHOOK_ADDRESS_FORBIDDEN), like a refused URL
 *   5. store      all outcomes of the batch in one transaction; a failure retries at now + bounded exponential backoff
 *                 with full jitter (relay/jobs/backoff.ts), stored with the row so the schedule survives restarts;
 *                 at `maxAttempts` the delivery is dead with its last error code, status and detail kept.
 * Delivery is at least once: a worker that POSTed and died before step 5 delivers again after its lease runs out,
 * with the same delivery id (the JWT's `jti`), which receivers use to ignore repeats.
 */
import { randomBytes } from 'node:crypto';
import { asCourtBridgeError } from '../../src/errors.js';
import type { JwsSigner } from '../../did/jwt.js';
import { subjectRef } from '../../src/ids/subject.js';
import { backoffDelay, type BackoffOptions } from '../jobs/backoff.js';
import { postWebhook } from './post.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, deliveryIdOf, signDelivery, webhookBody } from './signature.js';
import type { ClaimedDelivery, DeliveryOutcome, WebhookStore } from './types.js';
import { checkWebhookUrl, type WebhookUrlPolicy } from './url.js';

/** Deliverer options. */
export interface WebhookDelivererOptions {
  store: WebhookStore;
  /** The hub's DID key signer (its `kid` must be listed under assertionMethod of `issuer`'s DID document). */
  signer: JwsSigner;
  /** The hub DID (`iss`). */
  issuer: string;
  /** The consortium subject salt (the relay's): deliveries carry the record key's salted reference only. */
  salt: Uint8Array;
  urlPolicy?: WebhookUrlPolicy;
  /** Per-attempt timeout, ms. Default 10 000. */
  timeoutMs?: number;
  /** Attempts before a delivery is dead. Default 12. */
  maxAttempts?: number;
  /** Retry schedule. Default base 5 s, cap 1 h. */
  backoff?: BackoffOptions;
  /** Deliveries claimed per batch. Default 16. */
  batchSize?: number;
  /** Lease of a claim, ms (must exceed `timeoutMs`). Default 60 000. */
  leaseMs?: number;
  /** Idle poll interval, ms. Default 500. */
  pollMs?: number;
  /** Bytes of a receiver's answer read (for the error detail). Default 1024. */
  maxResponseBytes?: number;
  /** Lease owner id (default random). */
  owner?: string;
  nowMs?: () => number;
}

/** Policy refusals: retrying cannot help, so the delivery is dead at once. */
const PERMANENT: ReadonlySet<string> = new Set(['WEBHOOK_URL_INVALID', 'WEBHOOK_ADDRESS_FORBIDDEN']);

/** Default retry schedule: ~5 s, 10 s, 20 s … capped at an hour (12 attempts span at most about two and a half hours). */
export const WEBHOOK_BACKOFF: BackoffOptions = { baseMs: 5000, capMs: 3_600_000, minMs: 1000 };

/** The delivery worker. */
export class WebhookDeliverer {
  readonly owner: string;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly now: () => number;

  /** See WebhookDelivererOptions. */
  constructor(private readonly o: WebhookDelivererOptions) {
    this.owner = o.owner ?? `webhooks-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.now = o.nowMs ?? Date.now;
  }

  /** Start the loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stop claiming; the in-flight batch finishes and stores its outcomes. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  /** Poll now (the engine calls it after a batch of receipts, which may have filled the outbox). */
  wake(): void {
    this.wakeUp?.();
  }

  /** Claim one batch and run it; returns the number of deliveries attempted. */
  async runOnce(): Promise<number> {
    const batch = await this.o.store.claim(this.owner, this.o.batchSize ?? 16, this.now(), this.o.leaseMs ?? 60_000);
    if (batch.length === 0) return 0;
    const outcomes = await Promise.all(batch.map((d) => this.attempt(d)));
    await this.o.store.finish(outcomes, this.owner, this.now(), this.o.maxAttempts ?? 12);
    return batch.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let n = 0;
      try {
        n = await this.runOnce();
      } catch {
        // Store unavailable or the outcomes not stored: the leases run out and the deliveries are claimed again.
      }
      if (n > 0 || !this.running) continue;
      await new Promise<void>((r) => {
        const t = setTimeout(r, this.o.pollMs ?? 500);
        this.wakeUp = () => { clearTimeout(t); r(); };
      });
      this.wakeUp = undefined;
    }
  }

  /** Steps 2–4 for one claimed delivery. */
  private async attempt(d: ClaimedDelivery): Promise<DeliveryOutcome> {
    const deliveryId = deliveryIdOf(d.webhookId, d.attestationId);
    let status: number | null = null;
    try {
      const url = checkWebhookUrl(d.url, this.o.urlPolicy);
      const body = webhookBody({
        deliveryId, attestationId: d.attestationId, ledgerIndex: d.ledgerIndex, treeSize: d.treeSize,
        chainId: d.chainId, recordType: d.recordType, keyRef: subjectRef('text', d.key, this.o.salt), blockHeight: d.blockHeight,
      });
      const jwt = await signDelivery(body, { signer: this.o.signer, issuer: this.o.issuer, audience: d.ownerDid, url, deliveryId, nowSec: Math.floor(this.now() / 1000) });
      const r = await postWebhook(url, body, { [SIGNATURE_HEADER]: jwt, [DELIVERY_HEADER]: deliveryId }, {
        timeoutMs: this.o.timeoutMs ?? 10_000, maxResponseBytes: this.o.maxResponseBytes ?? 1024, allowLoopback: this.o.urlPolicy?.allowHttpLocalhost === true,
      });
      status = r.status;
      if (r.status >= 200 && r.status < 300) return { kind: 'delivered', seq: d.seq, status: r.status };
      const redirect = r.status >= 300 && r.status < 400 ? ' (redirects are not followed)' : '';
      return this.failed(d, 'WEBHOOK_RECEIVER_REJECTED', status, `HTTP ${r.status}${redirect}: ${r.snippet}`, false);
    } catch (e) {
      const err = asCourtBridgeError(e);
      return this.failed(d, err.code, status, err.message, PERMANENT.has(err.code));
    }
  }

  private failed(d: ClaimedDelivery, code: string, status: number | null, detail: string, permanent: boolean): DeliveryOutcome {
    return { kind: 'failed', seq: d.seq, code, status, detail, permanent, retryAt: this.now() + backoffDelay(d.attempts, this.o.backoff ?? WEBHOOK_BACKOFF) };
  }
}

