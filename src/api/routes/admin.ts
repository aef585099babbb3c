/**
 * Admin audience (role `admin`): the member registry (who may call the API with which roles) and, when the
 * registration module is given, approving and disabling partner registrations with the administrator's signed
 * orders (adapters/registration: threshold approvals, each attested in the ledger).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Role } from '../../../did/auth.js';
import { fail } from '../../errors.js';
import { ROLES } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ERROR_RESPONSES } from '../http-errors.js';
import { DID } from '../schemas.js';
import { CHAIN_ID, REGISTRATION_SUMMARY, jwsIssuer, registrationSummary } from './partner.js';

const ADMIN = { roles: ['admin'] } as const;
const JWS_BODY = { type: 'object', additionalProperties: false, required: ['jws'], properties: { jws: { type: 'string', minLength: 1, maxLength: 65536 } } } as const;

/** The admin plugin. */
export const adminRoutes: FastifyPluginAsync<ApiDeps> = async (app: FastifyInstance, deps: ApiDeps) => {
  app.put('/api/v1/admin/members/:did', {
    config: ADMIN,
    schema: {
      tags: ['admin'], summary: 'Add, change or disable a consortium member (roles)',
      params: { type: 'object', additionalProperties: false, required: ['did'], properties: { did: DID } },
      body: {
        type: 'object', additionalProperties: false, required: ['roles', 'enabled'],
        properties: { roles: { type: 'array', uniqueItems: true, maxItems: 4, items: { type: 'string', enum: [...ROLES] } }, enabled: { type: 'boolean' } },
      },
      response: { 200: { type: 'object', required: ['did', 'roles', 'enabled'], properties: { did: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } }, enabled: { type: 'boolean' } } }, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const { did } = req.params as { did: string };
    const b = req.body as { roles: Role[]; enabled: boolean };
    const m = { did, roles: b.roles, enabled: b.enabled };
    await deps.store.putMember(m);
    return m;
  });

  const reg = deps.registrations;
  if (!reg) return;
  const ownOrder = (jws: string, did: string) => {
    if (jwsIssuer(jws) !== did) fail('APPROVER_NOT_ADMIN', { did: 'the order signer (it is not the caller)' });
  };

  app.get('/api/v1/admin/registrations', {
    config: ADMIN,
    schema: {
      tags: ['admin'], summary: 'Every registration version, optionally by status',
      querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['pending', 'active', 'superseded', 'disabled'] } } },
      response: { 200: { type: 'object', required: ['registrations'], properties: { registrations: { type: 'array', items: REGISTRATION_SUMMARY } } }, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const { status } = req.query as { status?: 'pending' | 'active' | 'superseded' | 'disabled' };
    return { registrations: (await reg.store.list(status)).map(registrationSummary) };
  });

  app.post('/api/v1/admin/registrations/approve', {
    config: ADMIN,
    schema: {
      tags: ['admin'], summary: "Approve a registration version with the administrator's signed approval",
      body: JWS_BODY,
      response: { 200: { type: 'object', required: ['registration', 'approvals', 'activated'], properties: { registration: REGISTRATION_SUMMARY, approvals: { type: 'integer' }, activated: { type: 'boolean' } } }, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const { jws } = req.body as { jws: string };
    ownOrder(jws, req.principal!.did);
    const out = await reg.service.approve(jws);
    return { registration: registrationSummary(out.record), approvals: out.approvals.length, activated: out.activated };
  });

  app.post('/api/v1/admin/registrations/:chainId/disable', {
    config: ADMIN,
    schema: {
      tags: ['admin'], summary: "Disable a chain's registration with the administrator's signed order",
      params: { type: 'object', additionalProperties: false, required: ['chainId'], properties: { chainId: CHAIN_ID } },
      body: JWS_BODY,
      response: { 200: { type: 'object', required: ['disabled'], properties: { disabled: { type: 'integer' } } }, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const { jws } = req.body as { jws: string };
    ownOrder(jws, req.principal!.did);
    return { disabled: await reg.service.disable((req.params as { chainId: string }).chainId, jws) };
  });
};
