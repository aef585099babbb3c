/**
 * Which webhook URLs are accepted, checked at registration (WEBHOOK_URL_INVALID, HTTP 400) and again before every
 * delivery (a policy tightened since then makes the delivery dead at once):
 *  - absolute `https:` URLs of at most 2048 characters, without credentials (`user:pass@`) or fragment;
 *  - plain `http:` only for `localhost`, `127.0.0.1` and `[::1]`, and only when `allowHttpLocalhost` is set (tests,
 *    local development) — the same rule as did:web resolution (did/web.ts);
 *  - an IP-literal host outside the special-purpose ranges of src/net/address.ts (private, loopback, link-local, CGNAT,
 *    multicast, reserved; IPv4-mapped and NAT64 IPv6 judged as their IPv4 address), so that a court cannot point the
 *    hub at its own network (SSRF). Loopback is allowed only with `allowHttpLocalhost`; other ranges never.
 * Host names are not resolved here: the delivery resolves them and checks every address at connect time (post.ts,
 * WEBHOOK_ADDRESS_FORBIDDEN), which also covers DNS rebinding between registration and delivery.
 * Redirects are never followed by the delivery worker, so the checked URL is the only one contacted.
 */
import { fail } from '../../src/errors.js';
import { refusedLiteral } from '../../src/net/lookup.js';

/** Longest accepted webhook URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Registration policy. */
export interface WebhookUrlPolicy {
  /** Allow `http://` to the loopback host, and loopback addresses at all (default false: HTTPS only, no loopback). */
  allowHttpLocalhost?: boolean;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The normalised URL (WHATWG `href`), or WEBHOOK_URL_INVALID naming the reason. */
export function checkWebhookUrl(raw: unknown, policy: WebhookUrlPolicy = {}): string {
  if (typeof raw !== 'string' || raw.length === 0) return fail('WEBHOOK_URL_INVALID', { reason: 'must be a non-empty string' });
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) fail('WEBHOOK_URL_INVALID', { reason: `longer than ${MAX_WEBHOOK_URL_LENGTH} characters` });
  let u: URL;
  try {
    u = new URL(raw);
  } catch (e) {
    return fail('WEBHOOK_URL_INVALID', { reason: 'not an absolute URL' }, e);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') fail('WEBHOOK_URL_INVALID', { reason: `scheme ${u.protocol.slice(0, 16)} is not https` });
  if (u.username !== '' || u.password !== '') fail('WEBHOOK_URL_INVALID', { reason: 'must not carry credentials' });
  if (u.hash !== '' || raw.includes('#')) fail('WEBHOOK_URL_INVALID', { reason: 'must not have a fragment' });
  if (u.hostname === '') fail('WEBHOOK_URL_INVALID', { reason: 'has no host' });
  if (u.protocol === 'http:' && !(policy.allowHttpLocalhost === true && LOOPBACK.has(u.hostname))) {
    fail('WEBHOOK_URL_INVALID', { reason: policy.allowHttpLocalhost === true ? 'plain http is allowed for localhost only' : 'plain http is not allowed (https only)' });
  }
  const refused = refusedLiteral(u.hostname, { allowLoopback: policy.allowHttpLocalhost === true });
  if (refused !== undefined) fail('WEBHOOK_URL_INVALID', { reason: `address ${refused.address} is ${refused.kind}: not reachable for webhooks` });
  return u.href;
}
