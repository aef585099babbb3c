/**
 * `npm run demo [-- --once] [-- --port P]`: the whole CourtBridge flow on one machine, everything in ./data/demo/
 * (recreated each run):
 *   1. the judicial ledger core on its own (ledger-part.ts)
 *   2. partner chains started locally — two anvil nodes with the market-supervision and credit contracts, the BFT
 *      simulator for the copyright chain — and registered: partner DIDs sign, administrators approve 2 of 3
 *   3. records of every chain attested through the relay engine; the receipts (ledger index, leaf hash)
 *   4. a lawyer licence credential issued, presented to a court, verified step by step, revoked, rejected
 *   5. evidence bundles of an EVM and a BFT attestation, exported and verified offline
 *   6. a short report with progress bars
 *   7. the API and the public page on the demo store until Ctrl-C (`--once`: exit instead)
 * Every child process (anvil, simulator) is stopped on success, on error and on SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toHex } from '../../crypto/bytes.js';
import { asCourtBridgeError } from '../../errors.js';
import { Ledger } from '../../ledger/ledger.js';
import { openStore } from '../../ledger/store/open.js';
import { verifySourceEvidence } from '../../proofs/evidence.js';
import { openApiStore } from '../../api/store/open.js';
import { JwtVerifier } from '../../../did/jwt.js';
import { DidResolver } from '../../../did/resolver.js';
import { openRegistrationStore } from '../../../adapters/registration/store.js';
import { RelayEngine } from '../../../relay/engine.js';
import { openRelayStore } from '../../../relay/jobs/open.js';
import { loadHubKey, staticChains } from '../../../relay/setup.js';
import { startDemoChains, type Tracked } from './chains.js';
import type { TrustAnchors } from '../../bundle/types.js';
import { bundlePart } from './bundle-part.js';
import { credentialsPart } from './credentials-part.js';
import { ledgerPart } from './ledger-part.js';
import { registerChains } from './registrations.js';
import { demoRefs, relayPart } from './relay-part.js';
import { servePart } from './serve-part.js';
import { bar, say, section } from './ui.js';

/** Demo options (from argv). */
export interface DemoOptions {
  once: boolean;
  /** Port of the API in live mode (0 = any free port). */
  port: number;
}

