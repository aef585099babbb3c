/**
 * Authorization matrix (issue 7), GENERATED from the route table (`routeTable(app)`) of an app with every optional
 * module mounted: every route × every caller (no token, a non-member, a member without roles, each role, and a member
 * of another organisation for each role) → the expected status and code. A route added later is in the table, so it
 * is in the matrix: the expectation comes from its `config.roles` / `config.public`. Routes whose handler also checks
 * ownership have a rule in OWNERSHIP (keyed by `METHOD url`) with a real owner and a real other organisation; a route
 * not listed there is checked at the role boundary only (allowed roles never get 401 / AUTH_FORBIDDEN).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { ROLES } from '../../src/api/auth.js';
import { routeTable, type RouteInfo } from '../../src/api/app.js';
import { ERRORS } from '../../src/errors.js';
import { signApproval, signDisable, signRegistration, signUnfreeze } from '../../adapters/registration/jws.js';
import { registrationDigest } from '../../adapters/registration/parse.js';
import { PresentationVerifier, createPresentation } from '../../did/credentials/presentation.js';
import { registryStatusChecker } from '../../did/status-credential.js';
import { bftDocument } from '../adapters/registration/fixtures.js';
import { issueCredential } from '../../did/credentials/vc.js';
import type { BitstringStatusListEntry } from '../../did/status-list.js';
import { YEAR, lawFirmUscc, world } from '../did/fixtures.js';
import { CALLERS, roleOf, securityWorld, type Caller, type SecurityWorld } from './world.js';

let w: SecurityWorld;
let dw: Awaited<ReturnType<typeof world>>;
let routes: RouteInfo[];
beforeAll(async () => {
  dw = await world();
  w = await securityWorld({ presentations: (aud) => new PresentationVerifier({ jwt: dw.jwt, issuers: dw.issuers, status: registryStatusChecker(dw.status), audience: aud }) });
  routes = routeTable(w.app);
});
afterAll(async () => { await w?.close(); });

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/** A concrete URL of a route pattern: any segment satisfies a fastify parameter; `*` gets a file name. */
function concrete(url: string): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => (name === 'id' ? '1' : `x${name}`)).replace(/\*$/, 'index.html');
}

/** The expected answer of `caller` on a route by its audience alone. */
function expected(r: RouteInfo, caller: Caller): { status: number; code: string } | 'allowed' {
  if (r.audience === 'public') return 'allowed';
  if (caller === 'public') return { status: 401, code: 'AUTH_REQUIRED' };
  if (caller === 'stranger') return { status: 401, code: 'AUTH_MEMBER_UNKNOWN' };
  const role = roleOf(caller);
  return role !== undefined && r.audience.includes(role) ? 'allowed' : { status: 403, code: 'AUTH_FORBIDDEN' };
}

interface Outcome { status: number; body: { code?: string; [k: string]: unknown } }
async function call(opts: InjectOptions): Promise<Outcome> {
  const res = await w.app.inject(opts);
  let body: Outcome['body'] = {};
  try { body = res.json(); } catch { /* not JSON (a static file, metrics text) */ }
  return { status: res.statusCode, body };
}

