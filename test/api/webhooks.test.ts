/**
 * Court webhook routes (src/api/routes/court-webhooks.ts) in-process, plus one delivery to a real node:http receiver
 * that verifies the signature against the hub's did:web document fetched from this API's `/.well-known/did.json`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createAuthToken } from '../../did/auth.js';
import { JwtVerifier, keyPairSigner } from '../../did/jwt.js';
import type { DidDocument } from '../../did/verification-method.js';
import { fail } from '../../src/errors.js';
import { verifySourceEvidence } from '../../src/proofs/evidence.js';
import { buildApp } from '../../src/api/app.js';
import type { Adapter } from '../../adapters/types.js';
import { RelayEngine } from '../../relay/engine.js';
import type { RelayChain } from '../../relay/pipeline.js';
import { WebhookDeliverer } from '../../relay/webhooks/deliver.js';
import { openWebhookStore } from '../../relay/webhooks/open.js';
import { verifyDelivery } from '../../relay/webhooks/signature.js';
import type { WebhookStore } from '../../relay/webhooks/types.js';
import { identity } from '../did/fixtures.js';
import { completeJob, startReceiver, until } from '../relay/webhook-helpers.js';
import { SALT, apiWorld, type ApiWorld } from './fixtures.js';

const CHAIN = 'eip155:424242';
const HUB_WEB = 'did:web:hub.court.example';

let w: ApiWorld;
let app: FastifyInstance;
let hooks: WebhookStore;
const courtB = identity();

beforeAll(async () => {
  w = await apiWorld();
  hooks = await openWebhookStore(w.ledger.store);
  const adapter = { chainId: CHAIN, kind: 'evm', finalizedHead: async () => ({ height: 50, hash: `0x${'00'.repeat(32)}`, timestamp: 0 }), close: async () => {} } as unknown as Adapter;
  const chain = { registration: { chainId: CHAIN }, adapter, initialTrust: () => ({ kind: 'evm-depth', chainId: CHAIN, minConfirmations: 1 }) } as unknown as RelayChain;
  const relayStore = w.deps.relay!.store;
  const engine = new RelayEngine({ ledger: w.ledger, store: relayStore, chains: async (id) => (id === CHAIN ? chain : undefined), verifier: verifySourceEvidence, signer: w.hub.signer, relayDid: w.hub.did, salt: SALT });
  await w.deps.store.putMember({ did: courtB.did, roles: ['court'], enabled: true });
  app = await buildApp({ ...w.deps, relay: { engine, store: relayStore }, webhooks: { store: hooks, urlPolicy: { allowHttpLocalhost: true }, maxPerCourt: 4 } });
});
afterAll(async () => {
  await app?.close();
  await w?.close();
});

const asA = async () => ({ authorization: `Bearer ${await w.token('court')}` });
const asB = async () => ({ authorization: `Bearer ${await createAuthToken(courtB.signer, courtB.did, w.hub.did)}` });
const register = async (payload: Record<string, unknown>, headers?: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/api/v1/court/webhooks', headers: headers ?? (await asA()), payload });

describe('court webhook routes', () => {
  it('register creates the relay subscription once; a court lists only its own; another court gets 404 on them', async () => {
    const r = await register({ url: 'https://court-a.example/hooks/1', chainId: CHAIN, recordType: 'enterprise' });
    expect(r.statusCode).toBe(201);
    expect(r.json().subscription).toEqual({ id: `${CHAIN}/enterprise`, created: true });
    const id = r.json().webhook.id as string;
    expect(id).toMatch(/^wh_[0-9a-f]{32}$/);
    const sub = (await w.deps.relay!.store.subscriptions()).find((s) => s.id === `${CHAIN}/enterprise`);
    expect([sub?.enabled, JSON.parse(sub!.cursor)]).toEqual([true, 50]);
    const again = await register({ url: 'https://court-a.example/hooks/2', chainId: CHAIN, recordType: 'enterprise' });
    expect([again.statusCode, again.json().subscription.created]).toEqual([201, false]);

    const listA = await app.inject({ method: 'GET', url: '/api/v1/court/webhooks', headers: await asA() });
    expect(listA.json().webhooks.map((x: { url: string }) => x.url)).toEqual(['https://court-a.example/hooks/1', 'https://court-a.example/hooks/2']);
    const listB = await app.inject({ method: 'GET', url: '/api/v1/court/webhooks', headers: await asB() });
    expect(listB.json()).toEqual({ webhooks: [] });

    for (const [method, url] of [['DELETE', `/api/v1/court/webhooks/${id}`], ['GET', `/api/v1/court/webhooks/${id}/deliveries`]] as const) {
      const b = await app.inject({ method, url, headers: await asB() });
      expect([b.statusCode, b.json().code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
    }
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/court/webhooks/${id}`, headers: await asA() });
    expect([del.statusCode, del.json()]).toEqual([200, { id, deleted: true }]);
    const gone = await app.inject({ method: 'DELETE', url: `/api/v1/court/webhooks/${id}`, headers: await asA() });
    expect([gone.statusCode, gone.json().code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
    const unknown = await app.inject({ method: 'GET', url: `/api/v1/court/webhooks/wh_${'f'.repeat(32)}/deliveries`, headers: await asA() });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
  });

  it.each([
    ['http://court-a.example/hook'], ['ftp://court-a.example/hook'], ['https://user:pw@court-a.example/hook'], ['https://court-a.example/h#x'], ['not a url'],
    // SSRF: private, link-local (cloud metadata) and IPv4-mapped literals stay refused even with allowHttpLocalhost.
    ['https://10.0.0.5/hook'], ['https://[::ffff:169.254.169.254]/'], ['https://169.254.169.254/latest/meta-data/'], ['https://[64:ff9b::a00:5]/hook'],
  ])('refuses %s with 400 WEBHOOK_URL_INVALID and stores nothing', async (url) => {
    const before = (await hooks.list(courtB.did)).length;
    const r = await register({ url, chainId: CHAIN, recordType: 'enterprise' }, await asB());
    expect([r.statusCode, r.json().code]).toEqual([400, 'WEBHOOK_URL_INVALID']);
    expect(await hooks.list(courtB.did)).toHaveLength(before);
  });

  it('other refusals: unregistered chain 404, malformed body or id 400, partner role 403, over the per-court limit 409', async () => {
    const nc = await register({ url: 'https://b.example/h', chainId: 'eip155:9', recordType: 'enterprise' }, await asB());
    expect([nc.statusCode, nc.json().code]).toEqual([404, 'RELAY_NO_ADAPTER']);
    const nb = await register({ chainId: CHAIN, recordType: 'enterprise' }, await asB());
    expect([nb.statusCode, nb.json().code]).toEqual([400, 'INVALID_INPUT']);
    const bid = await app.inject({ method: 'DELETE', url: '/api/v1/court/webhooks/nope', headers: await asB() });
    expect([bid.statusCode, bid.json().code]).toEqual([400, 'INVALID_INPUT']);
    const partner = await register({ url: 'https://b.example/h', chainId: CHAIN, recordType: 'enterprise' }, { authorization: `Bearer ${await w.token('partner')}` });
    expect([partner.statusCode, partner.json().code]).toEqual([403, 'AUTH_FORBIDDEN']);
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await register({ url: `https://b.example/h${i}`, chainId: CHAIN, recordType: 'enterprise' }, await asB())).statusCode);
    expect(codes).toEqual([201, 201, 201, 201, 409]);
    const over = await register({ url: 'https://b.example/h9', chainId: CHAIN, recordType: 'enterprise' }, await asB());
    expect(over.json().code).toBe('WEBHOOK_LIMIT');
  });

  it('a delivery signed as the hub did:web verifies against /.well-known/did.json; its status is listed to the owner', async () => {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const doc = (await (await fetch(`${base}/.well-known/did.json`)).json()) as DidDocument;
    expect(doc.id).toBe(HUB_WEB);
    const verifier = new JwtVerifier({ resolveDocument: async (did) => (did === doc.id ? doc : fail('DID_NOT_FOUND', { did })) });
    const court = w.ids.court;
    const receiver = await startReceiver(async (token, body, url) => (await verifyDelivery(verifier, token, body, { audience: court.did, issuers: [HUB_WEB], url })).deliveryId,
      (n) => (n === 1 ? 500 : 204));
    try {
      const r = await register({ url: receiver.url, chainId: CHAIN, recordType: 'dishonest-debtor' });
      expect(r.statusCode).toBe(201);
      const id = r.json().webhook.id as string;
      const att = await completeJob(w.deps.relay!.store, { chainId: CHAIN, recordType: 'dishonest-debtor', key: '（2024）京0105执123号' }, 77);
      const deliverer = new WebhookDeliverer({
        store: hooks, signer: keyPairSigner(w.hub.kp, `${HUB_WEB}#key-1`), issuer: HUB_WEB, salt: SALT, urlPolicy: { allowHttpLocalhost: true },
        backoff: { baseMs: 10, capMs: 20, minMs: 5 },
      });
      const status = async () => (await app.inject({ method: 'GET', url: `/api/v1/court/webhooks/${id}/deliveries`, headers: await asA() })).json();
      await deliverer.runOnce();
      expect((await status()).deliveries[0]).toMatchObject({ attestationId: att, state: 'failed', attempts: 1, lastError: 'WEBHOOK_RECEIVER_REJECTED', lastStatus: 500 });
      await until(async () => (await deliverer.runOnce()) > 0, 5000, 'the retry');
      const s = await status();
      expect(s.deliveries).toHaveLength(1);
      expect(s.deliveries[0]).toMatchObject({ attestationId: att, ledgerIndex: 77, state: 'delivered', attempts: 2, lastStatus: 204, lastError: null });
      expect(receiver.requests.map((q) => q.verifyError)).toEqual([undefined, undefined]);
      expect([...receiver.processed.keys()]).toEqual([s.deliveries[0].deliveryId]);
      const other = await app.inject({ method: 'GET', url: `/api/v1/court/webhooks/${id}/deliveries`, headers: await asB() });
      expect(other.statusCode).toBe(404);
    } finally {
      await receiver.close();
    }
  });
});
