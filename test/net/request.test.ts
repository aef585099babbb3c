/**
 * The shared bounded, SSRF-guarded exchange (src/net/request.ts) against a local node:http server: the body bound
 * (truncate vs. fail, a declared content-length), the status hook, the overall timeout (silent server, slow drip),
 * connection resets, and the address guard (a refused IP literal or name: no connection arrives). Every failure is
 * the caller's error, built once: the spy below records which of the caller's callbacks ran.
 * node:dns is faked for a few `.test` names (test/helpers/fake-dns.ts).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('node:dns', async (importOriginal) => (await import('../helpers/fake-dns.js')).fakeDns(await importOriginal()));

const { boundedRequest } = await import('../../src/net/request.js');
type BoundedRequest = import('../../src/net/request.js').BoundedRequest;
type BoundedResponse = import('../../src/net/request.js').BoundedResponse;

/** The caller's error: which callback built it, and what it was given. */
class Outcome extends Error {
  constructor(readonly kind: string, readonly given?: unknown) {
    super(kind);
  }
}

let server: Server;
let port = 0;
let connections = 0;
/** Server-side responses that were closed before they finished (the client went away). */
const abandoned: string[] = [];
const open = new Set<ServerResponse>();
const timers = new Set<NodeJS.Timeout>();

const A100 = 'a'.repeat(100);

beforeAll(async () => {
  server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      if (!res.writableFinished) abandoned.push(req.url ?? '');
    });
    const later = (ms: number, f: () => void) => { const t = setTimeout(() => { timers.delete(t); f(); }, ms); timers.add(t); };
    switch (req.url) {
      case '/echo': {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }));
        });
        return;
      }
      case '/big': // 100 bytes in four chunks, no content-length (chunked)
        res.writeHead(200);
        for (let i = 0; i < 4; i++) res.write(A100.slice(25 * i, 25 * (i + 1)));
        return void res.end();
      case '/big-then-hang': // 100 bytes, then nothing more and no end
        res.writeHead(200);
        return void res.write(A100);
      case '/declared-big': // a content-length above the bound, a few bytes, then no end
        res.writeHead(200, { 'content-length': '20000' });
        return void res.write('{"id":"');
      case '/slow-body': // the status line at once, the body a second later
        res.writeHead(503, { 'x-test': 'yes' });
        res.flushHeaders();
        return later(1000, () => res.end('late body'));
      case '/never':
        return;
      case '/drip': { // one byte every 25 ms, forever
        res.writeHead(200);
        const t = setInterval(() => res.write('x'), 25);
        timers.add(t);
        res.on('close', () => { clearInterval(t); timers.delete(t); });
        return;
      }
      case '/reset': // no answer at all: a TCP reset
        return void req.socket.resetAndDestroy();
      case '/cut': // headers and part of the body, then the connection is dropped
        res.writeHead(200, { 'content-length': '50' });
        res.write('12345');
        return later(50, () => req.socket.destroy());
      case '/redirect':
        res.writeHead(302, { location: '/echo' });
        return void res.end('moved');
      default:
        res.writeHead(404);
        res.end();
    }
  });
  server.on('connection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const t of timers) clearTimeout(t);
  for (const r of open) r.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** Which of the caller's callbacks ran, in order. */
let calls: string[] = [];
const errors: BoundedRequest['errors'] = {
  forbidden: (r) => { calls.push('forbidden'); return new Outcome('forbidden', r); },
  timeout: () => { calls.push('timeout'); return new Outcome('timeout'); },
  network: (e, code) => { calls.push('network'); return new Outcome('network', code); },
};
const failOver = (maxBytes: number): BoundedRequest['read'] => ({
  maxBytes, overflow: 'fail',
  tooLarge: () => { calls.push('tooLarge'); return new Outcome('tooLarge'); },
  cutShort: () => { calls.push('cutShort'); return new Outcome('cutShort'); },
});
const truncate = (maxBytes: number): BoundedRequest['read'] => ({ maxBytes, overflow: 'truncate' });

/** GET `path` on the local server (loopback allowed unless `o.policy` says otherwise). */
function get(path: string, o: Partial<BoundedRequest> = {}, host = `127.0.0.1:${port}`): Promise<BoundedResponse> {
  calls = [];
  return boundedRequest(new URL(`http://${host}${path}`), {
    method: 'GET', headers: {}, policy: { allowLoopback: true }, timeoutMs: 5000, read: truncate(1000), errors, ...o,
  });
}
/** The caller's error the exchange failed with. */
const outcome = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(() => expect.unreachable('resolved'), (e: unknown) => {
    if (!(e instanceof Outcome)) throw e;
    return e;
  });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const elapsed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = Date.now();
  const v = await f();
  return [v, Date.now() - t0];
};

describe('the body bound: truncate vs. fail', () => {
  it('truncate: the first maxBytes bytes, without waiting for the end; a shorter body whole', async () => {
    const r = await get('/big', { read: truncate(10) });
    expect([r.status, r.body.toString()]).toEqual([200, 'a'.repeat(10)]);
    expect((await get('/big', { read: truncate(1000) })).body.toString()).toBe(A100);
    const [hung, ms] = await elapsed(() => get('/big-then-hang', { read: truncate(60) }));
    expect(hung.body.length).toBe(60);
    expect(ms).toBeLessThan(2000); // settled at the bound, not at the 5 s timeout
    expect(calls).toEqual([]);
  });

  it('fail: one byte more than maxBytes is tooLarge; exactly maxBytes is the body', async () => {
    expect((await outcome(get('/big', { read: failOver(99) }))).kind).toBe('tooLarge');
    expect(calls).toEqual(['tooLarge']);
    expect((await get('/big', { read: failOver(100) })).body.toString()).toBe(A100);
  });

  it('fail: a declared content-length above the bound is tooLarge before the body (truncate reads the prefix)', async () => {
    const [e, ms] = await elapsed(() => outcome(get('/declared-big', { read: failOver(10_000) })));
    expect(e.kind).toBe('tooLarge');
    expect(ms).toBeLessThan(2000); // the body never ends: only the header can have decided
    expect((await get('/declared-big', { read: truncate(5) })).body.toString()).toBe('{"id"');
  });
});

