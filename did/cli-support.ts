/**
 * Shared plumbing of the `did` and `vc` CLI commands: the key store on the configured store (SQLite file or PostgreSQL
 * schema, table `did_keys`; master key derived with scrypt from the configured passphrase and a per-store salt), file
 * reading with a size cap, and the ledger-backed status lists.
 */
import { readFile, stat } from 'node:fs/promises';
import { asCourtBridgeError, fail } from '../src/errors.js';
import { loadConfig } from '../src/config.js';
import { deriveMasterKey } from '../src/crypto/sealed.js';
import { resolveMasterKey } from '../src/ledger/master-key.js';
import { Ledger } from '../src/ledger/ledger.js';
import { openStore } from '../src/ledger/store/open.js';
import { SealedKeyStore, SqliteKeyRows } from './keystore.js';
import { PgKeyRows } from './keystore-pg.js';
import { StatusListRegistry } from './status-list.js';

/** Largest input file the did/vc commands read. */
export const MAX_CLI_FILE_BYTES = 1024 * 1024;

/** Open the key store: `--keystore FILE` (SQLite), else the configured store (SQLite file or PostgreSQL schema). */
export async function openKeyStore(path: string | undefined, notice: (line: string) => void): Promise<{ store: SealedKeyStore; close: () => Promise<void> }> {
  const config = loadConfig();
  const passphrase = resolveMasterKey(config.masterKey, notice);
  if (path === undefined && config.store.kind === 'postgres') {
    const rows = await PgKeyRows.open(config.store.url, config.store.schema);
    try {
      return { store: new SealedKeyStore(rows, deriveMasterKey(passphrase, await rows.kdfSalt())), close: () => rows.close() };
    } catch (e) {
      await rows.close();
      throw e;
    }
  }
  const rows = new SqliteKeyRows(path ?? (config.store.kind === 'sqlite' ? config.store.path : ''));
  try {
    return { store: new SealedKeyStore(rows, deriveMasterKey(passphrase, rows.kdfSalt())), close: async () => rows.close() };
  } catch (e) {
    rows.close();
    throw e;
  }
}

/** Read a UTF-8 file (at most MAX_CLI_FILE_BYTES), trimmed. */
export async function readText(file: string): Promise<string> {
  try {
    const st = await stat(file);
    if (st.size > MAX_CLI_FILE_BYTES) fail('TOO_LARGE', { field: file, limit: MAX_CLI_FILE_BYTES });
    return (await readFile(file, 'utf8')).trim();
  } catch (e) {
    throw asCourtBridgeError(e, 'FILE_UNREADABLE', { file, reason: (e as NodeJS.ErrnoException).code ?? 'unreadable' });
  }
}

/** Read and parse a JSON file. */
export async function readJson(file: string): Promise<unknown> {
  const text = await readText(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail('MALFORMED_JSON', { field: file, reason: (e as Error).message }, e);
  }
}

/** Parse an ISO 8601 date-time (or date) option into seconds since the epoch. */
export function parseTime(value: string | undefined, field: string, fallback?: number): number {
  if (value === undefined) return fallback ?? fail('INVALID_INPUT', { field, reason: 'required' });
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value)) fail('INVALID_INPUT', { field, reason: 'ISO 8601 date or date-time with zone' });
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) fail('INVALID_INPUT', { field, reason: 'not a valid date' });
  return Math.floor(ms / 1000);
}

/** Open the ledger of the configured store (COURTBRIDGE_STORE / DATABASE_URL); the caller closes it. */
export async function openConfiguredLedger(): Promise<Ledger> {
  const store = await openStore(loadConfig().store);
  try {
    return await Ledger.open(store);
  } catch (e) {
    await store.close();
    throw e;
  }
}

/**
 * Open the configured ledger, rebuild the hub's status lists from its `courtbridge.did.status` attestations, run
 * `fn` with a registry whose changes are appended to that ledger, then close.
 */
export async function withLedgerStatus<T>(fn: (registry: StatusListRegistry) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config.store);
  let ledger: Ledger;
  try {
    ledger = await Ledger.open(store);
  } catch (e) {
    await store.close();
    throw e;
  }
  try {
    const registry = new StatusListRegistry('', ledger);
    const size = (await ledger.head()).treeSize;
    for (let i = 0; i < size; i++) {
      let entry: unknown;
      try {
        entry = JSON.parse(Buffer.from((await ledger.get(i)).data).toString('utf8'));
      } catch {
        continue; // non-JSON entries belong to other areas
      }
      registry.replay(entry);
    }
    return await fn(registry);
  } finally {
    await ledger.close();
  }
}
