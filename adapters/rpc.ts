/**
 * A thin JSON-RPC 2.0 client over HTTP(S) for adapter hot paths: one request per call (no batching window), keep-alive
 * connections (node:http Agent), a per-call timeout, a response size cap, and failover along the registration's
 * endpoints. Every failure is a coded error naming the chain, the method and the endpoint with credentials stripped
 * (viem src/utils/errors/getCallError.ts habit), with the underlying error as `cause`:
 *   RPC_UNAVAILABLE (cannot connect / HTTP error), RPC_TIMEOUT, RPC_BAD_RESPONSE (not a JSON-RPC 2.0 answer to this
 *   request, or over the size cap), RPC_ERROR (the node answered with a JSON-RPC error object: not retried elsewhere,
 *   it is an answer).
 * Why not ethers' JsonRpcProvider: it batches (≈10 ms wait) and adds ≈1 ms per call (DESIGN.md, Dependencies).
 */
import { Agent as HttpAgent, request as httpRequest, validateHeaderName, validateHeaderValue, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { CourtBridgeError, fail, type ErrorCode } from '../src/errors.js';
import type { RpcEndpoint } from './types.js';

/** Default per-call timeout (ms). */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default response size cap (bytes). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Options of `createJsonRpcClient`. */
export interface JsonRpcClientOptions {
  /** Chain id, for error details. */
  readonly chain: string;
  /** Endpoints in preference order (at least one). */
  readonly endpoints: readonly RpcEndpoint[];
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

/** A JSON-RPC client with failover. */
export interface JsonRpcClient {
  /** Call `method` and return the `result` member (any JSON value) as parsed. */
  call(method: string, params: readonly unknown[]): Promise<unknown>;
  /** Index of the endpoint currently preferred (after a failover, the one that answered). */
  readonly preferred: number;
  /** Close keep-alive sockets. */
  close(): void;
}

/** The URL without user info, query or fragment: safe for errors and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['RPC_UNAVAILABLE', 'RPC_TIMEOUT', 'RPC_BAD_RESPONSE']);

/** A JSON-RPC client over the endpoints; see the file comment for the error contract. */
export function createJsonRpcClient(opts: JsonRpcClientOptions): JsonRpcClient {
  if (opts.endpoints.length === 0) fail('CONFIG_INVALID', { field: 'rpc', reason: 'at least one endpoint is required' });
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 32 });
  const endpoints = opts.endpoints.map((e) => {
    let url: URL;
    try {
      url = new URL(e.url);
    } catch (err) {
      return fail('CONFIG_INVALID', { field: 'rpc.url', reason: `${redactUrl(e.url)} is not a URL` }, err);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('CONFIG_INVALID', { field: 'rpc.url', reason: `${redactUrl(e.url)} is not http(s)` });
    const auth = url.username !== '' ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
    // Checked here, once: node:http would otherwise throw an uncoded TypeError on every request (values never shown:
    // endpoint headers may carry credentials).
    for (const [name, value] of Object.entries(e.headers ?? {})) {
      try {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      } catch (err) {
        fail('CONFIG_INVALID', { field: 'rpc.headers', reason: `header ${JSON.stringify(name.slice(0, 64))} of ${redactUrl(e.url)} is not a valid HTTP header` }, err);
      }
    }
    return { url, auth, headers: e.headers ?? {}, label: redactUrl(e.url) };
  });
  let preferred = 0;
  let nextId = 1;

  function once(index: number, method: string, body: string, id: number): Promise<unknown> {
    const ep = endpoints[index]!;
    const details = { chain: opts.chain, method, endpoint: ep.label };
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err: CourtBridgeError | null, value?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value);
      };
      const https = ep.url.protocol === 'https:';
      const req = (https ? httpsRequest : httpRequest)(ep.url, {
        method: 'POST',
        agent: https ? httpsAgent : httpAgent,
        ...(ep.auth === undefined ? {} : { auth: ep.auth }),
        headers: { ...ep.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            res.destroy();
            done(new CourtBridgeError('RPC_BAD_RESPONSE', { ...details, reason: `response exceeds ${maxBytes} bytes` }));
          } else chunks.push(c);
        });
        res.on('error', (e) => done(new CourtBridgeError('RPC_UNAVAILABLE', { ...details, reason: 'connection lost' }, { cause: e })));
        res.on('end', () => {
          if (status >= 500 || status === 429) return done(new CourtBridgeError('RPC_UNAVAILABLE', { ...details, reason: `HTTP ${status}` }));
          let json: unknown;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (e) {
            return done(new CourtBridgeError('RPC_BAD_RESPONSE', { ...details, reason: `HTTP ${status}, body is not JSON` }, { cause: e }));
          }
          const o = json as Record<string, unknown>;
          if (typeof json !== 'object' || json === null || Array.isArray(json) || o.jsonrpc !== '2.0' || o.id !== id) {
            return done(new CourtBridgeError('RPC_BAD_RESPONSE', { ...details, reason: 'not a JSON-RPC 2.0 response to this request' }));
          }
          if (o.error !== undefined) {
            const e = o.error as { code?: unknown; message?: unknown };
            const rpcCode = typeof e?.code === 'number' ? e.code : 'unknown';
            const reason = typeof e?.message === 'string' ? e.message.slice(0, 200) : 'no message';
            return done(new CourtBridgeError('RPC_ERROR', { ...details, rpcCode, reason }));
          }
          if (!Object.hasOwn(o, 'result')) return done(new CourtBridgeError('RPC_BAD_RESPONSE', { ...details, reason: 'neither result nor error' }));
          done(null, o.result);
        });
      });
      const timer = setTimeout(() => {
        done(new CourtBridgeError('RPC_TIMEOUT', { ...details, ms: timeoutMs }));
        req.destroy();
      }, timeoutMs);
      req.on('error', (e) => done(new CourtBridgeError('RPC_UNAVAILABLE', { ...details, reason: (e as NodeJS.ErrnoException).code ?? 'request failed' }, { cause: e })));
      req.end(body);
    });
  }

  async function call(method: string, params: readonly unknown[]): Promise<unknown> {
    const id = nextId++;
    const body = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    const errors: CourtBridgeError[] = [];
    for (let k = 0; k < endpoints.length; k++) {
      const index = (preferred + k) % endpoints.length;
      try {
        const result = await once(index, method, body, id);
        preferred = index;
        return result;
      } catch (e) {
        const err = e as CourtBridgeError;
        if (!RETRYABLE.has(err.code)) throw err;
        errors.push(err);
      }
    }
    // Every endpoint failed: one kind of failure keeps its code; a mix is RPC_UNAVAILABLE.
    const codes = new Set(errors.map((e) => e.code));
    const last = errors[errors.length - 1]!;
    if (codes.size === 1) throw new CourtBridgeError(last.code, { ...last.details, endpoints: endpoints.length }, { cause: errors.length === 1 ? last.cause ?? last : new AggregateError(errors) });
    throw new CourtBridgeError('RPC_UNAVAILABLE', { chain: opts.chain, method, reason: errors.map((e) => `${e.details.endpoint}: ${e.code}`).join('; ') }, { cause: new AggregateError(errors) });
  }

  return {
    call,
    get preferred() {
      return preferred;
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
