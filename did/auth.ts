/**
 * DID authentication for the API: a member signs a short-lived JWT with a key listed under `authentication` in its
 * DID document; the hub checks, in order:
 *  1. the JWT (./jwt.ts: size, alg none, algorithm confusion, kid in the DID document, signature, exp/nbf, aud = hub);
 *  2. lifetime: `iat` and `exp` present, `exp − iat` ≤ 5 minutes, `iat` not in the future (JWT_LIFETIME_TOO_LONG,
 *     JWT_NOT_YET_VALID, JWT_CLAIM_INVALID);
 *  3. `jti` not seen before (JWT_REPLAYED; remembered until the token's own expiry, by a `ReplayGuard` of ./replay.ts:
 *     this process's memory by default, or shared by API replicas through their database);
 *  4. the DID is a member and enabled (AUTH_MEMBER_UNKNOWN, AUTH_MEMBER_DISABLED) → its roles.
 */
import { randomUUID } from 'node:crypto';
import { fail } from '../src/errors.js';
import { numericDate, signJwt, type JwsSigner, type JwtVerifier } from './jwt.js';
import { MemoryReplayGuard, type ReplayGuard } from './replay.js';

/** API roles. */
export type Role = 'court' | 'partner' | 'admin' | 'issuer';

/** A consortium member as the member registry knows it. */
export interface Member {
  did: string;
  roles: Role[];
  enabled: boolean;
}

/** The member registry (the API issue backs it with the database). */
export interface MemberRegistry {
  get(did: string): Promise<Member | undefined>;
}

/** An in-memory member registry. */
export class MemoryMemberRegistry implements MemberRegistry {
  private readonly members = new Map<string, Member>();

  /** Add or replace a member. */
  put(m: Member): void {
    this.members.set(m.did, { ...m, roles: [...m.roles] });
  }

  /** Look a member up. */
  async get(did: string): Promise<Member | undefined> {
    return this.members.get(did);
  }
}

/** Longest accepted token lifetime (issue 4: exp ≤ 5 minutes). */
export const MAX_AUTH_LIFETIME_SEC = 300;

/** An authenticated caller. */
export interface Principal {
  did: string;
  roles: Role[];
  jti: string;
  exp: number;
}

/** Build an authentication token for `hubDid` (client side; default lifetime 2 minutes). */
export async function createAuthToken(signer: JwsSigner, did: string, hubDid: string, now = Math.floor(Date.now() / 1000), ttlSec = 120): Promise<string> {
  return signJwt({ iss: did, aud: hubDid, iat: now, exp: now + ttlSec, jti: randomUUID() }, signer);
}

/** Authenticates API callers by DID-signed JWTs. */
export class DidAuthenticator {
  private readonly replay: ReplayGuard;
  private readonly now: () => number;

  /** `hubDid` is the required audience. */
  constructor(
    private readonly o: { hubDid: string; jwt: JwtVerifier; members: MemberRegistry; now?: () => number; skewSec?: number; replayCacheMax?: number; replay?: ReplayGuard },
  ) {
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
    this.replay = o.replay ?? new MemoryReplayGuard(o.replayCacheMax ?? 1_000_000, this.now);
  }

  /**
   * Check `token` (steps 1–4) and return the caller, or throw a coded error. `known`: a DID's member row the caller
   * has just read (the API reads it before any DID resolution), used instead of a second read when the token's
   * verified issuer is that DID.
   */
  async authenticate(token: unknown, known?: { did: string; member: Member | undefined }): Promise<Principal> {
    const now = this.now();
    const skew = this.o.skewSec ?? 30;
    // One token per request: its signature is checked off the event loop (JwtVerifier `offload`).
    const jwt = await this.o.jwt.verify(token, { purpose: 'authentication', audience: this.o.hubDid, now, skewSec: skew, offload: true });
    const p = jwt.payload;
    const iat = numericDate(p, 'iat') ?? fail('JWT_CLAIM_INVALID', { claim: 'iat', reason: 'required' });
    const exp = numericDate(p, 'exp') ?? fail('JWT_CLAIM_INVALID', { claim: 'exp', reason: 'required' });
    if (exp - iat > MAX_AUTH_LIFETIME_SEC) fail('JWT_LIFETIME_TOO_LONG', { seconds: exp - iat, max: MAX_AUTH_LIFETIME_SEC });
    if (iat > now + skew) fail('JWT_NOT_YET_VALID', { nbf: iat });
    const jti = typeof p.jti === 'string' && p.jti.length > 0 && p.jti.length <= 128 ? p.jti : fail('JWT_CLAIM_INVALID', { claim: 'jti', reason: 'a string of 1–128 characters is required' });
    // Remembered until the token could no longer pass the exp check (exp + skew).
    if (!(await this.replay.firstUse(jwt.issuer, jti, exp + skew))) fail('JWT_REPLAYED', { jti: jti.slice(0, 64) });
    const member = known !== undefined && known.did === jwt.issuer ? known.member : await this.o.members.get(jwt.issuer);
    if (!member) fail('AUTH_MEMBER_UNKNOWN', { did: jwt.issuer });
    if (!member.enabled) fail('AUTH_MEMBER_DISABLED', { did: jwt.issuer });
    return { did: jwt.issuer, roles: [...member.roles], jti, exp };
  }
}
