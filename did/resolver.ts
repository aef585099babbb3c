/**
 * DID resolution for did:key, did:web and did:ethr through did-resolver's `Resolver` (methods are data: one driver
 * per method name), wrapped in a bounded LRU cache with TTL (did-resolver's own cache never expires), a bound on
 * every resolution, and coded errors instead of `didResolutionMetadata.error` strings.
 *
 * Drivers: did:key from ./key.ts (strict, and it knows our SM2 extension, which key-did-resolver does not);
 * did:web from ./web.ts (timeout, size cap, localhost-only HTTP); did:ethr from ethr-did-resolver 11.0.5 against a
 * configured EVM RPC, loaded lazily, with an ethers provider pinned to the configured chain (`staticNetwork`: no
 * endless network detection when the node is down).
 */
import { Resolver, parse, type DIDResolutionResult, type DIDResolver, type Resolvable } from 'did-resolver';
import { fail, isCourtBridgeError } from '../src/errors.js';
import { didKeyDocument } from './key.js';
import { TtlLru } from './lru.js';
import { resolveDidWeb } from './web.js';
import type { DidDocument } from './verification-method.js';

/** One did:ethr network: chain id, RPC URL and the ERC-1056 registry address. */
export interface EthrNetwork {
  name?: string;
  chainId: number;
  rpcUrl: string;
  registry: string;
}

/** Resolver configuration; every field has a safe default. */
export interface DidResolverOptions {
  /** Cache entries live this long (default 5 minutes). */
  cacheTtlMs?: number;
  /** At most this many cached documents (default 1,000). */
  cacheMax?: number;
  /** Bound on one resolution, any method (default 5 s). */
  timeoutMs?: number;
  /** Largest did:web document (default 64 KiB). */
  maxDocumentBytes?: number;
  /** Allow plain HTTP for did:web:localhost (default false). */
  allowHttpLocalhost?: boolean;
  /** did:web domains that may be fetched (default: any); see WebDidOptions.allowedHosts. */
  webAllowedHosts?: readonly string[];
  /** did:ethr networks; did:ethr is unsupported when empty. */
  ethrNetworks?: EthrNetwork[];
  /** Clock for the cache (tests). */
  now?: () => number;
}

/** Resolves DIDs to documents with coded errors; also a did-resolver `Resolvable` so did-jwt can use it. */
export class DidResolver implements Resolvable {
  private readonly inner: Resolver;
  private readonly cache: TtlLru<string, DidDocument>;
  private readonly inflight = new Map<string, Promise<DidDocument>>();
  private readonly timeoutMs: number;

  /** Build the driver table from `opts`. */
  constructor(opts: DidResolverOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.cache = new TtlLru(opts.cacheMax ?? 1000, opts.cacheTtlMs ?? 5 * 60_000, opts.now);
    const webOpts = {
      timeoutMs: this.timeoutMs,
      maxBytes: opts.maxDocumentBytes ?? 64 * 1024,
      allowHttpLocalhost: opts.allowHttpLocalhost ?? false,
      ...(opts.webAllowedHosts ? { allowedHosts: opts.webAllowedHosts } : {}),
    };
    const registry: Record<string, DIDResolver> = {
      key: async (did) => ok(didKeyDocument(did) as unknown as DidDocument),
      web: async (did) => ok(await resolveDidWeb(did, webOpts)),
    };
    if (opts.ethrNetworks && opts.ethrNetworks.length > 0) registry.ethr = ethrDriver(opts.ethrNetworks);
    this.inner = new Resolver(registry, { cache: false });
  }

  /** The DID document of `did` (a DID URL's fragment/path is ignored); coded errors on failure. */
  async resolveDocument(didUrl: string): Promise<DidDocument> {
    if (typeof didUrl !== 'string' || didUrl.length > 2048) fail('DID_INVALID', { did: String(didUrl).slice(0, 120), reason: 'not a string of at most 2048 characters' });
    const cached = this.cache.get(didUrl); // a hit means didUrl is a DID that parsed before (see cachedDocument)
    if (cached) return cached;
    const parsed = parse(didUrl);
    if (parsed === null) fail('DID_INVALID', { did: didUrl.slice(0, 120), reason: 'DID syntax (DID Core §3.1)' });
    const did = parsed.did;
    const hit = this.cache.get(did);
    if (hit) return hit;
    const pending = this.inflight.get(did);
    if (pending) return pending;
    const p = this.resolveUncached(did).finally(() => this.inflight.delete(did));
    this.inflight.set(did, p);
    const doc = await p;
    this.cache.set(did, doc);
    return doc;
  }

