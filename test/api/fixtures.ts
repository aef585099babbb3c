/** A small in-process API world: SQLite ledger in memory, did:key members for every role, a log capture. */
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayEngine, type RelayEngineOptions } from '../../relay/engine.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import { openWebhookStore } from '../../relay/webhooks/open.js';
import { staticChains } from '../../relay/setup.js';
import { verifySourceEvidence } from '../../src/proofs/evidence.js';
import { openRegistrationStore } from '../../adapters/registration/store.js';
import { RegistrationService } from '../../adapters/registration/service.js';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createAuthToken, type Role } from '../../did/auth.js';
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier } from '../../did/jwt.js';
import { DidWebHost } from '../../did/web-host.js';
import { StatusListRegistry } from '../../did/status-list.js';
import { IssuerRegistry } from '../../did/issuers.js';
import { IssuedCredentials } from '../../did/issued-credentials.js';
import { PresentationVerifier } from '../../did/credentials/presentation.js';
import { registryStatusChecker } from '../../did/status-credential.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { openApiStore } from '../../src/api/store/open.js';
import { buildApp, type ApiDeps } from '../../src/api/app.js';
import { sm3 } from '../../src/crypto/hash.js';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import { identity, type Identity } from '../did/fixtures.js';

/** Same master key as the ledger tests. */
export const MASTER = 'test-master-passphrase-0123456789';

/** Captured log lines. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    cb();
  }
}

/** The consortium subject salt of the test world. */
export const SALT = new Uint8Array(32).fill(7);

/** The world. */
export interface ApiWorld {
  app: FastifyInstance;
  ledger: Ledger;
  deps: ApiDeps;
  hub: Identity;
  ids: Record<Role | 'stranger' | 'disabled', Identity>;
  logs: LogCapture;
  /** A fresh bearer token of `who` (default audience: the hub). */
  token(who: Role | 'stranger' | 'disabled', opts?: { aud?: string; now?: number; ttl?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Hashes of a test document. */
export function docHashes(text: string): { sha256: string; sm3: string } {
  return { sha256: createHash('sha256').update(text).digest('hex'), sm3: toHex(sm3(utf8(text))) };
}

/** Build the world; `over` overrides dependencies (e.g. rateLimit); `relay` overrides relay engine options (e.g. chains). */
export async function apiWorld(over: Partial<ApiDeps> = {}, relay: Partial<RelayEngineOptions> = {}): Promise<ApiWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-api-'));
  const path = join(dir, 'courtbridge.db');
  const ledgerStore = await openSqliteStore(path);
  const ledger = await Ledger.init(ledgerStore, { origin: 'courtbridge.test/api', hashAlg: 'sha256', masterKey: MASTER });
  const store = await openApiStore(ledgerStore);
  const hub = identity();
  const ids = { court: identity('ES256'), partner: identity(), admin: identity(), issuer: identity(), stranger: identity(), disabled: identity() };
  for (const r of ['court', 'partner', 'admin', 'issuer'] as const) await store.putMember({ did: ids[r].did, roles: [r], enabled: true });
  await store.putMember({ did: ids.disabled.did, roles: ['court'], enabled: false });
  const didHost = new DidWebHost('hub.court.example', ledger);
  await didHost.publish([], [{ fragment: 'key-1', alg: 'Ed25519', publicKey: hub.kp.publicKey, purposes: ['authentication', 'assertionMethod'] }]);
  await didHost.publish(['members', 'court-1'], [{ fragment: 'key-1', alg: 'ES256', publicKey: ids.court.kp.publicKey, purposes: ['authentication'] }]);
  const statusRegistry = new StatusListRegistry('https://hub.court.example/api/v1/public/status', ledger);
  statusRegistry.ensureList('licences-revocation', 'revocation');
  const jwt = new JwtVerifier(new DidResolver());
  const regStore = await openRegistrationStore({ kind: 'sqlite', path });
  const service = new RegistrationService({ store: regStore, sink: ledger, verifier: jwt, admins: [ids.admin.did], threshold: 1 });
  const relayStore = await openRelayStore(ledgerStore);
  const engine = new RelayEngine({ ledger, store: relayStore, chains: staticChains([]), verifier: verifySourceEvidence, signer: hub.signer, relayDid: hub.did, salt: SALT, ...relay });
  const issuers = new IssuerRegistry([ids.issuer.did], ledger);
  const logs = new LogCapture();
  const deps: ApiDeps = {
    ledger, store, hubDid: hub.did, jwt, didHost, registrations: { service, store: regStore },
    relay: { engine, store: relayStore }, issuers, subjectSalt: SALT, credentials: new IssuedCredentials({ status: statusRegistry, issuers, jwt, sink: ledger }),
    webhooks: { store: await openWebhookStore(ledgerStore), urlPolicy: { allowHttpLocalhost: true } },
    presentations: (aud) => new PresentationVerifier({ jwt, issuers, status: registryStatusChecker(statusRegistry), audience: aud }), metrics: [() => engine.metricsText()],
    statusLists: { registry: statusRegistry, baseUrl: 'https://hub.court.example/api/v1/public/status', signer: hub.signer },
    rateLimit: false, log: { level: 'info', stream: logs }, ...over,
  };
  const app = await buildApp(deps);
  return {
    app, ledger, deps, hub, ids, logs,
    token: (who, o = {}) => createAuthToken(ids[who].signer, ids[who].did, o.aud ?? hub.did, o.now ?? Math.floor(Date.now() / 1000), o.ttl ?? 120),
    close: async () => {
      await app.close();
      await regStore.close();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
