/** Partner and admin audiences over the registration module (adapters/registration) on SQLite + the ledger. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signApproval, signDisable, signRegistration } from '../../adapters/registration/jws.js';
import { registrationDigest } from '../../adapters/registration/parse.js';
import { bftDocument } from '../adapters/registration/fixtures.js';
import { apiWorld, type ApiWorld } from './fixtures.js';

let w: ApiWorld;
beforeAll(async () => { w = await apiWorld(); });
afterAll(async () => { await w.close(); });
const bearer = async (who: Parameters<ApiWorld['token']>[0]) => ({ authorization: `Bearer ${await w.token(who)}` });

describe('partner and admin routes', () => {
  it('partner submits → admin lists and approves → partner sees active → admin disables', async () => {
    const doc = bftDocument(w.ids.partner.did);
    const jws = await signRegistration(doc, w.ids.partner.signer);
    const sub = await w.app.inject({ method: 'POST', url: '/api/v1/partner/registrations', headers: await bearer('partner'), payload: { jws } });
    expect(sub.statusCode).toBe(201);
    expect(sub.json()).toMatchObject({ chainId: 'bft:market-sup', version: 1, status: 'pending', partner: w.ids.partner.did });
    const list = await w.app.inject({ method: 'GET', url: '/api/v1/admin/registrations?status=pending', headers: await bearer('admin') });
    expect(list.json().registrations).toHaveLength(1);
    const approval = await signApproval({ admin: w.ids.admin.did, chainId: doc.chainId, version: 1, digest: registrationDigest(doc) }, w.ids.admin.signer);
    const ap = await w.app.inject({ method: 'POST', url: '/api/v1/admin/registrations/approve', headers: await bearer('admin'), payload: { jws: approval } });
    expect(ap.statusCode).toBe(200);
    expect(ap.json()).toMatchObject({ activated: true, approvals: 1, registration: { status: 'active' } });
    const st = await w.app.inject({ method: 'GET', url: `/api/v1/partner/chains/${encodeURIComponent(doc.chainId)}`, headers: await bearer('partner') });
    expect(st.json().versions[0]).toMatchObject({ status: 'active', version: 1 });
    const dis = await signDisable({ admin: w.ids.admin.did, chainId: doc.chainId, version: 1, reason: 'test' }, w.ids.admin.signer);
    const d = await w.app.inject({ method: 'POST', url: `/api/v1/admin/registrations/${encodeURIComponent(doc.chainId)}/disable`, headers: await bearer('admin'), payload: { jws: dis } });
    expect([d.statusCode, d.json().disabled]).toEqual([200, 1]);
  });
  it("a partner cannot submit another DID's registration nor read another partner's chain; court cannot submit", async () => {
    const other = bftDocument(w.ids.stranger.did, { chainId: 'bft:copyright' });
    const jws = await signRegistration(other, w.ids.stranger.signer);
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/partner/registrations', headers: await bearer('partner'), payload: { jws } });
    expect([r.statusCode, r.json().code]).toEqual([403, 'REGISTRATION_PARTNER_MISMATCH']);
    const c = await w.app.inject({ method: 'POST', url: '/api/v1/partner/registrations', headers: await bearer('court'), payload: { jws } });
    expect([c.statusCode, c.json().code]).toEqual([403, 'AUTH_FORBIDDEN']);
    const nf = await w.app.inject({ method: 'GET', url: '/api/v1/partner/chains/bft:nothing', headers: await bearer('partner') });
    expect([nf.statusCode, nf.json().code]).toEqual([404, 'REGISTRATION_NOT_FOUND']);
    const junk = await w.app.inject({ method: 'POST', url: '/api/v1/partner/registrations', headers: await bearer('partner'), payload: { jws: 'not.a.jws' } });
    expect(junk.statusCode).toBeLessThan(500);
    expect(junk.statusCode).toBeGreaterThanOrEqual(400);
  });
});
