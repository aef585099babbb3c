import { describe, expect, it } from 'vitest';
import { PresentationVerifier, createPresentation, PRESENTATION_STEPS } from '../../did/credentials/presentation.js';
import { issueCredential, verifyCredentialJwt } from '../../did/credentials/vc.js';
import { registryStatusChecker, publishStatusListCredential, StatusListClient } from '../../did/status-credential.js';
import { signJwt } from '../../did/jwt.js';
import { toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { identity, world, YEAR, lawFirmUscc } from './fixtures.js';

async function setup() {
  const w = await world();
  const verifier = new PresentationVerifier({ jwt: w.jwt, issuers: w.issuers, status: registryStatusChecker(w.status), audience: w.court.did, now: w.now, audit: w.sink });
  const present = async (credentials: string[], o: { nonce?: string; audience?: string; holder?: ReturnType<typeof identity>; ttlSec?: number } = {}) => {
    const nonce = o.nonce ?? w.nonce();
    const h = o.holder ?? w.lawyer;
    const vp = await createPresentation({ holder: h.did, signer: h.signer, credentials, audience: o.audience ?? w.court.did, nonce, now: w.now(), ttlSec: o.ttlSec ?? 300 });
    return { vp, nonce };
  };
  return { w, verifier, present };
}

const failedAt = (r: { steps: { step: string; status: string; code?: string }[] }) => r.steps.find((s) => s.status === 'failed');

describe('lawyer licence: issue, present, verify (ordered steps)', () => {
  it('a good presentation passes every step, in order, and writes an audit attestation', async () => {
    const { w, verifier, present } = await setup();
    const { token } = await w.issueLicence();
    const { vp, nonce } = await present([token]);
    const before = w.sink.entries.length;
    const r = await verifier.verify(vp, nonce);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.steps.map((s) => s.step)).toEqual([...PRESENTATION_STEPS]);
    expect(r.steps.every((s) => s.status === 'ok')).toBe(true);
    expect(r.holder).toBe(w.lawyer.did);
    expect(r.credentials[0]!.claims.licenseNumber).toBe('11101201010123456');
    expect(w.sink.entries.length).toBe(before + 1);
    expect(w.sink.entries.at(-1)).toMatchObject({ type: 'courtbridge.did.vp-verification', court: w.court.did, result: 'valid' });
  });

  it('step 1 holder-signature: tampered VP, alg none VP → VP_SIGNATURE_INVALID with the JWT cause; later steps skipped', async () => {
    const { w, verifier, present } = await setup();
    const { token } = await w.issueLicence();
    const { vp, nonce } = await present([token]);
    const [h, p, s] = vp.split('.') as [string, string, string];
    const r = await verifier.verify(`${h}.${p}.${s.slice(0, -4)}AAAA`, nonce);
    expect(failedAt(r)).toMatchObject({ step: 'holder-signature', code: 'VP_SIGNATURE_INVALID', cause: 'JWT_SIGNATURE_INVALID' });
    expect(r.steps.slice(1).every((x) => x.status === 'skipped')).toBe(true);
    const none = `${toBase64Url(utf8(JSON.stringify({ alg: 'none', kid: w.lawyer.kid })))}.${p}.`;
    expect(failedAt(await verifier.verify(none, nonce))).toMatchObject({ code: 'VP_SIGNATURE_INVALID', cause: 'JWT_ALG_NONE' });
    expect(failedAt(await verifier.verify('x'.repeat(100_000), nonce))).toMatchObject({ code: 'VP_SIGNATURE_INVALID', cause: 'TOO_LARGE' });
  });

  it('step 1: a VP without credentials → JWT_CLAIM_INVALID', async () => {
    const { w, verifier } = await setup();
    const nonce = w.nonce();
    const vp = await signJwt({ iss: w.lawyer.did, aud: w.court.did, nonce, iat: w.now(), exp: w.now() + 60, vp: { type: ['VerifiablePresentation'], verifiableCredential: [] } }, w.lawyer.signer);
    expect(failedAt(await verifier.verify(vp, nonce))).toMatchObject({ step: 'holder-signature', code: 'JWT_CLAIM_INVALID' });
  });

  it('step 1/2 bounds: more than 16 credentials → TOO_LARGE; a short challenge is refused; non-string VCs are coded', async () => {
    const { w, verifier, present } = await setup();
    const { token } = await w.issueLicence();
    const many = await present(Array(17).fill(token));
    expect(failedAt(await verifier.verify(many.vp, many.nonce))).toMatchObject({ step: 'holder-signature', code: 'TOO_LARGE' });
    const short = await present([token], { nonce: 'abc' });
    expect(failedAt(await verifier.verify(short.vp, 'abc'))).toMatchObject({ code: 'VP_NONCE_MISMATCH' });
    const nonce = w.nonce();
    const odd = await signJwt({ iss: w.lawyer.did, aud: w.court.did, nonce, iat: w.now(), exp: w.now() + 60, vp: { type: ['VerifiablePresentation'], verifiableCredential: [{ not: 'a jwt' }] } }, w.lawyer.signer);
    expect(failedAt(await verifier.verify(odd, nonce))).toMatchObject({ step: 'credentials', code: 'VC_SIGNATURE_INVALID', cause: 'JWT_MALFORMED' });
    const audit = w.sink.entries.at(-1) as { result: string; credentials: string[] };
    expect(audit.result).toBe('VC_SIGNATURE_INVALID');
    expect(JSON.stringify(w.sink.entries)).not.toContain(w.lawyer.did); // audit records no holder identifier
  });

  it('step 2 nonce-audience: other court, wrong nonce, replay, overlong lifetime', async () => {
    const { w, verifier, present } = await setup();
    const { token } = await w.issueLicence();
    const other = await present([token], { audience: identity().did });
    expect(failedAt(await verifier.verify(other.vp, other.nonce))).toMatchObject({ step: 'nonce-audience', code: 'VP_AUDIENCE_MISMATCH' });
    const good = await present([token]);
    expect(failedAt(await verifier.verify(good.vp, w.nonce()))).toMatchObject({ code: 'VP_NONCE_MISMATCH' });
    expect((await verifier.verify(good.vp, good.nonce)).ok).toBe(true);
    expect(failedAt(await verifier.verify(good.vp, good.nonce))).toMatchObject({ code: 'VP_REPLAYED' });
    const long = await present([token], { ttlSec: 3600 });
    expect(failedAt(await verifier.verify(long.vp, long.nonce))).toMatchObject({ code: 'JWT_LIFETIME_TOO_LONG' });
  });

  it('step 3 credentials: forged VC signature, schema violation (bad USCC check digit) → coded', async () => {
    const { w, verifier, present } = await setup();
    const { token } = await w.issueLicence();
    const [h, p] = token.split('.') as [string, string, string];
    const forged = `${h}.${p}.${toBase64Url(new Uint8Array(64))}`;
    const a = await present([forged]);
    expect(failedAt(await verifier.verify(a.vp, a.nonce))).toMatchObject({ step: 'credentials', code: 'VC_SIGNATURE_INVALID', credential: '#0' });
    // The issuer API refuses a bad USCC; a hand-made VC with one is caught by the verifier's schema step.
    const goodUscc = lawFirmUscc();
    const badUscc = `${goodUscc.slice(0, 17)}${goodUscc[17] === '0' ? '1' : '0'}`;
    await expect(w.issueLicence({ claims: { lawFirm: { name: 'x', uscc: badUscc } } })).rejects.toMatchObject({ code: 'VC_SCHEMA_INVALID' });
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.vc.credentialSubject.lawFirm.uscc = badUscc;
    const hand = await signJwt(payload, w.bureau.signer);
    const b = await present([hand]);
    expect(failedAt(await verifier.verify(b.vp, b.nonce))).toMatchObject({ step: 'credentials', code: 'VC_SCHEMA_INVALID' });
    await expect(verifyCredentialJwt(hand, w.jwt)).rejects.toMatchObject({ code: 'VC_SCHEMA_INVALID' });
  });

  it('step 4 issuer-accredited: unaccredited issuer, jurisdiction outside the accreditation, issued after revocation', async () => {
    const { w, verifier, present } = await setup();
    const rogue = identity();
    const a = await present([(await w.issueLicence({ by: rogue })).token]);
    expect(failedAt(await verifier.verify(a.vp, a.nonce))).toMatchObject({ step: 'issuer-accredited', code: 'ISSUER_NOT_ACCREDITED' });
    const b = await present([(await w.issueLicence({ claims: { jurisdiction: '310000' } })).token]); // Shanghai, bureau is Beijing
    expect(failedAt(await verifier.verify(b.vp, b.nonce))).toMatchObject({ code: 'ISSUER_NOT_ACCREDITED' });
    await w.issuers.revoke(0, w.moj.did);
    const c = await present([(await w.issueLicence({ validFrom: w.now() })).token]);
    expect(failedAt(await verifier.verify(c.vp, c.nonce))).toMatchObject({ code: 'ISSUER_NOT_ACCREDITED' });
  });

  it('step 5 status: revoked and suspended (and reinstated) credentials', async () => {
    const { w, verifier, present } = await setup();
    const { token, entries } = await w.issueLicence();
    await w.status.setStatus(entries[1]!, true, w.bureau.did, 'disciplinary suspension');
    const a = await present([token]);
    expect(failedAt(await verifier.verify(a.vp, a.nonce))).toMatchObject({ step: 'status', code: 'VC_SUSPENDED' });
    await w.status.setStatus(entries[1]!, false, w.bureau.did, 'reinstated');
    const b = await present([token]);
    expect((await verifier.verify(b.vp, b.nonce)).ok).toBe(true);
    await w.status.setStatus(entries[0]!, true, w.bureau.did);
    const c = await present([token]);
    expect(failedAt(await verifier.verify(c.vp, c.nonce))).toMatchObject({ step: 'status', code: 'VC_REVOKED' });
    const cancelled = await w.issueLicence({ claims: { status: 'cancelled' } });
    const d = await present([cancelled.token]);
    expect(failedAt(await verifier.verify(d.vp, d.nonce))).toMatchObject({ code: 'VC_REVOKED' });
  });

  it('step 6 validity-period: expired, not yet valid, annual registration lapsed', async () => {
    const { w, verifier, present } = await setup();
    const exp = await w.issueLicence({ validFrom: w.t0 - YEAR / 2, validUntil: w.t0 - 3600 });
    const a = await present([exp.token]);
    expect(failedAt(await verifier.verify(a.vp, a.nonce))).toMatchObject({ step: 'validity-period', code: 'VC_EXPIRED' });
    const future = await w.issueLicence({ validFrom: w.t0 + 86_400 });
    const b = await present([future.token]);
    expect(failedAt(await verifier.verify(b.vp, b.nonce))).toMatchObject({ code: 'VC_NOT_YET_VALID' });
    const lapsed = await w.issueLicence({ claims: { annualRegistrationValidUntil: '2020-05-31' } });
    const c = await present([lapsed.token]);
    expect(failedAt(await verifier.verify(c.vp, c.nonce))).toMatchObject({ code: 'VC_EXPIRED' });
  });

  it('step 7 subject-is-holder: presenting someone else’s licence', async () => {
    const { w, verifier, present } = await setup();
    const { token } = await w.issueLicence();
    const thief = identity();
    const a = await present([token], { holder: thief });
    expect(failedAt(await verifier.verify(a.vp, a.nonce))).toMatchObject({ step: 'subject-is-holder', code: 'VC_SUBJECT_NOT_HOLDER' });
  });

  it('credit report credential verifies beside the licence', async () => {
    const { w, verifier, present } = await setup();
    const { token } = await w.issueLicence();
    const report = await issueCredential({
      type: 'LawyerCreditReportCredential',
      signer: w.bureau.signer,
      issuer: w.bureau.did,
      subject: w.lawyer.did,
      claims: { name: '张三', licenseNumber: '11101201010123456', jurisdiction: '110105', reportPeriod: { from: '2025-01-01', to: '2025-12-31' }, rating: 'A', disciplinaryActions: [] },
      validFrom: w.t0 - 60,
      validUntil: w.t0 + 90 * 86_400,
      status: [w.status.allocate(w.revList)],
    });
    const a = await present([token, report]);
    const r = await verifier.verify(a.vp, a.nonce);
    expect(r.ok).toBe(true);
    expect(r.credentials.map((c) => c.type)).toEqual(['LawyerLicenseCredential', 'LawyerCreditReportCredential']);
  });

  it('status through a published, hub-signed status list credential (client cache)', async () => {
    const { w, present } = await setup();
    const { token, entries } = await w.issueLicence();
    const lists = new Map<string, string>();
    const publish = async () => {
      for (const url of [w.revList, w.susList]) lists.set(url, await publishStatusListCredential(w.status, url, w.hub.did, w.hub.signer, w.now()));
    };
    await publish();
    const client = new StatusListClient(async (url) => lists.get(url)!, w.jwt, [w.hub.did], { now: w.now });
    const verifier = new PresentationVerifier({ jwt: w.jwt, issuers: w.issuers, status: client, audience: w.court.did, now: w.now });
    const a = await present([token]);
    expect((await verifier.verify(a.vp, a.nonce)).ok).toBe(true);
    await w.status.setStatus(entries[0]!, true, w.bureau.did);
    await publish();
    const fresh = new StatusListClient(async (url) => lists.get(url)!, w.jwt, [w.hub.did], { now: w.now });
    const v2 = new PresentationVerifier({ jwt: w.jwt, issuers: w.issuers, status: fresh, audience: w.court.did, now: w.now });
    const b = await present([token]);
    expect(failedAt(await v2.verify(b.vp, b.nonce))).toMatchObject({ code: 'VC_REVOKED' });
    // a list signed by someone other than the hub is refused
    const evil = new StatusListClient(async (url) => publishStatusListCredential(w.status, url, w.lawyer.did, w.lawyer.signer, w.now()), w.jwt, [w.hub.did], { now: w.now });
    const v3 = new PresentationVerifier({ jwt: w.jwt, issuers: w.issuers, status: evil, audience: w.court.did, now: w.now });
    const c = await present([token]);
    expect(failedAt(await v3.verify(c.vp, c.nonce))).toMatchObject({ step: 'status', code: 'STATUS_LIST_INVALID' });
  });
});
