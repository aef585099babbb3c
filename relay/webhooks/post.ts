/**
 * One webhook POST through the shared bounded, SSRF-guarded exchange of src/net/request.ts (`boundedRequest`: one
 * overall timeout over connect, headers and body, no redirect followed, no connection reuse, the guarded lookup and
 * the IP-literal check). Here: at most `maxResponseBytes` of the answer are read (for the error detail, truncating),
 * any status is a result (a 3xx is a failed attempt for the deliverer), and errors are coded: WEBHOOK_TIMEOUT,
 * WEBHOOK_UNREACHABLE (DNS, refused, TLS, reset), WEBHOOK_ADDRESS_FORBIDDEN (naming host, address and range).
 */
import { CourtBridgeError } from '../../src/errors.js';
import type { Refusal } from '../../src/net/lookup.js';
import { boundedRequest } from '../../src/net/request.js';

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
  return boundedRequest(new URL(url), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'CourtBridge-Webhook/1' },
    payload: Buffer.from(body, 'utf8'),
    policy: { allowLoopback: o.allowLoopback === true },
    timeoutMs: o.timeoutMs,
    read: { maxBytes: o.maxResponseBytes, overflow: 'truncate' },
    errors: {
      forbidden,
      timeout: () => new CourtBridgeError('WEBHOOK_TIMEOUT', { ms: o.timeoutMs }),
      network: (e, code) => new CourtBridgeError('WEBHOOK_UNREACHABLE', { reason: code ?? e.message }, { cause: e }),
    },
  }).then((res) => ({ status: res.status, snippet: res.body.toString('utf8') }));
}
