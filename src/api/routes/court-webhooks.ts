/**
 * Court webhooks (role `court`; docs/webhooks.md): a court registers a URL for every new attestation of one
 * (chainId, recordType); deliveries are signed by the hub's DID key and retried (relay/webhooks/). The owner is the
 * caller's DID: a court lists, reads and deletes only its own webhooks — another court's id answers 404
 * WEBHOOK_NOT_FOUND, exactly like an unknown id, so ids cannot be probed. Registration also creates the relay
 * subscription that follows (chainId, recordType) when none is enabled (through the engine: RELAY_NO_ADAPTER for an
 * unregistered chain). Mounted by the court plugin when `deps.relay` and `deps.webhooks` are given.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { deliveryIdOf } from '../../../relay/webhooks/signature.js';
import type { DeliveryRow, WebhookRow } from '../../../relay/webhooks/types.js';
import { checkWebhookUrl, MAX_WEBHOOK_URL_LENGTH } from '../../../relay/webhooks/url.js';
import { fail } from '../../errors.js';
import type { ApiDeps } from '../deps.js';
import { ERROR_RESPONSES } from '../http-errors.js';
import { CHAIN_ID, RECORD_TYPE } from '../schemas.js';

const COURT = { roles: ['court'] } as const;
/** Webhooks one court may hold (default). */
export const DEFAULT_MAX_WEBHOOKS_PER_COURT = 32;

const ID = { type: 'string', pattern: '^wh_[0-9a-f]{32}$' } as const;
const ID_PARAMS = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: ID } } as const;
const WEBHOOK = {
  type: 'object', required: ['id', 'url', 'chainId', 'recordType', 'createdAt'],
  properties: { id: { type: 'string' }, url: { type: 'string' }, chainId: { type: 'string' }, recordType: { type: 'string' }, createdAt: { type: 'string' } },
} as const;
const DELIVERY = {
  type: 'object', required: ['deliveryId', 'attestationId', 'ledgerIndex', 'state', 'attempts', 'createdAt'],
  properties: {
    deliveryId: { type: 'string' }, attestationId: { type: 'string' }, ledgerIndex: { type: 'integer' }, blockHeight: { type: 'integer' },
    state: { type: 'string', enum: ['queued', 'running', 'failed', 'delivered', 'dead'] }, attempts: { type: 'integer' },
    nextRunAt: { type: ['string', 'null'] }, lastError: { type: ['string', 'null'] }, lastStatus: { type: ['integer', 'null'] },
    lastErrorDetail: { type: ['string', 'null'] }, deliveredAt: { type: ['string', 'null'] }, createdAt: { type: 'string' },
  },
} as const;

const iso = (ms: number) => new Date(ms).toISOString();
const webhookView = (w: WebhookRow) => ({ id: w.id, url: w.url, chainId: w.chainId, recordType: w.recordType, createdAt: iso(w.createdAt) });
const deliveryView = (d: DeliveryRow) => ({
  deliveryId: deliveryIdOf(d.webhookId, d.attestationId), attestationId: d.attestationId, ledgerIndex: d.ledgerIndex, blockHeight: d.blockHeight,
  state: d.state, attempts: d.attempts, nextRunAt: d.state === 'queued' || d.state === 'failed' ? iso(d.nextRunAt) : null,
  lastError: d.lastError, lastStatus: d.lastStatus, lastErrorDetail: d.lastErrorDetail, deliveredAt: d.deliveredAt === null ? null : iso(d.deliveredAt), createdAt: iso(d.createdAt),
});

/** Add the webhook routes to the court plugin's instance (no-op without a relay and a webhook store). */
export async function courtWebhookRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const relay = deps.relay;
  const hooks = deps.webhooks;
  if (!relay || !hooks) return;
  const max = hooks.maxPerCourt ?? DEFAULT_MAX_WEBHOOKS_PER_COURT;
  const own = async (id: string, did: string): Promise<WebhookRow> => {
    const w = await hooks.store.get(id);
    return w !== undefined && w.ownerDid === did ? w : fail('WEBHOOK_NOT_FOUND', { id });
  };

  app.post('/api/v1/court/webhooks', {
    config: COURT,
    schema: {
      tags: ['court'], summary: 'Register a webhook for new attestations of (chainId, recordType); deliveries are hub-signed and retried (docs/webhooks.md)',
      body: {
        type: 'object', additionalProperties: false, required: ['url', 'chainId', 'recordType'],
        properties: {
          url: { type: 'string', minLength: 1, maxLength: MAX_WEBHOOK_URL_LENGTH },
          chainId: CHAIN_ID, recordType: RECORD_TYPE,
        },
      },
      response: { 201: { type: 'object', required: ['webhook', 'subscription'], properties: { webhook: WEBHOOK, subscription: { type: 'object', required: ['id', 'created'], properties: { id: { type: 'string' }, created: { type: 'boolean' } } } } }, ...ERROR_RESPONSES },
    },
  }, async (req, reply) => {
    const b = req.body as { url: string; chainId: string; recordType: string };
    const url = checkWebhookUrl(b.url, hooks.urlPolicy);
    // The subscription first: an unregistered chain fails here (RELAY_NO_ADAPTER) and no webhook is stored.
    const subId = `${b.chainId}/${b.recordType}`;
    const existing = (await relay.store.subscriptions()).find((s) => s.id === subId && s.enabled);
    if (existing === undefined) await relay.engine.subscribe(b.chainId, b.recordType);
    const row: WebhookRow = { id: `wh_${randomBytes(16).toString('hex')}`, ownerDid: req.principal!.did, url, chainId: b.chainId, recordType: b.recordType, createdAt: Date.now() };
    if (!(await hooks.store.create(row, max))) fail('WEBHOOK_LIMIT', { max });
    void reply.code(201);
    return { webhook: webhookView(row), subscription: { id: subId, created: existing === undefined } };
  });

  app.get('/api/v1/court/webhooks', {
    config: COURT,
    schema: { tags: ['court'], summary: "The calling court's webhooks", response: { 200: { type: 'object', required: ['webhooks'], properties: { webhooks: { type: 'array', items: WEBHOOK } } }, ...ERROR_RESPONSES } },
  }, async (req) => ({ webhooks: (await hooks.store.list(req.principal!.did)).map(webhookView) }));

  app.delete('/api/v1/court/webhooks/:id', {
    config: COURT,
    schema: {
      tags: ['court'], summary: 'Delete one of the calling court\'s webhooks with its delivery history (the relay subscription stays)', params: ID_PARAMS,
      response: { 200: { type: 'object', required: ['id', 'deleted'], properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } }, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    if (!(await hooks.store.delete(id, req.principal!.did))) fail('WEBHOOK_NOT_FOUND', { id });
    return { id, deleted: true };
  });

  app.get('/api/v1/court/webhooks/:id/deliveries', {
    config: COURT,
    schema: {
      tags: ['court'], summary: 'Recent deliveries of one of the calling court\'s webhooks, newest first', params: ID_PARAMS,
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 200 } } },
      response: { 200: { type: 'object', required: ['webhookId', 'deliveries'], properties: { webhookId: { type: 'string' }, deliveries: { type: 'array', items: DELIVERY } } }, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const w = await own((req.params as { id: string }).id, req.principal!.did);
    const limit = (req.query as { limit?: number }).limit ?? 50;
    return { webhookId: w.id, deliveries: (await hooks.store.deliveries(w.id, limit)).map(deliveryView) };
  });
}
