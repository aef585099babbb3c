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

/** pino `redact` paths: headers, top-level and one-level-nested secret and personal fields. */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]',
  ...[...SECRET_FIELDS, ...PERSONAL_FIELDS].flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

/** The API's logger writing JSON lines to `stream` (default stdout). */
export function apiLogger(opts: { level?: string; stream?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        // The route PATTERN, never the raw path or query: either may carry an identifier.
        req: (req: { method?: string; id?: string; ip?: string; routeOptions?: { url?: string } }) => ({ id: req.id, method: req.method, route: req.routeOptions?.url ?? '(unmatched)', remoteAddress: req.ip }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    opts.stream ?? pino.destination(1),
  );
}
