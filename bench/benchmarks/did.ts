/**
 * DID hub benchmarks (issue 4).
 *
 * `did.verifyPresentation`: a lawyer VP with one embedded licence VC (Ed25519 keys; DID documents and the status list
 * cached) through `PresentationVerifier.verify` — all seven steps, incl. schema, accreditation and status — against
 * Veramo 7.0.1 `verifyPresentation` + `verifyCredential` (Veramo's VP check does not verify the embedded VC) on the
 * same tokens, Veramo resolving through did-resolver with its cache on over key-did-resolver. Target ≥ 10.
 * `notes.didJwtVcOpsPerSec`: did-jwt-vc 4.0.16 verifyPresentation + verifyCredential directly (what Veramo wraps);
 * `notes.veramoVpOnlyOpsPerSec`: Veramo's verifyPresentation alone (1 s, for the record: the embedded VC unchecked).
 * The subject checks both signatures every time (`memoCredentials: false`). The licence VC repeats in the pool (one
 * lawyer, one licence), so its parsed form and schema verdict are reused (VerifyJwtOptions.keepParsed: pure functions
 * of the identical token string); the VP is decoded in full every time. No audit sink is configured: the API's
 * verifier also appends an audit attestation to the ledger per verification, which Veramo has no counterpart of.
 *
 * `did.verifyPresentation.sigFloor`: the ceiling of any implementation that checks both signatures — just the two
 * Ed25519 verifications (node:crypto, prebuilt KeyObjects) of the same VP and VC signing inputs, nothing else —
 * against the same Veramo baseline. `did.verifyPresentation` / `sigFloor` is how close the seven steps come to it.
 *
 * `did.verifyPresentation.memo`: the production default (`memoCredentials` on): the VC's signature check is reused
 * while the token string is identical and the issuer's DID document is the very object it was checked against
 * (VerifyJwtOptions.memo; a refreshed or rotated document re-verifies; bounded LRU with TTL). The VP signature, nonce,
 * accreditation, status, validity and subject are checked every time — what a court sees when a lawyer presents the
 * same licence again and again.
 *
 * Every VP carries a distinct nonce (replays are rejected); subjects cycle through a pre-signed pool and start a fresh
 * verifier (empty nonce cache, warm shared JWT/DID caches) when the pool is used up.
 */
import { randomBytes, verify as nodeVerify } from 'node:crypto';
import { Resolver } from 'did-resolver';
import { getResolver as keyDidResolver } from 'key-did-resolver';
import { verifyCredential, verifyPresentation } from 'did-jwt-vc';
import { MemorySink } from '../../did/attestation.js';
import { IssuerRegistry } from '../../did/issuers.js';
import { StatusListRegistry } from '../../did/status-list.js';
import { registryStatusChecker } from '../../did/status-credential.js';
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier, decodeJwt, keyPairSigner } from '../../did/jwt.js';
import { decodeDidKey, didKeyFromPublicKey } from '../../did/key.js';
import { issueCredential } from '../../did/credentials/vc.js';
import { PresentationVerifier, createPresentation } from '../../did/credentials/presentation.js';
import { generateKeyPair } from '../../src/crypto/signature.js';
import { ed25519PublicKeyObject } from '../../src/crypto/node-keys.js';
import { orgCodeCheckChar, usccCheckChar } from '../../src/ids/uscc.js';
import { veramoAgent } from '../../test/did/veramo-agent.js';
import type { W3CVerifiableCredential } from '@veramo/core';
import type { Benchmark, Side } from '../harness.js';

const POOL = 4000;

function ident() {
  const kp = generateKeyPair('Ed25519');
  const did = didKeyFromPublicKey('Ed25519', kp.publicKey);
  const kid = `${did}#${did.slice(8)}`;
  return { did, kid, signer: keyPairSigner(kp, kid) };
}

