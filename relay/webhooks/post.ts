/**
 * One webhook POST over node:http / node:https, bounded in every direction: an overall timeout (connect, headers and
 * the little body read), at most `maxResponseBytes` of the answer read (for the error detail), no redirect followed
 * (node's request never follows one; a 3xx is a failed attempt), no connection reuse. Errors are coded:
 * WEBHOOK_TIMEOUT, WEBHOOK_UNREACHABLE (DNS, refused, TLS, reset), WEBHOOK_ADDRESS_FORBIDDEN.
 *
 * SSRF guard (shared with did:web, src/net): the host name is resolved by `guardedLookup`, the request's own `lookup`,
 * which refuses the connection with WEBHOOK_ADDRESS_FORBIDDEN when ANY resolved address is in a special-purpose range
 * (src/net/address.ts) and otherwise hands the checked addresses to the socket, so DNS rebinding between check and
 * connect gains nothing. An IP-literal host is not looked up by node at all, so it is checked here before the request.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CourtBridgeError } from '../../src/errors.js';
import type { AddressPolicy } from '../../src/net/address.js';
import { guardedLookup, refusedLiteral, type Refusal } from '../../src/net/lookup.js';

/** How a refused address is reported for a webhook. */
const forbidden = (r: Refusal): CourtBridgeError => new CourtBridgeError('WEBHOOK_ADDRESS_FORBIDDEN', { host: r.host, address: r.address, kind: r.kind });

/** What the receiver answered. */
export interface PostResult {
  status: number;
  /** The first bytes of the answer (UTF-8, lossy). */
  snippet: string;
}

/**
 * POST `body` to `url`; resolves with the status (any), rejects with a coded error when no answer came.
 * `allowLoopback` (the URL policy's `allowHttpLocalhost`) lets loopback addresses through; other ranges never.
 */
export function postWebhook(
  url: string, body: string, headers: Record<string, string>, o: { timeoutMs: number; maxResponseBytes: number; allowLoopback?: boolean },
): Promise<PostResult> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const bytes = Buffer.from(body, 'utf8');
  const policy: AddressPolicy = { allowLoopback: o.allowLoopback === true };
  const refused = refusedLiteral(u.hostname, policy);
  if (refused !== undefined) return Promise.reject(forbidden(refused));
  return new Promise<PostResult>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const req = request(u, {
      method: 'POST', agent: false, lookup: guardedLookup(policy, forbidden),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(bytes.length), connection: 'close', 'user-agent': 'CourtBridge-Webhook/1' },
    });
    const timer = setTimeout(() => {
      settle(() => reject(new CourtBridgeError('WEBHOOK_TIMEOUT', { ms: o.timeoutMs })));
      req.destroy();
    }, o.timeoutMs);
    req.on('error', (e) => settle(() => reject(e instanceof CourtBridgeError ? e : new CourtBridgeError('WEBHOOK_UNREACHABLE', { reason: (e as NodeJS.ErrnoException).code ?? e.message }, { cause: e }))));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let n = 0;
      const done = () => {
        settle(() => resolve({ status: res.statusCode ?? 0, snippet: Buffer.concat(chunks).toString('utf8') }));
        res.destroy();
      };
      res.on('data', (c: Buffer) => {
        const room = o.maxResponseBytes - n;
        if (room > 0) chunks.push(c.subarray(0, room));
        n += c.length;
        if (n >= o.maxResponseBytes) done();
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.end(bytes);
  });
}
