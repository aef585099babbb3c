/**
 * One outbound HTTP exchange on behalf of someone else (webhook POSTs, did:web GETs), bounded in every direction and
 * guarded against server-side request forgery. `boundedRequest` guarantees:
 *
 * - SSRF guard (./address.ts holds the rule): an IP-literal host in a refused range fails before any request, as node
 *   never calls `lookup` for a literal (`refusedLiteral`); a host name is resolved by `guardedLookup` (./lookup.ts),
 *   the request's own `lookup`, which refuses the connection when ANY resolved address is refused and otherwise hands
 *   the checked addresses to the socket, so DNS rebinding between check and connect gains nothing.
 * - One connection, used once: node:http / node:https (by the URL's protocol) with `agent: false` and
 *   `connection: close`. No redirect is followed (node's request never follows one): a 3xx is a status like any other.
 * - One overall timeout covering connect, headers and body: a server that drips bytes cannot stretch it.
 * - At most `maxBytes` of the answer read: with overflow `truncate` the body is the first `maxBytes` bytes (a
 *   best-effort snippet: a connection that ends early ends it, without an error); with `fail` the whole body must
 *   arrive within `maxBytes` (a larger content-length fails before reading), and a connection that ends before the
 *   end of the body fails.
 * - An optional `onHead` hook sees the status and headers and can fail the exchange before the body is read.
 * - It settles exactly once; settling clears the timer and destroys the request and the response, so no socket stays
 *   open whichever way it ended.
 * - Every failure is the caller's own error (`errors`): this module has no opinion on how an outcome is reported.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressPolicy } from './address.js';
import { guardedLookup, refusedLiteral, type Refusal } from './lookup.js';

/** How the caller reports each failure of the exchange. */
export interface RequestErrors {
  /** A refused address: an IP-literal host, or any address the host name resolved to. */
  forbidden(r: Refusal): Error;
  /** The overall timeout passed. */
  timeout(): Error;
  /** A node error (DNS, refused, TLS, reset), with its errno code when it has one. */
  network(cause: Error, code: string | undefined): Error;
}

/** What happens when the answer's body is larger than `maxBytes`. */
export type BodyBound =
  /** Keep the first `maxBytes` bytes; a body cut short is returned as far as it came. */
  | { maxBytes: number; overflow: 'truncate' }
  /** Fail with `tooLarge()` (also on a larger declared content-length); a body cut short fails with `cutShort()`. */
  | { maxBytes: number; overflow: 'fail'; tooLarge: () => Error; cutShort: () => Error };

/** One bounded exchange. */
export interface BoundedRequest {
  method: 'GET' | 'POST';
  /** Request headers; `connection: close` and, with a payload, `content-length` are set here and win. */
  headers: Record<string, string>;
  /** The request body, if any. */
  payload?: Uint8Array;
  /** Which addresses may be connected to (loopback only when the policy allows it). */
  policy: AddressPolicy;
  /** The whole exchange (connect, headers, body) must settle within this many ms, or fails with `errors.timeout()`. */
  timeoutMs: number;
  /** How much of the answer is read, and what a longer one means. */
  read: BodyBound;
  /** Sees the status and headers before the body is read; an Error returned fails the exchange with it. */
  onHead?: (status: number, headers: IncomingHttpHeaders) => Error | undefined;
  /** How each failure is reported: always with the caller's own errors. */
  errors: RequestErrors;
}

/** The answer: status (any, redirects included), headers, and the body as read under `read`. */
export interface BoundedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Send one request to `url` under `o`; resolves with the answer or rejects with one of the caller's errors. */
export function boundedRequest(url: URL, o: BoundedRequest): Promise<BoundedResponse> {
  const literal = refusedLiteral(url.hostname, o.policy);
  if (literal !== undefined) return Promise.reject(o.errors.forbidden(literal));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest; // node refuses any other protocol
  return new Promise<BoundedResponse>((resolve, reject) => {
    let settled = false;
    let res: IncomingMessage | undefined;
    /** The outcome is built only by the first call: later events (close after end, errors of the destroy) do nothing. */
    const settle = (outcome: () => BoundedResponse | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      res?.destroy();
      const out = outcome();
      if (out instanceof Error) reject(out);
      else resolve(out);
    };
    // The refusal raised inside the lookup reaches us as the request's error: it is reported as it is.
    let refusal: Error | undefined;
    const forbidden = (r: Refusal): Error => (refusal = o.errors.forbidden(r));
    const failed = (e: Error): void =>
      settle(() => (e === refusal ? e : o.errors.network(e, (e as NodeJS.ErrnoException).code)));
    const headers: Record<string, string> = { ...o.headers, connection: 'close' };
    if (o.payload !== undefined) headers['content-length'] = String(o.payload.length);
    const req = request(url, { method: o.method, agent: false, lookup: guardedLookup(o.policy, forbidden), headers });
    const timer = setTimeout(() => settle(() => o.errors.timeout()), o.timeoutMs);
    req.on('error', failed);
    req.on('response', (r) => {
      res = r;
      const status = r.statusCode ?? 0;
      const refused = o.onHead?.(status, r.headers);
      if (refused !== undefined) return settle(() => refused);
      const chunks: Buffer[] = [];
      let n = 0;
      const answer = (): void => settle(() => ({ status, headers: r.headers, body: Buffer.concat(chunks) }));
      const bound = o.read;
      if (bound.overflow === 'truncate') {
        r.on('data', (c: Buffer) => {
          const room = bound.maxBytes - n;
          if (room > 0) chunks.push(c.subarray(0, room));
          n += c.length;
          if (n >= bound.maxBytes) answer();
        });
        r.on('end', answer);
        r.on('error', answer);
        r.on('close', answer);
        return;
      }
      const declared = Number(r.headers['content-length'] ?? 'NaN');
      if (Number.isFinite(declared) && declared > bound.maxBytes) return settle(() => bound.tooLarge());
      r.on('data', (c: Buffer) => {
        n += c.length;
        if (n > bound.maxBytes) return settle(() => bound.tooLarge());
        chunks.push(c);
      });
      r.on('end', answer);
      r.on('error', failed);
      // A connection closed before the end of the body ('end' settles first otherwise).
      r.on('close', () => settle(() => bound.cutShort()));
    });
    req.end(o.payload);
  });
}
