/**
 * Partner audience (role `partner`), mounted when the registration module is given: submit or rotate a signed
 * adapter registration (adapters/registration: the partner's compact JWS; its `iss` must be the caller), and see
 * the versions and status of its own chain.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RegistrationRecord } from '../../../adapters/registration/index.js';
import { decodeJwt } from '../../../did/jwt.js';
import { fail } from '../../errors.js';
import type { ApiDeps } from '../deps.js';
import { ERROR_RESPONSES } from '../http-errors.js';
import { CHAIN_ID } from '../schemas.js';

const PARTNER = { roles: ['partner'] } as const;

/** JSON Schema of a registration summary (no document body: partners and admins fetch the JWS itself). */
export const REGISTRATION_SUMMARY = {
  type: 'object', required: ['chainId', 'version', 'partner', 'digest', 'status', 'submittedAt', 'submittedIndex'],
  properties: {
    chainId: { type: 'string' }, version: { type: 'integer' }, partner: { type: 'string' }, digest: { type: 'string' }, status: { type: 'string' },
    submittedAt: { type: 'integer' }, submittedIndex: { type: 'integer' }, activatedAt: { type: 'integer' }, activationIndex: { type: 'integer' },
    disabledAt: { type: 'integer' }, disabledIndex: { type: 'integer' },
  },
} as const;

/** A record without its document and JWS. */
export function registrationSummary(r: RegistrationRecord) {
  const { document: _d, jws: _j, ...rest } = r;
  return rest;
}

/** The JWS `iss` claim, unverified (the service verifies the signature; this only binds it to the caller first). */
export function jwsIssuer(jws: string): unknown {
  return decodeJwt(jws).payload.iss;
}

/** The partner plugin. */
export const partnerRoutes: FastifyPluginAsync<ApiDeps> = async (app: FastifyInstance, deps: ApiDeps) => {
  const reg = deps.registrations;
  if (!reg) return;

  app.post('/api/v1/partner/registrations', {
    config: PARTNER,
    schema: {
      tags: ['partner'], summary: 'Submit (or, with rotate, update) a registration signed by the partner DID',
      body: { type: 'object', additionalProperties: false, required: ['jws'], properties: { jws: { type: 'string', minLength: 1, maxLength: 65536 }, rotate: { type: 'boolean' } } },
      response: { 201: REGISTRATION_SUMMARY, ...ERROR_RESPONSES },
    },
  }, async (req, reply) => {
    const b = req.body as { jws: string; rotate?: boolean };
    if (jwsIssuer(b.jws) !== req.principal!.did) fail('REGISTRATION_PARTNER_MISMATCH', { did: req.principal!.did, chainId: 'of this registration' });
    const rec = b.rotate === true ? await reg.service.rotate(b.jws) : await reg.service.submit(b.jws);
    void reply.code(201);
    return registrationSummary(rec);
  });

  app.get('/api/v1/partner/chains/:chainId', {
    config: PARTNER,
    schema: {
      tags: ['partner'], summary: "Versions and status of the caller's chain registration",
      params: { type: 'object', additionalProperties: false, required: ['chainId'], properties: { chainId: CHAIN_ID } },
      response: { 200: { type: 'object', required: ['chainId', 'versions'], properties: { chainId: { type: 'string' }, versions: { type: 'array', items: REGISTRATION_SUMMARY } } }, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const { chainId } = req.params as { chainId: string };
    const versions = await reg.store.versions(chainId);
    if (versions.length === 0) fail('REGISTRATION_NOT_FOUND', { chainId, version: 'any' });
    if (!versions.some((v) => v.partner === req.principal!.did)) fail('REGISTRATION_PARTNER_MISMATCH', { did: req.principal!.did, chainId });
    return { chainId, versions: versions.map(registrationSummary) };
  });
};
