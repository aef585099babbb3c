/**
 * Serving the built public verification page (web/dist, produced by `npm run build:web`): `webPlugin` is a fastify
 * plugin the API registers (`await app.register(webPlugin)`, before `app.ready()`) to serve it at `/` through
 * @fastify/static. Every route is declared with `config: { public: true }` (the API refuses routes without an
 * audience) and hidden from OpenAPI; only the files present in web/dist at registration are routed — no wildcard,
 * so no path traversal and no shadowing of API routes.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Find web/dist from this file, both from source (web/serve.ts) and from the tsc output (dist/web/serve.js). */
function webRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'dist'), resolve(here, '..', '..', 'web', 'dist')];
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? candidates[0]!;
}

/** Absolute path of the built page (web/dist). */
export const WEB_ROOT = webRoot();

/** The page's files (flat directory), or [] when the page is not built. */
export function webFiles(root = WEB_ROOT): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((f) => /^[A-Za-z0-9._-]+$/.test(f) && statSync(join(root, f)).isFile());
}

/** Fastify plugin serving the page: `/` → index.html, `/<file>` for each built file. Public, hidden from OpenAPI. */
export async function webPlugin(app: FastifyInstance): Promise<void> {
  const files = webFiles();
  // serve: false — only `reply.sendFile` is wanted; the routes are ours so that they carry the audience config.
  await app.register(fastifyStatic, { root: WEB_ROOT, serve: false });
  const opts = { config: { public: true }, schema: { hide: true } } as const;
  if (files.includes('index.html')) app.get('/', opts, (_req, reply) => reply.sendFile('index.html'));
  for (const f of files) app.get(`/${f}`, opts, (_req, reply) => reply.sendFile(f));
}
