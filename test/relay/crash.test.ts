/**
 * Crash safety on real parts (anvil + evm adapter + SQLite file):
 * - a lost receipt (the process died after the ledger append, before the receipt write — reproduced exactly by
 *   deleting the receipt and rewinding the job and the scan cursor): the retry finds the leaf, appends nothing;
 * - SIGKILL mid-job: `courtbridge relay run` (compiled CLI, a child process) killed at random points ≥ 10 times, then
 *   run to completion and stopped with SIGTERM (graceful drain): every job done, none lost, none duplicated
 *   (ledger leaves == distinct attestation ids == jobs), each job's ledger index holds its own attestation, and each
 *   leaf has its raw evidence stored (relay_evidence, hashing to the attested digest).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import { attestationIdOfLeaf, type SignedAttestation } from '../../relay/attestation.js';
import { evidenceTextDigest } from '../../relay/evidence.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import { MASTER, ledgerAttestationIds, makeEngine, openBackend, startPartnerChain, uscc, type Backend, type PartnerChain } from './helpers.js';
import { ensureBuilt } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'courtbridge.js');

/** Every leaf of the ledger has its evidence row, hashing to the leaf's attested evidence digest. */
async function expectEvidenceOfEveryLeaf(backend: Backend): Promise<void> {
  const size = await backend.ledger.size();
  for (const l of await backend.ledger.store.leaves(0, size)) {
    const att = (JSON.parse(Buffer.from(l.data).toString('utf8')) as SignedAttestation).attestation;
    const row = await backend.relayStore.evidence(att.id);
    expect(row, att.id).toBeDefined();
    expect(evidenceTextDigest(row!.evidence)).toBe(att.evidence.digest);
  }
}

