/**
 * did:web driver (W3C CCG "did:web Method Specification" §3.2 Read): `did:web:<domain>[%3A<port>](:<path>)*` →
 * `https://<domain>[:<port>]/<path…>/did.json`, or `/.well-known/did.json` without a path.
 *
 * Written here instead of using web-did-resolver 2.0.32 because that driver has no timeout, no response size cap, no
 * way to allow plain HTTP for a local test host, and no guard against internal addresses. Strictness beyond the spec
 * (fail closed): IP-literal hosts, empty or dot path segments and redirects are refused; the document must be a JSON
 * object whose `id` is the DID (§3.2).
 * SSRF guard: the DID comes from outside (a presentation, a token's `iss`, a registration), so the GET goes through
 * the shared bounded exchange (src/net/request.ts) with its guarded lookup: a host name that resolves to ANY address
 * in a special-purpose range (private, loopback, link-local incl. cloud metadata, …) fails with DID_ADDRESS_FORBIDDEN
 * (naming no address) before a connection is made, and the socket connects only to the addresses that were checked
 * (no DNS rebinding). Loopback is allowed only with `allowHttpLocalhost`.
 * DIFF FROM SPEC: plain HTTP is used only for host `localhost` when `allowHttpLocalhost` is set (tests, local dev);
 * it then connects to 127.0.0.1.
 */
import { CourtBridgeError, fail, type ErrorCode, type ErrorDetails } from '../src/errors.js';
import { boundedRequest } from '../src/net/request.js';
import type { DidDocument } from './verification-method.js';

/** Options of the did:web driver. */
export interface WebDidOptions {
  /** Abort the HTTP exchange after this many ms (DID_RESOLUTION_TIMEOUT). */
  timeoutMs: number;
  /** Largest document accepted, in bytes (TOO_LARGE beyond). */
  maxBytes: number;
  /** Allow `http://` for `did:web:localhost%3A<port>…` (never for other hosts). */
  allowHttpLocalhost: boolean;
  /**
   * When set, only these did:web domains (as spelled in the DID, e.g. `court.example` or `localhost%3A8443`) are
   * fetched; others fail with DID_RESOLUTION_FAILED before any connection (no SSRF towards internal hosts).
   */
  allowedHosts?: readonly string[];
}

/** A did:web host name (lower-case DNS name). */
export const HOST_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** One did:web path segment. */
export const SEGMENT_RE = /^[A-Za-z0-9._~-]{1,128}$/;

/** The HTTPS (or, for localhost when allowed, HTTP) URL of a did:web document; DID_INVALID when malformed. */
export function didWebUrl(did: string, allowHttpLocalhost = false): string {
  if (!did.startsWith('did:web:') || did.length > 512) fail('DID_INVALID', { did: did.slice(0, 120), reason: 'not a did:web' });
  const [hostPart, ...segments] = did.slice('did:web:'.length).split(':');
  const m = /^([^%]+)(?:%3[Aa](\d{1,5}))?$/.exec(hostPart ?? '');
  if (!m) fail('DID_INVALID', { did, reason: 'domain must be a host name with an optional %3A<port>' });
  const host = m[1]!;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (!HOST_RE.test(host) || /^\d+(\.\d+){3}$/.test(host)) fail('DID_INVALID', { did, reason: 'domain must be a lower-case DNS name (no IP literal)' });
  if (port !== undefined && (port < 1 || port > 65535)) fail('DID_INVALID', { did, reason: 'port out of range' });
  if (segments.length > 16) fail('DID_INVALID', { did, reason: 'too many path segments' });
  for (const s of segments) {
    if (!SEGMENT_RE.test(s) || s === '.' || s === '..') fail('DID_INVALID', { did, reason: 'bad path segment' });
  }
  const path = segments.length === 0 ? '/.well-known/did.json' : `/${segments.join('/')}/did.json`;
  if (host === 'localhost' && allowHttpLocalhost) return `http://127.0.0.1${port === undefined ? '' : `:${port}`}${path}`;
  return `https://${host}${port === undefined ? '' : `:${port}`}${path}`;
}

/**
 * GET the document at `url` and return its body (UTF-8): one exchange of src/net/request.ts (`boundedRequest`: bounded
 * by `timeoutMs` over connect, headers and body, DID_RESOLUTION_TIMEOUT; no redirect followed; no connection reuse),
 * at most `maxBytes` read (TOO_LARGE, also on a larger content-length), a 3xx DID_RESOLUTION_FAILED, 404/410
 * DID_NOT_FOUND, other non-2xx DID_RESOLUTION_FAILED (all decided from the status line, before the body is read),
 * a connection closed before the end of the body DID_RESOLUTION_FAILED. Reasons never carry the URL; the cause keeps
 * the detail.
 */
function getDocument(did: string, url: URL, opts: WebDidOptions): Promise<string> {
  const coded = (code: ErrorCode, details: ErrorDetails, cause?: unknown): CourtBridgeError =>
    new CourtBridgeError(code, details, cause === undefined ? undefined : { cause });
  return boundedRequest(url, {
    method: 'GET',
    headers: { accept: 'application/did+json, application/json', 'user-agent': 'CourtBridge-DID/1' },
    policy: { allowLoopback: opts.allowHttpLocalhost },
    timeoutMs: opts.timeoutMs,
    read: {
      maxBytes: opts.maxBytes, overflow: 'fail',
      tooLarge: () => coded('TOO_LARGE', { field: `DID document of ${did}`, limit: opts.maxBytes }),
      cutShort: () => coded('DID_RESOLUTION_FAILED', { did, reason: 'connection closed before the end of the document' }),
    },
    onHead: (status) => {
      if (status === 404 || status === 410) return coded('DID_NOT_FOUND', { did });
      if (status >= 300 && status < 400) return coded('DID_RESOLUTION_FAILED', { did, reason: `HTTP ${status} (redirects are not followed)` });
      if (status < 200 || status >= 300) return coded('DID_RESOLUTION_FAILED', { did, reason: `HTTP ${status}` });
      return undefined;
    },
    errors: {
      // No address in the error: the DID may come from a stranger, who need not learn the hub's internal addresses.
      forbidden: (r) => coded('DID_ADDRESS_FORBIDDEN', { did, kind: r.kind }),
      timeout: () => coded('DID_RESOLUTION_TIMEOUT', { did, ms: opts.timeoutMs }),
      network: (e, code) => coded('DID_RESOLUTION_FAILED', { did, reason: code ?? e.name }, e),
    },
  }).then((res) => res.body.toString('utf8'));
}

/** Fetch and check the document of a did:web. */
export async function resolveDidWeb(did: string, opts: WebDidOptions): Promise<DidDocument> {
  const url = new URL(didWebUrl(did, opts.allowHttpLocalhost));
  const domain = did.slice('did:web:'.length).split(':')[0]!;
  if (opts.allowedHosts && !opts.allowedHosts.includes(domain)) fail('DID_RESOLUTION_FAILED', { did, reason: 'host is not on the did:web allow-list' });
  const text = await getDocument(did, url, opts);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail('DID_DOCUMENT_INVALID', { did, reason: 'not JSON' }, e);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('DID_DOCUMENT_INVALID', { did, reason: 'not a JSON object' });
  if ((doc as DidDocument).id !== did) fail('DID_DOCUMENT_INVALID', { did, reason: 'document id differs from the DID' });
  return doc as DidDocument;
}
