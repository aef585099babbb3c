/**
 * Admin audience (role `admin`): the member registry (who may call the API with which roles) and, when the
 * registration module is given, approving and disabling partner registrations with the administrator's signed
 * orders (adapters/registration: threshold approvals, each attested in the ledger); with the relay too, a chain's
 * light-client trust (frozen?, misbehaviour evidence) and lifting a freeze by the administrator's signed unfreeze
 * order (`RegistrationService.unfreeze` → relay/trust.ts `TrustBook.unfreeze`, the decision attested as a registration
 * event `unfrozen` before the thawed state is stored).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Role } from '../../../did/auth.js';
import type { EvidenceTrust } from '../../../adapters/types.js';
import { misbehaviourSummary } from '../../../relay/trust.js';
import { fail } from '../../errors.js';
import { ROLES } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ERROR_RESPONSES } from '../http-errors.js';
import { CHAIN_ID, DID } from '../schemas.js';
import { REGISTRATION_SUMMARY, jwsIssuer, registrationSummary } from './partner.js';

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

  const relay = deps.relay;
  if (!relay) return;
  const SUMMARY = { type: 'object', required: ['height', 'detectedAt', 'first', 'second'], properties: { height: { type: 'integer' }, detectedAt: { type: 'integer' }, first: { type: 'string' }, second: { type: 'string' } } } as const;
  const TRUST = {
    type: 'object', required: ['chainId', 'trustId', 'kind', 'frozen'],
    properties: {
      chainId: { type: 'string' }, trustId: { type: 'string' }, kind: { type: 'string' }, frozen: { type: 'boolean' },
      checkpoint: { type: 'object', properties: { height: { type: 'integer' }, hash: { type: 'string' }, at: { type: 'integer' } } },
      misbehaviour: { type: 'array', items: SUMMARY },
      resolved: {
        type: 'array',
        items: {
          type: 'object', properties: {
            decision: { type: 'object', properties: { by: { type: 'string' }, at: { type: 'integer' }, reason: { type: 'string' }, canonicalHash: { type: 'string' } } },
            evidence: { type: 'array', items: SUMMARY },
          },
        },
      },
      ledgerIndex: { type: 'integer' },
    },
  } as const;
  const trustView = (chainId: string, trustId: string, t: EvidenceTrust) => (t.kind === 'evm-depth'
    ? { chainId, trustId, kind: t.kind, frozen: false }
    : {
        chainId, trustId, kind: t.kind, frozen: t.frozen, checkpoint: t.checkpoint, misbehaviour: t.misbehaviour.map(misbehaviourSummary),
        resolved: t.resolved.map((r) => ({ decision: r.decision, evidence: r.evidence.map(misbehaviourSummary) })),
      });
  const CHAIN_PARAMS = { type: 'object', additionalProperties: false, required: ['chainId'], properties: { chainId: CHAIN_ID } } as const;

  app.get('/api/v1/admin/chains/:chainId/trust', {
    config: ADMIN,
    schema: { tags: ['admin'], summary: "A chain's light-client trust: frozen?, checkpoint, misbehaviour evidence (summary) and past decisions", params: CHAIN_PARAMS, response: { 200: TRUST, ...ERROR_RESPONSES } },
  }, async (req) => {
    const { chainId } = req.params as { chainId: string };
    const { trustId, trust } = await relay.engine.trustOf(chainId);
    return trustView(chainId, trustId, trust ?? fail('RELAY_NO_TRUST_STATE', { chainId }));
  });

  app.post('/api/v1/admin/chains/:chainId/unfreeze', {
    config: ADMIN,
    schema: {
      tags: ['admin'], summary: "Lift a chain's freeze (after misbehaviour) with the administrator's signed unfreeze order; attested",
      params: CHAIN_PARAMS, body: JWS_BODY, response: { 200: TRUST, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const { jws } = req.body as { jws: string };
    const { chainId } = req.params as { chainId: string };
    ownOrder(jws, req.principal!.did);
    const out = await reg.service.unfreeze(chainId, jws, (decision, attest, signedAt) => relay.engine.unfreeze(chainId, decision, attest, signedAt));
    const { trustId } = await relay.engine.trustOf(chainId);
    return { ...trustView(chainId, trustId, out.state), ledgerIndex: out.ledgerIndex };
  });
};
