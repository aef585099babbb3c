/**
 * did:web driver (W3C CCG "did:web Method Specification" §3.2 Read): `did:web:<domain>[%3A<port>](:<path>)*` →
 * `https://<domain>[:<port>]/<path…>/did.json`, or `/.well-known/did.json` without a path.
 *
 * Written here instead of using web-did-resolver 2.0.32 because that driver has no timeout, no response size cap and
 * no way to allow plain HTTP for a local test host. Strictness beyond the spec (fail closed): IP-literal hosts, empty
 * or dot path segments and redirects are refused; the document must be a JSON object whose `id` is the DID (§3.2).
 * DIFF FROM SPEC: plain HTTP is used only for host `localhost` when `allowHttpLocalhost` is set (tests, local dev);
 * it then connects to 127.0.0.1.
 */
import { fail, isCourtBridgeError } from '../src/errors.js';
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

/** Read a response body, failing with TOO_LARGE as soon as it exceeds `maxBytes`. */
async function readCapped(res: Response, maxBytes: number, did: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) fail('TOO_LARGE', { field: `DID document of ${did}`, limit: maxBytes });
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > maxBytes) {
      await reader.cancel().catch(() => undefined);
      fail('TOO_LARGE', { field: `DID document of ${did}`, limit: maxBytes });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Fetch and check the document of a did:web. */
export async function resolveDidWeb(did: string, opts: WebDidOptions): Promise<DidDocument> {
  const url = didWebUrl(did, opts.allowHttpLocalhost);
  const domain = did.slice('did:web:'.length).split(':')[0]!;
  if (opts.allowedHosts && !opts.allowedHosts.includes(domain)) fail('DID_RESOLUTION_FAILED', { did, reason: 'host is not on the did:web allow-list' });
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    const res = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/did+json, application/json' } });
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel().catch(() => undefined);
      fail('DID_NOT_FOUND', { did });
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      fail('DID_RESOLUTION_FAILED', { did, reason: `HTTP ${res.status}` });
    }
    const text = await readCapped(res, opts.maxBytes, did);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return fail('DID_DOCUMENT_INVALID', { did, reason: 'not JSON' }, e);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('DID_DOCUMENT_INVALID', { did, reason: 'not a JSON object' });
    if ((doc as DidDocument).id !== did) fail('DID_DOCUMENT_INVALID', { did, reason: 'document id differs from the DID' });
    return doc as DidDocument;
  } catch (e) {
    if (isCourtBridgeError(e)) throw e;
    if (signal.aborted) fail('DID_RESOLUTION_TIMEOUT', { did, ms: opts.timeoutMs }, e);
    // No URL in the reason: it can carry a host the caller did not choose to log; the cause keeps the detail.
    return fail('DID_RESOLUTION_FAILED', { did, reason: (e as Error).name }, e);
  }
}
