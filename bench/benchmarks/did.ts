/**
 * DID hub benchmarks (issue 4).
 *
 * `did.verifyPresentation`: a lawyer VP with one embedded licence VC (Ed25519 keys; DID documents and the status list
 * cached) through `PresentationVerifier.verify` — all seven steps, incl. schema, accreditation and status — against
 * Veramo 7.0.1 `verifyPresentation` + `verifyCredential` (Veramo's VP check does not verify the embedded VC) on the
 * same tokens, Veramo resolving through did-resolver with its cache on over key-did-resolver. Target ≥ 10.
 * `notes.didJwtVcOpsPerSec`: did-jwt-vc 4.0.16 verifyPresentation + verifyCredential directly (what Veramo wraps).
 *
 * The subject checks every signature each time (`memoCredentials: false`): the same licence VC repeats in the pool,
 * and the credential memo (a verified VC's signature check reused while the issuer's DID document is unchanged, see
 * VerifyJwtOptions.memo) would measure cache hits. `notes.withCredentialMemoOpsPerSec` gives the production default
 * with the memo on, for a lawyer presenting the same licence again and again.
 *
 * Every VP carries a distinct nonce (replays are rejected); the subject cycles through a pre-signed pool and starts a
 * fresh verifier (empty nonce cache, warm shared JWT/DID caches) when the pool is used up.
 */
import { randomBytes } from 'node:crypto';
import { Resolver } from 'did-resolver';
import { getResolver as keyDidResolver } from 'key-did-resolver';
import { verifyCredential, verifyPresentation } from 'did-jwt-vc';
import { MemorySink } from '../../did/attestation.js';
import { IssuerRegistry } from '../../did/issuers.js';
import { StatusListRegistry } from '../../did/status-list.js';
import { registryStatusChecker } from '../../did/status-credential.js';
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier, keyPairSigner } from '../../did/jwt.js';
import { didKeyFromPublicKey } from '../../did/key.js';
import { issueCredential } from '../../did/credentials/vc.js';
import { PresentationVerifier, createPresentation } from '../../did/credentials/presentation.js';
import { generateKeyPair } from '../../src/crypto/signature.js';
import { orgCodeCheckChar, usccCheckChar } from '../../src/ids/uscc.js';
import { veramoAgent } from '../../test/did/veramo-agent.js';
import type { Benchmark } from '../harness.js';

const POOL = 4000;

function ident() {
  const kp = generateKeyPair('Ed25519');
  const did = didKeyFromPublicKey('Ed25519', kp.publicKey);
  const kid = `${did}#${did.slice(8)}`;
  return { did, kid, signer: keyPairSigner(kp, kid) };
}

/** DID benchmarks. */
export const didBenchmarks: Benchmark[] = [
  {
    name: 'did.verifyPresentation',
    target: 10,
    async setup() {
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
      const jwt = new JwtVerifier(new DidResolver());
      const checker = registryStatusChecker(status);
      const fresh = () => new PresentationVerifier({ jwt, issuers, status: checker, audience: court.did, now: () => now, memoCredentials: false });
      let verifier = fresh();
      const first = await verifier.verify(vps[0]!.vp, vps[0]!.nonce);
      if (!first.ok) throw new Error(`subject rejects the benchmark VP: ${first.error?.code}`);
      verifier = fresh();
      const ref = new Resolver(keyDidResolver(), { cache: true });
      await verifyPresentation(vps[0]!.vp, ref, { audience: court.did, challenge: vps[0]!.nonce });
      await verifyCredential(vc, ref);
      let k = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 1000) {
        const { vp, nonce } = vps[k++ % POOL]!;
        const p = await verifyPresentation(vp, ref, { audience: court.did, challenge: nonce });
        for (const c of p.verifiablePresentation.verifiableCredential ?? []) await verifyCredential(typeof c === 'string' ? c : (c as unknown as { proof: { jwt: string } }).proof.jwt, ref);
      }
      const didJwtVc = Math.round(k / ((performance.now() - t0) / 1000));
      const agent = veramoAgent(new Resolver(keyDidResolver(), { cache: true }));
      const probe = await agent.verifyPresentation({ presentation: vps[0]!.vp, challenge: vps[0]!.nonce, domain: court.did });
      if (!probe.verified || !(await agent.verifyCredential({ credential: vc })).verified) throw new Error('Veramo rejects the benchmark VP/VC');
      // Figure without the credential memo (each VC signature checked every time), for the report.
      const memoRate = async (): Promise<number> => {
        const jwt2 = new JwtVerifier(new DidResolver());
        const v2 = new PresentationVerifier({ jwt: jwt2, issuers, status: checker, audience: court.did, now: () => now });
        for (let w = 0; w < 200; w++) await v2.verify(vps[POOL - 1 - w]!.vp, vps[POOL - 1 - w]!.nonce); // warm-up
        let n = 200;
        const start = performance.now();
        while (performance.now() - start < 1000 && n < POOL) {
          const { vp, nonce } = vps[POOL - 1 - n]!;
          if (!(await v2.verify(vp, nonce)).ok) throw new Error('memo subject rejects the VP');
          n++;
        }
        return Math.round((n - 200) / ((performance.now() - start) / 1000));
      };
      const withMemo = await memoRate();
      let i = 0;
      let j = 0;
      return {
        notes: () => ({ withCredentialMemoOpsPerSec: withMemo, didJwtVcOpsPerSec: didJwtVc }),
        subject: {
          label: 'PresentationVerifier.verify (7 steps, every signature checked)',
          run: async () => {
            if (i === POOL) {
              i = 0;
              verifier = fresh();
            }
            const { vp, nonce } = vps[i++]!;
            const r = await verifier.verify(vp, nonce);
            if (!r.ok) throw new Error(`unexpected ${r.error?.code}`);
          },
        },
        baseline: {
          label: 'Veramo 7.0.1 verifyPresentation + verifyCredential',
          run: async () => {
            const { vp, nonce } = vps[j++ % POOL]!;
            const p = await agent.verifyPresentation({ presentation: vp, challenge: nonce, domain: court.did });
            if (!p.verified) throw new Error('Veramo rejects the VP');
            for (const c of p.verifiablePresentation?.verifiableCredential ?? []) {
              if (!(await agent.verifyCredential({ credential: c })).verified) throw new Error('Veramo rejects the VC');
            }
          },
        },
      };
    },
  },
];
