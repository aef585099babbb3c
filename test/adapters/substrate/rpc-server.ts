/**
 * A local Substrate-style JSON-RPC server for the adapter tests: like a real node (polkadot-sdk ≥ 0.9.25 serves
 * HTTP and WebSocket on one port, 9944), it answers JSON-RPC 2.0 over HTTP POST and over WebSocket upgrades of the
 * same port. What it answers comes from a `RpcBackend` (recorded real responses or a simulator). A WebSocket fault
 * mode stands in for adapters/fault-proxy.ts, which speaks HTTP only: down (upgrades refused / sockets dropped),
 * hang (requests read, never answered), garbage (a frame that is not JSON), oversize (a valid but huge answer).
 * Test infrastructure, loopback only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** A JSON-RPC error the backend answers with (an answer, not a fault). */
export class RpcFailure extends Error {
  constructor(readonly rpcCode: number, message: string) {
    super(message);
  }
}

/** Answers `method(params)` with a result (any JSON value), or throws RpcFailure. */
export type RpcBackend = (method: string, params: unknown[]) => unknown;

/** WebSocket fault modes (HTTP faults go through adapters/fault-proxy.ts). */
export type WsFault = 'pass' | 'down' | 'hang' | 'garbage' | 'oversize';

/** A running server. */
export interface SubstrateRpcServer {
  /** `ws://127.0.0.1:<port>` */
  readonly wsUrl: string;
  /** `http://127.0.0.1:<port>` (same port). */
  readonly httpUrl: string;
  /** Calls answered so far, by method. */
  readonly calls: Map<string, number>;
  setFault(fault: WsFault): void;
  close(): Promise<void>;
}

function answer(backend: RpcBackend, raw: string, calls: Map<string, number>): string {
  let req: { id?: unknown; method?: unknown; params?: unknown };
  try {
    req = JSON.parse(raw) as typeof req;
  } catch {
    return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  }
  const id = req.id ?? null;
  const method = String(req.method);
  calls.set(method, (calls.get(method) ?? 0) + 1);
  try {
    const result = backend(method, Array.isArray(req.params) ? req.params : []);
    return JSON.stringify({ jsonrpc: '2.0', id, result });
  } catch (e) {
    const code = e instanceof RpcFailure ? e.rpcCode : -32603;
    return JSON.stringify({ jsonrpc: '2.0', id, error: { code, message: (e as Error).message } });
  }
}

/** Start a server on a free loopback port. */
export async function startSubstrateRpcServer(backend: RpcBackend): Promise<SubstrateRpcServer> {
  let fault: WsFault = 'pass';
  const calls = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer(backend, Buffer.concat(chunks).toString('utf8'), calls));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (fault === 'down') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('message', (data) => {
        const f = fault;
        if (f === 'down') return ws.terminate();
        if (f === 'hang') return;
        if (f === 'garbage') return ws.send('{"jsonrpc":"2.0","id":');
        const text = answer(backend, data.toString(), calls);
        if (f === 'oversize') {
          const o = JSON.parse(text) as { result?: unknown };
          return ws.send(JSON.stringify({ ...o, result: { padding: 'x'.repeat(2 * 1024 * 1024), result: o.result ?? null } }));
        }
        ws.send(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    calls,
    setFault(f) {
      fault = f;
      if (f === 'down') for (const c of wss.clients) c.terminate();
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
