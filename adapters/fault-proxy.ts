/**
 * A local HTTP JSON-RPC proxy for the conformance suite: it stands between an adapter and a real (or simulated) node
 * and fails on command — drops connections, hangs, answers garbage, or rewrites answers in a well-formed way (a
 * malicious partner RPC). Test infrastructure, loopback only.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Rewrites the `result` of `method` (return undefined to leave it). */
export type Rewrite = (method: string, params: unknown[], result: unknown) => unknown;

/** How the proxy behaves. */
export type ProxyMode =
  | { readonly mode: 'pass' }
  | { readonly mode: 'down' }
  | { readonly mode: 'hang' }
  | { readonly mode: 'garbage' }
  | { readonly mode: 'tamper'; readonly rewrite: Rewrite };

/** A running proxy. */
export interface FaultProxy {
  readonly url: string;
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function forward(target: URL, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = request(target, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** Start a proxy to `targetUrl` on a free loopback port, initially passing everything through. */
export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let mode: ProxyMode = { mode: 'pass' };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const m = mode;
      if (m.mode === 'down') return req.socket.destroy();
      const body = await readBody(req);
      if (m.mode === 'hang') return; // never answers; the client's timeout must fire
      if (m.mode === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":');
        return;
      }
      let answer: string;
      try {
        answer = await forward(target, body);
      } catch {
        return req.socket.destroy();
      }
      if (m.mode === 'tamper') {
        const call = JSON.parse(body) as { method: string; params?: unknown[] };
        const reply = JSON.parse(answer) as { result?: unknown };
        if (reply.result !== undefined) {
          const changed = m.rewrite(call.method, call.params ?? [], reply.result);
          if (changed !== undefined) reply.result = changed;
        }
        answer = JSON.stringify(reply);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    })();
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    set(next) {
      mode = next;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
