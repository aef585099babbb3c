/**
 * Hostile bearer tokens through the HTTP API, the complete list in one table (issue 7): each is refused by the
 * authentication hook with a coded 401 (or 403 for a disabled member), never a 400 or 5xx — RFC 6750 §3.1: a
 * malformed, expired or otherwise invalid access token is `invalid_token` (401). The verifier's own unit cases are in
 * test/did/jwt.test.ts and test/did/auth.test.ts; test/api/auth.test.ts walks a few through the API.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthToken } from '../../did/auth.js';
import { signJwt } from '../../did/jwt.js';
import { toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { identity } from '../did/fixtures.js';
import { securityWorld, type SecurityWorld } from './world.js';

let w: SecurityWorld;
beforeAll(async () => {
  w = await securityWorld();
  // A member whose did:web document cannot be fetched (nothing listens on port 1).
  await w.deps.store.putMember({ did: 'did:web:localhost%3A1:unreachable', roles: ['court'], enabled: true });
});
afterAll(async () => { await w?.close(); });

const URL = '/api/v1/court/attestations';
const b64 = (o: unknown) => toBase64Url(utf8(typeof o === 'string' ? o : JSON.stringify(o)));
const nowSec = () => Math.floor(Date.now() / 1000);
async function send(authorization: string | undefined) {
  const r = await w.app.inject({ method: 'GET', url: URL, headers: authorization === undefined ? {} : { authorization } });
  return { status: r.statusCode, code: r.json().code as string | undefined, reason: (r.json().details as { reason?: string } | undefined)?.reason };
}
/** Sign `claims` as the court (its token otherwise valid). */
const courtJwt = (claims: Record<string, unknown>, kid = w.ids.court.kid) => {
  const now = nowSec();
  return signJwt({ iss: w.ids.court.did, aud: w.hub.did, iat: now, exp: now + 60, jti: `j-${Math.random()}`, ...claims }, { ...w.ids.court.signer, kid });
};
/** Header swapped on a real court token (payload and signature kept). */
const reheader = async (header: Record<string, unknown>) => {
  const [, p, s] = (await courtJwt({})).split('.');
  return `${b64(header)}.${p}.${s}`;
};

