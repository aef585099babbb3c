/**
 * Configuration from the environment, parsed once into a typed value. Bad values fail with CONFIG_INVALID naming the
 * variable; secrets never appear in errors or logs, and credentials are stripped from URLs before they are shown.
 *
 * Variables (all optional):
 * | Variable | Meaning | Default |
 * |---|---|---|
 * | `COURTBRIDGE_STORE` | SQLite file path, or a `postgres://` / `postgresql://` URL | `./data/courtbridge.db` |
 * | `DATABASE_URL` | PostgreSQL URL, used when `COURTBRIDGE_STORE` is unset | — |
 * | `COURTBRIDGE_PG_SCHEMA` | PostgreSQL schema (`search_path`) holding the ledger tables | `public` |
 * | `COURTBRIDGE_MASTER_KEY` | passphrase that seals private keys at rest; else `./data/master.key` (created 0600) | — |
 * | `COURTBRIDGE_MASTER_KEY_FILE` | where the generated master key lives when `COURTBRIDGE_MASTER_KEY` is unset | `./data/master.key` |
 * | `COURTBRIDGE_LEDGER_ORIGIN` | default origin (checkpoint line 1) for `ledger init` | `courtbridge.local/ledger` |
 * | `COURTBRIDGE_LEDGER_HASH` | default hash for `ledger init`: `sha256` or `sm3` | `sha256` |
 * | `COURTBRIDGE_GROUP_COMMIT_MAX` | most appends committed in one transaction (1 … 100000) | `1000` |
 */
import { fail } from './errors.js';

/** Where the ledger lives. */
export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

/** Where the master key comes from (the value itself is kept out of `toString`/JSON of errors). */
export type MasterKeySource =
  | { readonly kind: 'env'; readonly passphrase: string }
  | { readonly kind: 'file'; readonly path: string };

/** Hash suites a ledger may be created with. */
export type LedgerHashAlg = 'sha256' | 'sm3';

/** The parsed configuration. */
export interface Config {
  readonly store: StoreConfig;
  readonly masterKey: MasterKeySource;
  readonly ledgerOrigin: string;
  readonly ledgerHash: LedgerHashAlg;
  readonly groupCommitMax: number;
}

/** Default SQLite file. */
export const DEFAULT_STORE_PATH = './data/courtbridge.db';
/** Default generated master-key file. */
export const DEFAULT_MASTER_KEY_FILE = './data/master.key';
/** Default ledger origin. */
export const DEFAULT_LEDGER_ORIGIN = 'courtbridge.local/ledger';

/** C2SP signed-note: a key name (and thus an origin) is non-empty and has no spaces, `+` or newlines. */
const ORIGIN_RE = /^[\x21-\x2a\x2c-\x7e]{1,255}$/;
const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Remove user and password from a URL so it can be shown in an error or log line. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    for (const k of [...u.searchParams.keys()]) if (/pass|secret|token|key/i.test(k)) u.searchParams.set(k, 'redacted');
    return u.toString();
  } catch {
    // Not a URL: drop anything that looks like userinfo.
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/** Parse a store location: a `postgres://` URL or a SQLite path. */
export function parseStore(value: string, field: string, schema = 'public'): StoreConfig {
  if (value.trim() === '') fail('CONFIG_INVALID', { field, reason: 'empty' });
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      fail('CONFIG_INVALID', { field, reason: `not a valid URL: ${redactUrl(value)}` });
    }
    if (!SCHEMA_RE.test(schema)) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_PG_SCHEMA', reason: 'must be an SQL identifier' });
    return { kind: 'postgres', url: value, schema };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) fail('CONFIG_INVALID', { field, reason: `unsupported scheme in ${redactUrl(value)}` });
  if (value.includes('\0')) fail('CONFIG_INVALID', { field, reason: 'contains a NUL byte' });
  return { kind: 'sqlite', path: value };
}

/** Check a ledger origin (it becomes the first checkpoint line and the note key name). */
export function parseOrigin(value: string, field: string): string {
  if (!ORIGIN_RE.test(value)) fail('CONFIG_INVALID', { field, reason: 'must be 1–255 printable ASCII characters without spaces or +' });
  return value;
}

/** Check a ledger hash name. */
export function parseLedgerHash(value: string, field: string): LedgerHashAlg {
  if (value !== 'sha256' && value !== 'sm3') fail('CONFIG_INVALID', { field, reason: 'must be sha256 or sm3' });
  return value;
}

function parseIntIn(value: string, field: string, min: number, max: number): number {
  if (!/^[0-9]{1,9}$/.test(value)) fail('CONFIG_INVALID', { field, reason: 'must be an integer' });
  const n = Number(value);
  if (n < min || n > max) fail('CONFIG_INVALID', { field, reason: `must be between ${min} and ${max}` });
  return n;
}

/** Parse the configuration from `env` (default `process.env`). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const schema = env.COURTBRIDGE_PG_SCHEMA ?? 'public';
  const storeVar = env.COURTBRIDGE_STORE !== undefined ? 'COURTBRIDGE_STORE' : env.DATABASE_URL !== undefined ? 'DATABASE_URL' : undefined;
  const store = storeVar === undefined ? parseStore(DEFAULT_STORE_PATH, 'COURTBRIDGE_STORE', schema) : parseStore(env[storeVar]!, storeVar, schema);
  if (storeVar === 'DATABASE_URL' && store.kind !== 'postgres') fail('CONFIG_INVALID', { field: 'DATABASE_URL', reason: 'must be a postgres:// URL' });
  const pass = env.COURTBRIDGE_MASTER_KEY;
  if (pass !== undefined && pass.length < 16) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_MASTER_KEY', reason: 'must be at least 16 characters' });
  const masterKey: MasterKeySource =
    pass !== undefined ? { kind: 'env', passphrase: pass } : { kind: 'file', path: env.COURTBRIDGE_MASTER_KEY_FILE ?? DEFAULT_MASTER_KEY_FILE };
  return Object.freeze({
    store,
    masterKey,
    ledgerOrigin: parseOrigin(env.COURTBRIDGE_LEDGER_ORIGIN ?? DEFAULT_LEDGER_ORIGIN, 'COURTBRIDGE_LEDGER_ORIGIN'),
    ledgerHash: parseLedgerHash(env.COURTBRIDGE_LEDGER_HASH ?? 'sha256', 'COURTBRIDGE_LEDGER_HASH'),
    groupCommitMax: env.COURTBRIDGE_GROUP_COMMIT_MAX === undefined ? 1000 : parseIntIn(env.COURTBRIDGE_GROUP_COMMIT_MAX, 'COURTBRIDGE_GROUP_COMMIT_MAX', 1, 100_000),
  });
}
