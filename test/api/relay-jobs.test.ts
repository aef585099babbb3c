/** Court requests a fresh attestation: an async relay job with status (engine not started here: the job stays queued). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiWorld, type ApiWorld } from './fixtures.js';

let w: ApiWorld;
beforeAll(async () => { w = await apiWorld(); });
afterAll(async () => { await w.close(); });
const court = async () => ({ authorization: `Bearer ${await w.token('court')}` });

describe('court attestation jobs', () => {
  it('202 with a queued job, idempotent per (record, height); status by id; unknown id 404; unknown chain without height 404', async () => {
    const body = { chainId: 'eip155:1337', recordType: 'dishonest-debtor', key: '（2024）京0105执123号', blockHeight: 42 };
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/court/attestations', headers: await court(), payload: body });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ state: 'queued', chainId: 'eip155:1337', blockHeight: 42, attempts: 0 });
    const again = await w.app.inject({ method: 'POST', url: '/api/v1/court/attestations', headers: await court(), payload: body });
    expect(again.json().id).toBe(r.json().id);
    const s = await w.app.inject({ method: 'GET', url: `/api/v1/court/attestations/jobs/${r.json().id}`, headers: await court() });
    expect(s.json()).toMatchObject({ id: r.json().id, state: 'queued' });
    const nf = await w.app.inject({ method: 'GET', url: '/api/v1/court/attestations/jobs/99999', headers: await court() });
    expect([nf.statusCode, nf.json().code]).toEqual([404, 'RELAY_JOB_NOT_FOUND']);
    const nc = await w.app.inject({ method: 'POST', url: '/api/v1/court/attestations', headers: await court(), payload: { ...body, blockHeight: undefined } });
    expect([nc.statusCode, nc.json().code]).toEqual([404, 'RELAY_NO_ADAPTER']);
    const inf = await w.app.inject({ method: 'POST', url: '/api/v1/court/attestations', headers: { ...(await court()), 'content-type': 'application/json' }, payload: '{"chainId":"eip155:1337","recordType":"x","key":"k","blockHeight":1e400}' });
    expect([inf.statusCode, inf.json().code, inf.json().details.field]).toEqual([400, 'INVALID_INPUT', 'body.blockHeight']);
    const partner = await w.app.inject({ method: 'POST', url: '/api/v1/court/attestations', headers: { authorization: `Bearer ${await w.token('partner')}` }, payload: body });
    expect([partner.statusCode, partner.json().code]).toEqual([403, 'AUTH_FORBIDDEN']);
  });
  it('/metrics includes the relay registry', async () => {
    expect((await w.app.inject({ method: 'GET', url: '/metrics' })).body).toContain('courtbridge_relay_jobs');
  });
  it('cached and uncached public attestation answers are identical', async () => {
    const cold = await apiWorld({ attestationCacheSize: 0 });
    for (const x of [w, cold]) {
      await x.app.inject({ method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${await x.token('court')}` }, payload: { kind: 'e-file', documentType: '卷宗', caseNumber: '（2024）京0105民初9号', hashes: { sha256: 'a'.repeat(64), sm3: 'b'.repeat(64) } } });
    }
    const a1 = (await w.app.inject({ method: 'GET', url: '/api/v1/public/attestations/0' })).json();
    const a2 = (await w.app.inject({ method: 'GET', url: '/api/v1/public/attestations/0' })).json();
    const c = (await cold.app.inject({ method: 'GET', url: '/api/v1/public/attestations/0' })).json();
    expect(a2).toEqual(a1);
    expect(Object.keys(c).sort()).toEqual(Object.keys(a1).sort());
    expect(c.inclusion.treeSize).toBe(c.checkpoint.treeSize);
    await cold.close();
  });
});
