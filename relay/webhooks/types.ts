/**
 * Court webhooks: a court (its DID owns the row) asks to be told of every attestation of one (chainId, recordType).
 * Rows live in the relay's database (relay schema v3, relay/jobs/schema.ts); the delivery outbox is filled by the
 * relay stores' `finish` in the receipt's transaction (outbox-sql.ts) and drained by the delivery worker
 * (deliver.ts). No secret is stored: deliveries are signed with the hub's DID key (signature.ts).
 *
 * Delivery life cycle: queued → running → delivered | failed (retrying, `nextRunAt` stored) → … → dead (after the
 * worker's `maxAttempts`). A claim takes a lease; a running delivery whose lease ran out is claimable again. Times
 * are Unix milliseconds.
 */

/** A registered webhook. */
export interface WebhookRow {
  /** `wh_` + 32 hex. */
  id: string;
  /** The court DID that registered it (the only one that can see or delete it). */
  ownerDid: string;
  url: string;
  chainId: string;
  recordType: string;
  createdAt: number;
}

/** Delivery states. */
export type DeliveryState = 'queued' | 'running' | 'failed' | 'delivered' | 'dead';

/** One owed delivery: one attestation to one webhook. */
export interface DeliveryRow {
  /** Row id (database-local). */
  seq: number;
  webhookId: string;
  attestationId: string;
  ledgerIndex: number;
  treeSize: number;
  chainId: string;
  recordType: string;
  key: string;
  blockHeight: number;
  state: DeliveryState;
  /** Attempts started so far (incremented by each claim). */
  attempts: number;
  nextRunAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** Error code of the last failed attempt, its HTTP status (when the receiver answered) and detail. */
  lastError: string | null;
  lastStatus: number | null;
  lastErrorDetail: string | null;
  deliveredAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A claimed delivery with where it goes. */
export interface ClaimedDelivery extends DeliveryRow {
  url: string;
  ownerDid: string;
}

/** The outcome of one delivery attempt. */
export type DeliveryOutcome =
  | { kind: 'delivered'; seq: number; status: number }
  | { kind: 'failed'; seq: number; code: string; status: number | null; detail: string; retryAt: number; /** Retrying cannot help: dead now. */ permanent: boolean };

/** Webhook and outbox storage. Writes are durable when their promise resolves. */
export interface WebhookStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Create or upgrade the relay tables (the webhook tables are relay schema v3). Idempotent. */
  migrate(): Promise<void>;
  /** Insert a webhook unless its owner already has `maxPerOwner` (then false, nothing written). */
  create(row: WebhookRow, maxPerOwner: number): Promise<boolean>;
  /** A webhook by id. */
  get(id: string): Promise<WebhookRow | undefined>;
  /** The webhooks of `ownerDid`, oldest first. */
  list(ownerDid: string): Promise<WebhookRow[]>;
  /** Delete webhook `id` of `ownerDid` with its deliveries; false when no such webhook of that owner. */
  delete(id: string, ownerDid: string): Promise<boolean>;
  /** The most recent `limit` deliveries of a webhook, newest first. */
  deliveries(webhookId: string, limit: number): Promise<DeliveryRow[]>;
  /** Claim up to `limit` runnable deliveries (queued/failed with nextRunAt ≤ now, or running with an expired lease). */
  claim(owner: string, limit: number, now: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /**
   * Store the outcomes of `owner`'s claims in one transaction; a failure becomes `dead` at `maxAttempts`. Only the
   * current lease holder's outcome counts (a reclaimed delivery's old worker cannot undo its successor).
   */
  finish(outcomes: readonly DeliveryOutcome[], owner: string, now: number, maxAttempts: number): Promise<void>;
}
