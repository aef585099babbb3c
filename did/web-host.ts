/**
 * did:web documents the hub hosts for itself (`/.well-known/did.json`) and for members without a domain of their own
 * (`/<member path>/did.json`), per the did:web spec §3.2. Every publication is a new version: rotation never erases
 * a key from the record — earlier versions stay retrievable by `versionId` or `versionTime` (DID Core §7.1.2
 * resolution parameters), so a signature made before a rotation can still be checked against the key valid then.
 * Each version is attested (DID, version, SHA-256 of the canonical document, time) through the `AttestationSink`.
 */
import { fail } from '../src/errors.js';
import { canonicalBytes } from '../src/crypto/canonical.js';
import { sha256 } from '../src/crypto/hash.js';
import { toHex } from '../src/crypto/bytes.js';
import type { SigAlg } from '../src/crypto/signature.js';
import type { AttestationSink } from './attestation.js';
import { normalizePublicKey } from './key.js';
import { publicKeyToJwk } from './jwk.js';
import { HOST_RE, SEGMENT_RE } from './web.js';
import type { DidDocument, ProofPurpose } from './verification-method.js';

/** A key to publish in a hosted document. */
export interface HostedKey {
  /** Fragment of the verification method id (`key-1` → `did:web:…#key-1`). */
  fragment: string;
  alg: SigAlg;
  publicKey: Uint8Array;
  purposes: ProofPurpose[];
}

/** One published version. */
export interface DidWebVersion {
  versionId: number;
  /** Seconds since the epoch. */
  published: number;
  document: DidDocument;
  ledgerIndex: number;
}

/** The hub's did:web hosting. */
export class DidWebHost {
  private readonly versions = new Map<string, DidWebVersion[]>();

  /** `domain`: the hub's host, optionally with `%3A<port>` (did:web encoding). */
  constructor(
    readonly domain: string,
    private readonly sink: AttestationSink,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    const m = /^([^%]+)(%3A\d{1,5})?$/.exec(domain);
    if (!m || !HOST_RE.test(m[1]!)) fail('INVALID_INPUT', { field: 'domain', reason: 'a lower-case DNS name with an optional %3A<port>' });
  }

  /** The DID for a member path (`[]` = the hub itself). */
  didFor(path: string[]): string {
    if (path.length > 8) fail('INVALID_INPUT', { field: 'path', reason: 'at most 8 segments' });
    for (const s of path) if (!SEGMENT_RE.test(s) || s === '.' || s === '..' || s === '.well-known') fail('INVALID_INPUT', { field: 'path', reason: `bad segment ${JSON.stringify(s).slice(0, 40)}` });
    return ['did:web', this.domain, ...path].join(':');
  }

  /** Publish (first time) or rotate (later) the keys of `path`; attested before it is served. */
  async publish(path: string[], keys: HostedKey[]): Promise<DidWebVersion> {
    const did = this.didFor(path);
    if (keys.length === 0 || keys.length > 16) fail('INVALID_INPUT', { field: 'keys', reason: '1–16 keys' });
    const fragments = new Set<string>();
    const document: DidDocument = { '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'], id: did, verificationMethod: [], authentication: [], assertionMethod: [] };
    for (const k of keys) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(k.fragment) || fragments.has(k.fragment)) fail('INVALID_INPUT', { field: 'keys.fragment', reason: 'unique, [A-Za-z0-9._-]{1,64}' });
      fragments.add(k.fragment);
      const id = `${did}#${k.fragment}`;
      document.verificationMethod!.push({ id, type: 'JsonWebKey2020', controller: did, publicKeyJwk: publicKeyToJwk(normalizePublicKey(k.alg, k.publicKey, `keys.${k.fragment}`)) });
      for (const p of new Set(k.purposes)) document[p]!.push(id);
    }
    const list = this.versions.get(did) ?? [];
    const versionId = list.length + 1;
    const published = this.now();
    const { index } = await this.sink.append({ type: 'courtbridge.did.web-document', did, versionId, documentSha256: toHex(sha256(canonicalBytes(document))), at: published });
    const v: DidWebVersion = { versionId, published, document, ledgerIndex: index };
    list.push(v);
    this.versions.set(did, list);
    return v;
  }

  /** The document of `did`: latest, or the version with `versionId`, or the one in force at `versionTime`. */
  document(did: string, opts: { versionId?: number; versionTime?: number } = {}): DidDocument {
    const list = this.versions.get(did) ?? fail('DID_NOT_FOUND', { did: did.slice(0, 200) });
    let v: DidWebVersion | undefined;
    if (opts.versionId !== undefined) v = list.find((x) => x.versionId === opts.versionId);
    else if (opts.versionTime !== undefined) v = [...list].reverse().find((x) => x.published <= opts.versionTime!);
    else v = list.at(-1);
    return v?.document ?? fail('DID_NOT_FOUND', { did });
  }

  /** Every version of `did`, oldest first. */
  history(did: string): readonly DidWebVersion[] {
    return this.versions.get(did) ?? [];
  }

  /** Answer an HTTP GET for `urlPath` (what the API's public plugin mounts): 200 with the document, or 404. */
  handle(urlPath: string): { status: 200 | 404; body?: string } {
    const path = urlPath.split('?')[0]!;
    let segments: string[];
    if (path === '/.well-known/did.json') segments = [];
    else if (/^\/([A-Za-z0-9._~-]+\/){1,8}did\.json$/.test(path)) segments = path.slice(1, -'/did.json'.length).split('/');
    else return { status: 404 };
    let did: string;
    try {
      did = this.didFor(segments);
    } catch {
      return { status: 404 };
    }
    const list = this.versions.get(did);
    return list ? { status: 200, body: JSON.stringify(list.at(-1)!.document) } : { status: 404 };
  }
}
