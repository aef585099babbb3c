/** Row mapping shared by both webhook backends (PostgreSQL returns BIGINT as strings). */
import type { ClaimedDelivery, DeliveryRow, DeliveryState, WebhookRow } from './types.js';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** A `relay_webhooks` row. */
export function webhookFromDb(r: Record<string, unknown>): WebhookRow {
  return { id: String(r.id), ownerDid: String(r.owner_did), url: String(r.url), chainId: String(r.chain_id), recordType: String(r.record_type), createdAt: num(r.created_at) };
}

/** A `relay_webhook_deliveries` row. */
export function deliveryFromDb(r: Record<string, unknown>): DeliveryRow {
  return {
    seq: num(r.id), webhookId: String(r.webhook_id), attestationId: String(r.attestation_id), ledgerIndex: num(r.ledger_index), treeSize: num(r.tree_size),
    chainId: String(r.chain_id), recordType: String(r.record_type), key: String(r.record_key), blockHeight: num(r.block_height),
    state: r.state as DeliveryState, attempts: num(r.attempts), nextRunAt: num(r.next_run_at), leaseOwner: strOrNull(r.lease_owner),
    leaseUntil: numOrNull(r.lease_until), lastError: strOrNull(r.last_error), lastStatus: numOrNull(r.last_status), lastErrorDetail: strOrNull(r.last_error_detail),
    deliveredAt: numOrNull(r.delivered_at), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
  };
}

/** A claimed delivery joined with its webhook (`url`, `owner_did` columns). */
export function claimedFromDb(r: Record<string, unknown>): ClaimedDelivery {
  return { ...deliveryFromDb(r), url: String(r.url), ownerDid: String(r.owner_did) };
}