describe('relay crash safety (anvil + evm adapter + SQLite)', () => {
  let chain: PartnerChain;
  let backend: Backend;
  beforeAll(async () => {
    chain = await startPartnerChain(24);
    backend = await openBackend('sqlite');
  }, 60_000);
  afterAll(async () => {
    await backend?.close();
    await chain?.anvil.stop();
  });

  it('a receipt lost between ledger append and receipt write: the retry finds the leaf and appends nothing (and restores a lost evidence row)', async () => {
    const ref = { chainId: chain.chainId, recordType: 'enterprise', key: uscc(0) };
    let first;
    {
      const { engine, chains } = makeEngine(backend, [chain.entry()]);
      await engine.start();
      first = await engine.attest(ref, { timeoutMs: 30_000 });
      await engine.stop();
      await chains.close();
    }
    const size = await backend.ledger.size();
    const db = (backend.ledgerStore as SqliteLedgerStore).database;
    expect(await backend.relayStore.evidence(first.receipt.attestationId)).toBeDefined();
    db.prepare('DELETE FROM relay_attestations WHERE attestation_id = ?').run(first.receipt.attestationId);
    db.prepare('DELETE FROM relay_evidence WHERE attestation_id = ?').run(first.receipt.attestationId);
    db.prepare("UPDATE relay_jobs SET state = 'failed', next_run_at = 0, ledger_index = NULL WHERE id = ?").run(first.job.id);
    db.prepare('UPDATE relay_ledger_scan SET scanned_to = 0').run();
    const { engine, chains } = makeEngine(backend, [chain.entry()]);
    await engine.start();
    try {
      const again = await engine.waitFor(first.job.id, 30_000);
      expect(again.receipt.ledgerIndex).toBe(first.receipt.ledgerIndex);
      expect(again.receipt.attestationId).toBe(first.receipt.attestationId);
      expect(await backend.ledger.size()).toBe(size);
      // The retry's evidence is the very one the existing leaf attests: its row is written again.
      await expectEvidenceOfEveryLeaf(backend);
    } finally {
      await engine.stop();
      await chains.close();
    }
  }, 60_000);

  it('a lost receipt with the scan cursor past the leaf: the ledger key alone keeps the retry from appending', async () => {
    const ref = { chainId: chain.chainId, recordType: 'enterprise', key: uscc(1) };
    const { engine, chains } = makeEngine(backend, [chain.entry()]);
    await engine.start();
    try {
      const first = await engine.attest(ref, { timeoutMs: 30_000 });
      const size = await backend.ledger.size();
      const db = (backend.ledgerStore as SqliteLedgerStore).database;
      // No index repair can find it: the receipt is gone and the cursor stays beyond the leaf.
      db.prepare('DELETE FROM relay_attestations WHERE attestation_id = ?').run(first.receipt.attestationId);
      db.prepare("UPDATE relay_jobs SET state = 'failed', next_run_at = 0, ledger_index = NULL WHERE id = ?").run(first.job.id);
      db.prepare('UPDATE relay_ledger_scan SET scanned_to = ?').run(size);
      const again = await engine.waitFor(first.job.id, 30_000);
      expect(again.receipt.ledgerIndex).toBe(first.receipt.ledgerIndex);
      expect(await backend.ledger.size()).toBe(size);
    } finally {
      await engine.stop();
      await chains.close();
    }
  }, 60_000);

  it('a worker stalled inside the ledger append past its lease: another process takes the job over, one leaf', async () => {
    const ref = { chainId: chain.chainId, recordType: 'enterprise', key: uscc(2) };
    // Process B: its own ledger handle and relay store on the same file.
    const storeB = await openSqliteStore(backend.env.COURTBRIDGE_STORE!);
    const ledgerB = await Ledger.open(storeB, { masterKey: MASTER });
    const backendB: Backend = { ...backend, ledgerStore: storeB, ledger: ledgerB, relayStore: await openRelayStore(storeB) };
    // Process A stalls 1.5 s inside every append (lease 400 ms): B reclaims the job and appends first.
    const orig = backend.ledger.append.bind(backend.ledger);
    let stalled = 0;
    backend.ledger.append = async (e, o) => { stalled++; await new Promise((r) => setTimeout(r, 1500)); return orig(e, o); };
    const a = makeEngine(backend, [chain.entry()], undefined, { leaseMs: 400 });
    const b = makeEngine(backendB, [chain.entry()], undefined, { leaseMs: 400 });
    const size = await backend.ledger.size();
    try {
      await a.engine.start();
      const job = await a.engine.enqueue(ref);
      while (stalled === 0) await new Promise((r) => setTimeout(r, 10));
      await b.engine.start();
      const done = await b.engine.waitFor(job.id, 30_000);
      await new Promise((r) => setTimeout(r, 1800)); // A's stalled append completes meanwhile
      expect(await backend.ledger.size()).toBe(size + 1);
      const ids = await ledgerAttestationIds(backend.ledger);
      expect(ids.filter((id) => id === done.receipt.attestationId)).toHaveLength(1);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await a.engine.stop();
      await b.engine.stop();
      backend.ledger.append = orig;
      await a.chains.close();
      await b.chains.close();
      await ledgerB.close();
    }
  }, 60_000);

  it('SIGKILL of `relay run` at random points (≥ 10 times): after restart every job completes, none lost or duplicated', async () => {
    ensureBuilt(ROOT);
    const chainsFile = join(dirname(backend.env.COURTBRIDGE_RELAY_KEY_FILE!), 'chains.json');
    writeFileSync(chainsFile, JSON.stringify([chain.entry()]));
    const env = {
      ...process.env, ...backend.env, COURTBRIDGE_RELAY_CHAINS: chainsFile, COURTBRIDGE_RELAY_LEASE_MS: '800',
      COURTBRIDGE_RELAY_MAX_ATTEMPTS: '1000', COURTBRIDGE_RELAY_POLL_MS: '20', COURTBRIDGE_RELAY_WORKERS: '2',
    };
    const head = Number(await chain.anvil.rpc<string>('eth_blockNumber')) - chain.confirmations;
    const jobs = [];
    for (let i = 3; i < 24; i++) jobs.push((await backend.relayStore.enqueue({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(i), blockHeight: head, maxAttempts: 1000 }, Date.now())).job);

    const runChild = (killAfterMs: number | 'term-when-done') => new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'relay', 'run'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let timer: NodeJS.Timeout | undefined;
      child.stderr.on('data', (d: Buffer) => {
        const first = !stderr.includes('relay\trunning');
        stderr += d.toString('utf8');
        if (first && stderr.includes('relay\trunning')) {
          if (killAfterMs === 'term-when-done') {
            let termed = false;
            const poll = setInterval(async () => {
              const c = await backend.relayStore.counts();
              // Exactly one SIGTERM (overlapping polls could send two; the second kills without the graceful drain).
              if (c.done === jobs.length + 3 && !termed) { termed = true; clearInterval(poll); child.kill('SIGTERM'); }
            }, 50);
            child.once('exit', () => clearInterval(poll));
          } else {
            timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          }
        }
      });
      // Some runs die during start-up, before the engine runs.
      if (typeof killAfterMs === 'number' && killAfterMs < 60) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs * 5);
      // The final run must also wait out retry delays stored by the killed runs (bounded by the 60 s backoff cap).
      const guard = setTimeout(() => child.kill('SIGKILL'), killAfterMs === 'term-when-done' ? 180_000 : 60_000);
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(guard);
        if (timer) clearTimeout(timer);
        resolve({ code, signal, stderr });
      });
    });

    let kills = 0;
    for (let round = 0; round < 11; round++) {
      const r = await runChild(Math.floor(Math.random() * 400));
      if (r.signal === 'SIGKILL') kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(10);
    const last = await runChild('term-when-done');
    expect({ code: last.code, counts: await backend.relayStore.counts() }).toMatchObject({ code: 0 });
    expect(last.stderr).toContain('relay\tstopped');

    const counts = await backend.relayStore.counts();
    expect(counts).toMatchObject({ done: jobs.length + 3, queued: 0, running: 0, failed: 0, dead: 0 });
    const ids = await ledgerAttestationIds(backend.ledger);
    expect(ids.length).toBe(jobs.length + 3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await backend.ledger.size()).toBe(ids.length);
    for (const j of jobs) {
      const row = (await backend.relayStore.job(j.id))!;
      const leaf = await backend.ledger.get(row.ledgerIndex!);
      expect(attestationIdOfLeaf(leaf.data)).toBe(row.attestationId);
    }
    await expectEvidenceOfEveryLeaf(backend);
  }, 300_000);
});
