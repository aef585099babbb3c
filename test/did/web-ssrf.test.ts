/**
 * did:web SSRF guard and HTTP bounds (did/web.ts over node:http(s) with the shared guarded lookup of src/net): a
 * did:web whose host NAME resolves to an internal address (loopback, 10.x, cloud metadata) fails with
 * DID_ADDRESS_FORBIDDEN and the local listener never sees a connection; loopback is allowed only with
 * allowHttpLocalhost, which still resolves `did:web:localhost%3A<port>` over plain HTTP to 127.0.0.1.
 *
 * node:dns is faked for a few `.test` names (test/helpers/fake-dns.ts): they exist only for the guarded lookup, so a
 * connection to them proves the socket used the checked addresses.
 */
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('node:dns', async (importOriginal) => (await import('../helpers/fake-dns.js')).fakeDns(await importOriginal()));

const { resolveDidWeb } = await import('../../did/web.js');
const { DidResolver } = await import('../../did/resolver.js');
const { isCourtBridgeError } = await import('../../src/errors.js');
type WebDidOptions = import('../../did/web.js').WebDidOptions;

const opts = (o: Partial<WebDidOptions> = {}): WebDidOptions => ({ timeoutMs: 2000, maxBytes: 10_000, allowHttpLocalhost: false, ...o });
const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('resolved'), (e: unknown) => {
  if (!isCourtBridgeError(e)) throw e;
  return e;
});
const settle = () => new Promise((r) => setTimeout(r, 50));

/** A TCP listener on 127.0.0.1 that counts connections and drops each at once (TLS never completes). */
let tcp: Server;
let tcpPort = 0;
let tcpConnections = 0;
/** A plain HTTP did:web host on 127.0.0.1 (for allowHttpLocalhost), counting connections and requests. */
let http: HttpServer;
let httpPort = 0;
let httpConnections = 0;
const requested: string[] = [];
const hanging = new Set<ServerResponse>();

