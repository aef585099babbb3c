/**
 * Route audiences and DID authentication. Every route declares its audience in its route config —
 * `config: { public: true }` or `config: { roles: ['court'] }` — and a route without one fails app startup, so the
 * route table (`routeTable`) is complete and the issue-7 authorization matrix can be generated from it. One
 * onRequest hook enforces it (before the body is parsed or validated, so strangers learn nothing about input rules): public routes pass; every other route needs `Authorization: Bearer <DID-signed JWT>`
 * (did/auth.ts: aud = hub DID, lifetime ≤ 5 min, jti replay guard shared by replicas on PostgreSQL, member enabled) and one of the declared roles.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { DidAuthenticator, type MemberRegistry, type Principal, type Role } from '../../did/auth.js';
import { decodeJwt, type JwtVerifier } from '../../did/jwt.js';
import type { ReplayGuard } from '../../did/replay.js';
import { CourtBridgeError, fail, isCourtBridgeError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route (any of them). */
    roles?: readonly Role[];
    /** True for routes anyone may call. */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated caller (non-public routes). */
    principal?: Principal;
  }
}

/** One row of the route table. */
export interface RouteInfo {
  method: string;
  url: string;
  /** `'public'` or the roles allowed. */
  audience: 'public' | readonly Role[];
}

/** Every API role. */
export const ROLES: readonly Role[] = ['court', 'partner', 'admin', 'issuer'];

/** What authentication needs. */
export interface AuthDeps {
  hubDid: string;
  jwt: JwtVerifier;
  members: MemberRegistry;
  /** Seconds since the epoch (tests). */
  now?: () => number;
  /** Used-jti memory (default: this process's, did/replay.ts `MemoryReplayGuard`). */
  replay?: ReplayGuard;
}

const TABLE = Symbol('courtbridge.routeTable');

/** Record every route with its audience; reject routes without one (fails `app.ready()`). */
export function trackAudiences(app: FastifyInstance): void {
  const table: RouteInfo[] = [];
  (app as unknown as Record<symbol, RouteInfo[]>)[TABLE] = table;
  app.addHook('onRoute', (r: RouteOptions) => {
    const url = r.url;
    // Swagger UI's own static routes are public documentation.
    if (url === '/docs' || url.startsWith('/docs/')) r.config = { ...r.config, public: true };
    const cfg = r.config ?? {};
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).map(String);
    const roles = cfg.roles;
    if (cfg.public !== true && !(Array.isArray(roles) && roles.length > 0 && roles.every((x) => ROLES.includes(x)))) {
      throw new CourtBridgeError('ROUTE_AUDIENCE_MISSING', { method: methods.join(','), url });
    }
    for (const method of methods) if (method !== 'HEAD') table.push({ method, url, audience: cfg.public === true ? 'public' : [...roles!] });
  });
}

/** The route table of `app`: method, url and audience of every route (HEAD twins omitted). */
export function routeTable(app: FastifyInstance): RouteInfo[] {
  return [...((app as unknown as Record<symbol, RouteInfo[] | undefined>)[TABLE] ?? [])];
}

function bearer(request: FastifyRequest): string {
  const h = request.headers.authorization;
  if (typeof h !== 'string' || h === '') return fail('AUTH_REQUIRED', { reason: 'no Authorization header' });
  const m = /^Bearer ([A-Za-z0-9_.=-]{1,65536})$/.exec(h);
  return m ? m[1]! : fail('AUTH_REQUIRED', { reason: 'Authorization must be "Bearer <JWT>"' });
}

/**
 * Run `f`; a bearer token it finds unreadable (malformed, an unsupported `alg` such as HS256, over-long: input errors
 * 400 / 413 in the table) is a 401 AUTH_REQUIRED naming that code — RFC 6750 §3.1: a malformed access token is
 * `invalid_token`, answered 401, like every other rejected token.
 */
function unreadableIs401<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    return rethrowAsAuth(e);
  }
}

function rethrowAsAuth(e: unknown): never {
  if (isCourtBridgeError(e) && e.category === 'input') fail('AUTH_REQUIRED', { reason: `the bearer token is unreadable (${e.code})` }, e);
  throw e;
}

/** Install the audience hook (onRequest). */
export function installAuth(app: FastifyInstance, deps: AuthDeps): void {
  const authenticator = new DidAuthenticator({ hubDid: deps.hubDid, jwt: deps.jwt, members: deps.members, now: deps.now, replay: deps.replay });
  app.addHook('onRequest', async (request) => {
    const cfg = request.routeOptions.config;
    if (cfg.public === true || request.is404) return;
    const token = bearer(request);
    // Only members' DIDs are ever resolved: an unknown issuer is refused before any DID resolution (no SSRF through
    // did:web, no 5xx from a stranger's unreachable host).
    const decoded = unreadableIs401(() => decodeJwt(token));
    const iss = decoded.payload.iss;
    if (typeof iss !== 'string' || iss.length > 512) fail('JWT_CLAIM_INVALID', { claim: 'iss', reason: 'a DID is required' });
    if (!decoded.header.kid.startsWith(`${iss}#`) && !decoded.header.kid.startsWith('#')) fail('JWT_KID_UNKNOWN', { kid: decoded.header.kid.slice(0, 200), purpose: 'authentication', did: iss.slice(0, 200) });
    const member = await deps.members.get(iss);
    if (!member) fail('AUTH_MEMBER_UNKNOWN', { did: iss.slice(0, 200) });
    let principal: Principal;
    try {
      principal = await authenticator.authenticate(token, { did: iss, member });
    } catch (e) {
      // A member's DID that cannot be resolved right now is the caller's problem to fix, not a server fault.
      // The shared replay guard's own store failing is a server fault (503), not the caller's.
      if (isCourtBridgeError(e) && e.category === 'io' && e.code !== 'STORE_UNAVAILABLE') fail('AUTH_REQUIRED', { reason: `cannot resolve the caller's DID (${e.code})` });
      return rethrowAsAuth(e);
    }
    const roles = cfg.roles ?? [];
    if (!principal.roles.some((r) => roles.includes(r))) fail('AUTH_FORBIDDEN', { roles: roles.join('|') });
    request.principal = principal;
  });
}
