/**
 * `courtbridge ledger …`: the judicial ledger from the command line.
 *   init [--origin O] [--hash sha256|sm3]   create the ledger and its keys
 *   append FILE|-                           append a JSON attestation; prints the receipt JSON
 *   get INDEX                               print an entry
 *   head [--new]                            latest signed checkpoint + verifier keys (--new: sign a fresh one first)
 *   prove INDEX [--size N]                  rfc9162-inclusion proof file (for `courtbridge proof verify`)
 *   consistency SIZE1 [SIZE2]               rfc9162-consistency proof file
 *   audit                                   re-derive everything stored; "ok" or one finding per line, exit 1
 * Every subcommand takes `--store PATH|URL` (overrides COURTBRIDGE_STORE / DATABASE_URL).
 */
import { parseCliArgs } from '../args.js';
import { readFile } from 'node:fs/promises';
import { loadConfig, parseLedgerHash, parseOrigin, parseStore, type Config } from '../../config.js';
import { asCourtBridgeError, fail } from '../../errors.js';
import { describeFinding } from '../../ledger/audit.js';
import { Ledger, MAX_ENTRY_BYTES } from '../../ledger/ledger.js';
import { resolveMasterKey } from '../../ledger/master-key.js';
import { consistencyProofFile, inclusionProofFile } from '../../ledger/proof-files.js';
import { openStore } from '../../ledger/store/open.js';
import type { CliIo } from '../io.js';


const USAGE = [
  'usage: courtbridge ledger <init|append|get|head|prove|consistency|audit> [--store PATH|URL] …',
  '  init [--origin O] [--hash sha256|sm3]',
  '  append FILE|-',
  '  get INDEX',
  '  head [--new]',
  '  prove INDEX [--size N]',
  '  consistency SIZE1 [SIZE2]',
  '  audit',
];

const OPTIONS = {
  store: { type: 'string' },
  origin: { type: 'string' },
  hash: { type: 'string' },
  size: { type: 'string' },
  new: { type: 'boolean' },
} as const;

type Values = { store?: string; origin?: string; hash?: string; size?: string; new?: boolean };

function parseIntArg(value: string | undefined, field: string): number {
  if (value === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(value) || !Number.isSafeInteger(Number(value))) fail('BAD_INTEGER', { field });
  return Number(value);
}

async function readEntry(file: string): Promise<unknown> {
  let text: string;
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const c of process.stdin) {
        n += (c as Buffer).length;
        if (n > MAX_ENTRY_BYTES) fail('TOO_LARGE', { field: 'stdin', limit: MAX_ENTRY_BYTES });
        chunks.push(c as Buffer);
      }
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      const buf = await readFile(file);
      if (buf.length > MAX_ENTRY_BYTES) fail('TOO_LARGE', { field: file, limit: MAX_ENTRY_BYTES });
      text = buf.toString('utf8');
    }
  } catch (e) {
    throw asCourtBridgeError(e, 'FILE_UNREADABLE', { file, reason: (e as NodeJS.ErrnoException).code ?? 'unreadable' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail('MALFORMED_JSON', { field: file, reason: (e as Error).message }, e);
  }
}

async function withLedger<T>(config: Config, io: CliIo, needKey: boolean, fn: (l: Ledger) => Promise<T>): Promise<T> {
  const masterKey = needKey ? resolveMasterKey(config.masterKey, io.err) : undefined;
  const store = await openStore(config.store);
  let ledger: Ledger;
  try {
    ledger = await Ledger.open(store, { masterKey, groupCommitMax: config.groupCommitMax });
  } catch (e) {
    await store.close();
    throw e;
  }
  try {
    return await fn(ledger);
  } finally {
    await ledger.close();
  }
}

/** Entry point of `courtbridge ledger …`. */
export async function ledgerCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parseCliArgs(rest, OPTIONS) as { values: Values; positionals: string[] };
  const { values: v, positionals: pos } = parsed;
  const base = loadConfig();
  const config: Config = v.store === undefined ? base : { ...base, store: parseStore(v.store, '--store', base.store.kind === 'postgres' ? base.store.schema : 'public') };
  const json = (x: unknown): void => io.out(JSON.stringify(x, null, 2));

  switch (sub) {
    case 'init': {
      const origin = v.origin === undefined ? config.ledgerOrigin : parseOrigin(v.origin, '--origin');
      const hashAlg = v.hash === undefined ? config.ledgerHash : parseLedgerHash(v.hash, '--hash');
      const masterKey = resolveMasterKey(config.masterKey, io.err);
      const store = await openStore(config.store);
      try {
        const ledger = await Ledger.init(store, { origin, hashAlg, masterKey });
        json({ origin, hashAlg, store: store.location, verifierKeys: (await ledger.head()).verifierKeys });
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'append': {
      if (pos.length !== 1) break;
      const entry = await readEntry(pos[0]!);
      if (typeof entry !== 'object' || entry === null) fail('INVALID_INPUT', { field: pos[0]!, reason: 'an attestation must be a JSON object or array' });
      const receipt = await withLedger(config, io, false, (l) => l.append(entry));
      json(receipt);
      return 0;
    }
    case 'get': {
      if (pos.length !== 1) break;
      const index = parseIntArg(pos[0], 'INDEX');
      const e = await withLedger(config, io, false, (l) => l.get(index));
      const text = Buffer.from(e.data).toString('utf8');
      let entry: unknown;
      try {
        entry = JSON.parse(text);
      } catch {
        entry = undefined;
      }
      json({ index: e.index, leafHash: e.leafHash, ...(entry === undefined ? { dataBase64: Buffer.from(e.data).toString('base64') } : { entry }) });
      return 0;
    }
    case 'head': {
      if (pos.length !== 0) break;
      const head = await withLedger(config, io, v.new === true, async (l) => {
        if (v.new) await l.checkpoint();
        return l.head();
      });
      json(head);
      return 0;
    }
    case 'prove': {
      if (pos.length !== 1) break;
      const index = parseIntArg(pos[0], 'INDEX');
      const size = v.size === undefined ? undefined : parseIntArg(v.size, '--size');
      json(await withLedger(config, io, false, async (l) => inclusionProofFile(l.origin, l.meta.hashAlg, await l.proveInclusion(index, size))));
      return 0;
    }
    case 'consistency': {
      if (pos.length < 1 || pos.length > 2) break;
      const size1 = parseIntArg(pos[0], 'SIZE1');
      const size2 = pos[1] === undefined ? undefined : parseIntArg(pos[1], 'SIZE2');
      json(await withLedger(config, io, false, async (l) => consistencyProofFile(l.origin, l.meta.hashAlg, await l.proveConsistency(size1, size2))));
      return 0;
    }
    case 'audit': {
      if (pos.length !== 0) break;
      const report = await withLedger(config, io, false, (l) => l.audit());
      if (report.ok) {
        io.out(`ok\ttree size ${report.treeSize}, ${report.leavesChecked} leaves, ${report.nodesChecked} nodes, ${report.checkpointsChecked} checkpoints`);
        return 0;
      }
      for (const f of report.findings) io.out(`finding\t${f.kind}\t${describeFinding(f)}`);
      io.err(`invalid\tLEDGER_TAMPERED\t${report.findings.length} finding(s)`);
      return 1;
    }
    default:
      break;
  }
  for (const line of USAGE) io.err(line);
  return 2;
}