type Case = [name: string, auth: () => Promise<string | undefined>, status: number, code: string, reason?: string];
const CASES: Case[] = [
  ['no Authorization header', async () => undefined, 401, 'AUTH_REQUIRED'],
  ['another scheme (Basic)', async () => 'Basic Y291cnQ6cGFzcw==', 401, 'AUTH_REQUIRED'],
  ['garbage (one word)', async () => 'Bearer garbage', 401, 'AUTH_REQUIRED', 'JWT_MALFORMED'],
  ['garbage (three parts, not base64url JSON)', async () => 'Bearer a.b.c', 401, 'AUTH_REQUIRED', 'JWT_MALFORMED'],
  ['payload a JSON array', async () => `Bearer ${b64({ alg: 'EdDSA', kid: w.ids.court.kid })}.${b64([1])}.${b64('s')}`, 401, 'AUTH_REQUIRED', 'JWT_MALFORMED'],
  ['oversized token (> 64 KiB)', async () => `Bearer ${'a'.repeat(70_000)}`, 401, 'AUTH_REQUIRED'],
  ['expired', async () => `Bearer ${await createAuthToken(w.ids.court.signer, w.ids.court.did, w.hub.did, nowSec() - 600)}`, 401, 'JWT_EXPIRED'],
  ['not yet valid (iat in the future)', async () => `Bearer ${await createAuthToken(w.ids.court.signer, w.ids.court.did, w.hub.did, nowSec() + 600)}`, 401, 'JWT_NOT_YET_VALID'],
  ['not yet valid (nbf in the future)', async () => `Bearer ${await courtJwt({ nbf: nowSec() + 600 })}`, 401, 'JWT_NOT_YET_VALID'],
  ['lifetime over 5 minutes', async () => `Bearer ${await courtJwt({ exp: nowSec() + 3600 })}`, 401, 'JWT_LIFETIME_TOO_LONG'],
  ['wrong audience', async () => `Bearer ${await createAuthToken(w.ids.court.signer, w.ids.court.did, 'did:web:other-hub.example')}`, 401, 'JWT_AUDIENCE_MISMATCH'],
  ['no jti', async () => `Bearer ${await courtJwt({ jti: undefined })}`, 401, 'JWT_CLAIM_INVALID'],
  ['no iss', async () => `Bearer ${await courtJwt({ iss: undefined })}`, 401, 'JWT_CLAIM_INVALID'],
  ['alg none', async () => `Bearer ${await reheader({ alg: 'none', kid: w.ids.court.kid })}`.replace(/\.[^.]*$/, '.'), 401, 'JWT_ALG_NONE'],
  ['alg NoNe', async () => `Bearer ${await reheader({ alg: 'NoNe', kid: w.ids.court.kid })}`, 401, 'JWT_ALG_NONE'],
  ['HS256 with the public key as HMAC secret', async () => {
    const now = nowSec();
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: w.ids.court.kid })}.${b64({ iss: w.ids.court.did, aud: w.hub.did, iat: now, exp: now + 60, jti: 'hs' })}`;
    return `Bearer ${input}.${toBase64Url(createHmac('sha256', w.ids.court.kp.publicKey).update(input).digest())}`;
  }, 401, 'AUTH_REQUIRED', 'UNSUPPORTED_ALGORITHM'],
  ['ES256K header on an Ed25519 key', async () => {
    const ed = w.ids.admin; // Ed25519
    const [, p, s] = (await createAuthToken(ed.signer, ed.did, w.hub.did)).split('.');
    return `Bearer ${b64({ alg: 'ES256K', typ: 'JWT', kid: ed.kid })}.${p}.${s}`;
  }, 401, 'JWT_ALG_MISMATCH'],
  ['EdDSA header on a P-256 key', async () => `Bearer ${await reheader({ alg: 'EdDSA', typ: 'JWT', kid: w.ids.court.kid })}`, 401, 'JWT_ALG_MISMATCH'],
  ['embedded jwk header (key injection)', async () => `Bearer ${await reheader({ alg: 'ES256', kid: w.ids.court.kid, jwk: { kty: 'OKP' } })}`, 401, 'AUTH_REQUIRED', 'JWT_MALFORMED'],
  ['crit header', async () => `Bearer ${await reheader({ alg: 'ES256', kid: w.ids.court.kid, crit: ['exp'] })}`, 401, 'AUTH_REQUIRED', 'JWT_MALFORMED'],
  ['a key not in the DID document', async () => `Bearer ${await courtJwt({}, `${w.ids.court.did}#not-a-key`)}`, 401, 'JWT_KID_UNKNOWN'],
  ['a kid of another DID', async () => `Bearer ${await courtJwt({}, w.ids.partner.kid)}`, 401, 'JWT_KID_UNKNOWN'],
  ['signed by another key under the member kid', async () => {
    const forger = identity('ES256');
    const now = nowSec();
    return `Bearer ${await signJwt({ iss: w.ids.court.did, aud: w.hub.did, iat: now, exp: now + 60, jti: 'forged' }, { ...forger.signer, kid: w.ids.court.kid })}`;
  }, 401, 'JWT_SIGNATURE_INVALID'],
  ['a payload edited after signing', async () => {
    const [h, , s] = (await courtJwt({})).split('.');
    const now = nowSec();
    return `Bearer ${h}.${b64({ iss: w.ids.court.did, aud: w.hub.did, iat: now, exp: now + 60, jti: 'edited', admin: true })}.${s}`;
  }, 401, 'JWT_SIGNATURE_INVALID'],
  ['a non-member', async () => `Bearer ${await w.token('stranger')}`, 401, 'AUTH_MEMBER_UNKNOWN'],
  ['a disabled member', async () => `Bearer ${await w.token('disabled')}`, 403, 'AUTH_MEMBER_DISABLED'],
  ['a member without the route role', async () => `Bearer ${await w.token('partner')}`, 403, 'AUTH_FORBIDDEN'],
  ['a member whose DID cannot be resolved', async () => {
    const k = identity();
    const did = 'did:web:localhost%3A1:unreachable';
    const now = nowSec();
    return `Bearer ${await signJwt({ iss: did, aud: w.hub.did, iat: now, exp: now + 60, jti: 'unres' }, { ...k.signer, kid: `${did}#key-1` })}`;
  }, 401, 'AUTH_REQUIRED', 'cannot resolve'],
];

describe('hostile bearer tokens → coded 401 / 403 through the API', () => {
  it('a fresh court token passes (the control)', async () => {
    expect((await send(`Bearer ${await w.token('court')}`)).status).toBe(200);
  });
  for (const [name, auth, status, code, reason] of CASES) {
    it(`${name} → ${status} ${code}${reason ? ` (${reason})` : ''}`, async () => {
      const r = await send(await auth());
      expect([r.status, r.code]).toEqual([status, code]);
      if (reason) expect(r.reason).toContain(reason);
    });
  }
  it('a replayed jti → 401 JWT_REPLAYED (the first use passes)', async () => {
    const t = await w.token('court');
    expect((await send(`Bearer ${t}`)).status).toBe(200);
    expect(await send(`Bearer ${t}`)).toMatchObject({ status: 401, code: 'JWT_REPLAYED' });
  });
  it('a token refused on one route cannot be replayed after a refusal elsewhere either (jti burnt by the first check)', async () => {
    const t = await w.token('court');
    const r = await w.app.inject({ method: 'PUT', url: `/api/v1/admin/members/${encodeURIComponent(w.ids.stranger.did)}`, headers: { authorization: `Bearer ${t}` }, payload: { roles: ['admin'], enabled: true } });
    expect([r.statusCode, r.json().code]).toEqual([403, 'AUTH_FORBIDDEN']);
    expect(await send(`Bearer ${t}`)).toMatchObject({ status: 401, code: 'JWT_REPLAYED' });
  });
});
