/**
 * The BFT partner-chain simulator as a process:
 *
 *   node dist/adapters/bft/simulator/main.js [--port 0] [--host 127.0.0.1] [--validators 4] [--seed courtbridge]
 *        [--hash sm3|sha256] [--block-ms 0] [--chain-id bft:copyright-sim] [--genesis-time 1767225600] [--faults]
 *        [--exit-with-stdin]
 *
 * Prints `listening <port>` on stdout when ready; SIGTERM / SIGINT close it. Errors in the options exit with status 2.
 */
import { parseArgs } from 'node:util';
import { SimChain } from './chain.js';
import { DEFAULT_SIM_OPTIONS, MAX_SIM_VALIDATORS, type SimChainOptions } from './genesis.js';
import { startSimulatorServer } from './server.js';

function intOption(value: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer ${min}…${max}`);
  return n;
}

/** Parse the command line into chain and server options. */
export function parseSimulatorArgs(argv: string[]): { chain: SimChainOptions; port: number; host: string; blockMs: number; faults: boolean; exitWithStdin: boolean } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' }, host: { type: 'string' }, validators: { type: 'string' }, seed: { type: 'string' },
      hash: { type: 'string' }, 'block-ms': { type: 'string' }, 'chain-id': { type: 'string' }, 'genesis-time': { type: 'string' },
      faults: { type: 'boolean' }, 'exit-with-stdin': { type: 'boolean' },
    },
  });
  const hash = values.hash ?? DEFAULT_SIM_OPTIONS.hashAlg;
  if (hash !== 'sm3' && hash !== 'sha256') throw new Error('--hash must be sm3 or sha256');
  const chainId = values['chain-id'] ?? DEFAULT_SIM_OPTIONS.chainId;
  if (!/^bft:[-_a-zA-Z0-9]{1,32}$/.test(chainId)) throw new Error('--chain-id must be a CAIP-2 id bft:<network>');
  return {
    chain: {
      chainId,
      seed: values.seed ?? DEFAULT_SIM_OPTIONS.seed,
      validators: intOption(values.validators, 'validators', 1, MAX_SIM_VALIDATORS, DEFAULT_SIM_OPTIONS.validators),
      hashAlg: hash,
      genesisTime: intOption(values['genesis-time'], 'genesis-time', 0, 2 ** 40, DEFAULT_SIM_OPTIONS.genesisTime),
    },
    port: intOption(values.port, 'port', 0, 65535, 0),
    host: values.host ?? '127.0.0.1',
    blockMs: intOption(values['block-ms'], 'block-ms', 0, 3_600_000, 0),
    faults: values.faults ?? false,
    exitWithStdin: values['exit-with-stdin'] ?? false,
  };
}

async function run(): Promise<void> {
  let args: ReturnType<typeof parseSimulatorArgs>;
  try {
    args = parseSimulatorArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error\t${(e as Error).message}\n`);
    process.exit(2);
  }
  const sim = await startSimulatorServer({ chain: new SimChain(args.chain), faultsEnabled: args.faults, blockMs: args.blockMs, host: args.host, port: args.port });
  const stop = () => void sim.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (args.exitWithStdin) {
    // Spawned by a test or benchmark: exit when the parent goes away (its end of the stdin pipe closes).
    process.stdin.once('close', stop);
    process.stdin.resume();
  }
  process.stdout.write(`listening ${sim.port}\n`);
}

await run();
