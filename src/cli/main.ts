/**
 * `courtbridge` — the command line. Commands are registered explicitly below; each lives in src/cli/commands/.
 * Failures print `error\t<CODE>\t<message>` on stderr and exit non-zero; codes come from src/errors.ts.
 */
import { asCourtBridgeError } from '../errors.js';
import { processIo, type CliIo } from './io.js';
import { proofCommand } from './commands/proof.js';
import { errorsCommand } from './commands/errors.js';
import { ledgerCommand } from './commands/ledger.js';
import { didCommand } from './commands/did.js';
import { vcCommand } from './commands/vc.js';
import { adapterCommand } from './commands/adapter.js';
import { attestCommand, relayCommand } from './commands/relay.js';
import { apiCommand } from './commands/api.js';
import { verifyCommand } from './commands/verify.js';
import { bundleCommand } from './commands/bundle.js';

/** A top-level command: receives the arguments after its name. */
export type Command = (args: string[], io: CliIo) => Promise<number>;

/** Top-level commands. */
export const COMMANDS: Readonly<Record<string, { run: Command; summary: string }>> = Object.freeze({
  errors: { run: errorsCommand, summary: 'errors [--markdown]  the error table: code, HTTP status, category, message' },
  proof: { run: proofCommand, summary: 'proof verify FILE…  verify proof files offline' },
  ledger: { run: ledgerCommand, summary: 'ledger init|append|get|head|prove|consistency|audit  the judicial ledger' },
  did: { run: didCommand, summary: 'did create|resolve  DID keys and resolution' },
  vc: { run: vcCommand, summary: 'vc issue|present|verify  lawyer credentials' },
  adapter: { run: adapterCommand, summary: 'adapter register|rotate|approve|list|disable  partner-chain registrations' },
  attest: { run: (a, io) => attestCommand(a, io), summary: 'attest <chain> <recordType> <key>  attest one partner-chain record' },
  relay: { run: (a, io) => relayCommand(a, io), summary: 'relay run  run the relay engine until SIGINT/SIGTERM' },
  verify: { run: verifyCommand, summary: 'verify bundle.json [--trust anchors.json]  verify an evidence bundle offline (report: 一致 / 不一致)' },
  bundle: { run: (a, io) => bundleCommand(a, io), summary: 'bundle export <attestationId|index> [--out FILE]  export an evidence bundle' },
  api: { run: apiCommand, summary: 'api serve [--port P] [--host H] [--with-relay]  serve the HTTP API until SIGINT/SIGTERM' },
});

function usage(io: CliIo): void {
  io.err('usage: courtbridge <command> …');
  for (const [name, c] of Object.entries(COMMANDS)) io.err(`  ${name.padEnd(8)} ${c.summary}`);
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    usage(io);
    return name === undefined ? 2 : 0;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    io.err(`error\tUNKNOWN_TYPE\tunknown command ${name}`);
    usage(io);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    const err = asCourtBridgeError(e);
    io.err(`error\t${err.code}\t${err.message}`);
    return err.category === 'verify' ? 1 : 2;
  }
}