describe('authorization matrix: every route × every caller, from the route table', () => {
  it('the table has the routes of every optional module and every role has a caller', () => {
    const keys = routes.map(key);
    for (const k of ['POST /api/v1/court/records', 'GET /api/v1/court/attestations', 'POST /api/v1/court/attestations', 'GET /api/v1/court/attestations/jobs/:id',
      'GET /api/v1/court/attestations/:id/bundle', 'POST /api/v1/court/presentations/verify', 'POST /api/v1/partner/registrations', 'PUT /api/v1/admin/members/:did',
      'POST /api/v1/issuer/accreditations', 'GET /.well-known/did.json', 'GET /api/v1/public/status/:name', 'POST /api/v1/admin/chains/:chainId/unfreeze',
      'GET /api/v1/court/webhooks', 'POST /api/v1/issuer/credentials']) expect(keys).toContain(k);
    for (const role of ROLES) expect(CALLERS.filter((c) => roleOf(c) === role).length, role).toBe(2);
  });

  it('each (route, caller) answers as its audience says; allowed callers reach the route (no 401/403 from auth, no 5xx)', async () => {
    const seen = new Set<string>();
    const wrong: string[] = [];
    for (const r of routes) {
      for (const caller of CALLERS) {
        const hasBody = r.method !== 'GET' && r.method !== 'DELETE' && r.method !== 'OPTIONS';
        const out = await call({ method: r.method as 'GET', url: concrete(r.url), headers: await w.auth(caller), ...(hasBody ? { payload: {} } : {}) });
        const exp = expected(r, caller);
        const row = `${key(r)} as ${caller} → ${out.status} ${out.body.code ?? ''}`;
        seen.add(`${key(r)}|${caller}`);
        if (out.status >= 500) wrong.push(`${row} (5xx)`);
        else if (exp === 'allowed') {
          if (out.status === 401 || ['AUTH_FORBIDDEN', 'AUTH_REQUIRED', 'ROUTE_NOT_FOUND'].includes(out.body.code ?? '')) wrong.push(`${row} (expected allowed)`);
          else if (out.status >= 400 && !(typeof out.body.code === 'string' && Object.hasOwn(ERRORS, out.body.code))) wrong.push(`${row} (uncoded)`);
        } else if (out.status !== exp.status || out.body.code !== exp.code) wrong.push(`${row} (expected ${exp.status} ${exp.code})`);
      }
    }
    // HEAD twins of GET routes (left out of the table) are guarded like their GET.
    for (const r of routes.filter((x) => x.method === 'GET' && x.audience !== 'public')) {
      for (const caller of ['public', 'stranger', 'norole'] as const) {
        const res = await w.app.inject({ method: 'HEAD', url: concrete(r.url), headers: await w.auth(caller) });
        const exp = expected(r, caller) as { status: number };
        if (res.statusCode !== exp.status) wrong.push(`HEAD ${r.url} as ${caller} → ${res.statusCode} (expected ${exp.status})`);
      }
    }
    expect(wrong).toEqual([]);
    // Nothing left out: every route of the table met every caller.
    expect(seen.size).toBe(routes.length * CALLERS.length);
  }, 120_000);
});

/** An ownership rule: the owner's request succeeds, the same request by another organisation of the same role is refused. */
interface OwnerRule {
  owner: Caller;
  other: Caller;
  /** The request (built after `setup`), the same for both callers. */
  request(): Promise<InjectOptions>;
  setup?(): Promise<void>;
  /** The owner's status, or `past the owner check` (a coded refusal of the state, not of the caller: not 401/403). */
  ownerGets: number | 'past the owner check';
  /** What the owner's answer body must show (default: nothing more than the status). */
  ownerBody?: (b: Outcome['body']) => boolean;
  otherGets: { status: number; code: string } | { status: number; body: (b: Outcome['body']) => unknown; equals: unknown };
}

