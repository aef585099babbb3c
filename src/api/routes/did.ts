/**
 * DID audience (public): did:web documents the hub hosts (did:web spec §3.2: `/.well-known/did.json` for the hub,
 * `/<member path>/did.json` for members, 1–4 path segments here) and the hub's Bitstring Status List credentials
 * (W3C Bitstring Status List v1.0 §2.2) as signed JWT VCs.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { publishStatusListCredential } from '../../../did/status-credential.js';
import { fail } from '../../errors.js';
import type { ApiDeps } from '../deps.js';
import { ERROR_RESPONSES } from '../http-errors.js';

const PUBLIC = { public: true } as const;
const SEGMENT = { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,128}$' } as const;
const DID_DOCUMENT = { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string' } } } as const;

/** The did plugin. */
export const didRoutes: FastifyPluginAsync<ApiDeps> = async (app: FastifyInstance, deps: ApiDeps) => {
  const host = deps.didHost;
  if (host) {
    const serve = (path: string) => {
      const r = host.handle(path);
      return r.status === 200 ? (JSON.parse(r.body!) as unknown) : fail('DID_NOT_FOUND', { did: path.slice(0, 200) });
    };
    app.get('/.well-known/did.json', {
      config: PUBLIC,
      schema: { tags: ['did'], summary: "The hub's did:web document", response: { 200: DID_DOCUMENT, ...ERROR_RESPONSES } },
    }, async () => serve('/.well-known/did.json'));
    const names = ['p1', 'p2', 'p3', 'p4'];
    for (let depth = 1; depth <= names.length; depth++) {
      const segs = names.slice(0, depth);
      app.get(`/${segs.map((s) => `:${s}`).join('/')}/did.json`, {
        config: PUBLIC,
        schema: {
          tags: ['did'], summary: `A member's did:web document (${depth} path segment${depth > 1 ? 's' : ''})`,
          params: { type: 'object', additionalProperties: false, required: segs, properties: Object.fromEntries(segs.map((s) => [s, SEGMENT])) },
          response: { 200: DID_DOCUMENT, ...ERROR_RESPONSES },
        },
      }, async (req) => serve(`/${segs.map((s) => (req.params as Record<string, string>)[s]).join('/')}/did.json`));
    }
  }

  const lists = deps.statusLists;
  if (lists) {
    app.get('/api/v1/public/status/:name', {
      config: PUBLIC,
      schema: {
        tags: ['did'], summary: 'A BitstringStatusListCredential (JWT VC signed by the hub), content type application/vc+jwt',
        params: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } } },
        response: { 200: { type: 'string' }, ...ERROR_RESPONSES },
      },
    }, async (req, reply) => {
      const url = `${lists.baseUrl}/${(req.params as { name: string }).name}`;
      const jwt = await publishStatusListCredential(lists.registry, url, deps.hubDid, lists.signer, deps.now?.());
      void reply.type('application/vc+jwt');
      return jwt;
    });
  }
};
