/**
 * A local EVM development node for demos and tests: anvil from the npm package @foundry-rs/anvil
 * (`node_modules/.bin/anvil`) on a free loopback port, spoken to with raw JSON-RPC over HTTP, and offline solc
 * compilation of the partner contracts in test/fixtures/contracts. Paths resolve from the repository root, so this
 * runs from the sources and from dist/ in any working directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail } from '../../src/errors.js';

const require = createRequire(import.meta.url);

/** A running anvil process. */
export interface Anvil {
  url: string;
  /** The child process (its pid lets callers check that it is gone). */
  child: ChildProcess;
  rpc: <T = any>(method: string, params?: unknown[]) => Promise<T>;
  stop: () => Promise<void>;
}

/** The repository root: the nearest ancestor of this file holding package.json (sources and dist/ alike). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  return process.cwd();
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
    srv.on('error', reject);
  });
}

/**
 * The anvil executable: the platform package's binary itself when present (so the pid we hold is anvil's and a
 * SIGKILL cannot orphan it), else the npm wrapper `node_modules/.bin/anvil` (which forwards SIGINT/SIGTERM).
 */
export function anvilBinary(): string {
  const root = repoRoot();
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const direct = join(root, 'node_modules', '@foundry-rs', `anvil-${process.platform}-${arch}`, 'bin', 'anvil');
  if (existsSync(direct)) return direct;
  const wrapper = join(root, 'node_modules', '.bin', 'anvil');
  if (!existsSync(wrapper)) fail('CONFIG_INVALID', { field: 'anvil', reason: `${wrapper} is missing: run npm ci` });
  return wrapper;
}

/** Options of `startAnvil`. */
export interface AnvilOptions {
  hardfork?: string;
  /** EIP-155 chain id (anvil's default is 31337). */
  chainId?: number;
  extra?: string[];
  /** Called with the child right after spawning, before it answers (lets a caller stop it if it never does). */
  onSpawn?: (child: ChildProcess, stop: () => Promise<void>) => void;
}

/** Start anvil and wait (≤ 5 s) until it answers `eth_chainId`; a node that never answers is killed. */
export async function startAnvil(opts: AnvilOptions = {}): Promise<Anvil> {
  const bin = anvilBinary();
  const port = await freePort();
  const args = ['--port', String(port), '--host', '127.0.0.1', '--silent', '--hardfork', opts.hardfork ?? 'prague'];
  if (opts.chainId !== undefined) args.push('--chain-id', String(opts.chainId));
  const child: ChildProcess = spawn(bin, [...args, ...(opts.extra ?? [])], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  let id = 0;
  const rpc = async <T,>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
    const body = (await res.json()) as { result?: T; error?: { code?: number; message: string } };
    if (body.error) fail('RPC_ERROR', { method, chain: 'anvil', endpoint: url, rpcCode: body.error.code ?? 0, reason: body.error.message });
    return body.result as T;
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(t);
  };
  opts.onSpawn?.(child, stop);
  for (let i = 0; i < 100; i++) {
    try {
      await rpc('eth_chainId');
      return { url, child, rpc, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await stop();
  return fail('RPC_UNAVAILABLE', { method: 'eth_chainId', chain: 'anvil', reason: `anvil did not answer on ${url}` });
}

/** Compile one contract of test/fixtures/contracts with solc (standard JSON, offline). */
export function compileContract(name: string): { abi: unknown[]; bytecode: string } {
  const solc = require('solc') as { compile(input: string): string };
  const file = `${name}.sol`;
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: readFileSync(join(repoRoot(), 'test', 'fixtures', 'contracts', file), 'utf8') } },
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as any;
  const errors = (out.errors ?? []).filter((e: any) => e.severity === 'error');
  if (errors.length) fail('CONFIG_INVALID', { field: 'contract', reason: `${file}: ${errors.map((e: any) => e.formattedMessage).join('; ')}` });
  const c = out.contracts[file][name];
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

/** Send a transaction from anvil's first unlocked account and wait for its receipt (anvil automines). */
export async function sendTx(a: Anvil, tx: Record<string, unknown>): Promise<any> {
  const [from] = await a.rpc<string[]>('eth_accounts');
  const hash = await a.rpc<string>('eth_sendTransaction', [{ from, ...tx }]);
  let receipt: any = null;
  for (let i = 0; i < 100 && !receipt; i++) {
    receipt = await a.rpc<any>('eth_getTransactionReceipt', [hash]);
    if (!receipt) await new Promise((r) => setTimeout(r, 20));
  }
  if (!receipt || receipt.status !== '0x1') fail('RPC_BAD_RESPONSE', { method: 'eth_sendTransaction', chain: 'anvil', endpoint: a.url, reason: `transaction ${hash} failed` });
  return receipt;
}
