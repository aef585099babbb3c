/** A court verifies a lawyer's presentation through the API (did/credentials PresentationVerifier, per court). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PresentationVerifier, createPresentation } from '../../did/credentials/presentation.js';
import { registryStatusChecker } from '../../did/status-credential.js';
import { world } from '../did/fixtures.js';
import { apiWorld, type ApiWorld } from './fixtures.js';

let w: ApiWorld;
let dw: Awaited<ReturnType<typeof world>>;
beforeAll(async () => {
  dw = await world();
  w = await apiWorld({ presentations: (aud) => new PresentationVerifier({ jwt: dw.jwt, issuers: dw.issuers, status: registryStatusChecker(dw.status), audience: aud }) });
});
afterAll(async () => { await w.close(); });

describe('POST /api/v1/court/presentations/verify', () => {
  it('ok for a licence presented to the calling court; replayed nonce and another court are reported, not 5xx', async () => {
    const { token } = await dw.issueLicence();
    const nonce = dw.nonce();
    const vp = await createPresentation({ holder: dw.lawyer.did, signer: dw.lawyer.signer, credentials: [token], audience: w.ids.court.did, nonce });
    const post = async (presentation: string, n: string) =>
      (await w.app.inject({ method: 'POST', url: '/api/v1/court/presentations/verify', headers: { authorization: `Bearer ${await w.token('court')}` }, payload: { presentation, nonce: n } }));
    const r = await post(vp, nonce);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true, holder: dw.lawyer.did });
    expect(r.json().steps.every((s: { status: string }) => s.status === 'ok')).toBe(true);
    const again = (await post(vp, nonce)).json();
    expect([again.ok, again.errorCode]).toEqual([false, 'VP_REPLAYED']);
    const elsewhere = await createPresentation({ holder: dw.lawyer.did, signer: dw.lawyer.signer, credentials: [token], audience: dw.court.did, nonce: 'n-elsewhere-1' });
    const e = (await post(elsewhere, 'n-elsewhere-1')).json();
    expect([e.ok, e.errorCode]).toEqual([false, 'VP_AUDIENCE_MISMATCH']);
    const junk = await post('x.y.z', 'nonce-123456');
    expect(junk.statusCode).toBe(200);
    expect(junk.json().ok).toBe(false);
  });
});
