/** Bearer tokens, roles, the route table and rate limits. */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../did/jwt.js';
import { toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { routeTable } from '../../src/api/app.js';
import { trackAudiences } from '../../src/api/auth.js';
import { identity } from '../did/fixtures.js';
import { apiWorld, docHashes, type ApiWorld } from './fixtures.js';

let w: ApiWorld;
beforeAll(async () => { w = await apiWorld(); });
afterAll(async () => { await w.close(); });

const BODY = { kind: 'e-file', documentType: '电子卷宗', caseNumber: '（2023）沪01民终77号', hashes: docHashes('efile') };
async function post(headers: Record<string, string>) {
  const r = await w.app.inject({ method: 'POST', url: '/api/v1/court/records', headers, payload: BODY });
  return [r.statusCode, r.json().code];
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('DID bearer tokens on non-public routes', () => {
  it('missing or malformed Authorization → 401 AUTH_REQUIRED', async () => {
    expect(await post({})).toEqual([401, 'AUTH_REQUIRED']);
    expect(await post({ authorization: 'Basic abc' })).toEqual([401, 'AUTH_REQUIRED']);
    expect(await post({ authorization: 'Bearer a b' })).toEqual([401, 'AUTH_REQUIRED']);
  });
  it('expired, wrong audience, replayed jti, lifetime too long → 401 coded', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await post(bearer(await w.token('court', { now: now - 600 })))).toEqual([401, 'JWT_EXPIRED']);
    expect(await post(bearer(await w.token('court', { aud: w.ids.stranger.did })))).toEqual([401, 'JWT_AUDIENCE_MISMATCH']);
    expect(await post(bearer(await w.token('court', { ttl: 3600 })))).toEqual([401, 'JWT_LIFETIME_TOO_LONG']);
    const t = await w.token('court');
    expect((await post(bearer(t)))[0]).toBe(201);
    expect(await post(bearer(t))).toEqual([401, 'JWT_REPLAYED']);
  });
  it('alg none and algorithm confusion → 401', async () => {
    const t = await w.token('court');
    const [, p, s] = t.split('.');
    const h = (o: object) => toBase64Url(utf8(JSON.stringify(o)));
    expect(await post(bearer(`${h({ alg: 'none', kid: w.ids.court.kid })}.${p}.`))).toEqual([401, 'JWT_ALG_NONE']);
    expect(await post(bearer(`${h({ alg: 'EdDSA', kid: w.ids.court.kid })}.${p}.${s}`))).toEqual([401, 'JWT_ALG_MISMATCH']);
  });
  it('a stranger, a disabled member, a kid of another DID, a forged signature', async () => {
    expect(await post(bearer(await w.token('stranger')))).toEqual([401, 'AUTH_MEMBER_UNKNOWN']);
    expect(await post(bearer(await w.token('disabled')))).toEqual([403, 'AUTH_MEMBER_DISABLED']);
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: w.ids.court.did, aud: w.hub.did, iat: now, exp: now + 60, jti: 'x1' };
    expect(await post(bearer(await signJwt(claims, { ...w.ids.stranger.signer, kid: w.ids.stranger.kid })))).toEqual([401, 'JWT_KID_UNKNOWN']);
    const forger = identity('ES256');
    expect(await post(bearer(await signJwt({ ...claims, jti: 'x2' }, { ...forger.signer, kid: w.ids.court.kid })))).toEqual([401, 'JWT_SIGNATURE_INVALID']);
  });
  it('wrong role → 403 AUTH_FORBIDDEN for every non-court member', async () => {
    for (const who of ['partner', 'admin', 'issuer'] as const) expect(await post(bearer(await w.token(who)))).toEqual([403, 'AUTH_FORBIDDEN']);
  });
  it('admin manages members: a new court member can attest; a disabled one cannot', async () => {
    const r = await w.app.inject({ method: 'PUT', url: `/api/v1/admin/members/${encodeURIComponent(w.ids.stranger.did)}`, headers: bearer(await w.token('admin')), payload: { roles: ['court'], enabled: true } });
    expect(r.statusCode).toBe(200);
    expect((await post(bearer(await w.token('stranger'))))[0]).toBe(201);
    await w.app.inject({ method: 'PUT', url: `/api/v1/admin/members/${encodeURIComponent(w.ids.stranger.did)}`, headers: bearer(await w.token('admin')), payload: { roles: ['court'], enabled: false } });
    expect(await post(bearer(await w.token('stranger')))).toEqual([403, 'AUTH_MEMBER_DISABLED']);
    const bad = await w.app.inject({ method: 'PUT', url: `/api/v1/admin/members/${encodeURIComponent(w.ids.stranger.did)}`, headers: bearer(await w.token('admin')), payload: { roles: ['root'], enabled: true } });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'INVALID_INPUT']);
  });
});

describe('route table', () => {
  it('every route declares its audience; non-public routes list roles', () => {
    const t = routeTable(w.app);
    expect(t).toContainEqual({ method: 'POST', url: '/api/v1/court/records', audience: ['court'] });
    expect(t).toContainEqual({ method: 'GET', url: '/api/v1/public/checkpoint', audience: 'public' });
    expect(t).toContainEqual({ method: 'PUT', url: '/api/v1/admin/members/:did', audience: ['admin'] });
  });
  it('a route without a declared audience fails startup with ROUTE_AUDIENCE_MISSING', async () => {
    const app = Fastify();
    trackAudiences(app);
    app.get('/ok', { config: { public: true } }, async () => 'ok');
    let code: unknown;
    try {
      app.get('/missing', async () => 'x');
      await app.ready();
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('ROUTE_AUDIENCE_MISSING');
  });
});

describe('rate limits', () => {
  it('per client address on public routes and per member on authenticated ones → 429 RATE_LIMITED', async () => {
    const w2 = await apiWorld({ rateLimit: { perMember: 2, perAddress: 3 } });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await w2.app.inject({ method: 'GET', url: '/healthz' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await w2.app.inject({ method: 'GET', url: '/healthz' });
    expect(limited.json().code).toBe('RATE_LIMITED');
    // Another address has its own budget.
    expect((await w2.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.0.0.9' })).statusCode).toBe(200);
    const c: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await w2.app.inject({ method: 'POST', url: '/api/v1/court/records', headers: bearer(await w2.token('court')), payload: { ...BODY, hashes: docHashes(`rl${i}`) } });
      c.push(r.statusCode);
    }
    expect(c).toEqual([201, 201, 429]);
    await w2.close();
  });
});