/** Keys, registries, one licence VC and a pool of VPs over it, each with its own nonce; built once, shared. */
async function buildFixture() {
  const now = Math.floor(Date.now() / 1000);
  const sink = new MemorySink();
  const [moj, bureau, court, lawyer] = [ident(), ident(), ident(), ident()];
  const issuers = new IssuerRegistry([moj.did], sink, () => now);
  await issuers.accredit({ issuer: bureau.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: now - 86_400, validUntil: now + 86_400 * 365, delegatedBy: moj.did });
  const status = new StatusListRegistry('https://hub.example/status', sink, () => now);
  const body = '40000123';
  const first17 = `31110000${body}${orgCodeCheckChar(body)}`;
  const vc = await issueCredential({
    type: 'LawyerLicenseCredential',
    signer: bureau.signer,
    issuer: bureau.did,
    subject: lawyer.did,
    claims: { name: '张三', licenseNumber: '11101201010123456', lawFirm: { name: '北京某某律师事务所', uscc: `${first17}${usccCheckChar(first17)}` }, jurisdiction: '110105', status: 'practising', annualRegistrationValidUntil: new Date((now + 86_400 * 300) * 1000).toISOString().slice(0, 10) },
    validFrom: now - 3600,
    validUntil: now + 86_400 * 365,
    status: [status.allocate(status.ensureList('rev', 'revocation')), status.allocate(status.ensureList('sus', 'suspension'))],
  });
  const vps: { vp: string; nonce: string }[] = [];
  for (let i = 0; i < POOL; i++) {
    const nonce = randomBytes(16).toString('base64url');
    vps.push({ nonce, vp: await createPresentation({ holder: lawyer.did, signer: lawyer.signer, credentials: [vc], audience: court.did, nonce, now, ttlSec: 300 }) });
  }
  const checker = registryStatusChecker(status);
  /** A subject: a court's verifier over shared warm JWT/DID caches, fresh (empty nonce cache) per pass over the pool. */
  const subject = async (label: string, memoCredentials: boolean): Promise<Side> => {
    const jwt = new JwtVerifier(new DidResolver());
    const fresh = () => new PresentationVerifier({ jwt, issuers, status: checker, audience: court.did, now: () => now, memoCredentials });
    let verifier = fresh();
    const first = await verifier.verify(vps[0]!.vp, vps[0]!.nonce);
    if (!first.ok) throw new Error(`subject rejects the benchmark VP: ${first.error?.code}`);
    verifier = fresh();
    let i = 0;
    return {
      label,
      run: async () => {
        if (i === POOL) {
          i = 0;
          verifier = fresh();
        }
        const { vp, nonce } = vps[i++]!;
        const r = await verifier.verify(vp, nonce);
        if (!r.ok) throw new Error(`unexpected ${r.error?.code}`);
      },
    };
  };
  const agent = veramoAgent(new Resolver(keyDidResolver(), { cache: true }));
  const probe = await agent.verifyPresentation({ presentation: vps[0]!.vp, challenge: vps[0]!.nonce, domain: court.did });
  if (!probe.verified || !(await agent.verifyCredential({ credential: vc })).verified) throw new Error('Veramo rejects the benchmark VP/VC');
  // Veramo 7's JWT provider returns did-jwt-vc's result under `verifiablePresentation`, the presentation one level
  // further down; reading `verifiablePresentation.verifiableCredential` gets nothing and silently skips the VC check
  // (an earlier version of this baseline did, measuring VP-only). Require exactly the one embedded credential, and
  // hand Veramo its compact JWT (its cheapest input form, as in the probe above).
  const embedded = (r: { verified: boolean }): string[] => {
    const list = (r as { verifiablePresentation?: { verifiablePresentation?: { verifiableCredential?: unknown } } }).verifiablePresentation?.verifiablePresentation?.verifiableCredential;
    if (!Array.isArray(list) || list.length !== 1) throw new Error('Veramo returned no embedded credential to verify');
    return (list as W3CVerifiableCredential[]).map((c) => (typeof c === 'string' ? c : c.proof.jwt as string));
  };
  embedded(probe);
  let j = 0;
  const veramo: Side = {
    label: 'Veramo 7.0.1 verifyPresentation + verifyCredential',
    run: async () => {
      const { vp, nonce } = vps[j++ % POOL]!;
      const p = await agent.verifyPresentation({ presentation: vp, challenge: nonce, domain: court.did });
      if (!p.verified) throw new Error('Veramo rejects the VP');
      for (const c of embedded(p)) {
        if (!(await agent.verifyCredential({ credential: c })).verified) throw new Error('Veramo rejects the VC');
      }
    },
  };
  return { now, court, lawyer, bureau, vc, vps, subject, veramo, agent };
}

