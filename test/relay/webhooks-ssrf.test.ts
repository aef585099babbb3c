/**
 * The webhook SSRF guard: the IP-literal check of the URL policy (url.ts), the connect-time lookup of post.ts (the
 * shared `guardedLookup` of src/net, raising WEBHOOK_ADDRESS_FORBIDDEN), and a delivery to a host NAME that resolves
 * to loopback: dead with WEBHOOK_ADDRESS_FORBIDDEN, and the local listener never sees a connection. The address rule
 * itself and the lookup are tested in test/net. SQLite file always; PostgreSQL when
 * COURTBRIDGE_TEST_PG is set.
 *
 * node:dns is wrapped so a few invented `.test` names (RFC 6761: never resolvable for real) answer what a hostile DNS
 * server would; every other name goes to the real resolver.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

const FAKE_DNS: Record<string, Array<{ address: string; family: number }>> = {
  'loopback.test': [{ address: '127.0.0.1', family: 4 }],
  'mixed.test': [{ address: '8.8.8.8', family: 4 }, { address: '127.0.0.1', family: 4 }],
  'metadata.test': [{ address: '::ffff:169.254.169.254', family: 6 }],
};
vi.mock('node:dns', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns')>();
  const lookup = ((host: string, opts: unknown, cb: (...a: unknown[]) => void) => {
    const fake = FAKE_DNS[host];
    if (fake === undefined) return (real.lookup as (...a: unknown[]) => void)(host, opts, cb);
    const all = typeof opts === 'object' && opts !== null && (opts as { all?: boolean }).all === true;
    process.nextTick(() => (all ? cb(null, fake) : cb(null, fake[0]!.address, fake[0]!.family)));
  }) as typeof real.lookup;
  return { ...real, default: { ...real, lookup }, lookup };
});

const { checkWebhookUrl } = await import('../../relay/webhooks/url.js');
const { postWebhook } = await import('../../relay/webhooks/post.js');
const { WebhookDeliverer } = await import('../../relay/webhooks/deliver.js');
const { isCourtBridgeError } = await import('../../src/errors.js');
const { identity } = await import('../did/fixtures.js');
const { codeOf } = await import('../helpers/codes.js');
const { completeJob, openWebhookDb } = await import('./webhook-helpers.js');
type WebhookDb = Awaited<ReturnType<typeof openWebhookDb>>;

describe('URL policy: IP-literal hosts', () => {
  it.each([
    ['https://10.0.0.5/hook', {}], ['https://169.254.169.254/latest/meta-data/', {}], ['https://[::ffff:127.0.0.1]/', {}],
    ['https://[::ffff:169.254.169.254]/', {}], ['https://[64:ff9b::a00:5]/', {}], ['https://127.0.0.1/', {}], ['https://[::1]/', {}],
    ['https://0x7f000001/', {}], ['https://127.1/', {}], ['https://2130706433/', {}], ['https://0.0.0.0/', {}], ['https://[fe80::1]/', {}],
    ['https://192.168.0.10:8443/x', { allowHttpLocalhost: true }], ['https://[::ffff:10.1.2.3]/', { allowHttpLocalhost: true }],
    ['https://100.64.0.1/', { allowHttpLocalhost: true }], ['https://[fd00::1]/', { allowHttpLocalhost: true }],
  ])('refuses %s (policy %j) with WEBHOOK_URL_INVALID', (url, policy) => {
    expect(codeOf(() => checkWebhookUrl(url, policy))).toBe('WEBHOOK_URL_INVALID');
  });

  it('accepts public literals, and loopback literals only with allowHttpLocalhost', () => {
    expect(checkWebhookUrl('https://8.8.8.8/hook')).toBe('https://8.8.8.8/hook');
    expect(checkWebhookUrl('https://[2001:4860:4860::8888]/hook')).toBe('https://[2001:4860:4860::8888]/hook');
    expect(checkWebhookUrl('https://127.0.0.1:9/hook', { allowHttpLocalhost: true })).toBe('https://127.0.0.1:9/hook');
    expect(checkWebhookUrl('http://[::1]:9/hook', { allowHttpLocalhost: true })).toBe('http://[::1]:9/hook');
  });

  it('names the address and its range in the reason', () => {
    try {
      checkWebhookUrl('https://10.0.0.5/hook');
      expect.unreachable();
    } catch (e) {
      expect(isCourtBridgeError(e) && e.details.reason).toBe('address 10.0.0.5 is private: not reachable for webhooks');
    }
  });
});

/** A TCP listener on 127.0.0.1 that counts connections and drops each at once. */
async function listener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((s) => { n++; s.destroy(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, connections: () => n, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('connect-time lookup (post.ts, src/net/lookup.ts)', () => {
  let l: Awaited<ReturnType<typeof listener>>;
  beforeAll(async () => { l = await listener(); });
  afterAll(async () => { await l.close(); });

  it('the socket connects to the checked address (a name only the guarded lookup knows reaches the listener)', async () => {
    const before = l.connections();
    const e = await postWebhook(`https://loopback.test:${l.port}/hook`, '{}', {}, { timeoutMs: 2000, maxResponseBytes: 64, allowLoopback: true }).catch((x: unknown) => x);
    expect(isCourtBridgeError(e) && e.code).toBe('WEBHOOK_UNREACHABLE'); // the listener drops the TLS handshake
    expect(l.connections()).toBe(before + 1);
  });

  it('with allowLoopback, a name resolving to another refused range (mapped link-local) still fails WEBHOOK_ADDRESS_FORBIDDEN', async () => {
    const e = await postWebhook(`https://metadata.test:${l.port}/hook`, '{}', {}, { timeoutMs: 2000, maxResponseBytes: 64, allowLoopback: true }).catch((x: unknown) => x);
    expect(isCourtBridgeError(e) && e.code).toBe('WEBHOOK_ADDRESS_FORBIDDEN');
    expect(isCourtBridgeError(e) && e.details).toEqual({ host: 'metadata.test', address: '::ffff:169.254.169.254', kind: 'link-local' });
  });

  it.each([
    [`https://localhost:PORT/hook`], [`https://loopback.test:PORT/hook`], [`https://mixed.test:PORT/hook`], [`http://127.0.0.1:PORT/hook`],
    [`https://[::ffff:127.0.0.1]:PORT/hook`], [`https://[64:ff9b::7f00:1]:PORT/hook`],
  ])('without allowLoopback, %s fails WEBHOOK_ADDRESS_FORBIDDEN and nothing connects', async (url) => {
    const before = l.connections();
    const e = await postWebhook(url.replace('PORT', String(l.port)), '{}', {}, { timeoutMs: 2000, maxResponseBytes: 64 }).catch((x: unknown) => x);
    expect(isCourtBridgeError(e) && e.code).toBe('WEBHOOK_ADDRESS_FORBIDDEN');
    await new Promise((r) => setTimeout(r, 50));
    expect(l.connections()).toBe(before);
  });
});

const PG = process.env.COURTBRIDGE_TEST_PG;
const CHAIN = 'eip155:31337';
const COURT = identity('ES256');

function deliverySuite(kind: 'sqlite' | 'postgres') {
  let db: WebhookDb;
  let l: Awaited<ReturnType<typeof listener>>;
  const hub = identity();
  let n = 0;
  beforeAll(async () => { db = await openWebhookDb(kind, PG); l = await listener(); });
  afterAll(async () => { await l?.close(); await db?.close(); });
  const workers: InstanceType<typeof WebhookDeliverer>[] = [];
  afterEach(async () => { for (const w of workers.splice(0)) await w.stop(); });

  const deliverOnce = async (url: string, allowHttpLocalhost: boolean) => {
    const row = { id: `wh_${String(++n).padStart(32, '0')}`, ownerDid: COURT.did, url, chainId: CHAIN, recordType: `ssrf-${n}`, createdAt: Date.now() };
    expect(await db.hooks.create(row, 100)).toBe(true);
    await completeJob(db.relay, { chainId: CHAIN, recordType: row.recordType, key: 'k' }, 9000 + n);
    const w = new WebhookDeliverer({ store: db.hooks, signer: hub.signer, issuer: hub.did, salt: new Uint8Array(32), urlPolicy: { allowHttpLocalhost }, timeoutMs: 2000, maxAttempts: 5 });
    workers.push(w);
    expect(await w.runOnce()).toBe(1);
    const d = await db.hooks.deliveries(row.id, 10);
    expect(d).toHaveLength(1);
    return d[0]!;
  };

  it('a host name resolving to loopback, policy off: dead after one attempt with WEBHOOK_ADDRESS_FORBIDDEN, no connection made', async () => {
    const before = l.connections();
    const d = await deliverOnce(`https://localhost:${l.port}/hook`, false);
    expect(d).toMatchObject({ state: 'dead', attempts: 1, lastError: 'WEBHOOK_ADDRESS_FORBIDDEN', lastStatus: null });
    expect(d.lastErrorDetail).toContain('loopback');
    await new Promise((r) => setTimeout(r, 50));
    expect(l.connections()).toBe(before);
  });

  it('control: the same URL with allowHttpLocalhost does connect (and fails at TLS, retryable)', async () => {
    const before = l.connections();
    const d = await deliverOnce(`https://localhost:${l.port}/hook`, true);
    expect(d).toMatchObject({ state: 'failed', attempts: 1, lastError: 'WEBHOOK_UNREACHABLE' });
    expect(l.connections()).toBe(before + 1);
  });

  it('a stored URL with a private literal (registered before the rule): dead at once with WEBHOOK_URL_INVALID', async () => {
    const d = await deliverOnce('https://[::ffff:10.0.0.5]/hook', true);
    expect(d).toMatchObject({ state: 'dead', attempts: 1, lastError: 'WEBHOOK_URL_INVALID' });
  });
}

describe('delivery SSRF guard (SQLite file)', () => deliverySuite('sqlite'));
describe.skipIf(!PG)(PG ? 'delivery SSRF guard (PostgreSQL)' : 'skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)', () => deliverySuite('postgres'));