beforeAll(async () => {
  tcp = createServer((s) => { tcpConnections++; s.destroy(); });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  tcpPort = (tcp.address() as AddressInfo).port;
  http = createHttpServer((req, res) => {
    requested.push(req.url ?? '');
    const did = `did:web:localhost%3A${httpPort}`;
    switch (req.url) {
      case '/.well-known/did.json':
        res.writeHead(200, { 'content-type': 'application/did+json' });
        return void res.end(JSON.stringify({ id: did }));
      case '/gone/did.json':
        res.writeHead(410);
        return void res.end();
      case '/broken/did.json':
        res.writeHead(500);
        return void res.end('internal');
      case '/moved/did.json':
        res.writeHead(301, { location: '/.well-known/did.json' });
        return void res.end();
      case '/declared-big/did.json':
        res.writeHead(200, { 'content-length': '20000' });
        return void res.write('{"id":"'); // never completes: the declared length alone must refuse it
      case '/streamed-big/did.json':
        res.writeHead(200);
        return void res.end(JSON.stringify({ id: `${did}:streamed-big`, pad: 'x'.repeat(50_000) }));
      case '/array/did.json':
        res.writeHead(200);
        return void res.end('[]');
      case '/hang/did.json':
        hanging.add(res);
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  http.on('connection', () => { httpConnections++; });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  httpPort = (http.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const r of hanging) r.destroy();
  http.closeAllConnections();
  await new Promise<void>((r) => http.close(() => r()));
  await new Promise<void>((r) => tcp.close(() => r()));
});

describe('did:web SSRF guard: names resolving to refused addresses', () => {
  it.each([
    ['localhost', false, 'loopback'], // the real resolver: 127.0.0.1 / ::1
    ['loopback.test', false, 'loopback'],
    ['mixed.test', false, 'loopback'], // one public and one loopback address: ANY refused address refuses the name
    ['private.test', false, 'private'], // 10.0.0.5
    ['private.test', true, 'private'], // allowHttpLocalhost allows loopback only
    ['metadata.test', true, 'link-local'], // ::ffff:169.254.169.254
  ])('did:web:%s%3A<port> (allowHttpLocalhost %s) fails DID_ADDRESS_FORBIDDEN (%s) and nothing connects', async (host, allowHttpLocalhost, kind) => {
    const before = tcpConnections;
    const did = `did:web:${host}%3A${tcpPort}:members:x`;
    const e = await failure(resolveDidWeb(did, opts({ allowHttpLocalhost })));
    expect(e.code).toBe('DID_ADDRESS_FORBIDDEN');
    expect(e.details).toEqual({ did, kind }); // no resolved address in what a stranger gets back
    expect(e.message).not.toMatch(/127\.0\.0\.1|10\.0\.0\.5|169\.254/);
    await settle();
    expect(tcpConnections).toBe(before);
  });

  it('through DidResolver (the path presentations, tokens and registrations take), on the default port', async () => {
    const e = await failure(new DidResolver({ timeoutMs: 2000 }).resolveDocument('did:web:private.test#key-1'));
    expect(e.code).toBe('DID_ADDRESS_FORBIDDEN');
    // Like the allow-list refusal (DID_RESOLUTION_FAILED): a resolution failure, never a verdict on a signature.
    expect([e.status, e.category]).toEqual([502, 'io']);
  });

  it('the allow-list still refuses before any lookup', async () => {
    const e = await failure(resolveDidWeb('did:web:private.test', opts({ allowedHosts: ['court.example'] })));
    expect(e.code).toBe('DID_RESOLUTION_FAILED');
    expect(e.details.reason).toBe('host is not on the did:web allow-list');
  });

  it('control: with allowHttpLocalhost a name resolving to loopback connects, to the checked address (TLS then fails)', async () => {
    const before = tcpConnections;
    const e = await failure(resolveDidWeb(`did:web:loopback.test%3A${tcpPort}`, opts({ allowHttpLocalhost: true })));
    expect(e.code).toBe('DID_RESOLUTION_FAILED');
    expect(tcpConnections).toBe(before + 1);
  });

  it('a DNS failure is DID_RESOLUTION_FAILED with the error code as reason (no URL)', async () => {
    const e = await failure(resolveDidWeb('did:web:nxdomain.test', opts()));
    expect(e.code).toBe('DID_RESOLUTION_FAILED');
    expect(e.details.reason).toBe('ENOTFOUND');
  });
});

describe('did:web over plain HTTP for localhost (allowHttpLocalhost) keeps its bounds', () => {
  const local = (path = '') => `did:web:localhost%3A${httpPort}${path}`;
  const code = async (did: string, o: Partial<WebDidOptions> = {}) => (await failure(resolveDidWeb(did, opts({ allowHttpLocalhost: true, ...o })))).code;

  it('resolves did:web:localhost%3A<port> from 127.0.0.1', async () => {
    const before = httpConnections;
    expect(await resolveDidWeb(local(), opts({ allowHttpLocalhost: true }))).toEqual({ id: local() });
    expect(httpConnections).toBe(before + 1);
  });

  it('404 and 410 are DID_NOT_FOUND; another status is DID_RESOLUTION_FAILED naming it', async () => {
    expect(await code(local(':nobody'))).toBe('DID_NOT_FOUND');
    expect(await code(local(':gone'))).toBe('DID_NOT_FOUND');
    const e = await failure(resolveDidWeb(local(':broken'), opts({ allowHttpLocalhost: true })));
    expect(e.code).toBe('DID_RESOLUTION_FAILED');
    expect(e.details.reason).toBe('HTTP 500');
  });

  it('a redirect is DID_RESOLUTION_FAILED and is not followed', async () => {
    requested.length = 0;
    expect(await code(local(':moved'))).toBe('DID_RESOLUTION_FAILED');
    await settle();
    expect(requested).toEqual(['/moved/did.json']);
  });

  it('TOO_LARGE on a declared content-length and while reading', async () => {
    expect(await code(local(':declared-big'))).toBe('TOO_LARGE');
    expect(await code(local(':streamed-big'))).toBe('TOO_LARGE');
    expect((await resolveDidWeb(local(':streamed-big'), opts({ allowHttpLocalhost: true, maxBytes: 100_000 }))).id).toBe(local(':streamed-big')); // under a larger cap
  });

  it('a JSON array is DID_DOCUMENT_INVALID', async () => {
    expect(await code(local(':array'))).toBe('DID_DOCUMENT_INVALID');
  });

  it('a hanging host is DID_RESOLUTION_TIMEOUT from the driver itself', async () => {
    const t0 = Date.now();
    expect(await code(local(':hang'), { timeoutMs: 300 })).toBe('DID_RESOLUTION_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
