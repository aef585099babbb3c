/**
 * The CourtBridge HTTP API (fastify 5): `buildApp(deps)` wires one plugin per audience (public, did, court, partner,
 * admin, issuer), each owning its routes and JSON Schemas (validation, types and OpenAPI at once); OpenAPI 3 at
 * `/openapi.json`, Swagger UI at `/docs`; `/healthz`, `/readyz`, Prometheus `/metrics`; errors from the one table;
 * redacted pino logs; DID-signed bearer tokens with per-route roles; rate limits per member and per client address.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import { StoreReplayGuard } from '../../did/replay.js';
import { CourtBridgeError } from '../errors.js';
import { installAuth, routeTable, trackAudiences } from './auth.js';
import type { ApiDeps } from './deps.js';
import { BODY_LIMIT, ERROR_RESPONSES, ERROR_SCHEMA, assertFinite, installErrorHandlers } from './http-errors.js';
import { apiLogger } from './logging.js';
import { METRICS_CONTENT_TYPE, httpMetrics, metricsText } from './metrics.js';
import { courtRoutes } from './routes/court.js';
import { didRoutes } from './routes/did.js';
import { publicRoutes } from './routes/public.js';
import { partnerRoutes } from './routes/partner.js';
import { adminRoutes } from './routes/admin.js';
import { issuerRoutes } from './routes/issuer.js';

export type { ApiDeps } from './deps.js';
export { routeTable, type RouteInfo } from './auth.js';

/** Longest path parameter (a did:web member path segment, a DID, an index). */
export const MAX_PARAM_LENGTH = 600;

/** Default rate limits (requests per minute). */
export const DEFAULT_RATE_LIMIT = { perMember: 600, perAddress: 300 } as const;

/** Build the API (not listening; call `app.listen` or `app.inject`). Rejects on `ready()` if a route lacks an audience. */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: apiLogger(deps.log),
    bodyLimit: BODY_LIMIT,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: false, allErrors: false } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Router-level failures (malformed URL encoding, over-long path parameters) answer from the table too.
    frameworkErrors: (err, _req, reply) => {
      const e = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new CourtBridgeError('TOO_LARGE', { field: 'path parameter', limit: MAX_PARAM_LENGTH })
        : new CourtBridgeError('INVALID_INPUT', { field: 'url', reason: typeof err.code === 'string' ? err.code : 'malformed' });
      void (reply as unknown as FastifyReply).code(e.status).send(e.toJSON());
    },
  }) as unknown as FastifyInstance;
  trackAudiences(app);
  installErrorHandlers(app);
  app.addSchema(ERROR_SCHEMA);

  const m = httpMetrics();
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    m.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    m.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'CourtBridge API', version: '1', description: 'Cross-chain relay and DID hub of the judicial blockchain consortium' },
      components: { securitySchemes: { didBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'DID-signed JWT (aud = hub DID, exp ≤ 5 min, unique jti)' } } },
    },
    transform: ({ schema, url, route }) => {
      const cfg = (route as { config?: { public?: boolean; roles?: readonly string[] } }).config;
      const s = { ...(schema as Record<string, unknown>) };
      if (cfg && cfg.public !== true) {
        s.security = [{ didBearer: [] }];
        s.description = `Roles: ${(cfg.roles ?? []).join(', ')}`;
      }
      return { schema: s as never, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  if (deps.rateLimit !== false) {
    const limits = deps.rateLimit ?? DEFAULT_RATE_LIMIT;
    await app.register(rateLimit, {
      // After authentication (onRequest), before the body is parsed: the key is the member's DID on authenticated routes.
      hook: 'preParsing',
      timeWindow: 60_000,
      max: (req) => (req.principal ? limits.perMember : limits.perAddress),
      keyGenerator: (req) => (req.principal ? `member:${req.principal.did}` : `addr:${req.ip}`),
      errorResponseBuilder: (_req, ctx) => new CourtBridgeError('RATE_LIMITED', { max: ctx.max, window: ctx.after, retryAfterSec: Math.ceil(ctx.ttl / 1000) }),
    });
  }
  app.addHook('preHandler', async (req) => {
    assertFinite(req.params, 'params');
    assertFinite(req.query, 'querystring');
    assertFinite(req.body, 'body');
  });
  const replayMode = deps.replayGuard ?? (deps.store.kind === 'postgres' ? 'store' : 'memory');
  const replay = typeof replayMode === 'object' ? replayMode : replayMode === 'store' ? new StoreReplayGuard(deps.store, { now: deps.now }) : undefined;
  installAuth(app, { hubDid: deps.hubDid, jwt: deps.jwt, members: deps.members ?? deps.store, now: deps.now, replay });

  const SYSTEM = { public: true } as const;
  app.get('/healthz', { config: SYSTEM, schema: { tags: ['system'], summary: 'The process is up', response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' }));
  app.get('/readyz', {
    config: SYSTEM,
    schema: { tags: ['system'], summary: 'The store answers', response: { 200: { type: 'object', properties: { status: { type: 'string' }, treeSize: { type: 'integer' } } }, ...ERROR_RESPONSES } },
  }, async () => {
    await deps.store.ping();
    return { status: 'ready', treeSize: await deps.ledger.size() };
  });
  app.get('/metrics', { config: SYSTEM, schema: { tags: ['system'], summary: 'Prometheus text exposition', response: { 200: { type: 'string' } } } },
    async (_req, reply) => {
      void reply.type(METRICS_CONTENT_TYPE);
      return metricsText(deps.metrics);
    });
  app.get('/openapi.json', { config: SYSTEM, schema: { hide: true, response: { 200: { type: 'object', additionalProperties: true } } } },
    async () => app.swagger());

  await app.register(publicRoutes, deps);
  await app.register(didRoutes, deps);
  await app.register(courtRoutes, deps);
  await app.register(partnerRoutes, deps);
  await app.register(adminRoutes, deps);
  await app.register(issuerRoutes, deps);
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  await app.ready();
  return app;
}