let shared: ReturnType<typeof buildFixture> | undefined;
const fixture = () => (shared ??= buildFixture());

/** DID benchmarks. */
export const didBenchmarks: Benchmark[] = [
  {
    name: 'did.verifyPresentation',
    target: 10,
    async setup() {
      const f = await fixture();
      const ref = new Resolver(keyDidResolver(), { cache: true });
      await verifyPresentation(f.vps[0]!.vp, ref, { audience: f.court.did, challenge: f.vps[0]!.nonce });
      await verifyCredential(f.vc, ref);
      let k = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 1000) {
        const { vp, nonce } = f.vps[k++ % POOL]!;
        const p = await verifyPresentation(vp, ref, { audience: f.court.did, challenge: nonce });
        for (const c of p.verifiablePresentation.verifiableCredential ?? []) await verifyCredential(typeof c === 'string' ? c : (c as unknown as { proof: { jwt: string } }).proof.jwt, ref);
      }
      const didJwtVc = Math.round(k / ((performance.now() - t0) / 1000));
      // For the record: Veramo's presentation check alone (no embedded VC verified), what this baseline used to measure.
      let n = 0;
      const t1 = performance.now();
      while (performance.now() - t1 < 1000) {
        const { vp, nonce } = f.vps[n++ % POOL]!;
        if (!(await f.agent.verifyPresentation({ presentation: vp, challenge: nonce, domain: f.court.did })).verified) throw new Error('Veramo rejects the VP');
      }
      const veramoVpOnly = Math.round(n / ((performance.now() - t1) / 1000));
      return {
        notes: () => ({ didJwtVcOpsPerSec: didJwtVc, veramoVpOnlyOpsPerSec: veramoVpOnly }),
        subject: await f.subject('PresentationVerifier.verify (7 steps, both signatures checked every time)', false),
        baseline: f.veramo,
      };
    },
  },
  {
    name: 'did.verifyPresentation.sigFloor',
    async setup() {
      const f = await fixture();
      // Exactly the two signature checks, inputs decoded beforehand: nothing any verifier could leave out.
      const vps = f.vps.map(({ vp }) => decodeJwt(vp)).map((d) => ({ input: d.signingInput, sig: d.signature }));
      const v = decodeJwt(f.vc);
      const holderKey = ed25519PublicKeyObject(decodeDidKey(f.lawyer.did).bytes);
      const issuerKey = ed25519PublicKeyObject(decodeDidKey(f.bureau.did).bytes);
      let i = 0;
      return {
        subject: {
          label: 'upper bound: 2 node:crypto Ed25519 verifies (VP + VC signing inputs, prebuilt KeyObjects), nothing else',
          run: () => {
            const p = vps[i++ % POOL]!;
            if (!nodeVerify(null, p.input, holderKey, p.sig) || !nodeVerify(null, v.signingInput, issuerKey, v.signature)) throw new Error('floor signature rejected');
          },
        },
        baseline: f.veramo,
      };
    },
  },
  {
    name: 'did.verifyPresentation.memo',
    async setup() {
      const f = await fixture();
      return {
        subject: await f.subject('PresentationVerifier.verify, credential memo on (production default: VC signature check reused for the identical token and unchanged issuer document; everything else every time)', true),
        baseline: f.veramo,
      };
    },
  },
];
