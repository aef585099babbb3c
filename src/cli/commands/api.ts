/**
 * `courtbridge api serve [--port P] [--host H] [--with-relay]`: serve the HTTP API over the configured store (src/config.ts:
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
 *
 * Over the SAME store and ledger (one ledger per process and database):
 * - COURTBRIDGE_ADMINS (with COURTBRIDGE_APPROVAL_THRESHOLD, adapters/registration/config.ts) mounts the partner
 *   registration routes and the admin approve/disable routes (the service of the CLI `adapter` commands);
 * - COURTBRIDGE_SUBJECT_SALT also mounts the relay routes — a court requests a fresh attestation (a durable job in the
 *   shared queue) and reads its status, registers webhooks (URL rule COURTBRIDGE_WEBHOOK_ALLOW_HTTP_LOCALHOST), and an
 *   admin reads a chain's trust and lifts a freeze — with the engine `relay run` builds (relay/setup.ts
 *   `openRelayParts`: the same chains, hub signer and salt). It is NOT started here: `courtbridge relay run` processes
 *   claim and run the jobs, deliver the webhooks and pick up the subscriptions stored here within
 *   COURTBRIDGE_RELAY_REGISTRATION_REFRESH_MS. `--with-relay` starts it in this process too (single-process
 *   deployments; with COURTBRIDGE_SEQUENCER_LEASE_MS the ledger then appends under the sequencer lease).
 */
import { LedgerRegistries } from '../../../did/ledger-registries.js';
import { PresentationVerifier } from '../../../did/credentials/presentation.js';
import { registryStatusChecker } from '../../../did/status-credential.js';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { DidResolver } from '../../../did/resolver.js';
import { JwtVerifier } from '../../../did/jwt.js';
import { DidWebHost } from '../../../did/web-host.js';
import { loadHubKey, openRelayParts, relayChainsFileFromEnv, relayOwnerId, sequencerFromEnv } from '../../../relay/setup.js';
import { webPlugin } from '../../../web/serve.js';
import { buildApp } from '../../api/app.js';
import { openApiStore } from '../../api/store/open.js';
import { loadConfig, type Config } from '../../config.js';
import type { ApiDeps } from '../../api/deps.js';
import type { JwsSigner } from '../../../did/jwt.js';
import { loadRegistrationConfig } from '../../../adapters/registration/config.js';
import { openRegistrationStore } from '../../../adapters/registration/store.js';
import { registrationServiceFromEnv } from '../../../adapters/registration/service-from-env.js';
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

/** Options of `serveApi`. */
export interface ServeApiOptions {
  /** Start the relay engine in this process (workers, subscriptions, webhook deliveries): single-process deployments. */
  withRelay?: boolean;
}

/** Open the store and ledger from `env` and listen on `host:port`. */
export async function serveApi(env: NodeJS.ProcessEnv, host: string, port: number, notice: (line: string) => void, opts: ServeApiOptions = {}): Promise<ApiServer> {
  const config = loadConfig(env);
  const withRelay = opts.withRelay === true;
  if (withRelay && env.COURTBRIDGE_SUBJECT_SALT === undefined) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_SUBJECT_SALT', reason: 'required by --with-relay' });
  const registrationsOn = (env.COURTBRIDGE_ADMINS ?? '').trim() !== '';
  if (registrationsOn) loadRegistrationConfig(env); // a bad admin set fails before anything is opened
  if (env.COURTBRIDGE_SUBJECT_SALT !== undefined) {
    subjectSaltFromEnv(env);
    relayChainsFileFromEnv(env);
  }
  const passphrase = resolveMasterKey(config.masterKey, notice);
  const hub = loadHubKey(env.COURTBRIDGE_RELAY_KEY_FILE ?? './data/relay-key.json', passphrase, notice);
  // Only a process that runs the engine takes part in the sequencer lease (its workers append attestations).
  const owner = relayOwnerId();
  const sequencer = withRelay ? sequencerFromEnv(env, owner, notice) : undefined;
  const store = await openStore(config.store, { createSchema: true });
  let ledger: Ledger;
  try {
    ledger = await Ledger.open(store, { masterKey: passphrase, groupCommitMax: config.groupCommitMax, expect: { origin: config.ledgerOrigin, hashAlg: config.ledgerHash }, sequencer });
  } catch (e) {
    if (!(isCourtBridgeError(e) && e.code === 'LEDGER_NOT_INITIALIZED')) throw e;
    ledger = await Ledger.init(store, { origin: config.ledgerOrigin, hashAlg: config.ledgerHash, masterKey: passphrase, groupCommitMax: config.groupCommitMax, sequencer });
    notice(`initialised ledger ${config.ledgerOrigin}`);
  }
  const closers: (() => Promise<void>)[] = [() => ledger.close()];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    return await serveOver(env, host, port, notice, { config, ledger, hub, owner, withRelay, registrationsOn, closers, closeAll });
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }
}

