/**
 * `courtbridge api serve` mounts the registration, relay and webhook modules over its own store and ledger (one
 * ledger per process): routes in the route table and OpenAPI; a real flow over HTTP with DID-signed tokens — a
 * partner submits its signed registration of a BFT simulator chain, the admin approves it (listed active), a court
 * requests a fresh attestation (a queued job, visible by id) and registers a webhook (a stored subscription). The API
 * never runs the job: a separate relay process (`openRelayFromEnv`, what `relay run` opens) attests it, follows the
 * subscription stored by the API after its start (refresh tick) and delivers the webhook.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi, type ApiServer } from '../../src/cli/commands/api.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { isCourtBridgeError } from '../../src/errors.js';
import { routeTable } from '../../src/api/app.js';
import { loadHubKey, openRelayFromEnv, type RelayProcess } from '../../relay/setup.js';
import { createAuthToken } from '../../did/auth.js';
import { signApproval, signRegistration } from '../../adapters/registration/jws.js';
import { registrationDigest } from '../../adapters/registration/parse.js';
import type { RegistrationDocument } from '../../adapters/registration/types.js';
import { SimChain } from '../../adapters/bft/simulator/chain.js';
import { DEFAULT_SIM_OPTIONS, simulatorTrustAnchor } from '../../adapters/bft/simulator/genesis.js';
import { startSimulatorServer, type RunningSimulator } from '../../adapters/bft/simulator/server.js';
import { demoCopyright } from '../../src/cli/demo/chains.js';
import { identity, operatorUscc, type Identity } from '../adapters/registration/fixtures.js';

const MASTER = 'serve-wiring-master-key-0123456789';
const TYPE = 'copyright-registration';

let dir: string;
let env: NodeJS.ProcessEnv;
let sim: RunningSimulator;
let chain: SimChain;
let server: ApiServer;
let hubDid: string;
const admin = identity();
const partner = identity();
const court = identity('ES256');

/** The copyright simulator's registration (as the demo's, src/cli/demo/registrations.ts). */
function simDocument(partnerDid: string, url: string): RegistrationDocument {
  const a = simulatorTrustAnchor();
  return {
    type: 'courtbridge.adapter-registration', version: 1, partner: partnerDid, chainId: DEFAULT_SIM_OPTIONS.chainId, kind: 'bft',
    name: '版权链（模拟器）/ copyright chain (simulator)', domain: 'ip', endpoints: [url], finality: { rule: 'bft-qc' },
    trustAnchor: {
      type: 'genesis', trustingPeriod: a.trustingPeriod,
      header: { height: a.header.height, hash: a.header.hash, parentHash: a.header.parentHash, stateRoot: a.header.stateRoot, timestamp: a.header.timestamp! },
      validatorSet: { members: a.validatorSet.members.map((m) => ({ id: m.id, weight: m.weight, alg: m.alg!, publicKey: m.publicKey! })) },
    },
    recordTypes: [{ name: TYPE, schemaId: 'https://courtbridge.example/schemas/domain/ip/copyright-registration/v1', mapping: { kind: 'bft-merkle', keyField: 'registrationNumber' } }],
    rateLimit: { requestsPerSecond: 200, burst: 200 },
    platform: { filingNumber: '京网信备11010819194755230012号', operatorName: '某某版权服务有限公司', operatorUscc: operatorUscc('MA03QRT7'), cryptoSuite: { hash: ['sm3', 'sha256'], signature: ['SM2', 'Ed25519'] }, securityLevel: 3 },
  };
}

