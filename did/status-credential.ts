/**
 * BitstringStatusListCredential (W3C Bitstring Status List v1.0 §2.2) as a JWT VC signed by the hub's DID, and the
 * client side: fetch a list credential, verify it (hub signature, type, purpose, freshness), decode it and cache the
 * bits for a bounded time, so checking a credential's status costs one bit lookup on the hot path.
 */
import { fail, isCourtBridgeError } from '../src/errors.js';
import { numericDate, signJwt, type JwsSigner, type JwtVerifier } from './jwt.js';
import { TtlLru } from './lru.js';
import { Bitstring, parseStatusIndex, type BitstringStatusListEntry, type StatusListRegistry } from './status-list.js';
import { VC_CONTEXT_V1 } from './credentials/types.js';

/** Sign the current state of list `url` as a JWT VC valid for `ttlSec` (default one day). */
export async function publishStatusListCredential(registry: StatusListRegistry, url: string, hubDid: string, signer: JwsSigner, now = Math.floor(Date.now() / 1000), ttlSec = 86_400): Promise<string> {
  const vc = { '@context': [VC_CONTEXT_V1], type: ['VerifiableCredential', 'BitstringStatusListCredential'], credentialSubject: registry.credentialSubject(url) };
  return signJwt({ iss: hubDid, jti: url, nbf: now, exp: now + ttlSec, vc }, signer);
}

/** Answers "is the bit of this entry set" for presentation verification: synchronously when the list is at hand. */
export interface StatusChecker {
  isSet(entry: BitstringStatusListEntry): boolean | Promise<boolean>;
}

/** A status checker over the hub's own registry (no network, no signature: the hub trusts its own state). */
export function registryStatusChecker(registry: StatusListRegistry): StatusChecker {
  return { isSet: (entry) => registry.status(entry) };
}

/** Fetch, verify and cache status list credentials published by trusted hubs. */
export class StatusListClient implements StatusChecker {
  private readonly cache: TtlLru<string, { purpose: string; bits: Bitstring }>;

  /** `fetchList(url)` returns the list credential JWT; lists are cached `cacheMs` (default 5 min). */
  constructor(
    private readonly fetchList: (url: string) => Promise<string>,
    private readonly verifier: JwtVerifier,
    private readonly trustedPublishers: readonly string[],
    opts: { cacheMs?: number; cacheMax?: number; now?: () => number } = {},
  ) {
    this.cache = new TtlLru(opts.cacheMax ?? 256, opts.cacheMs ?? 5 * 60_000, opts.now ? () => opts.now!() * 1000 : Date.now);
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  private readonly now: () => number;

  /** Is the bit of `entry` set in its (verified, cached) list? Synchronous on a cache hit. */
  isSet(entry: BitstringStatusListEntry): boolean | Promise<boolean> {
    const url = entry.statusListCredential;
    const list = this.cache.get(url);
    if (list) return bitOf(list, entry);
    return this.load(url).then((loaded) => {
      this.cache.set(url, loaded);
      return bitOf(loaded, entry);
    });
  }

  private async load(url: string): Promise<{ purpose: string; bits: Bitstring }> {
    const token = await this.fetchList(url);
    let jwt;
    try {
      jwt = await this.verifier.verify(token, { purpose: 'assertionMethod', now: this.now() });
    } catch (e) {
      if (isCourtBridgeError(e) && e.category === 'io') throw e;
      return fail('STATUS_LIST_INVALID', { id: url, reason: isCourtBridgeError(e) ? e.code : 'unverifiable' }, e);
    }
    if (!this.trustedPublishers.includes(jwt.issuer)) fail('STATUS_LIST_INVALID', { id: url, reason: 'not published by a trusted hub' });
    if (jwt.payload.jti !== url) fail('STATUS_LIST_INVALID', { id: url, reason: 'credential is for another list' });
    numericDate(jwt.payload, 'exp') ?? fail('STATUS_LIST_INVALID', { id: url, reason: 'exp is required' });
    const vc = jwt.payload.vc as { type?: unknown; credentialSubject?: Record<string, unknown> } | undefined;
    if (!Array.isArray(vc?.type) || !vc.type.includes('BitstringStatusListCredential')) fail('STATUS_LIST_INVALID', { id: url, reason: 'not a BitstringStatusListCredential' });
    const subject = vc.credentialSubject ?? {};
    if (subject.type !== 'BitstringStatusList') fail('STATUS_LIST_INVALID', { id: url, reason: 'credentialSubject.type' });
    const purpose = subject.statusPurpose;
    if (purpose !== 'revocation' && purpose !== 'suspension') fail('STATUS_LIST_INVALID', { id: url, reason: 'statusPurpose' });
    return { purpose, bits: Bitstring.decode(subject.encodedList, url) };
  }
}

function bitOf(list: { purpose: string; bits: Bitstring }, entry: BitstringStatusListEntry): boolean {
  if (list.purpose !== entry.statusPurpose) fail('STATUS_LIST_INVALID', { id: entry.statusListCredential, reason: `list purpose is ${list.purpose}` });
  return list.bits.get(parseStatusIndex(entry.statusListIndex));
}
