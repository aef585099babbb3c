/**
 * One error path for the HTTP API: every failure leaves as `{code, message, details}` with the status of its row in
 * src/errors.ts. Bad input is always a coded 4xx (validation → INVALID_INPUT naming the field, body too large →
 * TOO_LARGE, bad JSON → MALFORMED_JSON, unknown route → ROUTE_NOT_FOUND); anything unexpected is a bare 500
 * INTERNAL with no stack, cause or internals in the body (the log keeps them, redacted).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CourtBridgeError, isCourtBridgeError } from '../errors.js';

/** Largest accepted request body (bytes). Court records and registrations are a few KiB. */
export const BODY_LIMIT = 256 * 1024;

function fieldOf(e: FastifyError): string {
  const v = e.validation?.[0];
  const ctx = e.validationContext ?? 'request';
  if (!v) return ctx;
  const missing = (v.params as { missingProperty?: string; additionalProperty?: string } | undefined);
  const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const leaf = missing?.missingProperty ?? missing?.additionalProperty;
  return [ctx, path, leaf].filter((x) => x !== undefined && x !== '').join('.');
}

/** Map anything thrown in a request to the coded error the client sees. */
export function toCourtBridgeError(err: unknown): CourtBridgeError {
  if (isCourtBridgeError(err)) return err;
  const e = err as Partial<FastifyError> & { type?: string };
  if (e && Array.isArray(e.validation)) {
    const v = e.validation[0];
    return new CourtBridgeError('INVALID_INPUT', { field: fieldOf(e as FastifyError), reason: (v?.message ?? 'invalid').slice(0, 200) });
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CourtBridgeError('TOO_LARGE', { field: 'body', limit: BODY_LIMIT });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CourtBridgeError('UNSUPPORTED_MEDIA_TYPE', { contentType: 'of the request' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new CourtBridgeError('MALFORMED_JSON', { field: 'body', reason: 'empty body with content-type application/json' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new CourtBridgeError('MALFORMED_JSON', { field: 'body', reason: 'cannot be parsed' });
    default:
      break;
  }
  if (err instanceof SyntaxError && e.statusCode === 400) return new CourtBridgeError('MALFORMED_JSON', { field: 'body', reason: 'cannot be parsed' });
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new CourtBridgeError('TOO_LARGE', { field: 'body', limit: BODY_LIMIT });
    if (e.statusCode === 415) return new CourtBridgeError('UNSUPPORTED_MEDIA_TYPE', { contentType: 'of the request' });
    return new CourtBridgeError('INVALID_INPUT', { field: 'request', reason: typeof e.code === 'string' ? e.code : 'rejected' });
  }
  return new CourtBridgeError('INTERNAL', {}, { cause: err });
}

/** Install the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const e = toCourtBridgeError(err);
    if (e.status >= 500) request.log.error({ code: e.code, err: e.code === 'INTERNAL' ? err : e }, 'request failed');
    else request.log.info({ code: e.code, status: e.status }, 'request rejected');
    if (e.code === 'RATE_LIMITED') void reply.header('retry-after', String(e.details.retryAfterSec ?? 1));
    return reply.code(e.status).type('application/json; charset=utf-8').send(e.toJSON());
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const e = new CourtBridgeError('ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0]!.slice(0, 200) });
    return reply.code(e.status).send(e.toJSON());
  });
}

/** JSON Schema of every error body (OpenAPI `4xx` / `5xx` responses). */
export const ERROR_SCHEMA = {
  $id: 'CourtBridgeError',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

/** Error responses every route declares. */
export const ERROR_RESPONSES = { '4xx': { $ref: 'CourtBridgeError#' }, '5xx': { $ref: 'CourtBridgeError#' } } as const;

/**
 * Reject non-finite numbers after validation. DIFF FROM SPEC (JSON Schema): ajv accepts `Infinity` as an `integer`
 * within any `maximum` (coerced from "1e400" in a query, or parsed from `1e400` in a JSON body), so every number the
 * handlers see is checked here once; depth is bounded like the body itself.
 */
export function assertFinite(value: unknown, field: string, depth = 0): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CourtBridgeError('INVALID_INPUT', { field, reason: 'must be a finite number' });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth > 64) throw new CourtBridgeError('TOO_LARGE', { field, limit: 'nesting depth 64' });
  for (const [k, v] of Object.entries(value)) assertFinite(v, `${field}.${k.slice(0, 64)}`, depth + 1);
}