  /**
   * The cached document of exactly `did` (no parsing, no I/O), undefined when not cached. Sound without re-parsing:
   * only parsed DIDs (never DID URLs) are ever cache keys.
   */
  cachedDocument(did: string): DidDocument | undefined {
    return this.cache.get(did);
  }

  /** did-resolver `Resolvable`: same resolution, reported the did-resolver way (for did-jwt / did-jwt-vc). */
  async resolve(didUrl: string): Promise<DIDResolutionResult> {
    try {
      const doc = await this.resolveDocument(didUrl);
      return { didResolutionMetadata: { contentType: 'application/did+json' }, didDocument: doc as never, didDocumentMetadata: {} };
    } catch (e) {
      const code = isCourtBridgeError(e) ? e.code : 'INTERNAL';
      const error = code === 'DID_METHOD_UNSUPPORTED' ? 'unsupportedDidMethod' : code === 'DID_INVALID' ? 'invalidDid' : 'notFound';
      return { didResolutionMetadata: { error, message: code }, didDocument: null, didDocumentMetadata: {} };
    }
  }

  /** Drop one cached document (e.g. after a key rotation was announced) or all of them. */
  invalidate(did?: string): void {
    if (did === undefined) this.cache.clear();
    else this.cache.delete(did);
  }

  private async resolveUncached(did: string): Promise<DidDocument> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutMarker()), this.timeoutMs);
    });
    let result: DIDResolutionResult;
    try {
      result = await Promise.race([this.inner.resolve(did), timeout]);
    } catch (e) {
      if (e instanceof TimeoutMarker) fail('DID_RESOLUTION_TIMEOUT', { did, ms: this.timeoutMs });
      if (isCourtBridgeError(e)) throw e;
      return fail('DID_RESOLUTION_FAILED', { did, reason: (e as Error)?.name ?? 'error' }, e);
    } finally {
      clearTimeout(timer);
    }
    const err = result.didResolutionMetadata.error;
    if (err === 'unsupportedDidMethod') fail('DID_METHOD_UNSUPPORTED', { method: did.split(':')[1] ?? '' });
    if (err === 'invalidDid') fail('DID_INVALID', { did, reason: 'rejected by the method driver' });
    if (err === 'notFound') fail('DID_NOT_FOUND', { did });
    if (err !== undefined) fail('DID_RESOLUTION_FAILED', { did, reason: String(err) });
    if (result.didDocumentMetadata.deactivated === true) fail('DID_NOT_FOUND', { did });
    const doc = result.didDocument as unknown as DidDocument | null;
    if (!doc || typeof doc !== 'object' || doc.id !== did) fail('DID_DOCUMENT_INVALID', { did, reason: 'document missing or its id differs' });
    return doc;
  }
}

class TimeoutMarker {}

function ok(doc: DidDocument): DIDResolutionResult {
  return { didResolutionMetadata: { contentType: 'application/did+json' }, didDocument: doc as never, didDocumentMetadata: {} };
}

/** did:ethr driver, loading ethers and ethr-did-resolver on first use. */
function ethrDriver(networks: EthrNetwork[]): DIDResolver {
  let loaded: Promise<Record<string, DIDResolver>> | undefined;
  const load = async (): Promise<Record<string, DIDResolver>> => {
    const [{ getResolver }, { JsonRpcProvider, Network }] = await Promise.all([import('ethr-did-resolver'), import('ethers')]);
    return getResolver({
      networks: networks.map((n) => ({
        ...(n.name === undefined ? {} : { name: n.name }),
        chainId: n.chainId,
        registry: n.registry,
        // ESM vs CJS typings of the same ethers build differ (#private members): cast at this one boundary.
        provider: new JsonRpcProvider(n.rpcUrl, Network.from(n.chainId), { staticNetwork: true, batchMaxCount: 1 }) as never,
      })),
    }) as Record<string, DIDResolver>;
  };
  return async (did, parsed, resolver, options) => {
    loaded ??= load();
    const table = await loaded;
    return table.ethr!(did, parsed, resolver, options);
  };
}
