/**
 * A JSON-RPC proxy with transport faults at the byte level, for the relay's partner-fault tests (the existing ones,
 * test/relay/proxy.ts and adapters/fault-proxy.ts, fault whole answers only). Per request, by JSON-RPC method:
 *   pass      forward to the node;
 *   hang      accept the request, never answer;
 *   reset     forward, send the status line, headers and half the body, then destroy the socket (TCP reset mid-response);
 *   drip      send headers and a valid-looking JSON prefix one byte per `dripMs` (defeats socket idle timers);
 *   garbage   200 with a body that is not JSON;
 *   oversized 200 and `oversizedBytes` of JSON whitespace, streamed as fast as the client reads — `sent` counts what
 *             left the proxy before the client hung up (memory bound of the client).
 * Loopback only; test infrastructure.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What to do with one request. */
export type Fault = 'pass' | 'hang' | 'reset' | 'drip' | 'garbage' | 'oversized';

/** A running proxy. */
export interface ByteFaultProxy {
  readonly url: string;
  /** The fault for a call of `method` (default: pass everything). */
  policy: (method: string) => Fault;
  dripMs: number;
  oversizedBytes: number;
  /** Bytes of the last oversized answer written before the client closed the connection. */
  readonly sent: number;
  /** Faults applied so far, by kind. */
  readonly applied: Record<Fault, number>;
  close(): Promise<void>;
}

const body = (req: IncomingMessage): Promise<string> => new Promise((resolve, reject) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  req.on('error', reject);
});

/** Start a proxy in front of `target` on a free loopback port. */
export async function startByteFaultProxy(target: string): Promise<ByteFaultProxy> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let sent = 0;
  const applied: Record<Fault, number> = { pass: 0, hang: 0, reset: 0, drip: 0, garbage: 0, oversized: 0 };
  const proxy: ByteFaultProxy = {
    url: '', policy: () => 'pass', dripMs: 200, oversizedBytes: 64 * 1024 * 1024,
    get sent() { return sent; },
    applied,
    close: async () => undefined,
  };
  const forward = async (text: string): Promise<string> => {
    const r = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    return r.text();
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const text = await body(req);
      let method = '';
      try {
        method = String((JSON.parse(text) as { method?: unknown }).method ?? '');
      } catch { /* not JSON: passed on */ }
      const fault = proxy.policy(method);
      applied[fault]++;
      switch (fault) {
        case 'hang':
          return;
        case 'garbage':
          res.writeHead(200, { 'content-type': 'application/json' }).end('<html>502 Bad Gateway</html>');
          return;
        case 'reset': {
          const answer = Buffer.from(await forward(text));
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
          res.write(answer.subarray(0, answer.length >> 1), () => req.socket.resetAndDestroy());
          return;
        }
        case 'drip': {
          res.writeHead(200, { 'content-type': 'application/json' });
          const prefix = '{"jsonrpc":"2.0","id":1,"result":"0x';
          let i = 0;
          const t = setInterval(() => {
            if (res.destroyed) { clearInterval(t); timers.delete(t); return; }
            res.write(i < prefix.length ? prefix[i]! : '0');
            i++;
          }, proxy.dripMs);
          timers.add(t);
          res.on('close', () => { clearInterval(t); timers.delete(t); });
          return;
        }
        case 'oversized': {
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          sent = 0;
          const pump = (): void => {
            while (!res.destroyed && sent < proxy.oversizedBytes) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            if (!res.destroyed) res.end();
          };
          pump();
          return;
        }
        case 'pass': {
          const answer = await forward(text);
          res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
          return;
        }
      }
    })().catch(() => req.socket.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return proxy;
}
