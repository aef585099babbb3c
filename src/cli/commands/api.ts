/**
 * `courtbridge api serve [--port P] [--host H]`: serve the HTTP API over the configured store (src/config.ts:
 * COURTBRIDGE_STORE / DATABASE_URL, master key, ledger origin and hash) until SIGINT/SIGTERM, then close the server
 * (in-flight requests finish) and the ledger (pending appends drain). The hub key is the relay's
 * (COURTBRIDGE_RELAY_KEY_FILE); COURTBRIDGE_API_ADMINS (comma-separated DIDs) are made admin members at start;
 * COURTBRIDGE_DID_WEB_DOMAIN, when set, publishes the hub's did:web document. COURTBRIDGE_ISSUER_ROOTS (comma-separated
 * DIDs, e.g. the Ministry of Justice) roots the trusted-issuer registry that the court's presentation route checks;
 * issuers and status lists are replayed from the ledger and every verification is attested to it. With roots configured
 * the issuer routes are mounted too (accreditations; with COURTBRIDGE_DID_WEB_DOMAIN also issuing, revoking and
 * suspending credentials over the hub's status lists, published at `https://<domain>/api/v1/public/status/:name`).
 * The public verification page
 * (web/serve.ts, built into web/dist) is served at `/`; COURTBRIDGE_SUBJECT_SALT (the relay's) enables the court's
 * attestation query.
 */
import { LedgerRegistries } from '../../../did/ledger-registries.js';
import { PresentationVerifier } from '../../../did/credentials/presentation.js';
import { registryStatusChecker } from '../../../did/status-credential.js';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { DidResolver } from '../../../did/resolver.js';
import { JwtVerifier } from '../../../did/jwt.js';
import { DidWebHost } from '../../../did/web-host.js';
import { loadHubKey } from '../../../relay/setup.js';
import { webPlugin } from '../../../web/serve.js';
import { buildApp } from '../../api/app.js';
import { openApiStore } from '../../api/store/open.js';
import { loadConfig } from '../../config.js';
import { subjectSaltFromEnv } from '../../ids/subject.js';
import { openBundleDeps } from '../../bundle/export.js';
import { decodeDidKey } from '../../../did/key.js';
import { asCourtBridgeError, fail, isCourtBridgeError } from '../../errors.js';
import { Ledger } from '../../ledger/ledger.js';
import { resolveMasterKey } from '../../ledger/master-key.js';
import { openStore } from '../../ledger/store/open.js';
import type { CliIo } from '../io.js';

/** A running API server. */
export interface ApiServer {
  app: FastifyInstance;
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

/** Open the store and ledger from `env` and listen on `host:port`. */
export async function serveApi(env: NodeJS.ProcessEnv, host: string, port: number, notice: (line: string) => void): Promise<ApiServer> {
  const config = loadConfig(env);
  const passphrase = resolveMasterKey(config.masterKey, notice);
  const store = await openStore(config.store, { createSchema: true });
  let ledger: Ledger;
  try {
    ledger = await Ledger.open(store, { masterKey: passphrase, groupCommitMax: config.groupCommitMax, expect: { origin: config.ledgerOrigin, hashAlg: config.ledgerHash } });
  } catch (e) {
    if (!(isCourtBridgeError(e) && e.code === 'LEDGER_NOT_INITIALIZED')) throw e;
    ledger = await Ledger.init(store, { origin: config.ledgerOrigin, hashAlg: config.ledgerHash, masterKey: passphrase, groupCommitMax: config.groupCommitMax });
    notice(`initialised ledger ${config.ledgerOrigin}`);
  }
  const apiStore = await openApiStore(store);
  const hub = loadHubKey(env.COURTBRIDGE_RELAY_KEY_FILE ?? './data/relay-key.json', passphrase, notice);
  for (const did of (env.COURTBRIDGE_API_ADMINS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (!did.startsWith('did:')) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_API_ADMINS', reason: 'comma-separated DIDs' });
    await apiStore.putMember({ did, roles: ['admin'], enabled: true });
  }
  let didHost: DidWebHost | undefined;
  if (env.COURTBRIDGE_DID_WEB_DOMAIN) {
    didHost = new DidWebHost(env.COURTBRIDGE_DID_WEB_DOMAIN, ledger);
    await didHost.publish([], [{ fragment: 'key-1', alg: 'Ed25519', publicKey: decodeDidKey(hub.did).bytes, purposes: ['authentication', 'assertionMethod'] }]);
  }
  const jwt = new JwtVerifier(new DidResolver());
  // Lawyer presentations (court route): issuers and status lists replayed from the ledger, every verification attested.
  const roots = (env.COURTBRIDGE_ISSUER_ROOTS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const r of roots) if (!r.startsWith('did:')) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_ISSUER_ROOTS', reason: 'comma-separated DIDs' });
  // Status lists need the hub's public URL (entries carry it); issued credentials need the lists.
  const statusBase = env.COURTBRIDGE_DID_WEB_DOMAIN ? `https://${env.COURTBRIDGE_DID_WEB_DOMAIN}/api/v1/public/status` : undefined;
  const registries = new LedgerRegistries(ledger, roots, statusBase ?? '', statusBase === undefined || roots.length === 0 ? undefined : jwt);
  await registries.start();
  const presentations = (courtDid: string) => new PresentationVerifier({ jwt, issuers: registries.issuers, status: registryStatusChecker(registries.status), audience: courtDid, audit: ledger });
  const bundleDeps = await openBundleDeps(ledger, config.store);
  const app = await buildApp({ ledger, store: apiStore, hubDid: hub.did, jwt, didHost, plugins: [webPlugin], presentations, bundles: bundleDeps.bundles,
    ...(roots.length === 0 ? {} : { issuers: registries.issuers, credentials: registries.credentials }),
    ...(statusBase === undefined ? {} : { statusLists: { registry: registries.status, baseUrl: statusBase, signer: hub.signer } }),
    subjectSalt: env.COURTBRIDGE_SUBJECT_SALT === undefined ? undefined : subjectSaltFromEnv(env),
  });
  const url = await app.listen({ host, port });
  return {
    app, url,
    close: async () => {
      registries.stop();
      await app.close();
      await bundleDeps.close();
      await ledger.close();
    },
  };
}

/** `courtbridge api serve`. */
export async function apiCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'serve') {
    io.err('usage: courtbridge api serve [--port P] [--host H]');
    return 2;
  }
  let values: { port?: string; host?: string };
  try {
    ({ values } = parseArgs({ args: rest, options: { port: { type: 'string' }, host: { type: 'string' } }, strict: true }));
  } catch (e) {
    io.err(`error\tINVALID_INPUT\t${(e as Error).message}`);
    return 2;
  }
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !/^\d{1,5}$/.test(values.port ?? '8080')) {
    io.err('error\tINVALID_INPUT\t--port must be 0–65535');
    return 2;
  }
  try {
    const server = await serveApi(process.env, values.host ?? '127.0.0.1', port, (l) => io.err(l));
    io.out(`courtbridge api listening on ${server.url}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    io.err('shutting down');
    await server.close();
    return 0;
  } catch (e) {
    const err = asCourtBridgeError(e);
    io.err(`error\t${err.code}\t${err.message}`);
    return 1;
  }
}
