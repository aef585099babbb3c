/** Issuer audience: accreditations by the calling delegator (did/issuers.ts), revocation, role checks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiWorld, type ApiWorld } from './fixtures.js';

let w: ApiWorld;
beforeAll(async () => { w = await apiWorld(); });
afterAll(async () => { await w.close(); });
const as = async (who: Parameters<ApiWorld['token']>[0]) => ({ authorization: `Bearer ${await w.token(who)}` });
const now = Math.floor(Date.now() / 1000);
const grant = (issuer: string, over: Record<string, unknown> = {}) => ({ issuer, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: now - 60, validUntil: now + 86_400, ...over });

describe('issuer routes', () => {
  it('the root issuer (caller = delegator) accredits a bureau; a non-delegator cannot revoke; the delegator can', async () => {
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/accreditations', headers: await as('issuer'), payload: grant(w.ids.stranger.did) });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ issuer: w.ids.stranger.did, delegatedBy: w.ids.issuer.did, jurisdiction: '110000' });
    expect(w.deps.issuers!.isAccredited(w.ids.stranger.did, 'LawyerLicenseCredential', '110105', now)).toBe(true);
    const id = r.json().id as number;
    const byAdmin = await w.app.inject({ method: 'POST', url: `/api/v1/issuer/accreditations/${id}/revoke`, headers: await as('admin') });
    expect([byAdmin.statusCode, byAdmin.json().code]).toEqual([400, 'ACCREDITATION_INVALID']);
    const ok = await w.app.inject({ method: 'POST', url: `/api/v1/issuer/accreditations/${id}/revoke`, headers: await as('issuer') });
    expect(ok.json()).toEqual({ revoked: id });
  });
  it('an admin who is not a root or accredited cannot delegate; court is forbidden; bad input is coded', async () => {
    const a = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/accreditations', headers: await as('admin'), payload: grant(w.ids.partner.did) });
    expect([a.statusCode, a.json().code]).toEqual([422, 'ACCREDITATION_EXCEEDS_DELEGATOR']);
    const c = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/accreditations', headers: await as('court'), payload: grant(w.ids.partner.did) });
    expect([c.statusCode, c.json().code]).toEqual([403, 'AUTH_FORBIDDEN']);
    const bad = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/accreditations', headers: await as('issuer'), payload: grant(w.ids.partner.did, { jurisdiction: 'beijing' }) });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'INVALID_INPUT']);
    const nf = await w.app.inject({ method: 'POST', url: '/api/v1/issuer/accreditations/999/revoke', headers: await as('issuer') });
    expect(nf.statusCode).toBe(400);
  });
});