describe('the status hook', () => {
  it('fails the exchange with its error before the body is read, and the connection is closed', async () => {
    let seen: [number, unknown] | undefined;
    const refused = new Outcome('hook');
    abandoned.length = 0;
    const [e, ms] = await elapsed(() => outcome(get('/slow-body', {
      onHead: (status, headers) => { seen = [status, headers['x-test']]; return status === 503 ? refused : undefined; },
    })));
    expect(e).toBe(refused);
    expect(seen).toEqual([503, 'yes']);
    expect(ms).toBeLessThan(800); // the body comes only after 1 s
    await pause(50);
    expect(abandoned).toContain('/slow-body');
    expect(calls).toEqual([]);
  });

  it('returning undefined lets the body be read', async () => {
    const r = await get('/slow-body', { onHead: () => undefined });
    expect([r.status, r.body.toString()]).toEqual([503, 'late body']);
  });
});

describe('the overall timeout', () => {
  it('a server that never answers: timeout, once, and the connection is dropped', async () => {
    abandoned.length = 0;
    const [e, ms] = await elapsed(() => outcome(get('/never', { timeoutMs: 200 })));
    expect(e.kind).toBe('timeout');
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(1500);
    await pause(100);
    expect(calls).toEqual(['timeout']); // the destroy's own errors are not reported
    expect(abandoned).toContain('/never');
  }, 5000);

  it.each([['truncate', truncate(100_000)], ['fail', failOver(100_000)]] as const)(
    'a slow-drip body (%s) hits the overall timeout although bytes keep coming', async (_, read) => {
      const [e, ms] = await elapsed(() => outcome(get('/drip', { timeoutMs: 300, read })));
      expect(e.kind).toBe('timeout');
      expect(ms).toBeLessThan(1500);
      await pause(50);
      expect(calls).toEqual(['timeout']);
    }, 5000);
});

describe('connection resets', () => {
  it('a reset before any answer is the caller\'s network error with the errno code', async () => {
    const e = await outcome(get('/reset'));
    expect([e.kind, e.given]).toEqual(['network', 'ECONNRESET']);
    expect(calls).toEqual(['network']);
  });

  it('a body cut short: fail mode fails; truncate mode returns what came', async () => {
    // node reports the cut as the response's error (ECONNRESET 'aborted') before its 'close'.
    const e = await outcome(get('/cut', { read: failOver(1000) }));
    expect([e.kind, e.given]).toEqual(['network', 'ECONNRESET']);
    expect(calls).toEqual(['network']);
    const r = await get('/cut', { read: truncate(1000) });
    expect([r.status, r.body.toString()]).toEqual([200, '12345']);
  });
});

describe('the address guard', () => {
  // URL normalises the mapped literal to ::ffff:7f00:1.
  it.each([['127.0.0.1', '127.0.0.1'], ['[::ffff:127.0.0.1]', '::ffff:7f00:1']])(
    'a refused IP literal (%s) fails forbidden and no connection arrives', async (literal, address) => {
      const before = connections;
      const e = await outcome(get('/echo', { policy: {} }, `${literal}:${port}`));
      expect([e.kind, e.given]).toEqual(['forbidden', { host: address, address, kind: 'loopback' }]);
      await pause(50);
      expect(connections).toBe(before);
      expect(calls).toEqual(['forbidden']);
    });

  it('a name refused by the guarded lookup rejects with the caller\'s forbidden error itself, no connection', async () => {
    const before = connections;
    const e = await outcome(get('/echo', { policy: {} }, `loopback.test:${port}`));
    expect([e.kind, e.given]).toEqual(['forbidden', { host: 'loopback.test', address: '127.0.0.1', kind: 'loopback' }]);
    expect(calls).toEqual(['forbidden']); // not re-wrapped as a network error
    await pause(50);
    expect(connections).toBe(before);
  });

  it('control: with loopback allowed the same name connects to the checked address', async () => {
    const before = connections;
    expect((await get('/echo', {}, `loopback.test:${port}`)).status).toBe(200);
    expect(connections).toBe(before + 1);
  });
});

describe('the request', () => {
  it('POSTs the payload with content-length and connection: close (which the caller cannot override)', async () => {
    const r = await get('/echo', { method: 'POST', headers: { 'x-sig': 'abc', connection: 'keep-alive' }, payload: Buffer.from('{"a":1}') });
    const echo = JSON.parse(r.body.toString()) as { method: string; headers: Record<string, string>; body: string };
    expect(echo.method).toBe('POST');
    expect(echo.body).toBe('{"a":1}');
    expect(echo.headers).toMatchObject({ 'x-sig': 'abc', 'content-length': '7', connection: 'close' });
  });

  it('a redirect is a status like any other and is not followed', async () => {
    const before = connections;
    const r = await get('/redirect');
    expect([r.status, r.headers.location, r.body.toString()]).toEqual([302, '/echo', 'moved']);
    await pause(50);
    expect(connections).toBe(before + 1);
  });
});