const bearer = async (who: Identity) => ({ authorization: `Bearer ${await createAuthToken(who.signer, who.did, hubDid)}`, 'content-type': 'application/json' });
async function call(who: Identity, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${path}`, { method, headers: await bearer(who), body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
/** Poll `f` until it returns a value (bounded: the test fails with `what` instead of hanging). */
async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const record = (n: number) => {
  const rec = demoCopyright(n);
  chain.submit({ recordType: TYPE, key: String(rec.registrationNumber), data: rec });
  return String(rec.registrationNumber);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-serve-wiring-'));
  chain = new SimChain(DEFAULT_SIM_OPTIONS);
  sim = await startSimulatorServer({ chain, faultsEnabled: false, blockMs: 0, host: '127.0.0.1', port: 0 });
  env = {
    COURTBRIDGE_STORE: join(dir, 'cb.db'), COURTBRIDGE_MASTER_KEY: MASTER, COURTBRIDGE_RELAY_KEY_FILE: join(dir, 'hub.json'),
    COURTBRIDGE_API_ADMINS: admin.did, COURTBRIDGE_ADMINS: admin.did, COURTBRIDGE_APPROVAL_THRESHOLD: '1',
    COURTBRIDGE_SUBJECT_SALT: '07'.repeat(32), COURTBRIDGE_WEBHOOK_ALLOW_HTTP_LOCALHOST: '1',
    COURTBRIDGE_RELAY_REGISTRATION_REFRESH_MS: '200', COURTBRIDGE_RELAY_POLL_MS: '50',
  };
  server = await serveApi(env, '127.0.0.1', 0, () => undefined);
  hubDid = loadHubKey(join(dir, 'hub.json'), MASTER, () => undefined).did;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('courtbridge api serve: registration, relay and webhook modules', () => {
  it('mounts partner/admin registration, court attestation jobs, admin trust/unfreeze and court webhook routes', async () => {
    const routes = new Set(routeTable(server.app).map((r) => `${r.method} ${r.url}`));
    for (const r of [
      'POST /api/v1/partner/registrations', 'GET /api/v1/partner/chains/:chainId', 'GET /api/v1/admin/registrations',
      'POST /api/v1/admin/registrations/approve', 'POST /api/v1/admin/registrations/:chainId/disable',
      'GET /api/v1/admin/chains/:chainId/trust', 'POST /api/v1/admin/chains/:chainId/unfreeze',
      'POST /api/v1/court/attestations', 'GET /api/v1/court/attestations/jobs/:id',
      'POST /api/v1/court/webhooks', 'GET /api/v1/court/webhooks', 'DELETE /api/v1/court/webhooks/:id', 'GET /api/v1/court/webhooks/:id/deliveries',
      // kept: the existing modules
      'POST /api/v1/court/presentations/verify', 'GET /api/v1/court/attestations',
    ]) expect(routes, r).toContain(r);
    const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of ['/api/v1/partner/registrations', '/api/v1/admin/registrations/approve', '/api/v1/court/attestations', '/api/v1/court/attestations/jobs/{id}', '/api/v1/court/webhooks']) {
      expect(Object.keys(spec.paths), p).toContain(p);
    }
  });

  it('register → approve → court job queued by the API, run by a separate relay process; a webhook subscription stored by the API is followed and delivered', async () => {
    // Members: the admin (COURTBRIDGE_API_ADMINS) gives the partner and the court their roles.
    expect((await call(admin, 'PUT', `/api/v1/admin/members/${encodeURIComponent(partner.did)}`, { roles: ['partner'], enabled: true })).status).toBe(200);
    expect((await call(admin, 'PUT', `/api/v1/admin/members/${encodeURIComponent(court.did)}`, { roles: ['court'], enabled: true })).status).toBe(200);

    const doc = simDocument(partner.did, `http://127.0.0.1:${sim.port}/`);
    const sub = await call(partner, 'POST', '/api/v1/partner/registrations', { jws: await signRegistration(doc, partner.signer) });
    expect([sub.status, sub.json.status]).toEqual([201, 'pending']);
    const approval = await signApproval({ admin: admin.did, chainId: doc.chainId, version: 1, digest: registrationDigest(doc) }, admin.signer);
    const ap = await call(admin, 'POST', '/api/v1/admin/registrations/approve', { jws: approval });
    expect([ap.status, ap.json.activated]).toEqual([200, true]);
    const active = await call(admin, 'GET', '/api/v1/admin/registrations?status=active');
    expect(active.json.registrations.map((r: { chainId: string }) => r.chainId)).toEqual([doc.chainId]);

    // A fresh attestation at the chain's finalized head (the API asks the registered chain's adapter).
    const key = record(1);
    chain.produce();
    const job = await call(court, 'POST', '/api/v1/court/attestations', { chainId: doc.chainId, recordType: TYPE, key });
    expect([job.status, job.json.state, job.json.chainId]).toEqual([202, 'queued', doc.chainId]);
    expect(job.json.blockHeight).toBeGreaterThanOrEqual(1);
    const unknown = await call(court, 'POST', '/api/v1/court/attestations', { chainId: 'bft:nothing', recordType: TYPE, key });
    expect([unknown.status, unknown.json.code]).toEqual([404, 'RELAY_NO_ADAPTER']);
    // The API process runs no worker: the job stays queued.
    await new Promise((r) => setTimeout(r, 300));
    expect((await call(court, 'GET', `/api/v1/court/attestations/jobs/${job.json.id}`)).json).toMatchObject({ id: job.json.id, state: 'queued' });

    // A relay process (`relay run`) over the same database does the work.
    let relay: RelayProcess | undefined;
    const deliveries: unknown[] = [];
    const hookServer: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { deliveries.push(JSON.parse(body)); res.writeHead(204).end(); });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
    try {
      relay = await openRelayFromEnv(env, () => undefined);
      await relay.engine.start();
      const done = await until('the job to be done', async () => {
        const s = await call(court, 'GET', `/api/v1/court/attestations/jobs/${job.json.id}`);
        return s.json.state === 'done' ? s.json : undefined;
      });
      expect(done.receipt).toMatchObject({ attestationId: done.attestationId, ledgerIndex: done.ledgerIndex });

      // Webhook registered through the API AFTER the relay started: the API stores the subscription, the relay picks it up.
      const port = (hookServer.address() as { port: number }).port;
      const wh = await call(court, 'POST', '/api/v1/court/webhooks', { url: `http://127.0.0.1:${port}/hook`, chainId: doc.chainId, recordType: TYPE });
      expect([wh.status, wh.json.subscription.created]).toEqual([201, true]);
      await new Promise((r) => setTimeout(r, 300)); // the subscription starts at the head: the next block is new
      record(2);
      chain.produce();
      await until('a webhook delivery', async () => (deliveries.length > 0 ? true : undefined));
      const list = await call(court, 'GET', `/api/v1/court/webhooks/${wh.json.webhook.id}/deliveries`);
      expect(list.json.deliveries[0]).toMatchObject({ state: 'delivered' });
    } finally {
      await relay?.close();
      await new Promise<void>((r) => hookServer.close(() => r()));
    }
  }, 120_000);
});

