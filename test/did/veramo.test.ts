import { describe, expect, it } from 'vitest';
import { PresentationVerifier, createPresentation } from '../../did/credentials/presentation.js';
import { registryStatusChecker } from '../../did/status-credential.js';
import { CREDENTIAL_SCHEMAS } from '../../did/credentials/types.js';
import { veramoAgent } from './veramo-agent.js';
import { world, YEAR } from './fixtures.js';

describe('interop with Veramo 7.0.1 (independent peer)', () => {
  it('a licence VC and VP made by Veramo verify in CourtBridge (all 7 steps)', async () => {
    const w = await world();
    const agent = veramoAgent(w.resolver);
    const bureau = await agent.didManagerCreate({ provider: 'did:key', options: { keyType: 'Ed25519' } });
    const lawyer = await agent.didManagerCreate({ provider: 'did:key', options: { keyType: 'Ed25519' } });
    await w.issuers.accredit({ issuer: bureau.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: w.t0 - YEAR, validUntil: w.t0 + YEAR, delegatedBy: w.moj.did });
    const kidOf = (did: string): string => `${did}#${did.slice(8)}`;
    const vc = await agent.createVerifiableCredential({
      proofFormat: 'jwt',
      header: { kid: kidOf(bureau.did) },
      credential: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiableCredential', 'LawyerLicenseCredential'],
        id: `urn:uuid:${crypto.randomUUID()}`,
        issuer: { id: bureau.did },
        issuanceDate: new Date((w.t0 - 60) * 1000).toISOString(),
        expirationDate: new Date((w.t0 + YEAR) * 1000).toISOString(),
        credentialSchema: { id: CREDENTIAL_SCHEMAS.LawyerLicenseCredential, type: 'JsonSchema' },
        credentialStatus: [w.status.allocate(w.revList)] as never,
        credentialSubject: { id: lawyer.did, ...w.licenceClaims() },
      },
    });
    const nonce = w.nonce();
    const vp = await agent.createVerifiablePresentation({
      proofFormat: 'jwt',
      header: { kid: kidOf(lawyer.did) },
      challenge: nonce,
      domain: w.court.did,
      presentation: { holder: lawyer.did, verifier: [w.court.did], verifiableCredential: [vc], expirationDate: new Date((w.t0 + 120) * 1000).toISOString(), issuanceDate: new Date(w.t0 * 1000).toISOString() },
    });
    const verifier = new PresentationVerifier({ jwt: w.jwt, issuers: w.issuers, status: registryStatusChecker(w.status), audience: w.court.did, now: w.now });
    const r = await verifier.verify(vp.proof.jwt, nonce);
    expect(r.steps).toEqual(expect.arrayContaining([]));
    expect(r.error?.code, `${JSON.stringify(r.steps)} ${r.error?.message}`).toBeUndefined();
    expect(r.ok).toBe(true);
  });

  it('a CourtBridge VC and VP verify in Veramo (verifyPresentation + verifyCredential)', async () => {
    const w = await world();
    const agent = veramoAgent(w.resolver);
    const { token } = await w.issueLicence();
    const nonce = w.nonce();
    const vp = await createPresentation({ holder: w.lawyer.did, signer: w.lawyer.signer, credentials: [token], audience: w.court.did, nonce, now: w.now() });
    const p = await agent.verifyPresentation({ presentation: vp, challenge: nonce, domain: w.court.did });
    expect(p.error, JSON.stringify(p.error)).toBeUndefined();
    expect(p.verified).toBe(true);
    const c = await agent.verifyCredential({ credential: token });
    expect(c.verified).toBe(true);
    // and Veramo rejects a tampered one
    const [h, pl, s] = token.split('.') as [string, string, string];
    const bad = await agent.verifyCredential({ credential: `${h}.${pl}.${s.slice(0, -3)}AAA` });
    expect(bad.verified).toBe(false);
  });
});
