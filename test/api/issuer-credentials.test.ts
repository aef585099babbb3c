/**
 * Issuer audience, credentials (did/issued-credentials.ts): reserve status entries → the issuer signs the VC with its
 * own key → register → the lawyer presents it → the court verifies; revoke / suspend / reinstate through the hub's
 * status lists (attested like `vc revoke|suspend|reinstate`), only by the issuer or a delegator above it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthToken } from '../../did/auth.js';
import { signJwt } from '../../did/jwt.js';
import { IssuedCredentials } from '../../did/issued-credentials.js';
import { LedgerRegistries } from '../../did/ledger-registries.js';
import { issueCredential } from '../../did/credentials/vc.js';
import { createPresentation } from '../../did/credentials/presentation.js';
import type { BitstringStatusListEntry } from '../../did/status-list.js';
import { identity, lawFirmUscc, YEAR, type Identity } from '../did/fixtures.js';
import { apiWorld, type ApiWorld } from './fixtures.js';

let w: ApiWorld;
const lawyer = identity();
const bureau = identity('ES256'); // an accredited sub-issuer (Beijing), a member with role issuer
const now = Math.floor(Date.now() / 1000);
beforeAll(async () => {
  w = await apiWorld();
  await w.deps.store.putMember({ did: bureau.did, roles: ['issuer'], enabled: true });
  // The root (ids.issuer, e.g. the Ministry of Justice) accredits the bureau for Beijing.
  await w.deps.issuers!.accredit({ issuer: bureau.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: now - 3600, validUntil: now + YEAR, delegatedBy: w.ids.issuer.did });
});
afterAll(async () => { await w.close(); });

const auth = async (who: Parameters<ApiWorld['token']>[0] | Identity) => {
  if (typeof who === 'string') return { authorization: `Bearer ${await w.token(who)}` };
  return { authorization: `Bearer ${await createAuthToken(who.signer, who.did, w.hub.did, Math.floor(Date.now() / 1000), 120)}` };
};
const claims = (over: Record<string, unknown> = {}) => ({
  name: '张三', licenseNumber: '11101201010123456', lawFirm: { name: '北京某某律师事务所', uscc: lawFirmUscc() }, jurisdiction: '110105',
  status: 'practising', annualRegistrationValidUntil: new Date((now + YEAR) * 1000).toISOString().slice(0, 10), ...over,
});

/** Reserve entries as `by`, sign the licence with `by`'s own key, register it; returns the response. */
async function issue(by: Identity, over: { claims?: Record<string, unknown>; status?: (e: BitstringStatusListEntry[]) => BitstringStatusListEntry[] } = {}) {
  const r = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/status-entries', headers: await auth(by === w.ids.issuer ? 'issuer' : by) });
  expect(r.statusCode).toBe(201);
  const entries = r.json().credentialStatus as BitstringStatusListEntry[];
  const jwt = await issueCredential({
    type: 'LawyerLicenseCredential', signer: by.signer, issuer: by.did, subject: lawyer.did, claims: claims(over.claims),
    validFrom: now - 60, validUntil: now + YEAR, status: over.status ? over.status(entries) : entries,
  });
  return { jwt, reserved: r.json(), res: await w.app.inject({ method: 'POST', url: '/api/v1/issuer/credentials', headers: await auth(by === w.ids.issuer ? 'issuer' : by), payload: { credential: jwt } }) };
}

let n = 0;
/** The court verifies a fresh presentation of `jwt`. */
async function courtVerify(jwt: string): Promise<{ ok: boolean; errorCode?: string }> {
  const nonce = `court-nonce-${++n}-${Date.now()}`;
  const vp = await createPresentation({ holder: lawyer.did, signer: lawyer.signer, credentials: [jwt], audience: w.ids.court.did, nonce });
  const r = await w.app.inject({ method: 'POST', url: '/api/v1/court/presentations/verify', headers: await auth('court'), payload: { presentation: vp, nonce } });
  expect(r.statusCode).toBe(200);
  return r.json();
}
const post = async (id: string, action: string, who: Parameters<typeof auth>[0], reason?: string) =>
  w.app.inject({ method: 'POST', url: `/api/v1/issuer/credentials/${encodeURIComponent(id)}/${action}`, headers: await auth(who), ...(reason === undefined ? {} : { payload: { reason } }) }); // the body is optional

