/**
 * End to end on real parts, chains from APPROVED registrations: the BFT simulator as a separate process (its
 * validators signing with SM2 and Ed25519) and the EVM adapter on anvil at the same time, both chains submitted by
 * their partner DIDs and approved by 2 of 3 administrators through RegistrationService, the relay resolving them
 * from the same database (relay/registered-chains.ts) — on a SQLite file and again on PostgreSQL
 * (`COURTBRIDGE_TEST_PG`, own schema per run).
 *
 * In order: records of both chains attested; a certified validator-set rotation on the simulator, later records
 * still attested (the adapter's trust updates fed to the light client); SIGKILL of `courtbridge relay run` (no chains
 * file: registrations from the database) mid-job, several times, then every job done exactly once; an
 * equivocation freezes the BFT chain (no attestation, both headers kept); a disabled registration fails its queued
 * jobs with REGISTRATION_DISABLED.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromJSON } from '../../src/proofs/lightclient/state.js';
import { verifySourceEvidence } from '../../src/proofs/evidence.js';
import { JwtVerifier } from '../../did/jwt.js';
import { DidResolver } from '../../did/resolver.js';
import type { SimulatorProcess } from '../../adapters/bft/simulator/spawn.js';
import { signApproval, signDisable, signRegistration } from '../../adapters/registration/jws.js';
import { registrationDigest } from '../../adapters/registration/parse.js';
import { RegistrationService } from '../../adapters/registration/service.js';
import { openRegistrationStore, type RegistrationStore } from '../../adapters/registration/store.js';
import type { RegistrationDocument } from '../../adapters/registration/types.js';
import { RelayEngine } from '../../relay/engine.js';
import { registeredChains, type RegisteredChains } from '../../relay/registered-chains.js';
import { identity, type Identity } from '../adapters/registration/fixtures.js';
import { RECORD_TYPE, addBlock, copyright, rpc, startSimulator } from '../adapters/bft/helpers.js';
import { worldDocuments } from '../bundle/helpers.js';
import { SALT, ensureBuilt, hubKey, ledgerAttestationIds, openBackend, startPartnerChain, uscc, type Backend, type PartnerChain } from './helpers.js';

const PG = process.env.COURTBRIDGE_TEST_PG;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'courtbridge.js');

for (const kind of ['sqlite', 'postgres'] as const) {
  const skip = kind === 'postgres' && !PG;
  describe.skipIf(skip)(skip ? 'relay e2e with registrations — skipped: no PostgreSQL' : `relay e2e with approved registrations on ${kind} (BFT simulator process) (anvil)`, () => {
    let chain: PartnerChain;
    let sim: SimulatorProcess;
    let backend: Backend;
    let regStore: RegistrationStore;
    let service: RegistrationService;
    let chains: RegisteredChains;
    let engine: RelayEngine;
    let admins: Identity[];
    let evmPartner: Identity;
    let bftDoc: RegistrationDocument;
    let evmDoc: RegistrationDocument;
    const bftRef = (n: number) => ({ chainId: bftDoc.chainId, recordType: RECORD_TYPE, key: copyright(n).registrationNumber as string });
    const evmRef = (i: number) => ({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(i) });

    const submitAndApprove = async (doc: RegistrationDocument, partner: Identity, rotate = false) => {
      const jws = await signRegistration(doc, partner.signer);
      const rec = rotate ? await service.rotate(jws) : await service.submit(jws);
      const digest = registrationDigest(doc);
      expect(rec.digest).toBe(digest);
      for (const a of admins.slice(0, 2)) await service.approve(await signApproval({ admin: a.did, chainId: doc.chainId, version: doc.version, digest }, a.signer));
      expect((await service.active(doc.chainId))?.version).toBe(doc.version);
    };

    const startEngine = async () => {
      const hub = hubKey();
      chains = registeredChains({ store: regStore, refreshMs: 50 });
      engine = new RelayEngine({
        ledger: backend.ledger, store: backend.relayStore, chains, verifier: verifySourceEvidence, signer: hub.signer, relayDid: hub.did,
        salt: SALT, pollMs: 20, leaseMs: 10_000, maxAttempts: 3, backoff: { baseMs: 20, capMs: 100, minMs: 5 }, rateLimit: (c) => chains.rateLimit(c),
      });
      await engine.start();
    };
    const stopEngine = async () => {
      await engine?.stop();
      await chains?.close();
    };

    beforeAll(async () => {
      ensureBuilt(ROOT);
      chain = await startPartnerChain(8);
      sim = await startSimulator();
      backend = await openBackend(kind, PG);
      regStore = await openRegistrationStore(kind === 'sqlite'
        ? { kind: 'sqlite', path: backend.env.COURTBRIDGE_STORE! }
        : { kind: 'postgres', url: PG!, schema: backend.env.COURTBRIDGE_PG_SCHEMA! });
      admins = [identity('Ed25519'), identity('SM2'), identity('Ed25519')];
      service = new RegistrationService({ store: regStore, sink: backend.ledger, verifier: new JwtVerifier(new DidResolver()), admins: admins.map((a) => a.did), threshold: 2 });
      const bftPartner = identity('SM2');
      evmPartner = identity('Ed25519');
      ({ bftDoc, evmDoc } = worldDocuments(bftPartner.did, evmPartner.did, sim.url, chain));
      await submitAndApprove(bftDoc, bftPartner);
      await submitAndApprove(evmDoc, evmPartner);
      await startEngine();
    }, 120_000);
    afterAll(async () => {
      await stopEngine();
      await regStore?.close();
      await backend?.close();
      await sim?.stop();
      await chain?.anvil.stop();
    });

    it('records of both chains are attested through their approved registrations', async () => {
      await addBlock(sim.url, [copyright(1), copyright(2)]);
      const results = await Promise.all([bftRef(1), bftRef(2), evmRef(0), evmRef(1)].map((r) => engine.attest(r, { timeoutMs: 30_000 })));
      const ids = await ledgerAttestationIds(backend.ledger);
      for (const r of results) expect(ids).toContain(r.receipt.attestationId);
      expect(new Set(results.map((r) => r.receipt.attestationId)).size).toBe(4);
      // Registrations with no approval are not relayed.
      expect(await chains('eip155:424242')).toBeUndefined();
    }, 60_000);

    it('a certified validator-set rotation on the simulator mid-run: later records are still attested', async () => {
      await rpc(sim.url, 'sim_setFault', [{ kind: 'rotate', certified: true, validators: 5 }]);
      const handover = await addBlock(sim.url, []);
      const after = await addBlock(sim.url, [copyright(3)]);
      const r = await engine.attest(bftRef(3), { timeoutMs: 30_000 });
      expect(r.job.blockHeight).toBe(after);
      const c = (await chains(bftDoc.chainId))!;
      const trust = fromJSON((await backend.relayStore.trustState(c.trustId!))!.json);
      expect(trust.validatorSets).toHaveLength(2);
      expect(trust.validatorSets[1]!.fromHeight).toBe(handover + 1);
    }, 60_000);

    it('an EVM registration rotated to another endpoint: the relay picks up the new version', async () => {
      const url = chain.anvil.url.replace('127.0.0.1', 'localhost');
      evmDoc = { ...evmDoc, version: 2, endpoints: [url] };
      await submitAndApprove(evmDoc, evmPartner, true);
      await chains.refresh();
      expect((await chains(chain.chainId))!.registration.rpc[0]!.url).toBe(url);
      await engine.attest(evmRef(2), { timeoutMs: 30_000 });
    }, 60_000);

    it('SIGKILL of `relay run` (registrations from the database) mid-job: after restart every job done exactly once', async () => {
      await stopEngine();
      const env = {
        ...process.env, ...backend.env, COURTBRIDGE_RELAY_CHAINS: '', COURTBRIDGE_RELAY_LEASE_MS: '800', COURTBRIDGE_RELAY_MAX_ATTEMPTS: '1000',
        COURTBRIDGE_RELAY_POLL_MS: '20', COURTBRIDGE_RELAY_WORKERS: '2', COURTBRIDGE_RELAY_REGISTRATION_REFRESH_MS: '200',
      } as NodeJS.ProcessEnv;
      delete env.COURTBRIDGE_RELAY_CHAINS;
      const bftHeight = await addBlock(sim.url, Array.from({ length: 10 }, (_, i) => copyright(100 + i)));
      const evmHeight = Number(await chain.anvil.rpc<string>('eth_blockNumber')) - chain.confirmations;
      const items = [
        ...Array.from({ length: 10 }, (_, i) => ({ ref: bftRef(100 + i), at: bftHeight })),
        ...[3, 4, 5, 6, 7].map((i) => ({ ref: evmRef(i), at: evmHeight })),
      ];
      const jobs = await backend.relayStore.enqueueMany(items.map(({ ref, at }) => ({ ...ref, blockHeight: at, maxAttempts: 1000 })), Date.now());
      const allDone = async () => (await Promise.all(jobs.map((j) => backend.relayStore.job(j.id)))).every((j) => j?.state === 'done');

      const runChild = (killAfterMs: number | 'term-when-done') => new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, 'relay', 'run'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        let timer: NodeJS.Timeout | undefined;
        let poll: NodeJS.Timeout | undefined;
        child.stderr.on('data', (d: Buffer) => {
          const first = !stderr.includes('relay\trunning');
          stderr += d.toString('utf8');
          if (!first || !stderr.includes('relay\trunning')) return;
          if (killAfterMs === 'term-when-done') {
            poll = setInterval(async () => {
              if (poll !== undefined && await allDone().catch(() => false) && poll !== undefined) {
                clearInterval(poll);
                poll = undefined; // one SIGTERM: a second one would not wait for the graceful drain
                child.kill('SIGTERM');
              }
            }, 50);
          } else {
            timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          }
        });
        const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          clearTimeout(guard);
          if (timer) clearTimeout(timer);
          if (poll) clearInterval(poll);
          resolve({ code, signal, stderr });
        });
      });

      let kills = 0;
      for (let round = 0; round < 4; round++) {
        const r = await runChild(50 + Math.floor(Math.random() * 300));
        if (r.signal === 'SIGKILL') kills++;
      }
      expect(kills).toBeGreaterThanOrEqual(3);
      const last = await runChild('term-when-done');
      expect({ code: last.code, stderr: last.code === 0 ? '' : last.stderr }).toEqual({ code: 0, stderr: '' });

      for (const j of jobs) expect((await backend.relayStore.job(j.id))!.state).toBe('done');
      const ids = await ledgerAttestationIds(backend.ledger);
      expect(new Set(ids).size).toBe(ids.length);
      // Exactly once: every relay key names one leaf, and that leaf is its attestation.
      const keyed = await backend.ledgerStore.keyed(ids);
      expect(keyed.size).toBe(ids.length);
      for (const j of jobs) {
        const row = (await backend.relayStore.job(j.id))!;
        expect(keyed.get(row.attestationId!)?.index).toBe(row.ledgerIndex);
      }
      await startEngine();
    }, 300_000);

    it('an equivocation on the simulator freezes the chain: no attestation, both headers kept', async () => {
      const h = await addBlock(sim.url, [copyright(20), copyright(21)]);
      await engine.attest(bftRef(20), { at: h, timeoutMs: 30_000 });
      const conflict = await rpc(sim.url, 'sim_setFault', [{ kind: 'equivocate', height: h }]);
      const size = await backend.ledger.size();
      await expect(engine.attest(bftRef(21), { at: h, timeoutMs: 30_000 })).rejects.toMatchObject({ code: 'RELAY_JOB_DEAD' });
      expect(await backend.ledger.size()).toBe(size);
      const c = (await chains(bftDoc.chainId))!;
      const trust = fromJSON((await backend.relayStore.trustState(c.trustId!))!.json);
      expect(trust.frozen).toBe(true);
      expect(trust.misbehaviour).toHaveLength(1);
      expect(trust.misbehaviour[0]!.height).toBe(h);
      expect([trust.misbehaviour[0]!.first.header.hash, trust.misbehaviour[0]!.second.header.hash]).toContain(conflict.hash);
      // Every later record of the frozen chain is refused too.
      await addBlock(sim.url, [copyright(22)]);
      await expect(engine.attest(bftRef(22), { timeoutMs: 30_000 })).rejects.toMatchObject({ code: 'RELAY_JOB_DEAD' });
      expect(await backend.ledger.size()).toBe(size);
    }, 60_000);

    it('a disabled registration: its queued jobs fail with REGISTRATION_DISABLED, no attestation', async () => {
      await stopEngine();
      const evmHeight = Number(await chain.anvil.rpc<string>('eth_blockNumber')) - chain.confirmations;
      const { job } = await backend.relayStore.enqueue({ ...evmRef(7), blockHeight: evmHeight - 1, maxAttempts: 3 }, Date.now());
      const a = admins[2]!;
      await service.disable(chain.chainId, await signDisable({ admin: a.did, chainId: chain.chainId, version: evmDoc.version, reason: 'operator licence withdrawn' }, a.signer));
      const ids = await ledgerAttestationIds(backend.ledger);
      await startEngine();
      await expect(engine.waitFor(job.id, 30_000)).rejects.toMatchObject({ code: 'RELAY_JOB_DEAD' });
      expect((await backend.relayStore.job(job.id))!.lastError).toBe('REGISTRATION_DISABLED');
      expect(await ledgerAttestationIds(backend.ledger)).toEqual(ids);
      await expect(chains(chain.chainId)).rejects.toMatchObject({ code: 'REGISTRATION_DISABLED' });
      await expect(engine.attest(evmRef(6), { timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'REGISTRATION_DISABLED' });
    }, 60_000);
  });
}
