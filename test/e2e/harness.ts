/**
 * The e2e harness: the real API (`buildApp` from src/api/app.ts) over a real Ledger on a fresh SQLite file, listening
 * on 127.0.0.1 (ephemeral port); the page built from web/src (esbuild) and served by `webPlugin`; Debian's Chromium
 * driven by playwright-core. Documents are attested through the court route (`POST /api/v1/court/records`) with a
 * court member's DID-signed bearer token.
 *
 * The page is served by the API itself (`plugins: [webPlugin]`, as `courtbridge api` does), same origin as the API.
 *
 * Chromium missing → `browserSkipReason` names why and the suites skip themselves, unless
 * COURTBRIDGE_REQUIRE_BROWSER=1 (CI), where they run and fail.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createAuthToken } from '../../did/auth.js';
import { JwtVerifier } from '../../did/jwt.js';
import { DidResolver } from '../../did/resolver.js';
import { buildApp } from '../../src/api/app.js';
import { openApiStore } from '../../src/api/store/open.js';
import type { LedgerHashAlg } from '../../src/config.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/ledger/store/open.js';
import { WEB_ROOT, webPlugin } from '../../web/serve.js';
import { identity } from '../did/fixtures.js';

/** Chromium binary (Debian's package). */
export const CHROMIUM = process.env.COURTBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
/** CI sets this so that a missing browser fails instead of skipping. */
export const REQUIRE_BROWSER = process.env.COURTBRIDGE_REQUIRE_BROWSER === '1';

/** Why the browser suites skip (undefined = they run). */
export const browserSkipReason: string | undefined =
  !REQUIRE_BROWSER && !existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt install chromium; CI sets COURTBRIDGE_REQUIRE_BROWSER=1)` : undefined;

/** Launch headless Chromium with the flags that work in containers. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

let built = false;
/** Rebuild web/dist from web/src (esbuild, ~0.2 s) so the browser runs the code under test, not a stale bundle. */
export function buildPage(): void {
  if (built) return;
  built = true;
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'web', 'build.mjs')], { stdio: 'inherit' });
  if (!existsSync(join(WEB_ROOT, 'app.js'))) throw new Error(`web build produced no ${WEB_ROOT}/app.js`);
}

/** What a court attests. */
export interface CourtRecordBody {
  kind: string;
  documentType: string;
  caseNumber: string;
  hashes: { sha256: string; sm3: string };
}

/** A running API over a fresh ledger. */
export interface E2eServer {
  /** The API's address; the page is at `/`. */
  baseUrl: string;
  ledger: Ledger;
  /** Attest through `POST /api/v1/court/records` as the court member; returns the public record. */
  attest(body: CourtRecordBody): Promise<{ evidenceId: string; recordedAt: string; ledgerIndex: number }>;
  close(): Promise<void>;
}

/** Start the API on 127.0.0.1 over a new SQLite ledger hashing with `hashAlg`. */
export async function startServer(hashAlg: LedgerHashAlg = 'sha256'): Promise<E2eServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-e2e-'));
  const ledgerStore = await openStore({ kind: 'sqlite', path: join(dir, 'courtbridge.db') });
  const ledger = await Ledger.init(ledgerStore, { origin: 'courtbridge.test/ledger', hashAlg, masterKey: 'e2e-master-key' });
  const store = await openApiStore(ledgerStore);
  const hub = identity();
  const court = identity('ES256');
  await store.putMember({ did: court.did, roles: ['court'], enabled: true });
  const app = await buildApp({
    ledger, store, hubDid: hub.did, jwt: new JwtVerifier(new DidResolver()), rateLimit: false, log: { level: 'silent' }, plugins: [webPlugin],
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    baseUrl, ledger,
    async attest(body) {
      const token = await createAuthToken(court.signer, court.did, hub.did);
      const res = await fetch(`${baseUrl}/api/v1/court/records`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as { record?: { evidenceId: string; recordedAt: string; ledgerIndex: number } };
      if (res.status !== 201 || json.record === undefined) throw new Error(`attest failed: HTTP ${res.status} ${JSON.stringify(json)}`);
      return json.record;
    },
    async close() {
      await app.close();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