const now = Math.floor(Date.now() / 1000);
let revokeId = -1;
const HOOK_ID = `wh_${'ab'.repeat(16)}`;
let vcJwt = '';
let vcId = '';
const chainA = bftDocument('');
/** Routes whose handler checks ownership beyond the role (see the route plugins), keyed by `METHOD url`. */
const OWNERSHIP: Record<string, OwnerRule> = {
  // The registration's `iss` must be the caller (partner.ts).
  'POST /api/v1/partner/registrations': {
    owner: 'partner', other: 'partner2', ownerGets: 201, otherGets: { status: 403, code: 'REGISTRATION_PARTNER_MISMATCH' },
    request: async () => ({ method: 'POST', url: '/api/v1/partner/registrations', payload: { jws: await signRegistration(bftDocument(w.ids.partner.did, { chainId: 'bft:copyright' }), w.ids.partner.signer) } }),
  },
  // Only the chain's registered partner sees its versions.
  'GET /api/v1/partner/chains/:chainId': {
    owner: 'partner', other: 'partner2', ownerGets: 200, otherGets: { status: 403, code: 'REGISTRATION_PARTNER_MISMATCH' },
    setup: async () => {
      Object.assign(chainA, bftDocument(w.ids.partner.did));
      const r = await call({ method: 'POST', url: '/api/v1/partner/registrations', headers: await w.auth('partner'), payload: { jws: await signRegistration(chainA, w.ids.partner.signer) } });
      expect(r.status).toBe(201);
    },
    request: async () => ({ method: 'GET', url: `/api/v1/partner/chains/${encodeURIComponent(chainA.chainId)}` }),
  },
  // The signed order must be the calling administrator's own (admin.ts `ownOrder`).
  'POST /api/v1/admin/registrations/approve': {
    owner: 'admin', other: 'admin2', ownerGets: 200, otherGets: { status: 403, code: 'APPROVER_NOT_ADMIN' },
    request: async () => ({ method: 'POST', url: '/api/v1/admin/registrations/approve', payload: { jws: await signApproval({ admin: w.ids.admin.did, chainId: chainA.chainId, version: 1, digest: registrationDigest(chainA) }, w.ids.admin.signer) } }),
  },
  'POST /api/v1/admin/registrations/:chainId/disable': {
    owner: 'admin', other: 'admin2', ownerGets: 200, otherGets: { status: 403, code: 'APPROVER_NOT_ADMIN' },
    request: async () => ({ method: 'POST', url: `/api/v1/admin/registrations/${encodeURIComponent(chainA.chainId)}/disable`, payload: { jws: await signDisable({ admin: w.ids.admin.did, chainId: chainA.chainId, version: 1, reason: 'matrix' }, w.ids.admin.signer) } }),
  },
  // An unfreeze order must be the calling administrator's own; the chain here was never frozen, so the owner's order
  // passes the owner check and is refused on the chain's state.
  'POST /api/v1/admin/chains/:chainId/unfreeze': {
    owner: 'admin', other: 'admin2', ownerGets: 'past the owner check', otherGets: { status: 403, code: 'APPROVER_NOT_ADMIN' },
    request: async () => ({ method: 'POST', url: `/api/v1/admin/chains/${encodeURIComponent('bft:never-frozen')}/unfreeze`, payload: { jws: await signUnfreeze({ admin: w.ids.admin.did, chainId: 'bft:never-frozen', reason: 'matrix' }, w.ids.admin.signer) } }),
  },
  // The caller delegates: a configured root may, another issuer without an accreditation may not (did/issuers.ts).
  'POST /api/v1/issuer/accreditations': {
    owner: 'issuer', other: 'issuer2', ownerGets: 201, otherGets: { status: 422, code: 'ACCREDITATION_EXCEEDS_DELEGATOR' },
    request: async () => ({ method: 'POST', url: '/api/v1/issuer/accreditations', payload: { issuer: w.ids.stranger.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: now - 60, validUntil: now + 86_400 } }),
  },
  // Only the delegator (or a root) revokes an accreditation.
  'POST /api/v1/issuer/accreditations/:id/revoke': {
    owner: 'issuer', other: 'issuer2', ownerGets: 200, otherGets: { status: 400, code: 'ACCREDITATION_INVALID' },
    setup: async () => {
      revokeId = (await w.deps.issuers!.accredit({ issuer: w.others.court2.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: now - 60, validUntil: now + 86_400, delegatedBy: w.ids.issuer.did })).id;
    },
    request: async () => ({ method: 'POST', url: `/api/v1/issuer/accreditations/${revokeId}/revoke` }),
  },
  // A presentation is addressed to one court: another court gets a report saying so, never the holder's claims.
  'POST /api/v1/court/presentations/verify': {
    owner: 'court', other: 'court2', ownerGets: 200, ownerBody: (b) => b.ok === true,
    otherGets: { status: 200, body: (b) => [b.ok, b.errorCode, (b.credentials as unknown[] | undefined)?.length ?? 0], equals: [false, 'VP_AUDIENCE_MISMATCH', 0] },
    request: async () => {
      const nonce = dw.nonce();
      const { token } = await dw.issueLicence();
      return { method: 'POST', url: '/api/v1/court/presentations/verify', payload: { presentation: await createPresentation({ holder: dw.lawyer.did, signer: dw.lawyer.signer, credentials: [token], audience: w.ids.court.did, nonce }), nonce } };
    },
  },
  // Webhooks belong to the court that registered them (court-webhooks.ts `own`): another court finds nothing.
  'GET /api/v1/court/webhooks/:id/deliveries': {
    owner: 'court', other: 'court2', ownerGets: 200, otherGets: { status: 404, code: 'WEBHOOK_NOT_FOUND' },
    setup: async () => {
      // Stored directly: registering through the route needs a partner chain to subscribe to.
      expect(await w.deps.webhooks!.store.create({ id: HOOK_ID, ownerDid: w.ids.court.did, url: 'https://court-1.example/hook', chainId: 'eip155:1', recordType: 'enterprise-info', createdAt: Date.now() }, 32)).toBe(true);
    },
    request: async () => ({ method: 'GET', url: `/api/v1/court/webhooks/${HOOK_ID}/deliveries` }),
  },
  'GET /api/v1/court/webhooks': {
    owner: 'court', other: 'court2', ownerGets: 200, ownerBody: (b) => JSON.stringify(b).includes(HOOK_ID),
    otherGets: { status: 200, body: (b) => JSON.stringify(b).includes(HOOK_ID), equals: false },
    request: async () => ({ method: 'GET', url: '/api/v1/court/webhooks' }),
  },
  'DELETE /api/v1/court/webhooks/:id': {
    owner: 'court', other: 'court2', ownerGets: 200, otherGets: { status: 404, code: 'WEBHOOK_NOT_FOUND' },
    request: async () => ({ method: 'DELETE', url: `/api/v1/court/webhooks/${HOOK_ID}` }),
  },
  // Issued credentials belong to their issuer (or a delegator above it): did/issued-credentials.ts.
  'POST /api/v1/issuer/credentials': {
    owner: 'issuer', other: 'issuer2', ownerGets: 201, otherGets: { status: 403, code: 'CREDENTIAL_NOT_OWNED' },
    setup: async () => {
      const r = await call({ method: 'POST', url: '/api/v1/issuer/status-entries', headers: await w.auth('issuer') });
      expect(r.status).toBe(201);
      const issuer = w.ids.issuer;
      vcJwt = await issueCredential({
        type: 'LawyerLicenseCredential', signer: issuer.signer, issuer: issuer.did, subject: dw.lawyer.did, validFrom: now - 60, validUntil: now + YEAR,
        status: r.body.credentialStatus as BitstringStatusListEntry[],
        claims: { name: '张三', licenseNumber: '11101201010123456', lawFirm: { name: '北京某某律师事务所', uscc: lawFirmUscc() }, jurisdiction: '110105', status: 'practising', annualRegistrationValidUntil: new Date((now + YEAR) * 1000).toISOString().slice(0, 10) },
      });
    },
    request: async () => ({ method: 'POST', url: '/api/v1/issuer/credentials', payload: { credential: vcJwt } }),
    ownerBody: (b) => { vcId = typeof b.id === 'string' ? b.id : ''; return vcId.startsWith('urn:uuid:'); },
  },
  'GET /api/v1/issuer/credentials/:id': {
    owner: 'issuer', other: 'issuer2', ownerGets: 200, otherGets: { status: 403, code: 'CREDENTIAL_NOT_OWNED' },
    request: async () => ({ method: 'GET', url: `/api/v1/issuer/credentials/${encodeURIComponent(vcId)}` }),
  },
  ...Object.fromEntries(['suspend', 'reinstate', 'revoke'].map((action) => [`POST /api/v1/issuer/credentials/:id/${action}`, {
    owner: 'issuer', other: 'issuer2', ownerGets: 200, otherGets: { status: 403, code: 'CREDENTIAL_NOT_OWNED' },
    request: async () => ({ method: 'POST', url: `/api/v1/issuer/credentials/${encodeURIComponent(vcId)}/${action}` }),
  } satisfies OwnerRule])),
};
/** Reviewed routes of court-wide data (no per-court owner): any court reads them, as any court queries attestations. */
const SHARED = ['GET /api/v1/court/attestations', 'GET /api/v1/court/attestations/jobs/:id', 'GET /api/v1/court/attestations/:id/bundle', 'POST /api/v1/court/attestations', 'POST /api/v1/court/records'];

