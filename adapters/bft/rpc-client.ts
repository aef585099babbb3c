/**
 * JSON-RPC 2.0 over HTTP for the `bft` adapter (axios): a per-call deadline (a total wall-clock limit, so a server
 * that drips one byte a second cannot hold a call open — axios' own `timeout` is a socket idle timer), response and
 * request size caps, failover along the registration's endpoints, and every failure wrapped into a coded error naming
 * the chain, the method and the endpoint (credentials stripped), with the underlying error as `cause`.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { CourtBridgeError, asCourtBridgeError, type ErrorCode } from '../../src/errors.js';
import type { RpcEndpoint } from '../types.js';
import { redactUrl } from '../rpc.js';
import { atEdge } from './parse.js';

/** Default per-call deadline (registration `rpcLimits.timeoutMs`). */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default response cap (registration `rpcLimits.maxResponseBytes`). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Failures after which the next endpoint is tried. */
const FAILOVER: ReadonlySet<ErrorCode> = new Set(['RPC_UNAVAILABLE', 'RPC_TIMEOUT', 'RPC_BAD_RESPONSE']);
/** Request bodies are small (a method and a few parameters). */
const MAX_REQUEST_BYTES = 64 * 1024;

/** Options of a client. */
export interface BftRpcClientOptions {
  readonly chainId: string;
  readonly endpoints: readonly RpcEndpoint[];
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

/** A JSON-RPC client with failover. */
export class BftRpcClient {
  readonly chainId: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly #endpoints: readonly RpcEndpoint[];
  readonly #http: AxiosInstance;
  readonly #agents = { http: new http.Agent({ keepAlive: true, maxSockets: 16 }), https: new https.Agent({ keepAlive: true, maxSockets: 16 }) };
  readonly #closed = new AbortController();
  /** Index of the endpoint that answered last: calls start there (sticky failover). */
  #preferred = 0;
  #nextId = 1;

  constructor(opts: BftRpcClientOptions) {
    this.chainId = opts.chainId;
    this.#endpoints = opts.endpoints;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#http = axios.create({
      timeout: this.timeoutMs,
      maxContentLength: this.maxResponseBytes,
      maxBodyLength: MAX_REQUEST_BYTES,
      maxRedirects: 0,
      proxy: false,
      responseType: 'text',
      transformResponse: [(d: unknown) => d], // raw text: parsed strictly below, never by axios' lenient JSON
      validateStatus: () => true,
      httpAgent: this.#agents.http,
      httpsAgent: this.#agents.https,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
  }

  /**
   * Call `method` and parse its `result` with `parse` (input-category errors of `parse` become RPC_BAD_RESPONSE and
   * fail over like transport faults). RPC_ERROR when the node answered with a JSON-RPC error object.
   */
  async call<T>(method: string, params: readonly unknown[], parse: (result: unknown) => T): Promise<T> {
    const errors: CourtBridgeError[] = [];
    const n = this.#endpoints.length;
    for (let k = 0; k < n; k++) {
      const i = (this.#preferred + k) % n;
      try {
        const endpoint = this.#endpoints[i]!;
        const result = await this.#callOne(endpoint, method, params);
        const parsed = atEdge(this.chainId, method, redactUrl(endpoint.url), () => parse(result));
        this.#preferred = i;
        return parsed;
      } catch (e) {
        const err = asCourtBridgeError(e);
        // Only transport faults and malformed answers fail over. RPC_ERROR is the chain's answer, not a fault.
        if (!FAILOVER.has(err.code) || this.#closed.signal.aborted) throw err;
        errors.push(err);
      }
    }
    const first = errors[0];
    if (first === undefined) throw new CourtBridgeError('RPC_UNAVAILABLE', { method, chain: this.chainId, reason: 'no endpoints configured' });
    // One endpoint, or every endpoint failing alike: that error. Mixed failures: RPC_UNAVAILABLE with all of them.
    if (errors.every((e) => e.code === first.code)) throw errors[errors.length - 1]!;
    throw new CourtBridgeError('RPC_UNAVAILABLE', { method, chain: this.chainId, reason: errors.map((e) => e.code).join(', ') }, { cause: new AggregateError(errors) });
  }

  async #callOne(endpoint: RpcEndpoint, method: string, params: readonly unknown[]): Promise<unknown> {
    const where = { method, chain: this.chainId, endpoint: redactUrl(endpoint.url) };
    const id = this.#nextId++;
    const deadline = AbortSignal.timeout(this.timeoutMs);
    let res;
    try {
      res = await this.#http.post<string>(endpoint.url, JSON.stringify({ jsonrpc: '2.0', id, method, params }), {
        headers: { ...(endpoint.headers ?? {}) },
        signal: AbortSignal.any([deadline, this.#closed.signal]),
      });
    } catch (e) {
      throw this.#transportError(e, where, deadline.aborted);
    }
    if (res.status !== 200) throw new CourtBridgeError('RPC_UNAVAILABLE', { ...where, reason: `HTTP ${res.status} from ${where.endpoint}` });
    const bad = (reason: string, cause?: unknown) => new CourtBridgeError('RPC_BAD_RESPONSE', { ...where, reason }, cause === undefined ? undefined : { cause });
    let body: unknown;
    try {
      body = JSON.parse(res.data);
    } catch (e) {
      throw bad('body is not JSON', e);
    }
    // JSON-RPC 2.0 §5: a response object with our id and exactly one of result / error.
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('not a JSON-RPC response object');
    const o = body as Record<string, unknown>;
    if (o.jsonrpc !== '2.0') throw bad('jsonrpc is not "2.0"');
    if (o.id !== id) throw bad(`id ${JSON.stringify(o.id)} does not answer request ${id}`);
    const hasResult = Object.hasOwn(o, 'result');
    const hasError = Object.hasOwn(o, 'error');
    if (hasResult === hasError) throw bad('must carry exactly one of result and error');
    if (hasError) {
      const err = o.error as Record<string, unknown> | null;
      if (typeof err !== 'object' || err === null || !Number.isSafeInteger(err.code) || typeof err.message !== 'string') throw bad('malformed error object');
      throw new CourtBridgeError('RPC_ERROR', { ...where, rpcCode: err.code as number, reason: err.message.slice(0, 200) });
    }
    return o.result;
  }

  /** Classify an axios failure: deadline → RPC_TIMEOUT; over the size cap or unreadable → RPC_BAD_RESPONSE; else RPC_UNAVAILABLE. */
  #transportError(e: unknown, where: { method: string; chain: string; endpoint: string }, deadlineHit: boolean): CourtBridgeError {
    const code = e instanceof AxiosError ? e.code : undefined;
    if (deadlineHit || code === 'ECONNABORTED' || code === 'ETIMEDOUT') return new CourtBridgeError('RPC_TIMEOUT', { ...where, ms: this.timeoutMs }, { cause: e });
    if (code === 'ERR_BAD_RESPONSE') {
      const reason = /maxContentLength/.test((e as Error).message) ? `response exceeds ${this.maxResponseBytes} bytes` : 'response could not be read';
      return new CourtBridgeError('RPC_BAD_RESPONSE', { ...where, reason }, { cause: e });
    }
    const reason = this.#closed.signal.aborted ? 'adapter closed' : `${where.endpoint}: ${code ?? (e instanceof Error ? e.name : 'error')}`;
    return new CourtBridgeError('RPC_UNAVAILABLE', { ...where, reason }, { cause: e });
  }

  /** Abort calls in flight and release the sockets. */
  close(): void {
    this.#closed.abort();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}
