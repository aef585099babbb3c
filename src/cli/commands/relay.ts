/**
 * Relay commands (configuration from the environment, see relay/setup.ts):
 * - `courtbridge attest <chain> <recordType> <key> [--at HEIGHT] [--timeout MS]`: enqueue the record at the chain's
 *   finalized head (or HEIGHT), run the engine until its job is done, print the receipt as one JSON line. Idempotent:
 *   the same record at the same block prints the same attestation id and ledger index.
 * - `courtbridge relay run`: run the engine until SIGINT / SIGTERM, then drain in-flight jobs and exit 0.
 */
import { parseCliArgs } from '../args.js';
import { fail } from '../../errors.js';
import { openRelayFromEnv } from '../../../relay/setup.js';
import type { CliIo } from '../io.js';

function int(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,15}$/.test(value)) fail('BAD_INTEGER', { field });
  return Number(value);
}

/** `courtbridge attest …`. */
export async function attestCommand(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseCliArgs(args, { at: { type: 'string' }, timeout: { type: 'string' } });
  const { values, positionals } = parsed;
  if (positionals.length !== 3) {
    io.err('usage: courtbridge attest <chain> <recordType> <key> [--at HEIGHT] [--timeout MS]');
    return 2;
  }
  const [chainId, recordType, key] = positionals as [string, string, string];
  const at = int(values.at, '--at');
  const timeoutMs = int(values.timeout, '--timeout') ?? 120_000;
  const relay = await openRelayFromEnv(env, (l) => io.err(l));
  try {
    await relay.engine.start();
    const r = await relay.engine.attest({ chainId, recordType, key }, { at, timeoutMs });
    io.out(JSON.stringify({ jobId: r.job.id, chainId, recordType, blockHeight: r.job.blockHeight, issuedAt: r.job.issuedAt, ...r.receipt }));
    return 0;
  } finally {
    await relay.close();
  }
}

/** `courtbridge relay run`; `signal` stops it (tests), as do SIGINT and SIGTERM. */
export async function relayCommand(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'run' || rest.length > 0) {
    io.err('usage: courtbridge relay run');
    return 2;
  }
  const relay = await openRelayFromEnv(env, (l) => io.err(l));
  let stop!: () => void;
  const stopped = new Promise<void>((r) => { stop = r; });
  const onSignal = () => stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  try {
    await relay.engine.start();
    io.err(`relay\trunning\t${relay.engine.owner}`);
    await stopped;
    io.err('relay\tdraining');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await relay.close();
    io.err('relay\tstopped');
  }
}
