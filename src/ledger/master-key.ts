/**
 * The master-key passphrase that seals the ledger's private keys at rest. From `COURTBRIDGE_MASTER_KEY` when set;
 * otherwise from a key file (default `./data/master.key`), created on first use with 32 random bytes and mode 0600.
 * The key itself is never printed or put into an error; only the file's path is.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { asCourtBridgeError, fail } from '../errors.js';
import type { MasterKeySource } from '../config.js';

/** Resolve the passphrase; `notice` receives a one-line message when a key file is created (never the key). */
export function resolveMasterKey(source: MasterKeySource, notice: (line: string) => void, create = true): string {
  switch (source.kind) {
    case 'env':
      return source.passphrase;
    case 'file':
      return readOrCreate(source.path, notice, create);
    default: {
      const never: never = source;
      return fail('CONFIG_INVALID', { field: 'masterKey', reason: `unknown source ${String(never)}` });
    }
  }
}

function readOrCreate(path: string, notice: (line: string) => void, create: boolean): string {
  let exists = true;
  try {
    statSync(path);
  } catch {
    exists = false;
  }
  if (!exists) {
    if (!create) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_MASTER_KEY', reason: `unset and ${path} does not exist` });
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // 'wx': never overwrite a key another process created a moment ago.
      writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600);
      notice(`created master key file ${path} (mode 0600); back it up — without it the ledger's private keys cannot be opened`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw asCourtBridgeError(e, 'CONFIG_INVALID', { field: 'COURTBRIDGE_MASTER_KEY_FILE', reason: `cannot create ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}` });
      }
    }
  }
  let text: string;
  try {
    const st = statSync(path);
    if ((st.mode & 0o077) !== 0) notice(`warning: master key file ${path} is readable by group or others; chmod 600 it`);
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw asCourtBridgeError(e, 'CONFIG_INVALID', { field: 'COURTBRIDGE_MASTER_KEY_FILE', reason: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}` });
  }
  if (text.length < 16) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_MASTER_KEY_FILE', reason: `${path} holds fewer than 16 characters` });
  return text;
}