async function serveOver(env: NodeJS.ProcessEnv, host: string, port: number, notice: (line: string) => void, o: {
  config: Config; ledger: Ledger; hub: { signer: JwsSigner; did: string }; owner: string; withRelay: boolean; registrationsOn: boolean;
  closers: (() => Promise<void>)[]; closeAll: () => Promise<void>;
}): Promise<ApiServer> {
  const { config, ledger, hub, closers } = o;
  const apiStore = await openApiStore(ledger.store);
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
  closers.push(async () => registries.stop());
  const presentations = (courtDid: string) => new PresentationVerifier({ jwt, issuers: registries.issuers, status: registryStatusChecker(registries.status), audience: courtDid, audit: ledger });
  const bundleDeps = await openBundleDeps(ledger, config.store);
  closers.push(() => bundleDeps.close());
  // Partner registrations and their approval: the service of the CLI `adapter` commands, over the same ledger.
  let registrations: ApiDeps['registrations'];
  if (o.registrationsOn) {
    const regStore = await openRegistrationStore(config.store);
    closers.push(() => regStore.close());
    registrations = { service: registrationServiceFromEnv(regStore, ledger, env), store: regStore };
  } else {
    notice('api\tregistration routes off (COURTBRIDGE_ADMINS unset)');
  }
  // The relay engine of `relay run` (same chains, signer, salt) over this ledger: enqueues and reads; runs only with --with-relay.
  let relay: Awaited<ReturnType<typeof openRelayParts>> | undefined;
  if (env.COURTBRIDGE_SUBJECT_SALT !== undefined) {
    relay = await openRelayParts(env, notice, { ledger, storeConfig: config.store, hub, owner: o.owner, registrations: registrations?.store });
    closers.push(relay.close);
    if (o.withRelay) {
      await relay.engine.start();
      notice(`relay\trunning\t${relay.engine.owner}`);
    }
  } else {
    notice('api\trelay and webhook routes off (COURTBRIDGE_SUBJECT_SALT unset)');
  }
  const app = await buildApp({ ledger, store: apiStore, hubDid: hub.did, jwt, didHost, plugins: [webPlugin], presentations, bundles: bundleDeps.bundles,
    ...(roots.length === 0 ? {} : { issuers: registries.issuers, credentials: registries.credentials }),
    ...(statusBase === undefined ? {} : { statusLists: { registry: registries.status, baseUrl: statusBase, signer: hub.signer } }),
    subjectSalt: env.COURTBRIDGE_SUBJECT_SALT === undefined ? undefined : subjectSaltFromEnv(env),
    registrations,
    ...(relay === undefined ? {} : {
      relay: { engine: relay.engine, store: relay.store }, webhooks: relay.webhooks,
      ...(o.withRelay ? { metrics: [() => relay.engine.metricsText()] } : {}),
    }),
  });
  closers.push(() => app.close());
  const url = await app.listen({ host, port });
  // Close in reverse: the server (in-flight requests finish), the engine (drains), stores, the ledger (appends drain).
  return { app, url, close: o.closeAll };
}

/** `courtbridge api serve`. */
export async function apiCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'serve') {
    io.err('usage: courtbridge api serve [--port P] [--host H] [--with-relay]');
    return 2;
  }
  let values: { port?: string; host?: string; 'with-relay'?: boolean };
  try {
    ({ values } = parseArgs({ args: rest, options: { port: { type: 'string' }, host: { type: 'string' }, 'with-relay': { type: 'boolean' } }, strict: true }));
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
    const server = await serveApi(process.env, values.host ?? '127.0.0.1', port, (l) => io.err(l), { withRelay: values['with-relay'] === true });
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
