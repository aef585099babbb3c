import { describe, expect, it } from 'vitest';
import { DidAuthenticator, MemoryMemberRegistry, createAuthToken } from '../../did/auth.js';
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier, signJwt } from '../../did/jwt.js';
import { toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { identity } from './fixtures.js';

const T = 1_800_000_000;

function setup() {
  let now = T;
  const hub = identity();
  const court = identity('ES256');
  const partner = identity('SM2');
  const members = new MemoryMemberRegistry();
  members.put({ did: court.did, roles: ['court'], enabled: true });
  members.put({ did: partner.did, roles: ['partner'], enabled: false });
  const auth = new DidAuthenticator({ hubDid: hub.did, jwt: new JwtVerifier(new DidResolver()), members, now: () => now });
  return { hub, court, partner, members, auth, tick: (s: number) => (now += s) };
}
const code = async (p: Promise<unknown>) => p.then(() => undefined, (e: { code?: string }) => e.code);

describe('DID authentication for the API', () => {
  it('a court token maps to its roles; the same token twice is a replay', async () => {
    const { hub, court, auth } = setup();
    const t = await createAuthToken(court.signer, court.did, hub.did, T);
    expect(await auth.authenticate(t)).toMatchObject({ did: court.did, roles: ['court'] });
    expect(await code(auth.authenticate(t))).toBe('JWT_REPLAYED');
  });
  it('expired, not yet valid, lifetime over 5 minutes, wrong audience, missing jti', async () => {
    const { hub, court, auth, tick } = setup();
    const t = await createAuthToken(court.signer, court.did, hub.did, T);
    tick(200);
    expect(await code(auth.authenticate(t))).toBe('JWT_EXPIRED');
    expect(await code(auth.authenticate(await createAuthToken(court.signer, court.did, hub.did, T + 200 + 3600)))).toBe('JWT_NOT_YET_VALID');
    expect(await code(auth.authenticate(await createAuthToken(court.signer, court.did, hub.did, T + 200, 301)))).toBe('JWT_LIFETIME_TOO_LONG');
    expect(await code(auth.authenticate(await createAuthToken(court.signer, court.did, identity().did, T + 200)))).toBe('JWT_AUDIENCE_MISMATCH');
    expect(await code(auth.authenticate(await signJwt({ iss: court.did, aud: hub.did, iat: T + 200, exp: T + 260 }, court.signer)))).toBe('JWT_CLAIM_INVALID');
  });
  it('alg none, algorithm confusion, key not in the DID document', async () => {
    const { hub, court, auth } = setup();
    const t = await createAuthToken(court.signer, court.did, hub.did, T);
    const [, p, s] = t.split('.');
    const h = (o: object) => toBase64Url(utf8(JSON.stringify(o)));
    expect(await code(auth.authenticate(`${h({ alg: 'none', kid: court.kid })}.${p}.`))).toBe('JWT_ALG_NONE');
    expect(await code(auth.authenticate(`${h({ alg: 'EdDSA', kid: court.kid })}.${p}.${s}`))).toBe('JWT_ALG_MISMATCH');
    const stranger = identity('ES256');
    expect(await code(auth.authenticate(await createAuthToken({ ...stranger.signer, kid: `${court.did}#not-there` }, court.did, hub.did, T)))).toBe('JWT_KID_UNKNOWN');
  });
  it('unknown and disabled members (SM2 key: consortium extension alg SM2SM3)', async () => {
    const { hub, partner, auth } = setup();
    const outsider = identity();
    expect(await code(auth.authenticate(await createAuthToken(outsider.signer, outsider.did, hub.did, T)))).toBe('AUTH_MEMBER_UNKNOWN');
    const t = await createAuthToken(partner.signer, partner.did, hub.did, T);
    expect(JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).alg).toBe('SM2SM3');
    expect(await code(auth.authenticate(t))).toBe('AUTH_MEMBER_DISABLED');
  });
});
