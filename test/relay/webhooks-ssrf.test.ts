/**
 * The webhook SSRF guard: the address rule (relay/webhooks/address.ts) on a table of addresses whose ranges come from
 * the IANA special-purpose registries (RFC 6890), the IP-literal check of the URL policy (url.ts), the connect-time
 * lookup of post.ts (`guardedLookup`), and a delivery to a host NAME that resolves to loopback: dead with
 * WEBHOOK_ADDRESS_FORBIDDEN, and the local listener never sees a connection. SQLite file always; PostgreSQL when
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

const { addressKind, embeddedIPv4, refusedAddress } = await import('../../relay/webhooks/address.js');
const { checkWebhookUrl } = await import('../../relay/webhooks/url.js');
const { guardedLookup, postWebhook } = await import('../../relay/webhooks/post.js');
const { WebhookDeliverer } = await import('../../relay/webhooks/deliver.js');
const { isCourtBridgeError } = await import('../../src/errors.js');
const { identity } = await import('../did/fixtures.js');
const { codeOf } = await import('../helpers/codes.js');
const { completeJob, openWebhookDb } = await import('./webhook-helpers.js');
type WebhookDb = Awaited<ReturnType<typeof openWebhookDb>>;

describe('address rule (IANA special-purpose registries, RFC 6890)', () => {
  it.each([
    // IPv4
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'],
    ['10.0.0.5', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'], ['100.64.0.1', 'shared'], ['100.127.255.255', 'shared'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['240.0.0.1', 'reserved'], ['255.255.255.255', 'reserved'],
    ['192.0.0.8', 'reserved'], ['198.18.0.1', 'benchmarking'], ['198.19.255.255', 'benchmarking'],
    ['192.0.2.1', 'documentation'], ['198.51.100.7', 'documentation'], ['203.0.113.9', 'documentation'],
    // IPv6
    ['::1', 'loopback'], ['::', 'unspecified'], ['fc00::1', 'private'], ['fd12:3456::1', 'private'], ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'], ['ff02::1', 'multicast'], ['2001:db8::1', 'documentation'], ['::7f00:1', 'reserved'],
    // IPv4-mapped, NAT64 and 6to4: judged as the IPv4 address inside
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['0:0:0:0:0:ffff:a00:5', 'private'],
    ['::ffff:169.254.169.254', 'link-local'], ['::ffff:a9fe:a9fe', 'link-local'], ['64:ff9b::10.0.0.5', 'private'],
    ['64:ff9b::7f00:1', 'loopback'], ['2002:a9fe:a9fe::1', 'link-local'],
    // not an IP literal: refused, never silently allowed
    ['localhost', 'reserved'],
  ])('%s is %s', (ip, kind) => {
    expect(addressKind(ip)).toBe(kind);
  });

  it.each([
    ['8.8.8.8'], ['1.1.1.1'], ['93.184.216.34'], ['172.32.0.1'], ['100.128.0.1'], ['198.20.0.1'], ['11.0.0.1'], ['223.255.255.255'],
    ['2001:4860:4860::8888'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8'], ['64:ff9b::808:808'], ['2002:808:808::1'],
  ])('%s is globally reachable: allowed', (ip) => {
    expect(addressKind(ip)).toBeUndefined();
    expect(refusedAddress(ip)).toBeUndefined();
  });

  it('loopback (and only loopback) is allowed with allowLoopback', () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '64:ff9b::127.0.0.1']) {
      expect(refusedAddress(ip)).toBe('loopback');
      expect(refusedAddress(ip, { allowLoopback: true })).toBeUndefined();
    }
    for (const ip of ['10.0.0.5', '169.254.169.254', '::ffff:192.168.0.1', 'fe80::1', '0.0.0.0', '::']) {
      expect(refusedAddress(ip, { allowLoopback: true })).toBeDefined();
    }
  });

  it('embeddedIPv4 unwraps mapped, NAT64 and 6to4 addresses only', () => {
    expect(embeddedIPv4('::ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIPv4('64:ff9b::a00:5')).toBe('10.0.0.5');
    expect(embeddedIPv4('2002:c0a8:101::')).toBe('192.168.1.1');
    expect(embeddedIPv4('2001:4860:4860::8888')).toBeUndefined();
    expect(embeddedIPv4('64:ff9b:1::a00:5')).toBeUndefined();
    expect(embeddedIPv4('10.0.0.5')).toBeUndefined();
  });
});

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

const lookupResult = (policy: { allowLoopback?: boolean }, host: string, all: boolean) =>
  new Promise<{ err: (Error & { code?: string }) | null; address: unknown }>((resolve) =>
    guardedLookup(policy)(host, { all }, (err, address) => resolve({ err, address })));

describe('connect-time lookup (post.ts)', () => {
  let l: Awaited<ReturnType<typeof listener>>;
  beforeAll(async () => { l = await listener(); });
  afterAll(async () => { await l.close(); });

  it('refuses a name if ANY resolved address is refused; answers in the shape net asks for otherwise', async () => {
    expect((await lookupResult({}, 'mixed.test', true)).err?.code).toBe('WEBHOOK_ADDRESS_FORBIDDEN');
    expect((await lookupResult({ allowLoopback: true }, 'mixed.test', false)).err).toBeNull();
    expect((await lookupResult({ allowLoopback: true }, 'metadata.test', true)).err?.code).toBe('WEBHOOK_ADDRESS_FORBIDDEN');
    expect(await lookupResult({ allowLoopback: true }, 'loopback.test', true)).toEqual({ err: null, address: [{ address: '127.0.0.1', family: 4 }] });
    expect(await lookupResult({ allowLoopback: true }, 'loopback.test', false)).toEqual({ err: null, address: '127.0.0.1' });
  });

  it('the socket connects to the checked address (a name only the guarded lookup knows reaches the listener)', async () => {
    const before = l.connections();
    const e = await postWebhook(`https://loopback.test:${l.port}/hook`, '{}', {}, { timeoutMs: 2000, maxResponseBytes: 64, allowLoopback: true }).catch((x: unknown) => x);
    expect(isCourtBridgeError(e) && e.code).toBe('WEBHOOK_UNREACHABLE'); // the listener drops the TLS handshake
    expect(l.connections()).toBe(before + 1);
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
