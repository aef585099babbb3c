/**
 * Helpers for the `bft` adapter tests: build dist/ once, spawn the BFT simulator as a child process, drive its test
 * hooks over plain HTTP (not through the adapter under test), and registrations / trust states for it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SIM_OPTIONS, simulatorTrustAnchor, type SimChainOptions } from '../../../adapters/bft/simulator/genesis.js';
import { spawnSimulator, type SimulatorProcess } from '../../../adapters/bft/simulator/spawn.js';
import type { BftRecordMapping, Registration } from '../../../adapters/types.js';
import { createTrustState } from '../../../src/proofs/lightclient/state.js';
import type { TrustState } from '../../../src/proofs/lightclient/types.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const ENTRY = join(ROOT, 'dist', 'adapters', 'bft', 'simulator', 'main.js');
let built = false;

/** Newest modification time of the .ts files under `dir` (the simulator's and adapter's sources and src/). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Compile the project into dist/ when the simulator's build is older than its sources (other areas' type errors do
 * not stop emission). Test files run in parallel workers: one builds (mkdir is the lock), the others wait for it.
 */
export function buildOnce(): void {
  if (built) return;
  const fresh = () => existsSync(ENTRY) && statSync(ENTRY).mtimeMs >= Math.max(newestSource(join(ROOT, 'adapters')), newestSource(join(ROOT, 'src')));
  const lock = join(tmpdir(), `cb-bft-build-${process.ppid}`);
  const deadline = Date.now() + 120_000;
  while (!fresh() && Date.now() < deadline) {
    try {
      mkdirSync(lock);
    } catch {
      execFileSync('sleep', ['0.2']); // another worker is building
      continue;
    }
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { stdio: 'ignore' });
    } catch { /* emitted anyway */ } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    break;
  }
  built = true;
}

/** Build, then spawn `node dist/adapters/bft/simulator/main.js --faults …args`. */
export async function startSimulator(...args: string[]): Promise<SimulatorProcess> {
  buildOnce();
  return spawnSimulator(['--faults', ...args]);
}

/** A raw JSON-RPC call (test hooks and spec checks), returning the whole response object. */
export async function rawRpc(url: string, method: string, params: unknown[] = []): Promise<{ result?: any; error?: { code: number; message: string; data?: any } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await res.json()) as any;
}

/** A raw call that must succeed; returns `result`. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const r = await rawRpc(url, method, params);
  if (r.error !== undefined) throw new Error(`${method}: ${r.error.message}`);
  return r.result;
}

/** The record type of the simulated copyright chain and its mapping. */
export const RECORD_TYPE = 'copyright-registration';
export const MAPPING: BftRecordMapping = { kind: 'bft-merkle', keyField: 'registrationNumber' };

/** A copyright-registration record (schemas/domain/ip/copyright-registration.json shape). */
export function copyright(n: number): Record<string, unknown> {
  return {
    registrationNumber: `国作登字-2026-F-${String(n).padStart(8, '0')}`,
    workTitle: `作品 ${n}`,
    workCategory: 'fine-art',
    copyrightOwners: [{ kind: 'legal-person', orgName: '北京某某文化传媒有限公司', uscc: '91110000802100433B' }],
    rightsAcquisition: 'original',
    registrationDate: '2026-03-01',
    registrationAuthority: '中国版权保护中心',
  };
}

/** Submit records and produce a block; returns its height. */
export async function addBlock(url: string, records: Record<string, unknown>[]): Promise<number> {
  for (const r of records) await rpc(url, 'bft_submitRecord', [RECORD_TYPE, r, 'registrationNumber']);
  return (await rpc(url, 'sim_produceBlock')).height as number;
}

/** A `bft` registration for `urls`. */
export function registrationFor(urls: string[], limits: Registration['rpcLimits'] = { timeoutMs: 2_000 }, opts: SimChainOptions = DEFAULT_SIM_OPTIONS): Registration {
  return {
    chainId: opts.chainId,
    kind: 'bft',
    rpc: urls.map((url) => ({ url })),
    finality: { rule: 'bft-qc' },
    recordTypes: { [RECORD_TYPE]: { schemaId: 'https://courtbridge.example/schemas/domain/ip/copyright-registration/v1', mapping: MAPPING } },
    ...(limits === undefined ? {} : { rpcLimits: limits }),
  };
}

/** Unix seconds now. */
export const nowSec = (): number => Math.floor(Date.now() / 1000);

/** A fresh light-client state from the simulator's genesis, computed offline from its options. */
export function genesisTrust(opts: SimChainOptions = DEFAULT_SIM_OPTIONS): TrustState {
  return createTrustState(simulatorTrustAnchor(opts), nowSec());
}