describe('ownership rules (a member of another organisation with the same role)', () => {
  it('every rule names a route of the table (no stale rule) and its callers hold an allowed role', () => {
    const table = new Map(routes.map((r) => [key(r), r]));
    for (const [k, rule] of [...Object.entries(OWNERSHIP)]) {
      const r = table.get(k);
      expect(r, k).toBeDefined();
      expect(expected(r!, rule.owner), k).toBe('allowed');
      expect(expected(r!, rule.other), k).toBe('allowed');
    }
    for (const k of SHARED) expect(table.has(k), k).toBe(true);
  });

  for (const [k, rule] of Object.entries(OWNERSHIP)) {
    it(`${k}: ${rule.owner} (owner) → ${rule.ownerGets}; ${rule.other} → ${'code' in rule.otherGets ? `${rule.otherGets.status} ${rule.otherGets.code}` : `${rule.otherGets.status}, refused in the body`}`, async () => {
      await rule.setup?.();
      const req = await rule.request();
      // The other organisation first: a refused request must not consume the owner's.
      const other = await call({ ...req, headers: await w.auth(rule.other) });
      if ('code' in rule.otherGets) expect([other.status, other.body.code]).toEqual([rule.otherGets.status, rule.otherGets.code]);
      else {
        expect(other.status).toBe(rule.otherGets.status);
        expect(rule.otherGets.body(other.body)).toEqual(rule.otherGets.equals);
      }
      const mine = await call({ ...(await rule.request()), headers: await w.auth(rule.owner) });
      if (rule.ownerGets === 'past the owner check') {
        expect([401, 403].includes(mine.status) || mine.status >= 500, JSON.stringify(mine.body).slice(0, 300)).toBe(false);
        expect(Object.hasOwn(ERRORS, mine.body.code ?? ''), JSON.stringify(mine.body).slice(0, 300)).toBe(true);
      } else expect(mine.status, JSON.stringify(mine.body).slice(0, 300)).toBe(rule.ownerGets);
      if (rule.ownerBody) expect(rule.ownerBody(mine.body), JSON.stringify(mine.body).slice(0, 300)).toBe(true);
    });
  }
});
