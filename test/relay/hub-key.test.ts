/** The relay hub key file (relay/setup.ts `loadHubKey`): created whole and sealed, reloaded as the same DID, never left half-written. */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHubKey } from '../../relay/setup.js';
import { codeOf } from '../helpers/codes.js';

describe('relay hub key file', () => {
  it('is created 0600 with the private key sealed, no temporary file left, and reloads as the same DID', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-hubkey-'));
    const path = join(dir, 'keys', 'relay-key.json');
    const notices: string[] = [];
    const a = loadHubKey(path, 'pass phrase one', (l) => notices.push(l));
    expect(notices).toHaveLength(1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'keys'))).toEqual(['relay-key.json']);
    const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    expect(Object.keys(file).sort()).toEqual(['alg', 'salt', 'sealed']);
    const b = loadHubKey(path, 'pass phrase one', (l) => notices.push(l));
    expect(b.did).toBe(a.did);
    expect(notices).toHaveLength(1);
    // The wrong passphrase cannot open it (coded, not a crash).
    expect(codeOf(() => loadHubKey(path, 'another pass phrase', () => undefined))).toBe('SEALED_SECRET_INVALID');
  });

  it('an empty or truncated key file is a coded FILE_UNREADABLE, never silently replaced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-hubkey-'));
    const path = join(dir, 'relay-key.json');
    writeFileSync(path, '{"alg":"Ed25519","sa');
    expect(codeOf(() => loadHubKey(path, 'pass phrase one', () => undefined))).toBe('FILE_UNREADABLE');
    expect(readFileSync(path, 'utf8')).toBe('{"alg":"Ed25519","sa');
  });
});
