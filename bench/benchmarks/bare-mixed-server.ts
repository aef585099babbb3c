/**
 * The baseline server of `api.mixed` (forked from dist/ so that it has its own event loop, as the API has): a bare
 * fastify answering the routes of the mixed load with precomputed bodies of the real API's answers (argv[2]: JSON
 * `{attestation, checkpoint, lookup, courtQuery, write}`), parsing the write's JSON body as the API does. IPC:
 * → `{ready, url}` once listening; ← `{stop}` → closes and exits 0.
 */
import Fastify from 'fastify';

/** The precomputed answers, by request kind. */
export interface BareBodies {
  attestation: string;
  checkpoint: string;
  lookup: string;
  courtQuery: string;
  write: string;
}

async function main(bodies: BareBodies): Promise<void> {
  const app = Fastify();
  const json = 'application/json; charset=utf-8';
  app.get('/api/v1/public/attestations/:index', async (_req, reply) => reply.type(json).send(bodies.attestation));
  app.get('/api/v1/public/checkpoint', async (_req, reply) => reply.type(json).send(bodies.checkpoint));
  app.get('/api/v1/public/records', async (_req, reply) => reply.type(json).send(bodies.lookup));
  app.get('/api/v1/court/attestations', async (_req, reply) => reply.type(json).send(bodies.courtQuery));
  app.post('/api/v1/court/records', async (_req, reply) => reply.code(201).type(json).send(bodies.write));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send!({ ready: true, url });
  process.on('message', (m: { stop?: true }) => {
    if (m.stop) void app.close().then(() => process.exit(0));
  });
}

if (process.send !== undefined && process.argv[2] !== undefined) {
  main(JSON.parse(process.argv[2]) as BareBodies).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
