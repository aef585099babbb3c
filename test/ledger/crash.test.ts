/**
 * Crash safety (DESIGN.md Principle 3: nothing acknowledged is lost). A child process (fixtures/crash-writer.ts,
 * compiled to dist/) appends in a loop and prints every acknowledged receipt; we SIGKILL it at random moments, reopen
 * the ledger in between, and check: every acknowledged entry is present at the index it was acknowledged with, the
 * stored tree audits clean, and a consistency proof from every checkpoint recorded earlier to a fresh one verifies.
 * SQLite (temp file) ≥ 50 kills; PostgreSQL (COURTBRIDGE_TEST_PG, own schema) ≥ 10 kills.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../src/config.js';
import { bytesEqual, fromHex } from '../../src/crypto/bytes.js';
import { canonicalBytes } from '../../src/crypto/canonical.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/ledger/store/open.js';
import { TEST_MASTER_KEY } from './store-conformance.js';
import { expectSoundTree } from '../helpers/ledger-audit.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WRITER = join(ROOT, 'dist', 'test', 'ledger', 'fixtures', 'crash-writer.js');
const PG = process.env.COURTBRIDGE_TEST_PG;

interface Ack { index: number; run: number; seq: number }

/** Spawn the writer, SIGKILL it at a random moment, return what it acknowledged. */
function killRun(store: StoreConfig, run: number): Promise<{ acks: Ack[]; checkpoints: { size: number; root: string }[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, JSON.stringify(store), String(run)], {
      env: { ...process.env, COURTBRIDGE_MASTER_KEY: TEST_MASTER_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    // One run in ten dies during start-up; the others a random 0–120 ms after their first acknowledgement.
    const early = Math.random() < 0.1;
    const guard = setTimeout(kill, early ? Math.random() * 150 : 5000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (!armed && !early && out.includes('ack\t')) {
        armed = true;
        clearTimeout(guard);
        setTimeout(kill, Math.random() * 120);
      }
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      const acks: Ack[] = [];
      const checkpoints: { size: number; root: string }[] = [];
      // Only complete lines count: a line cut by the kill was never fully handed over.
      for (const line of out.split('\n').slice(0, -1)) {
        const f = line.split('\t');
        if (f[0] === 'ack') acks.push({ index: Number(f[1]), run: Number(f[2]), seq: Number(f[3]) });
        else if (f[0] === 'checkpoint') checkpoints.push({ size: Number(f[1]), root: f[2]! });
      }
      resolve({ acks, checkpoints, stderr: err });
    });
  });
}

async function crashLoop(store: StoreConfig, kills: number): Promise<void> {
  const init = await openStore(store, { createSchema: true });
  await (await Ledger.init(init, { origin: 'court.test/crash', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY })).close();
  const acked = new Map<number, Ack>();
  const recorded: { size: number; root: Uint8Array }[] = [];
  for (let run = 0; run < kills; run++) {
    const r = await killRun(store, run);
    expect(r.stderr).toBe('');
    for (const a of r.acks) {
      expect(acked.has(a.index), `index ${a.index} acknowledged twice`).toBe(false);
      acked.set(a.index, a);
    }
    for (const c of r.checkpoints) recorded.push({ size: c.size, root: fromHex(c.root, 'root', 32) });
    // Reopen (resumes from stored peaks) and check this run's acknowledgements survived at their indices.
    const ledger = await Ledger.open(await openStore(store), { masterKey: TEST_MASTER_KEY });
    try {
      for (const a of r.acks) {
        const e = await ledger.get(a.index);
        expect(bytesEqual(e.data, canonicalBytes({ run: a.run, seq: a.seq })), `entry ${a.index}`).toBe(true);
      }
      if (run % 5 === 4) {
        const cp = await ledger.checkpoint();
        recorded.push({ size: cp.treeSize, root: cp.root });
      }
    } finally {
      await ledger.close();
    }
  }
  const ledger = await Ledger.open(await openStore(store), { masterKey: TEST_MASTER_KEY });
  try {
    expect(acked.size).toBeGreaterThan(kills); // the writer got work done between kills
    for (const [index, a] of acked) expect(bytesEqual((await ledger.get(index)).data, canonicalBytes({ run: a.run, seq: a.seq }))).toBe(true);
    await expectSoundTree(ledger, recorded);
  } finally {
    await ledger.close();
  }
}

describe('crash safety: SIGKILL a writer process at random moments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-ledger-crash-'));
  beforeAll(() => {
    // Compile to dist/ so the child runs plain node; type errors elsewhere in the tree do not stop emission.
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { stdio: 'ignore' });
    } catch { /* emitted anyway; checked below */ }
    if (!existsSync(WRITER)) throw new Error(`${WRITER} was not built`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: 50 kills, every acknowledged entry survives at its index, audit clean, checkpoints consistent', async () => {
    await crashLoop({ kind: 'sqlite', path: join(dir, 'crash.db') }, 50);
  }, 120_000);

  describe.skipIf(!PG)(`PostgreSQL${PG ? '' : ' — skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)'}`, () => {
    const schema = `cbcrash_${process.pid}`;
    afterAll(async () => {
      const c = new pg.Client({ connectionString: PG });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    });
    it('PostgreSQL: 10 kills, every acknowledged entry survives at its index, audit clean, checkpoints consistent', async () => {
      await crashLoop({ kind: 'postgres', url: PG!, schema }, 10);
    }, 120_000);
  });
});
