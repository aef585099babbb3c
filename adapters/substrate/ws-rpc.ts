/**
 * JSON-RPC 2.0 over one WebSocket (`ws` client), for the `substrate` adapter: a handshake deadline, a per-call
 * deadline, a hard response size cap (`maxPayload`: the frame is refused before it is buffered), strict parsing of
 * every frame (a frame that is not a JSON-RPC 2.0 answer to a pending id fails that call with RPC_BAD_RESPONSE and
 * drops the connection; it never throws out of the socket's event handler), and reconnection on the next call after
 * any fault. Errors are coded and name the chain, the method and the endpoint (credentials stripped).
 *
 * DIFF FROM BRIEF: not @polkadot/api's WsProvider. Measured here (16.5.6): its message handler `JSON.parse`s frames
 * unguarded, so one non-JSON frame from a hostile endpoint is an uncaught exception that kills the process; it has no
 * size cap (ws' default 100 MiB) and ~0.9 s of import time. `ws` is the socket library WsProvider itself uses.
 */
import WebSocket from 'ws';
import { CourtBridgeError } from '../../src/errors.js';
import type { RpcEndpoint } from '../types.js';
import { redactUrl } from '../rpc.js';

/** Where a call goes, for error details. */
export interface CallSite {
  readonly chain: string;
  readonly method: string;
  readonly endpoint: string;
}

interface Pending {
  readonly site: CallSite;
  resolve(v: unknown): void;
  reject(e: CourtBridgeError): void;
}

/** One WebSocket endpoint; connects lazily and after a fault. */
export class WsJsonRpc {
  readonly label: string;
  #socket: WebSocket | undefined;
  #opening: Promise<WebSocket> | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(readonly chain: string, readonly endpoint: RpcEndpoint, readonly timeoutMs: number, readonly maxResponseBytes: number) {
    this.label = redactUrl(endpoint.url);
  }

  /** Call `method`; resolves with the `result` member as parsed (verbatim JSON). */
  async call(method: string, params: readonly unknown[]): Promise<unknown> {
    const site: CallSite = { chain: this.chain, method, endpoint: this.label };
    const deadline = Date.now() + this.timeoutMs;
    const socket = await this.#connect(site, deadline);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new CourtBridgeError('RPC_TIMEOUT', { ...site, ms: this.timeoutMs }));
        this.#failAll('RPC_UNAVAILABLE', 'connection dropped after a timeout'); // a hung connection is not reused
      }, Math.max(1, deadline - Date.now()));
      this.#pending.set(id, {
        site,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (err) => {
        if (err) this.#failAll('RPC_UNAVAILABLE', 'send failed', err);
      });
    });
  }

  #connect(site: CallSite, deadline: number): Promise<WebSocket> {
    if (this.#socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.#socket);
    if (this.#opening) return this.#opening;
    const opening = new Promise<WebSocket>((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(this.endpoint.url, {
          headers: { ...(this.endpoint.headers ?? {}) },
          maxPayload: this.maxResponseBytes,
          handshakeTimeout: Math.max(1, deadline - Date.now()),
          perMessageDeflate: false,
          followRedirects: false,
        });
      } catch (e) {
        reject(new CourtBridgeError('RPC_UNAVAILABLE', { ...site, reason: 'bad WebSocket URL' }, { cause: e }));
        return;
      }
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new CourtBridgeError('RPC_TIMEOUT', { ...site, ms: this.timeoutMs }));
      }, Math.max(1, deadline - Date.now()));
      ws.once('open', () => {
        clearTimeout(timer);
        this.#socket = ws;
        resolve(ws);
      });
      ws.on('message', (data, isBinary) => this.#onFrame(ws, data as Buffer, isBinary));
      ws.on('error', (e: Error & { code?: string }) => {
        clearTimeout(timer);
        const tooBig = e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
        const err = tooBig
          ? new CourtBridgeError('RPC_BAD_RESPONSE', { ...site, reason: `response exceeds ${this.maxResponseBytes} bytes` }, { cause: e })
          : new CourtBridgeError('RPC_UNAVAILABLE', { ...site, reason: e.code ?? 'connection failed' }, { cause: e });
        reject(err);
        if (this.#socket === ws) this.#failAll(tooBig ? 'RPC_BAD_RESPONSE' : 'RPC_UNAVAILABLE', String(err.details.reason), e);
      });
      ws.on('close', () => {
        clearTimeout(timer);
        reject(new CourtBridgeError('RPC_UNAVAILABLE', { ...site, reason: 'connection closed' }));
        if (this.#socket === ws) {
          this.#socket = undefined;
          this.#failAll('RPC_UNAVAILABLE', 'connection closed');
        }
      });
    });
    this.#opening = opening;
    const clear = () => { if (this.#opening === opening) this.#opening = undefined; };
    opening.then(clear, clear);
    return opening;
  }

  /** JSON-RPC 2.0 §5: an object with our id and exactly one of result / error. Anything else is a fault. */
  #onFrame(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    if (ws !== this.#socket) return;
    let o: Record<string, unknown>;
    try {
      if (isBinary) throw new Error('binary frame');
      const v: unknown = JSON.parse(data.toString('utf8'));
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      o = v as Record<string, unknown>;
    } catch (e) {
      return this.#failAll('RPC_BAD_RESPONSE', 'frame is not a JSON-RPC object', e);
    }
    const pending = typeof o.id === 'number' ? this.#pending.get(o.id) : undefined;
    if (o.jsonrpc !== '2.0' || pending === undefined) return this.#failAll('RPC_BAD_RESPONSE', 'frame answers no pending request');
    this.#pending.delete(o.id as number);
    const hasResult = Object.hasOwn(o, 'result');
    if (hasResult === Object.hasOwn(o, 'error')) return pending.reject(new CourtBridgeError('RPC_BAD_RESPONSE', { ...pending.site, reason: 'must carry exactly one of result and error' }));
    if (hasResult) return pending.resolve(o.result);
    const err = o.error as Record<string, unknown> | null;
    if (typeof err !== 'object' || err === null || !Number.isSafeInteger(err.code) || typeof err.message !== 'string') {
      return pending.reject(new CourtBridgeError('RPC_BAD_RESPONSE', { ...pending.site, reason: 'malformed error object' }));
    }
    pending.reject(new CourtBridgeError('RPC_ERROR', { ...pending.site, rpcCode: err.code as number, reason: err.message.slice(0, 200) }));
  }

  #failAll(code: 'RPC_UNAVAILABLE' | 'RPC_BAD_RESPONSE', reason: string, cause?: unknown): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) p.reject(new CourtBridgeError(code, { ...p.site, reason }, cause === undefined ? undefined : { cause }));
    this.#drop();
  }

  #drop(): void {
    const ws = this.#socket;
    this.#socket = undefined;
    ws?.terminate();
  }

  /** Close the socket; calls in flight fail with RPC_UNAVAILABLE. */
  close(): void {
    this.#failAll('RPC_UNAVAILABLE', 'adapter closed');
  }
}