describe('issuer credentials', () => {
  it('issue → present → court verifies; suspend → VC_SUSPENDED; reinstate → ok; revoke → VC_REVOKED, final; each change attested', async () => {
    const { jwt, res } = await issue(bureau);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ credential: jwt, issuer: bureau.did, type: 'LawyerLicenseCredential' });
    expect(body.credentialStatus.map((e: BitstringStatusListEntry) => e.statusPurpose)).toEqual(['revocation', 'suspension']);
    const entry = JSON.parse(Buffer.from((await w.ledger.get(body.ledgerIndex)).data).toString('utf8'));
    expect(entry).toMatchObject({ type: 'courtbridge.did.credential', action: 'issue', id: body.id, issuer: bureau.did, index: body.statusListIndex });
    // Registering the identical JWT again is idempotent.
    const again = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/credentials', headers: await auth(bureau), payload: { credential: jwt } });
    expect([again.statusCode, again.json().ledgerIndex]).toEqual([200, body.ledgerIndex]);

    expect(await courtVerify(jwt)).toMatchObject({ ok: true });

    const sus = await post(body.id, 'suspend', bureau, '暂停执业 (administrative penalty)');
    expect(sus.json()).toMatchObject({ suspended: true, revoked: false, changed: true });
    const statusEntry = JSON.parse(Buffer.from((await w.ledger.get(sus.json().ledgerIndex)).data).toString('utf8'));
    expect(statusEntry).toMatchObject({ type: 'courtbridge.did.status', purpose: 'suspension', index: body.statusListIndex, value: true, actor: bureau.did });
    expect(await courtVerify(jwt)).toMatchObject({ ok: false, errorCode: 'VC_SUSPENDED' });
    expect((await post(body.id, 'suspend', bureau)).json()).toMatchObject({ suspended: true, changed: false });

    expect((await post(body.id, 'reinstate', bureau)).json()).toMatchObject({ suspended: false, changed: true });
    expect(await courtVerify(jwt)).toMatchObject({ ok: true });

    const rev = await post(body.id, 'revoke', bureau, '吊销执业证书');
    expect(rev.json()).toMatchObject({ revoked: true, changed: true });
    expect(await courtVerify(jwt)).toMatchObject({ ok: false, errorCode: 'VC_REVOKED' });
    for (const action of ['revoke', 'reinstate', 'suspend']) {
      const r = await post(body.id, action, bureau);
      expect([r.statusCode, r.json().code]).toEqual([409, 'CREDENTIAL_REVOKED_FINAL']);
    }
    const view = await w.app.inject({ method: 'GET', url: `/api/v1/issuer/credentials/${encodeURIComponent(body.id)}`, headers: await auth(bureau) });
    expect(view.json()).toMatchObject({ revoked: true, suspended: false });
  });

  it('only the issuer or a delegator above it changes the status: another issuer gets 403; the root may', async () => {
    const { res: mine } = await issue(w.ids.issuer); // the root's own credential
    expect(mine.statusCode).toBe(201);
    const r = await post(mine.json().id, 'revoke', bureau);
    expect([r.statusCode, r.json().code]).toEqual([403, 'CREDENTIAL_NOT_OWNED']);
    const g = await w.app.inject({ method: 'GET', url: `/api/v1/issuer/credentials/${encodeURIComponent(mine.json().id)}`, headers: await auth(bureau) });
    expect([g.statusCode, g.json().code]).toEqual([403, 'CREDENTIAL_NOT_OWNED']);
    const { res: theirs } = await issue(bureau);
    const byRoot = await post(theirs.json().id, 'suspend', 'issuer');
    expect(byRoot.json()).toMatchObject({ suspended: true, changed: true });
    // An admin that is no root has no say; a court has no access at all.
    expect((await post(theirs.json().id, 'revoke', 'admin')).json().code).toBe('CREDENTIAL_NOT_OWNED');
    expect((await post(theirs.json().id, 'revoke', 'court')).json().code).toBe('AUTH_FORBIDDEN');
  });

  it('coded refusals: unknown credential, invalid subject data, another issuer\'s signature, entries not reserved, not accredited', async () => {
    const unknown = await post('urn:uuid:00000000-0000-4000-8000-000000000000', 'revoke', bureau);
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'CREDENTIAL_NOT_FOUND']);

    // Invalid subject data per schemas/credentials/lawyer-license.json (signed anyway, bypassing the issuer-side check).
    const r0 = (await w.app.inject({ method: 'POST', url: '/api/v1/issuer/status-entries', headers: await auth(bureau) })).json();
    const bad = await signJwt({
      iss: bureau.did, sub: lawyer.did, nbf: now - 60, exp: now + YEAR, jti: 'urn:uuid:bad-licence',
      vc: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential', 'LawyerLicenseCredential'], credentialSchema: { id: 'https://courtbridge.example/schemas/credentials/lawyer-license/v1', type: 'JsonSchema' }, credentialStatus: r0.credentialStatus, credentialSubject: claims({ licenseNumber: 'ABC' }) },
    }, bureau.signer);
    const s = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/credentials', headers: await auth(bureau), payload: { credential: bad } });
    expect([s.statusCode, s.json().code]).toEqual([422, 'VC_SCHEMA_INVALID']);

    // A credential signed by the bureau handed in by the root: not the caller's.
    const signedByBureau = await issueCredential({ type: 'LawyerLicenseCredential', signer: bureau.signer, issuer: bureau.did, subject: lawyer.did, claims: claims(), validFrom: now - 60, validUntil: now + YEAR, status: r0.credentialStatus });
    const other = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/credentials', headers: await auth('issuer'), payload: { credential: signedByBureau } });
    expect([other.statusCode, other.json().code]).toEqual([403, 'CREDENTIAL_NOT_OWNED']);

    // Entries the hub did not reserve for this issuer (the root's reservation, or an index never reserved).
    const rootRes = (await w.app.inject({ method: 'POST', url: '/api/v1/issuer/status-entries', headers: await auth('issuer') })).json();
    const { res: stolen } = await issue(bureau, { status: () => rootRes.credentialStatus });
    expect([stolen.statusCode, stolen.json().code]).toEqual([422, 'STATUS_LIST_INVALID']);
    const { res: invented } = await issue(bureau, { status: (e) => e.map((x) => ({ ...x, id: x.id.replace(/#\d+$/, '#99999'), statusListIndex: '99999' })) });
    expect(invented.json().code).toBe('STATUS_LIST_INVALID');

    // Outside the bureau's jurisdiction (Shanghai) at issuance.
    const { res: sh } = await issue(bureau, { claims: { jurisdiction: '310101' } });
    expect([sh.statusCode, sh.json().code]).toEqual([422, 'ISSUER_NOT_ACCREDITED']);
    // An issuer whose accreditation was revoked after it reserved cannot register (not even backdated into its window).
    const former = identity();
    await w.deps.store.putMember({ did: former.did, roles: ['issuer'], enabled: true });
    const acc = await w.deps.issuers!.accredit({ issuer: former.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: now - 3600, validUntil: now + YEAR, delegatedBy: w.ids.issuer.did });
    const fr = (await w.app.inject({ method: 'POST', url: '/api/v1/issuer/status-entries', headers: await auth(former) })).json();
    await w.deps.issuers!.revoke(acc.id, w.ids.issuer.did);
    const backdated = await issueCredential({ type: 'LawyerLicenseCredential', signer: former.signer, issuer: former.did, subject: lawyer.did, claims: claims(), validFrom: now - 600, validUntil: now + YEAR, status: fr.credentialStatus });
    const bd = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/credentials', headers: await auth(former), payload: { credential: backdated } });
    expect([bd.statusCode, bd.json().code]).toEqual([422, 'ISSUER_NOT_ACCREDITED']);
    // A member with role issuer but no accreditation cannot even reserve.
    const nobody = identity();
    await w.deps.store.putMember({ did: nobody.did, roles: ['issuer'], enabled: true });
    const nr = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/status-entries', headers: await auth(nobody) });
    expect([nr.statusCode, nr.json().code]).toEqual([422, 'ISSUER_NOT_ACCREDITED']);
  });

  it('the registry is a pure function of the ledger: a replay rebuilds reservations, credentials and next index', async () => {
    const regs = new LedgerRegistries(w.ledger, [w.ids.issuer.did], 'https://hub.court.example/api/v1/public/status', w.deps.jwt);
    await regs.refresh();
    expect(regs.credentials).toBeInstanceOf(IssuedCredentials);
    const { res } = await issue(bureau);
    const id = res.json().id as string;
    await regs.refresh();
    expect(regs.credentials!.view(id)).toMatchObject({ issuer: bureau.did, statusListIndex: res.json().statusListIndex, revoked: false });
    // The replayed registry allocates after every index the live one reserved.
    const live = w.deps.credentials!;
    const nextLive = await live.reserve(bureau.did);
    await regs.refresh();
    expect((await regs.credentials!.reserve(bureau.did)).index).toBe(nextLive.index + 1);
    // What the replayed registries write themselves is not applied twice when their ledger is replayed again.
    const firm = identity();
    await regs.issuers.accredit({ issuer: firm.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110105', validFrom: now - 60, validUntil: now + YEAR, delegatedBy: bureau.did });
    const reserved = await regs.credentials!.reserve(firm.did);
    await regs.refresh();
    expect(regs.issuers.history(firm.did)).toHaveLength(1);
    expect((await regs.credentials!.reserve(firm.did)).index).toBe(reserved.index + 1);
  });
});
