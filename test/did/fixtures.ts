/** Shared world for the credential tests: Ministry of Justice root, Beijing bureau, hub, court, lawyer. */
import { randomBytes } from 'node:crypto';
import { DidResolver } from '../../did/resolver.js';
import { didKeyFromPublicKey } from '../../did/key.js';
import { JwtVerifier, keyPairSigner, type JwsSigner } from '../../did/jwt.js';
import { IssuerRegistry } from '../../did/issuers.js';
import { MemorySink } from '../../did/attestation.js';
import { StatusListRegistry } from '../../did/status-list.js';
import { issueCredential } from '../../did/credentials/vc.js';
import { generateKeyPair, type KeyPair, type SigAlg } from '../../src/crypto/signature.js';
import { orgCodeCheckChar, usccCheckChar } from '../../src/ids/uscc.js';

/** A did:key identity. */
export interface Identity {
  kp: KeyPair;
  did: string;
  kid: string;
  signer: JwsSigner;
}

/** Fresh did:key identity. */
export function identity(alg: SigAlg = 'Ed25519'): Identity {
  const kp = generateKeyPair(alg);
  const did = didKeyFromPublicKey(alg, kp.publicKey);
  const kid = `${did}#${did.slice(8)}`;
  return { kp, did, kid, signer: keyPairSigner(kp, kid) };
}

/** A valid law-firm USCC (31 = 司法行政 / 律师执业机构, Beijing), built with the GB 32100 / GB 11714 check characters. */
export function lawFirmUscc(body8 = '40000123'): string {
  const first17 = `31110000${body8}${orgCodeCheckChar(body8)}`;
  return `${first17}${usccCheckChar(first17)}`;
}

/** A year in seconds. */
export const YEAR = 365 * 86_400;

/** Build the world at time `t0` (seconds). */
export async function world(t0 = Math.floor(Date.now() / 1000)) {
  let clock = t0;
  const now = (): number => clock;
  const sink = new MemorySink();
  const resolver = new DidResolver();
  const jwt = new JwtVerifier(resolver);
  const moj = identity();
  const bureau = identity('ES256');
  const hub = identity();
  const court = identity();
  const lawyer = identity();
  const issuers = new IssuerRegistry([moj.did], sink, now);
  await issuers.accredit({ issuer: bureau.did, credentialTypes: ['LawyerLicenseCredential', 'LawyerCreditReportCredential'], jurisdiction: '110000', validFrom: t0 - YEAR, validUntil: t0 + 5 * YEAR, delegatedBy: moj.did });
  const status = new StatusListRegistry('https://hub.example/status', sink, now);
  const revList = status.ensureList('licences-revocation', 'revocation');
  const susList = status.ensureList('licences-suspension', 'suspension');
  const licenceClaims = (over: Record<string, unknown> = {}) => ({
    name: '张三',
    licenseNumber: '11101201010123456',
    lawFirm: { name: '北京某某律师事务所', uscc: lawFirmUscc() },
    jurisdiction: '110105',
    status: 'practising',
    annualRegistrationValidUntil: new Date((t0 + YEAR) * 1000).toISOString().slice(0, 10),
    ...over,
  });
  const issueLicence = async (o: { claims?: Record<string, unknown>; subject?: string; validFrom?: number; validUntil?: number; by?: Identity } = {}) => {
    const entries = [status.allocate(revList), status.allocate(susList)];
    const by = o.by ?? bureau;
    const token = await issueCredential({
      type: 'LawyerLicenseCredential',
      signer: by.signer,
      issuer: by.did,
      subject: o.subject ?? lawyer.did,
      claims: licenceClaims(o.claims),
      validFrom: o.validFrom ?? t0 - 86_400,
      validUntil: o.validUntil ?? t0 + YEAR,
      status: entries,
    });
    return { token, entries };
  };
  return {
    t0,
    now,
    setNow: (t: number) => {
      clock = t;
    },
    sink,
    resolver,
    jwt,
    moj,
    bureau,
    hub,
    court,
    lawyer,
    issuers,
    status,
    revList,
    susList,
    licenceClaims,
    issueLicence,
    nonce: () => randomBytes(16).toString('base64url'),
  };
}
