/**
 * pino JSON logs for the API. Never logged: authorization headers, cookies, tokens, keys, and any field that can carry
 * a personal identifier (resident ID, name, phone, subject values). Request lines log the route pattern, never the raw path
 * or query string (either may carry a subject identifier); bodies are never logged.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

/** Fields that can carry a personal identifier (src/schema personalFields plus common names). */
export const PERSONAL_FIELDS = ['subject', 'subjectValue', 'residentId', 'idNumber', 'idCard', 'name', 'fullName', 'phone', 'mobile', 'email', 'address', 'uscc', 'licenseNumber'];

/** Secret-bearing fields. */
export const SECRET_FIELDS = ['authorization', 'cookie', 'token', 'jwt', 'jws', 'vp', 'presentation', 'privateKey', 'secret', 'password', 'passphrase', 'masterKey', 'apiKey'];

/** Keys whose values never reach a log line (the header names as well: `req.headers.authorization` and the like). */
const SCRUBBED = new Set([...SECRET_FIELDS, ...PERSONAL_FIELDS, 'x-api-key', 'set-cookie']);
const CENSOR = '[redacted]';
/** Keys are scrubbed at depth 0 (the line's own fields), 1 and 2 — pino `redact` paths `f`, `*.f`, `*.*.f`. */
const MAX_DEPTH = 2;

/**
 * `value` with every SCRUBBED key at depth ≤ MAX_DEPTH (from `depth`) replaced by `[redacted]`; objects and arrays are
 * copied only where something was replaced (the caller's object is never changed). Written here instead of pino's
 * `redact` paths `*.f` / `*.*.f` (@pinojs/redact): with wildcards for 27 field names at two depths, `redact` cost 20 µs
 * per child logger (one per request) and 60–70 µs per log line, against 1.5 and 5 µs without it (bench `api.log.line`).
 */
export function scrub(value: unknown, depth = 0, keep?: ReadonlySet<string>): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = scrub(value[i], depth + 1);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    const w = SCRUBBED.has(k) ? (v === undefined ? v : CENSOR) : keep?.has(k) ? v : scrub(v, depth + 1);
    if (w !== v) (out ??= { ...o })[k] = w;
  }
  return out ?? value;
}

/** A line's fields a serializer handles: scrubbed after serialising (below), not before. */
const SERIALIZED = new Set(['req', 'res', 'err']);

/** The route PATTERN, never the raw path or query: either may carry an identifier. */
const reqSerializer = (req: { method?: string; id?: string; ip?: string; routeOptions?: { url?: string } }) => ({ id: req.id, method: req.method, route: req.routeOptions?.url ?? '(unmatched)', remoteAddress: req.ip });

/** The API's logger writing JSON lines to `stream` (default stdout). */
export function apiLogger(opts: { level?: string; stream?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      // Child bindings (fastify's per-request `reqId`) go through pino's own redaction, with the top-level names
      // only (cheap: no wildcard); every line's fields are scrubbed to depth 2 by the log formatter, and the output
      // of the req / res / err serializers where they are applied (the formatter runs before serializers).
      redact: { paths: [...SCRUBBED].map((f) => (/^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`)), censor: CENSOR },
      formatters: { log: (obj) => scrub(obj, 0, SERIALIZED) as Record<string, unknown> },
      serializers: {
        req: (req: Parameters<typeof reqSerializer>[0]) => scrub(reqSerializer(req), 1),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: (e: Error) => scrub(pino.stdSerializers.err(e), 1),
      },
    },
    opts.stream ?? pino.destination(1),
  );
}
