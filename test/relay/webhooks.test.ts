/**
 * Court webhooks on real parts: the outbox written by the relay store's `finish` in the receipt's transaction
 * (exactly one delivery per (webhook, attestation)), and the delivery worker POSTing to a real local node:http
 * receiver that verifies every signature against the hub's DID document (did:key, resolved by did/resolver.ts):
 * retries with backoff, dead after max attempts with the last error kept, no redirect followed, restart mid-retry,
 * expired leases. SQLite file always; PostgreSQL when COURTBRIDGE_TEST_PG is set.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier } from '../../did/jwt.js';
import { WebhookDeliverer, type WebhookDelivererOptions } from '../../relay/webhooks/deliver.js';
import { deliveryIdOf, verifyDelivery } from '../../relay/webhooks/signature.js';
import type { WebhookRow } from '../../relay/webhooks/types.js';
import { identity } from '../did/fixtures.js';
import { subjectRef } from '../../src/ids/subject.js';

const SALT = new Uint8Array(32).fill(9);
import { completeJob, openWebhookDb, startReceiver, until, type Receiver, type Script, type WebhookDb } from './webhook-helpers.js';

const PG = process.env.COURTBRIDGE_TEST_PG;
const CHAIN = 'eip155:31337';
const COURT = identity('ES256');

function suite(kind: 'sqlite' | 'postgres') {
  let db: WebhookDb;
  const hub = identity();
  const verifier = new JwtVerifier(new DidResolver());
  const open: Receiver[] = [];
  const workers: WebhookDeliverer[] = [];
  let n = 0;

  beforeAll(async () => { db = await openWebhookDb(kind, PG); });
  afterAll(async () => { await db?.close(); });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    for (const r of open.splice(0)) await r.close();
  });

  const receiver = async (script?: Script) => {
    const r = await startReceiver(async (token, body, url) => (await verifyDelivery(verifier, token, body, { audience: COURT.did, issuers: [hub.did], url })).deliveryId, script);
    open.push(r);
    return r;
  };
  const webhook = async (url: string, recordType = `type-${++n}`): Promise<WebhookRow> => {
    const row = { id: `wh_${String(++n).padStart(32, '0')}`, ownerDid: COURT.did, url, chainId: CHAIN, recordType, createdAt: Date.now() };
    expect(await db.hooks.create(row, 100)).toBe(true);
    return row;
  };
  const deliverer = (o: Partial<WebhookDelivererOptions> = {}) => {
    const w = new WebhookDeliverer({
      store: db.hooks, signer: hub.signer, issuer: hub.did, salt: SALT, urlPolicy: { allowHttpLocalhost: true }, pollMs: 20, timeoutMs: 2000,
      maxAttempts: 3, backoff: { baseMs: 20, capMs: 50, minMs: 10 }, ...o,
    });
    workers.push(w);
    return w;
  };
  const only = async (w: WebhookRow) => {
    const d = await db.hooks.deliveries(w.id, 10);
    expect(d).toHaveLength(1);
    return d[0]!;
  };

  it('the outbox row is written with the receipt, once per (webhook, attestation), only for matching webhooks', async () => {
    const a = await webhook('https://court-a.example/hook', 'outbox');
    const other = await webhook('https://court-a.example/other', 'outbox-other');
    const idx = 1000 + n;
    const att = await completeJob(db.relay, { chainId: CHAIN, recordType: 'outbox', key: 'k1' }, idx);
    const d = await only(a);
    expect(d).toMatchObject({ attestationId: att, ledgerIndex: idx, treeSize: idx + 1, chainId: CHAIN, recordType: 'outbox', key: 'k1', state: 'queued', attempts: 0 });
    expect(await db.hooks.deliveries(other.id, 10)).toEqual([]);
    // The same receipt stored again (a retry that found it, a reclaimed job): no second delivery.
    const { job } = await db.relay.enqueue({ chainId: CHAIN, recordType: 'outbox', key: 'k1', blockHeight: 100 + idx, maxAttempts: 3 }, Date.now());
    await db.relay.finish([{ kind: 'done', jobId: job.id, receipt: { attestationId: att, jobId: job.id, ledgerIndex: idx, leafHash: 'ab'.repeat(32), treeSize: idx + 1, createdAt: Date.now() } }], 'x', Date.now());
    await only(a);
    // Deleting the webhook deletes its deliveries; only the owner can delete it.
    expect(await db.hooks.delete(a.id, 'did:key:zSomeoneElse')).toBe(false);
    expect(await db.hooks.delete(a.id, COURT.did)).toBe(true);
    expect(await db.hooks.deliveries(a.id, 10)).toEqual([]);
    expect(await db.hooks.get(a.id)).toBeUndefined();
  });

  it('a receiver failing twice then accepting: delivered exactly once after 3 attempts, every request signature-checked', async () => {
    const r = await receiver((i) => (i <= 2 ? 500 : 200));
    const w = await webhook(r.url);
    const att = await completeJob(db.relay, { chainId: CHAIN, recordType: w.recordType, key: '（2024）京0105执123号' }, 2000 + n);
    deliverer().start();
    await until(async () => (await only(w)).state === 'delivered', 20_000, 'delivered');
    const d = await only(w);
    expect(d).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200, lastError: null });
    expect(r.requests.map((q) => [q.status, q.verifyError])).toEqual([[500, undefined], [500, undefined], [200, undefined]]);
    const id = deliveryIdOf(w.id, att);
    expect(new Set(r.requests.map((q) => q.deliveryId))).toEqual(new Set([id]));
    expect([...r.processed.keys()]).toEqual([id]);
    expect(r.processed.get(id)).toEqual({ deliveryId: id, attestationId: att, ledgerIndex: d.ledgerIndex, treeSize: d.treeSize, chainId: CHAIN, recordType: w.recordType, keyRef: subjectRef('text', '（2024）京0105执123号', SALT), blockHeight: d.blockHeight });
    // Nothing more is sent once delivered.
    expect(await workers[0]!.runOnce()).toBe(0);
    expect(r.requests).toHaveLength(3);
  });

  it('a dead receiver: dead after maxAttempts with the last error, status and detail stored', async () => {
    const r = await receiver(() => 503);
    const w = await webhook(r.url);
    await completeJob(db.relay, { chainId: CHAIN, recordType: w.recordType, key: 'k' }, 3000 + n);
    deliverer().start();
    await until(async () => (await only(w)).state === 'dead', 20_000, 'dead');
    expect(await only(w)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'WEBHOOK_RECEIVER_REJECTED', lastStatus: 503 });
    expect((await only(w)).lastErrorDetail).toContain('receiver says no');
    expect(r.requests).toHaveLength(3);
    expect(r.processed.size).toBe(0);
  });

  it('no listener: WEBHOOK_UNREACHABLE; no answer: WEBHOOK_TIMEOUT; a redirect is not followed', async () => {
    const closed = await receiver();
    const closedUrl = closed.url;
    await closed.close();
    open.splice(open.indexOf(closed), 1);
    const hang = await receiver(() => 'hang');
    const target = await receiver();
    const redirect = await receiver(() => ({ status: 307, location: target.url }));
    const hooks = [await webhook(closedUrl), await webhook(hang.url), await webhook(redirect.url)];
    for (const h of hooks) await completeJob(db.relay, { chainId: CHAIN, recordType: h.recordType, key: 'k' }, 4000 + ++n);
    deliverer({ maxAttempts: 1, timeoutMs: 300 }).start();
    await until(async () => (await Promise.all(hooks.map(only))).every((d) => d.state === 'dead'), 20_000, 'all dead');
    const [c, h, rd] = await Promise.all(hooks.map(only));
    expect([c!.lastError, c!.lastStatus]).toEqual(['WEBHOOK_UNREACHABLE', null]);
    expect([h!.lastError, h!.lastStatus]).toEqual(['WEBHOOK_TIMEOUT', null]);
    expect([rd!.lastError, rd!.lastStatus]).toEqual(['WEBHOOK_RECEIVER_REJECTED', 307]);
    expect(target.requests).toHaveLength(0);
  });

  it('a restart mid-retry (store closed and reopened, new worker): the stored schedule resumes and delivers', async () => {
    let fail = true;
    const r = await receiver(() => (fail ? 500 : 200));
    const w = await webhook(r.url);
    await completeJob(db.relay, { chainId: CHAIN, recordType: w.recordType, key: 'k' }, 5000 + n);
    const first = deliverer({ backoff: { baseMs: 400, capMs: 400, minMs: 300 } });
    expect(await first.runOnce()).toBe(1);
    const failed = await only(w);
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, lastError: 'WEBHOOK_RECEIVER_REJECTED', lastStatus: 500 });
    expect(failed.nextRunAt).toBeGreaterThan(failed.updatedAt);
    await db.reopen();
    fail = false;
    deliverer().start();
    await until(async () => (await only(w)).state === 'delivered', 20_000, 'delivered after restart');
    expect(await only(w)).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(r.processed.size).toBe(1);
  });

  it('a delivery claimed by a worker that died is claimed again once its lease ran out', async () => {
    const r = await receiver();
    const w = await webhook(r.url);
    await completeJob(db.relay, { chainId: CHAIN, recordType: w.recordType, key: 'k' }, 6000 + n);
    const dead = await db.hooks.claim('dead-worker', 100, Date.now(), 50);
    expect(dead.map((d) => d.webhookId)).toContain(w.id);
    // Its failure report after losing the lease would not count; a live worker takes over.
    await until(async () => Date.now() > dead[0]!.leaseUntil!, 5000);
    deliverer().start();
    await until(async () => (await only(w)).state === 'delivered', 20_000, 'delivered');
    await db.hooks.finish([{ kind: 'failed', seq: (await only(w)).seq, code: 'WEBHOOK_TIMEOUT', status: null, detail: 'late', retryAt: 0, permanent: true }], 'dead-worker', Date.now(), 3);
    expect(await only(w)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('an SM2 hub key signs deliveries (SM2SM3) that verify against its DID document', async () => {
    const sm2 = identity('SM2');
    const r = await startReceiver(async (token, body, url) => (await verifyDelivery(verifier, token, body, { audience: COURT.did, issuers: [sm2.did], url })).deliveryId);
    open.push(r);
    const w = await webhook(r.url);
    await completeJob(db.relay, { chainId: CHAIN, recordType: w.recordType, key: 'k' }, 7000 + n);
    const worker = deliverer({ signer: sm2.signer, issuer: sm2.did });
    while ((await only(w)).state !== 'delivered' && (await only(w)).attempts < 3) await worker.runOnce();
    expect(r.requests.map((q) => q.verifyError)).toEqual([undefined]);
    expect((await only(w)).state).toBe('delivered');
  });
}

describe('court webhooks (SQLite file)', () => suite('sqlite'));
describe.skipIf(!PG)(PG ? 'court webhooks (PostgreSQL)' : 'skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)', () => suite('postgres'));
