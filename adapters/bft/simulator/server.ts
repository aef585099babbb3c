/**
 * The simulator's HTTP transport (node:http): JSON-RPC 2.0 over `POST /`, one request object per call (no batches),
 * request bodies capped, and the transport faults of faults.ts applied before answering.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimChain } from './chain.js';
import { FaultTable, type TransportFault } from './faults.js';
import { RPC_ERRORS, RpcError, callMethod } from './rpc.js';

/** Largest request body accepted (HTTP 413 above). */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** How to run the server. */
export interface SimServerOptions {
  readonly chain: SimChain;
  readonly faultsEnabled: boolean;
  /** Produce a block every `blockMs` milliseconds; 0 = only on `sim_produceBlock`. */
  readonly blockMs: number;
  readonly host: string;
  readonly port: number;
}

/** A running simulator. */
export interface RunningSimulator {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

type Id = string | number | null;

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function reply(res: ServerResponse, id: Id, outcome: { result: unknown } | { error: RpcError }): void {
  const body = 'result' in outcome
    ? { jsonrpc: '2.0', id, result: outcome.result }
    : { jsonrpc: '2.0', id, error: { code: outcome.error.code, message: outcome.error.message, ...(outcome.error.data === undefined ? {} : { data: outcome.error.data }) } };
  send(res, 200, JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Apply a transport fault that replaces the answer; returns true when the answer was replaced. */
async function applyTransportFault(fault: TransportFault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  switch (fault.kind) {
    case 'delay':
      await sleep(fault.ms);
      return false;
    case 'drop':
      req.socket.destroy(); // connection reset, no answer
      return true;
    case 'garbage':
      send(res, 200, '<html><body>502 Bad Gateway</body></html>\u0000\u00ff', 'application/json');
      return true;
    case 'httpError':
      send(res, fault.status, 'upstream unavailable', 'text/plain');
      return true;
    case 'oversized': {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': fault.bytes });
      const chunk = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace
      let left = fault.bytes;
      while (left > 0 && !res.destroyed) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
      }
      res.end();
      return true;
    }
    case 'slowDrip': {
      // A well-formed start, then one whitespace byte per interval: defeats idle (socket) timeouts, not deadlines.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"jsonrpc":"2.0",');
      const until = Date.now() + 60_000;
      while (!res.destroyed && Date.now() < until) {
        await sleep(fault.intervalMs);
        if (!res.destroyed) res.write(' ');
      }
      res.end('"id":null,"result":null}');
      return true;
    }
    case 'wrongProof':
    case 'wrongKey':
      return false;
  }
}

/** Start the JSON-RPC server (and the block timer when `blockMs > 0`). */
export async function startSimulatorServer(opts: SimServerOptions): Promise<RunningSimulator> {
  const faults = new FaultTable();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return send(res, 405, 'POST JSON-RPC 2.0 requests to /', 'text/plain');
    const text = await readBody(req);
    if (text === undefined) return send(res, 413, 'request body too large', 'text/plain');
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return reply(res, null, { error: new RpcError(RPC_ERRORS.PARSE_ERROR, 'parse error') });
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      return reply(res, null, { error: new RpcError(RPC_ERRORS.INVALID_REQUEST, Array.isArray(msg) ? 'batch requests are not supported' : 'invalid request') });
    }
    const o = msg as Record<string, unknown>;
    const id: Id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : null;
    if (o.jsonrpc !== '2.0' || typeof o.method !== 'string') return reply(res, id, { error: new RpcError(RPC_ERRORS.INVALID_REQUEST, 'invalid request') });
    const fault = faults.take(o.method);
    if (fault !== undefined && (await applyTransportFault(fault, req, res))) return;
    const tamper = fault?.kind === 'wrongProof' || fault?.kind === 'wrongKey' ? fault.kind : undefined;
    try {
      reply(res, id, { result: callMethod(o.method, o.params, { chain: opts.chain, faults, faultsEnabled: opts.faultsEnabled, ...(tamper === undefined ? {} : { tamper }) }) });
    } catch (e) {
      reply(res, id, { error: e instanceof RpcError ? e : new RpcError(RPC_ERRORS.INTERNAL_ERROR, 'internal error') });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const timer = opts.blockMs > 0 ? setInterval(() => opts.chain.produce(), opts.blockMs) : undefined;
  return {
    port: (server.address() as AddressInfo).port,
    server,
    async close() {
      if (timer !== undefined) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