/** Parse `--once` and `--port P`. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const i = argv.indexOf('--port');
  const port = i >= 0 ? Number(argv[i + 1]) : 8080;
  return { once: argv.includes('--once'), port: Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 8080 };
}

/** Run the demo; resolves with the exit code. Child processes never outlive it. */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const tracked: Tracked[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  let interrupted = false;
  let wakeServe: (() => void) | undefined;
  const stopAll = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
    for (const t of tracked.splice(0).reverse()) await t.stop().catch(() => undefined);
  };
  // Last resort (uncaught error, process.exit): no anvil may outlive the demo.
  const killLeft = () => { for (const t of tracked) if (t.pid !== undefined) try { process.kill(t.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.once('exit', killLeft);
  const onSignal = (sig: NodeJS.Signals) => {
    if (wakeServe) {
      wakeServe();
      return;
    }
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${sig}: stopping the partner chains…\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const dir = resolve('data', 'demo');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const masterKey = toHex(randomBytes(32)); // demo only: production reads COURTBRIDGE_MASTER_KEY
    const salt = new Uint8Array(randomBytes(32)); // the consortium subject salt of this run
    say('CourtBridge demo — judicial ledger, partner-chain relay, DID hub, public verification');
    say(`data in ${dir}`);

    section(1, 'The judicial ledger core: append, checkpoint, prove and verify, cosign, audit, tamper');
    const ledgerResult = await ledgerPart(dir, masterKey);

    section(2, 'Partner chains start and register (partner DIDs sign, administrators approve 2 of 3)');
    const chains = await startDemoChains((t) => {
      tracked.push(t);
      say(`   started ${t.name} (pid ${t.pid})`);
    }, salt);
    const path = join(dir, 'courtbridge.db');
    const ledgerStore = await openStore({ kind: 'sqlite', path }, { createSchema: true });
    const ledger = await Ledger.init(ledgerStore, { origin: 'courtbridge.demo/hub', hashAlg: 'sha256', masterKey });
    closers.push(() => ledger.close());
    const regStore = await openRegistrationStore({ kind: 'sqlite', path });
    closers.push(() => regStore.close());
    const jwt = new JwtVerifier(new DidResolver());
    const { service, entries } = await registerChains(chains, regStore, ledger, jwt);

    section(3, 'The relay attests records of every chain (fetch → verify proofs → validate → sign → ledger)');
    const hub = loadHubKey(join(dir, 'relay-key.json'), masterKey, () => undefined);
    say(`   hub DID ${hub.did}`);
    const resolver = staticChains(entries);
    const relayStore = await openRelayStore(ledgerStore);
    const engine = new RelayEngine({
      ledger, store: relayStore, chains: resolver, verifier: verifySourceEvidence, signer: hub.signer, relayDid: hub.did,
      salt, pollMs: 20, leaseMs: 20_000, maxAttempts: 3, backoff: { baseMs: 50, capMs: 500, minMs: 10 },
    });
    let relayClosed: Promise<void> | undefined;
    const closeRelay = () => (relayClosed ??= engine.stop().then(() => resolver.close()));
    closers.push(closeRelay);
    await engine.start();
    const refs = demoRefs(chains);
    const receipts = await relayPart(engine, refs);

    section(4, 'A lawyer licence: issued, presented to a court, verified, revoked, rejected');
    const cred = await credentialsPart(ledger);

    section(5, 'Evidence bundles: exported, then verified offline (the bundle file and the published trust anchors only)');
    const picked = [receipts.find((r) => r.ref.recordType === 'enterprise'), receipts.find((r) => r.ref.recordType === 'copyright-registration')].filter((r) => r !== undefined);
    const anchors: TrustAnchors = { type: 'courtbridge-trust-anchors', ledger: { origin: (await ledger.head()).origin, verifierKeys: (await ledger.head()).verifierKeys }, hubDids: [hub.did], chains: {} };
    for (const e of entries) anchors.chains[e.registration.chainId] = ((await service.active(e.registration.chainId))?.document.trustAnchor ?? null) as TrustAnchors['chains'][string];
    // src/bundle is new: a failure there is shown (with its code) and does not stop the rest of the demo.
    const bundles = await bundlePart(dir, { ledger, relayStore, registrations: service, chains: resolver }, picked, anchors).catch((e: unknown) => {
      const err = asCourtBridgeError(e);
      say(`   evidence bundles: not yet available in this build (export failed: ${err.code} ${err.message})`);
      return { built: picked.length, consistent: 0, failed: err.code };
    });
    await closeRelay(); // the API below does not need the relay: no idle polling while the demo serves

    section(6, 'Report');
    const chainsAttested = new Set(receipts.map((r) => r.ref.chainId)).size;
    const credOutcomes = (cred.firstOk ? 1 : 0) + (!cred.revokedOk && cred.revokedCode === 'VC_REVOKED' ? 1 : 0);
    say(`   ledger proofs       ${bar(ledgerResult.proofsAsExpected, ledgerResult.proofsChecked, 20)} as expected (${ledgerResult.proofsValid} valid, the forged one invalid), tamper ${ledgerResult.tamperDetected ? 'detected' : 'NOT detected'}`);
    say(`   partner chains      ${bar(entries.length, 3, 20)} registered and approved`);
    say(`   attestations        ${bar(receipts.length, refs.length, 20)} from ${chainsAttested} chains`);
    say(`   lawyer credential   ${bar(credOutcomes, 2, 20)} verified, then rejected after revocation (${cred.revokedCode ?? 'no code'})`);
    say(`   evidence bundles    ${bar(bundles.consistent, bundles.built, 20)} ${bundles.failed === undefined ? 'exported and verified offline: 一致' : `not yet available in this build (${bundles.failed})`}`);
    const size = await ledger.size();
    const cp = await ledger.checkpoint();
    say(`   hub ledger: ${size} entries, checkpoint ${cp.treeSize} root ${toHex(cp.root).slice(0, 16)}…`);

    section(7, opts.once ? 'API and public page (started, checked, stopped: --once)' : 'API and public page — Ctrl-C to stop');
    const server = await servePart(dir, ledger, await openApiStore(ledgerStore), hub.did, salt, opts.once ? 0 : opts.port);
    closers.push(() => server.app.close());
    say(`   API:          ${server.url}/api/v1/public/checkpoint   (OpenAPI: ${server.url}/openapi.json)`);
    say(`   public page:  ${server.url}/   — check 存证编号 ${server.evidenceId} or drop ${server.documentFile}`);
    if (!opts.once && !interrupted) {
      await new Promise<void>((r) => { wakeServe = r; });
      say('stopping…');
    }
    await stopAll();
    say();
    say(opts.once ? 'demo complete (--once).' : 'stopped.');
    return 0;
  } catch (e) {
    const err = asCourtBridgeError(e);
    process.stderr.write(`error\t${err.code}\t${err.message}\n`);
    await stopAll();
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killLeft);
  }
}
