/**
 * The `substrate` adapter's JSON-RPC client: failover along the registration's endpoints, each either WebSocket
 * (`ws(s)://`, adapters/substrate/ws-rpc.ts) or HTTP (`http(s)://`, adapters/rpc.ts — Substrate nodes serve both on
 * one port). A parse function checks each answer at the edge: input-category errors become RPC_BAD_RESPONSE and fail
 * over like transport faults; RPC_ERROR (the node's own answer) does not fail over.
 */
import { CourtBridgeError, fail, isCourtBridgeError, type ErrorCode } from '../../src/errors.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, createJsonRpcClient, redactUrl } from '../rpc.js';
import type { RpcEndpoint } from '../types.js';
import { WsJsonRpc } from './ws-rpc.js';

const FAILOVER: ReadonlySet<ErrorCode> = new Set(['RPC_UNAVAILABLE', 'RPC_TIMEOUT', 'RPC_BAD_RESPONSE']);

interface Transport {
  readonly label: string;
  call(method: string, params: readonly unknown[]): Promise<unknown>;
  close(): void;
}

/** Options of the client (from the registration). */
export interface SubstrateRpcOptions {
  readonly chain: string;
  readonly endpoints: readonly RpcEndpoint[];
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

function transportOf(opts: SubstrateRpcOptions, ep: RpcEndpoint, timeoutMs: number, maxBytes: number): Transport {
  let scheme: string;
  try {
    scheme = new URL(ep.url).protocol;
  } catch (e) {
    return fail('CONFIG_INVALID', { field: 'rpc.url', reason: `${redactUrl(ep.url)} is not a URL` }, e);
  }
  const label = redactUrl(ep.url);
  if (scheme === 'ws:' || scheme === 'wss:') return new WsJsonRpc(opts.chain, ep, timeoutMs, maxBytes);
  if (scheme === 'http:' || scheme === 'https:') {
    const c = createJsonRpcClient({ chain: opts.chain, endpoints: [ep], timeoutMs, maxResponseBytes: maxBytes });
    return { label, call: (m, p) => c.call(m, p), close: () => c.close() };
  }
  return fail('CONFIG_INVALID', { field: 'rpc.url', reason: `${label} is not ws(s) or http(s)` });
}

/** A failover JSON-RPC client for one Substrate chain. */
export class SubstrateRpc {
  readonly #chain: string;
  readonly #transports: readonly Transport[];
  #preferred = 0;
  #closed = false;

  constructor(opts: SubstrateRpcOptions) {
    if (opts.endpoints.length === 0) fail('CONFIG_INVALID', { field: 'rpc', reason: 'at least one endpoint is required' });
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#chain = opts.chain;
    this.#transports = opts.endpoints.map((ep) => transportOf(opts, ep, timeoutMs, maxBytes));
  }

  /** Call `method` and check its `result` with `parse`; see the file comment for the failover rule. */
  async call<T>(method: string, params: readonly unknown[], parse: (result: unknown) => T): Promise<T> {
    if (this.#closed) fail('RPC_UNAVAILABLE', { method, chain: this.#chain, reason: 'adapter closed' });
    const errors: CourtBridgeError[] = [];
    const n = this.#transports.length;
    for (let k = 0; k < n; k++) {
      const i = (this.#preferred + k) % n;
      const t = this.#transports[i]!;
      try {
        const result = await t.call(method, params);
        const parsed = atEdge(this.#chain, method, t.label, () => parse(result));
        this.#preferred = i;
        return parsed;
      } catch (e) {
        if (!isCourtBridgeError(e) || !FAILOVER.has(e.code) || this.#closed) throw e;
        errors.push(e);
      }
    }
    const first = errors[0]!;
    if (errors.every((e) => e.code === first.code)) throw errors[errors.length - 1]!;
    throw new CourtBridgeError('RPC_UNAVAILABLE', { method, chain: this.#chain, reason: errors.map((e) => `${e.details.endpoint}: ${e.code}`).join('; ') }, { cause: new AggregateError(errors) });
  }

  /** Close every connection. */
  close(): void {
    this.#closed = true;
    for (const t of this.#transports) t.close();
  }
}

/** Run `parse` on an answer: a malformed answer (input error) or a proof that does not check out is RPC_BAD_RESPONSE. */
export function atEdge<T>(chain: string, method: string, endpoint: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!isCourtBridgeError(e) || (e.category !== 'input' && e.category !== 'verify')) throw e;
    throw new CourtBridgeError('RPC_BAD_RESPONSE', { method, chain, endpoint, reason: `${e.code}: ${e.message}` }, { cause: e });
  }
}
