/**
 * Issuer audience (judicial administration: Ministry of Justice, provincial bureaus), mounted when the trusted-issuer
 * registry (did/issuers.ts) is given: accredit a subordinate issuer and revoke an accreditation. The CALLER is the
 * delegator (`delegatedBy` / `by` come from its token, never from the body); the registry checks that the caller is a
 * configured root or holds a live accreditation covering the grant (ACCREDITATION_EXCEEDS_DELEGATOR otherwise).
 * Administrators configured as roots accredit through the same route.
 *
 * Credentials (mounted when `deps.credentials` is given; did/issued-credentials.ts): the issuer keeps its own key, the
 * hub never signs for it. `POST …/status-entries` reserves a status index for the caller; the caller signs the VC JWT
 * carrying those entries (e.g. `courtbridge vc issue --status-list … --status-index N --suspension-list …`) and
 * `POST …/credentials` registers it (signature by the caller, schema, accreditation at issuance, the caller's unused
 * reservation). `…/:id/revoke|suspend|reinstate` change its status through the hub's status lists (attested as
 * `vc revoke|suspend|reinstate` attests), only by the issuer or a delegator above it; revocation is final.
 * Admin callers reach these routes too, but the registry decides: an admin that is not a root gets the same codes.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { CredentialAction } from '../../../did/issued-credentials.js';
import type { ApiDeps } from '../deps.js';
import { fail } from '../../errors.js';
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

  const creds = deps.credentials;
  if (!creds) return;
  const STATUS_ENTRY = {
    type: 'object', required: ['id', 'type', 'statusPurpose', 'statusListIndex', 'statusListCredential'],
    properties: { id: { type: 'string' }, type: { type: 'string' }, statusPurpose: { type: 'string' }, statusListIndex: { type: 'string' }, statusListCredential: { type: 'string' } },
  } as const;
  const CREDENTIAL_STATUS = {
    type: 'object', required: ['id', 'issuer', 'type', 'statusListIndex', 'revoked', 'suspended'],
    properties: {
      id: { type: 'string' }, issuer: { type: 'string' }, type: { type: 'string' }, statusListIndex: { type: 'integer' }, revoked: { type: 'boolean' }, suspended: { type: 'boolean' },
      changed: { type: 'boolean' }, ledgerIndex: { type: 'integer' },
    },
  } as const;
  // Credential ids are the VC's `jti` (e.g. `urn:uuid:…`), printable ASCII as did/credentials/vc.ts bounds them.
  const ID_PARAMS = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 512, pattern: '^[\\x21-\\x7e]+$' } } } as const;

  app.post('/api/v1/issuer/status-entries', {
    config: ISSUER_OR_ADMIN,
    schema: {
      tags: ['issuer'], summary: 'Reserve a status index (revocation + suspension entries) for a credential the caller will sign with its own key',
      response: {
        201: { type: 'object', required: ['statusListIndex', 'credentialStatus', 'ledgerIndex'], properties: { statusListIndex: { type: 'integer' }, credentialStatus: { type: 'array', items: STATUS_ENTRY }, ledgerIndex: { type: 'integer' } } },
        ...ERROR_RESPONSES,
      },
    },
  }, async (req, reply) => {
    const r = await creds.reserve(req.principal!.did);
    void reply.code(201);
    return { statusListIndex: r.index, credentialStatus: r.entries, ledgerIndex: r.ledgerIndex };
  });

  app.post('/api/v1/issuer/credentials', {
    config: ISSUER_OR_ADMIN,
    schema: {
      tags: ['issuer'], summary: 'Register (issue) a VC JWT signed by the caller over its reserved status entries; checked for signature, schema and accreditation, attested',
      body: { type: 'object', additionalProperties: false, required: ['credential'], properties: { credential: { type: 'string', minLength: 1, maxLength: 65536 } } },
      response: {
        '2xx': {
          type: 'object', required: ['id', 'credential', 'issuer', 'type', 'statusListIndex', 'credentialStatus', 'ledgerIndex'],
          properties: {
            id: { type: 'string' }, credential: { type: 'string' }, issuer: { type: 'string' }, type: { type: 'string' }, statusListIndex: { type: 'integer' },
            credentialStatus: { type: 'array', items: STATUS_ENTRY }, ledgerIndex: { type: 'integer' },
          },
        },
        ...ERROR_RESPONSES,
      },
    },
  }, async (req, reply) => {
    const { credential: jwt } = req.body as { credential: string };
    const { credential: c, created } = await creds.register(jwt, req.principal!.did);
    void reply.code(created ? 201 : 200);
    return { id: c.id, credential: jwt, issuer: c.issuer, type: c.type, statusListIndex: c.index, credentialStatus: c.entries, ledgerIndex: c.ledgerIndex };
  });

  app.get('/api/v1/issuer/credentials/:id', {
    config: ISSUER_OR_ADMIN,
    schema: { tags: ['issuer'], summary: 'Live status of a credential the caller issued (or oversees)', params: ID_PARAMS, response: { 200: CREDENTIAL_STATUS, ...ERROR_RESPONSES } },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const view = creds.view(id);
    if (!deps.issuers!.oversees(req.principal!.did, view.issuer)) fail('CREDENTIAL_NOT_OWNED', { did: req.principal!.did, id });
    return view;
  });

  const change = (action: CredentialAction, summary: string) => app.post(`/api/v1/issuer/credentials/:id/${action}`, {
    config: ISSUER_OR_ADMIN,
    schema: {
      tags: ['issuer'], summary, params: ID_PARAMS,
      body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } } },
      response: { 200: CREDENTIAL_STATUS, ...ERROR_RESPONSES },
    },
    // The body (a reason) is optional: a POST without one is validated as `{}`.
    preValidation: async (req) => { if (req.body === undefined || req.body === null) req.body = {}; },
  }, async (req) => {
    const { id } = req.params as { id: string };
    return creds.changeStatus(id, action, req.principal!.did, (req.body as { reason?: string } | undefined)?.reason);
  });
  change('revoke', 'Revoke a credential (final), by its issuer or a delegator above it; attested');
  change('suspend', 'Suspend a credential (reversible), by its issuer or a delegator above it; attested');
  change('reinstate', 'Lift the suspension of a credential, by its issuer or a delegator above it; attested');
};