describe('courtbridge api serve --with-relay', () => {
  it('refuses to start without the subject salt (CONFIG_INVALID); the CLI accepts the flag', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cb-serve-wiring-norelay-'));
    try {
      const err = await serveApi({ COURTBRIDGE_STORE: join(d, 'cb.db'), COURTBRIDGE_MASTER_KEY: MASTER, COURTBRIDGE_RELAY_KEY_FILE: join(d, 'hub.json') }, '127.0.0.1', 0, () => undefined, { withRelay: true })
        .then(() => 'OK', (e: unknown) => (isCourtBridgeError(e) ? e.code : String(e)));
      expect(err).toBe('CONFIG_INVALID');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
    const io = memoryIo();
    expect(await main(['api', 'serve', '--with-relay', '--port', 'x'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/^error\tINVALID_INPUT\t--port/m); // the flag itself parsed
  });
  it('runs the engine in the API process: a queued job is claimed and attempted without any relay process', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cb-serve-wiring-relay-'));
    const e2 = { COURTBRIDGE_STORE: join(d, 'cb.db'), COURTBRIDGE_MASTER_KEY: MASTER, COURTBRIDGE_RELAY_KEY_FILE: join(d, 'hub.json'), COURTBRIDGE_API_ADMINS: admin.did, COURTBRIDGE_SUBJECT_SALT: '07'.repeat(32), COURTBRIDGE_RELAY_POLL_MS: '50' };
    const notices: string[] = [];
    const s = await serveApi(e2, '127.0.0.1', 0, (l) => notices.push(l), { withRelay: true });
    const hub = loadHubKey(join(d, 'hub.json'), MASTER, () => undefined).did;
    const h = async (who: Identity) => ({ authorization: `Bearer ${await createAuthToken(who.signer, who.did, hub)}`, 'content-type': 'application/json' });
    try {
      expect(notices.join('\n')).toMatch(/^relay\trunning\t/m);
      expect(await (await fetch(`${s.url}/metrics`)).text()).toContain('courtbridge_relay_jobs');
      await fetch(`${s.url}/api/v1/admin/members/${encodeURIComponent(court.did)}`, { method: 'PUT', headers: await h(admin), body: JSON.stringify({ roles: ['court'], enabled: true }) });
      // A chain nobody registered, at an explicit height: queued, then claimed by this process's worker (and failed).
      const job = (await (await fetch(`${s.url}/api/v1/court/attestations`, { method: 'POST', headers: await h(court), body: JSON.stringify({ chainId: 'bft:nothing', recordType: TYPE, key: 'k', blockHeight: 1 }) })).json()) as { id: number; state: string };
      expect(job.state).toBe('queued');
      const seen = await until('the job to be attempted', async () => {
        const j = (await (await fetch(`${s.url}/api/v1/court/attestations/jobs/${job.id}`, { headers: await h(court) })).json()) as { attempts: number; state: string };
        return j.attempts > 0 ? j : undefined;
      });
      expect(seen.state).not.toBe('queued');
    } finally {
      await s.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('courtbridge api serve without the module variables', () => {
  it('mounts no registration or relay routes (COURTBRIDGE_ADMINS and COURTBRIDGE_SUBJECT_SALT unset)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cb-serve-wiring-off-'));
    const notices: string[] = [];
    const s = await serveApi({ COURTBRIDGE_STORE: join(d, 'cb.db'), COURTBRIDGE_MASTER_KEY: MASTER, COURTBRIDGE_RELAY_KEY_FILE: join(d, 'hub.json') }, '127.0.0.1', 0, (l) => notices.push(l));
    try {
      const urls = routeTable(s.app).map((r) => r.url);
      for (const u of ['/api/v1/partner/registrations', '/api/v1/court/attestations/jobs/:id', '/api/v1/court/webhooks']) expect(urls).not.toContain(u);
      expect(notices.join('\n')).toContain('COURTBRIDGE_ADMINS unset');
      expect(notices.join('\n')).toContain('COURTBRIDGE_SUBJECT_SALT unset');
    } finally {
      await s.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
