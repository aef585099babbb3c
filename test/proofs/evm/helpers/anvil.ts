/**
 * Test helpers: a real local anvil node spoken to with raw JSON-RPC over HTTP, and offline solc compilation of the
 * partner contracts in test/fixtures/contracts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A running anvil process. */
export interface Anvil {
  url: string;
  rpc: <T = any>(method: string, params?: unknown[]) => Promise<T>;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Start anvil with the given hardfork and wait until it answers. */
export async function startAnvil(hardfork = 'prague', extra: string[] = []): Promise<Anvil> {
  const port = await freePort();
  const proc: ChildProcess = spawn('node_modules/.bin/anvil', ['--port', String(port), '--silent', '--hardfork', hardfork, ...extra], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  let id = 0;
  const rpc = async <T,>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
  for (let i = 0; i < 100; i++) {
    try {
      await rpc('eth_chainId');
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    rpc,
    stop: async () => {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await done;
      }
    },
  };
}

/** Compile one contract of test/fixtures/contracts with solc (standard JSON, offline). */
export function compileContract(name: string): { abi: unknown[]; bytecode: string } {
  const solc = require('solc') as { compile(input: string): string };
  const file = `${name}.sol`;
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: readFileSync(join('test/fixtures/contracts', file), 'utf8') } },
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as any;
  const errors = (out.errors ?? []).filter((e: any) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e: any) => e.formattedMessage).join('\n'));
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
  if (!receipt || receipt.status !== '0x1') throw new Error(`tx ${hash} failed`);
  return receipt;
}
