/**
 * Issuer audience (judicial administration: Ministry of Justice, provincial bureaus), mounted when the trusted-issuer
 * registry (did/issuers.ts) is given: accredit a subordinate issuer and revoke an accreditation. The CALLER is the
 * delegator (`delegatedBy` / `by` come from its token, never from the body); the registry checks that the caller is a
 * configured root or holds a live accreditation covering the grant (ACCREDITATION_EXCEEDS_DELEGATOR otherwise).
 * Administrators configured as roots accredit through the same route.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../deps.js';
import { ERROR_RESPONSES } from '../http-errors.js';
import { DID } from '../schemas.js';

const ISSUER_OR_ADMIN = { roles: ['issuer', 'admin'] } as const;
const ACCREDITATION = {
  type: 'object', required: ['id', 'issuer', 'credentialTypes', 'jurisdiction', 'validFrom', 'validUntil', 'delegatedBy', 'ledgerIndex'],
  properties: {
    id: { type: 'integer' }, issuer: { type: 'string' }, credentialTypes: { type: 'array', items: { type: 'string' } }, jurisdiction: { type: 'string' },
    validFrom: { type: 'integer' }, validUntil: { type: 'integer' }, delegatedBy: { type: 'string' }, ledgerIndex: { type: 'integer' }, revokedAt: { type: 'integer' },
  },
} as const;
const SECONDS = { type: 'integer', minimum: 0, maximum: 253_402_300_799 } as const;

/** The issuer plugin. */
export const issuerRoutes: FastifyPluginAsync<ApiDeps> = async (app: FastifyInstance, deps: ApiDeps) => {
  const issuers = deps.issuers;
  if (!issuers) return;

  app.post('/api/v1/issuer/accreditations', {
    config: ISSUER_OR_ADMIN,
    schema: {
      tags: ['issuer'], summary: 'Accredit an issuer for credential types in a jurisdiction (GB/T 2260 division) for a time window; the caller delegates',
      body: {
        type: 'object', additionalProperties: false, required: ['issuer', 'credentialTypes', 'jurisdiction', 'validFrom', 'validUntil'],
        properties: {
          issuer: DID, credentialTypes: { type: 'array', minItems: 1, maxItems: 8, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$' } },
          jurisdiction: { type: 'string', pattern: '^[0-9]{6}$' }, validFrom: SECONDS, validUntil: SECONDS,
        },
      },
      response: { 201: ACCREDITATION, ...ERROR_RESPONSES },
    },
  }, async (req, reply) => {
    const b = req.body as { issuer: string; credentialTypes: string[]; jurisdiction: string; validFrom: number; validUntil: number };
    const acc = await issuers.accredit({ ...b, delegatedBy: req.principal!.did });
    void reply.code(201);
    return acc;
  });

  app.post('/api/v1/issuer/accreditations/:id/revoke', {
    config: ISSUER_OR_ADMIN,
    schema: {
      tags: ['issuer'], summary: 'Revoke an accreditation from now on (by its delegator or a root)',
      params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'integer', minimum: 0, maximum: 1_000_000_000 } } },
      response: { 200: { type: 'object', required: ['revoked'], properties: { revoked: { type: 'integer' } } }, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const id = (req.params as { id: number }).id;
    await issuers.revoke(id, req.principal!.did);
    return { revoked: id };
  });
};
