/**
 * Start the BFT simulator as a child process (for tests, benchmarks and demos): runs the compiled
 * `dist/adapters/bft/simulator/main.js` (build first: `npx tsc -p .`), waits for `listening <port>`, and kills it on
 * `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail } from '../../../src/errors.js';

/** A running simulator process. */
export interface SimulatorProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after 2 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

/** The repository root (this file lives at adapters/bft/simulator/ in the sources and under dist/ when compiled). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  return process.cwd();
}

/** The compiled entry point. */
export function simulatorEntry(): string {
  return join(repoRoot(), 'dist', 'adapters', 'bft', 'simulator', 'main.js');
}

/**
 * Spawn `node dist/adapters/bft/simulator/main.js --port 0 --exit-with-stdin ...args` and wait (≤ timeoutMs) until it
 * listens. The child exits by itself when this process dies (its stdin pipe closes).
 */
export async function spawnSimulator(args: readonly string[] = [], timeoutMs = 15_000): Promise<SimulatorProcess> {
  const entry = simulatorEntry();
  if (!existsSync(entry)) fail('CONFIG_INVALID', { field: 'simulator', reason: `${entry} is missing: run npx tsc -p . first` });
  const child = spawn(process.execPath, [entry, '--port', '0', '--exit-with-stdin', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`simulator did not start in ${timeoutMs} ms: ${err}`)); }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolvePort(Number(m[1])); }
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`simulator exited with ${code}: ${err}`)); });
  }).catch((e: unknown) => fail('INTERNAL', { reason: 'the BFT simulator did not start' }, e));
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(t);
    },
  };
}
