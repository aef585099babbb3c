/**
 * The mixed request load of the API (issue 7): shared by the load test (test/reliability/load.test.ts, 60 s at a fixed
 * 2,000 req/s) and the `api.mixed` benchmark (bench/benchmarks/api-mixed.ts), so both drive the same requests.
 *   - public reads: an attestation with its inclusion proof, the latest checkpoint, a court record looked up by hash;
 *   - court (single-use DID-signed bearer token, role court): the attestation query by subject, and writes — court
 *     records attested (`POST /api/v1/court/records`), `writeShare` of all requests.
 * The reads split the rest 40 / 15 / 20 / 25; the choice of kind and of each request's target is a seeded PRNG.
 */
import { prng } from '../helpers/prng.js';
import { uscc } from '../relay/helpers.js';
import { recordBody } from './load-server.js';

/** A request kind of the mix. */
export type LoadKind = 'attestation' | 'checkpoint' | 'lookup' | 'court-query' | 'write';

/** Kinds that carry a bearer token. */
export const AUTHENTICATED: readonly LoadKind[] = ['court-query', 'write'];

/** What the server pre-filled (load-server.ts) and the requests pick from. */
export interface LoadTargets {
  attestations: number;
  subjects: number;
  prefillHashes: readonly string[];
  tokens: readonly string[];
}

/** One request as autocannon takes it, with its kind and (for a write) the document hash it sends. */
export interface LoadRequest {
  kind: LoadKind;
  sha256?: string;
  request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };
}

/** The shares of the mix (sum 1). */
export function loadMix(writeShare: number): readonly (readonly [LoadKind, number])[] {
  const r = 1 - writeShare;
  return [['attestation', 0.4 * r], ['checkpoint', 0.15 * r], ['lookup', 0.2 * r], ['court-query', 0.25 * r], ['write', writeShare]];
}

/**
 * A generator of mixed requests over `targets`: each call picks the next kind and target; authenticated requests
 * take the next unused token (TOKEN_POOL_EXHAUSTED as an Error when none is left). `tag` keeps written documents
 * of different runs distinct.
 */
export function mixedRequests(targets: LoadTargets, opts: { seed: number; writeShare: number; tag: string }): { next: () => LoadRequest; tokensUsed: () => number; writes: () => number } {
  const rnd = prng(opts.seed);
  const mix = loadMix(opts.writeShare);
  let tokensUsed = 0;
  let writes = 0;
  const pick = (): LoadKind => {
    let r = rnd();
    for (const [k, p] of mix) if ((r -= p) < 0) return k;
    return mix[0]![0];
  };
  const next = (): LoadRequest => {
    const kind = pick();
    const headers: Record<string, string> = {};
    if (AUTHENTICATED.includes(kind)) {
      const token = targets.tokens[tokensUsed++];
      if (token === undefined) throw new Error('TOKEN_POOL_EXHAUSTED: the server signed too few tokens for this run');
      headers.authorization = `Bearer ${token}`;
    }
    switch (kind) {
      case 'attestation':
        return { kind, request: { method: 'GET', path: `/api/v1/public/attestations/${Math.floor(rnd() * targets.attestations)}`, headers } };
      case 'checkpoint':
        return { kind, request: { method: 'GET', path: '/api/v1/public/checkpoint', headers } };
      case 'lookup':
        return { kind, request: { method: 'GET', path: `/api/v1/public/records?hash=${targets.prefillHashes[Math.floor(rnd() * targets.prefillHashes.length)]}`, headers } };
      case 'court-query':
        return { kind, request: { method: 'GET', path: `/api/v1/court/attestations?subjectKind=uscc&subject=${uscc(Math.floor(rnd() * targets.subjects))}&limit=20`, headers } };
      case 'write': {
        const body = recordBody(opts.tag, writes++);
        return { kind, sha256: body.hashes.sha256, request: { method: 'POST', path: '/api/v1/court/records', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) } };
      }
    }
  };
  return { next, tokensUsed: () => tokensUsed, writes: () => writes };
}
