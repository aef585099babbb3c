/** `courtbridge proof verify` with the `substrate-storage` and `grandpa-justification` types (in-process CLI). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { main } from '../../../src/cli/main.js';
import { memoryIo } from '../../../src/cli/io.js';
import { toHex0x } from '../../../src/crypto/bytes.js';
import { headerToJson } from '../../../src/proofs/substrate/header.js';
import { grandpaJustificationFromFile, verifySubstrateStorageFile } from '../../../src/proofs/substrate/verify-file.js';
import { POLKADOT_GENESIS_PROOF as P, POLKADOT_JUSTIFICATION as J, RECORDED_HEADERS } from './fixtures/recorded.js';
import { buildTrie } from './trie-builder.js';
import { childHeader, codeOf } from './helpers.js';

const genesis = RECORDED_HEADERS[0]!;
/** The recorded genesis proof nodes wrapped in the `state_getReadProof` result shape. */
const storageFile = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'substrate-storage',
  header: genesis.json,
  blockHash: genesis.hash,
  keys: [P.key],
  proof: { at: genesis.hash, proof: P.proof },
  values: { [P.key]: P.value },
  ...extra,
});
const grandpaFile = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'grandpa-justification',
  setId: J.setId,
  authorities: J.authorities,
  justification: J.justification,
  blockHash: J.blockHash,
  blockNumber: J.blockNumber,
  ...extra,
});

describe('substrate proof files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cb-substrate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, obj: unknown): string => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(obj));
    return f;
  };

  it('proof verify: valid storage and justification files; invalid and error lines with codes (recorded Polkadot data)', async () => {
    const files = [
      write('storage.json', storageFile()),
      write('grandpa.json', grandpaFile()),
      write('wrong-value.json', storageFile({ values: { [P.key]: '0x00' } })),
      write('wrong-hash.json', storageFile({ blockHash: RECORDED_HEADERS[1]!.hash })),
      write('wrong-number.json', grandpaFile({ blockNumber: 302593 })),
      write('bad-field.json', grandpaFile({ extra: true })),
    ];
    const io = memoryIo();
    const code = await main(['proof', 'verify', ...files], io);
    expect(code).toBe(1);
    expect(io.stdout.map((l) => l.split('\t').slice(1).join(' '))).toEqual([
      'valid',
      'valid',
      'invalid PROOF_VALUE_MISMATCH',
      'invalid BLOCK_HASH_MISMATCH',
      'invalid GRANDPA_TARGET_MISMATCH',
      'error INVALID_INPUT',
    ]);
  });

  it('spawned process: node bin/courtbridge.js proof verify (needs a prior `npx tsc -p .`; recorded Polkadot data)', () => {
    const files = [write('spawn-storage.json', storageFile()), write('spawn-grandpa.json', grandpaFile())];
    const out = execFileSync('node', ['bin/courtbridge.js', 'proof', 'verify', ...files], { encoding: 'utf8' });
    expect(out.trim().split('\n').map((l) => l.split('\t')[1])).toEqual(['valid', 'valid']);
  });

  it('substrate-storage: the recorded Polkadot genesis proof verifies against the genesis header (recorded Polkadot proof nodes)', () => {
    expect(codeOf(() => verifySubstrateStorageFile(storageFile()))).toBe('OK');
    expect(codeOf(() => verifySubstrateStorageFile(storageFile({ header: undefined, stateRoot: P.stateRoot })))).toBe('OK');
    expect(codeOf(() => verifySubstrateStorageFile(storageFile({ values: undefined })))).toBe('OK');
    expect(codeOf(() => verifySubstrateStorageFile(storageFile({ values: { [P.key]: null } })))).toBe('PROOF_VALUE_MISMATCH');
    expect(codeOf(() => verifySubstrateStorageFile(storageFile({ stateRoot: P.stateRoot })))).toBe('INVALID_INPUT');
    expect(codeOf(() => verifySubstrateStorageFile(storageFile({ proof: { at: genesis.hash, proof: P.proof.slice(1) } })))).toBe('TRIE_PROOF_INVALID');
    expect(codeOf(() => verifySubstrateStorageFile(storageFile({ proof: { at: RECORDED_HEADERS[1]!.hash, proof: P.proof } })))).toBe('BLOCK_HASH_MISMATCH');
    expect(codeOf(() => verifySubstrateStorageFile(storageFile({ proof: { at: genesis.hash, proof: P.proof, extra: 1 } })))).toBe('INVALID_INPUT');
    expect(codeOf(() => verifySubstrateStorageFile(storageFile({ keys: P.key })))).toBe('INVALID_INPUT');
    expect(codeOf(() => verifySubstrateStorageFile(storageFile({ values: { '0x01': null } })))).toBe('INVALID_INPUT');
  });

  it('substrate-storage: absent keys are proven null (simulator: test-built trie)', () => {
    const trie = buildTrie([[Uint8Array.of(1, 2), Uint8Array.of(9)], [Uint8Array.of(1, 3), Uint8Array.of(8)], [Uint8Array.of(7), new Uint8Array(40).fill(1)]], 1);
    const header = childHeader(null, 0, [], 1);
    const h = { ...headerToJson(header), stateRoot: toHex0x(trie.root) };
    const keys = [Uint8Array.of(1, 2), Uint8Array.of(1, 4), Uint8Array.of(7)];
    const file = {
      type: 'substrate-storage',
      header: h,
      keys: keys.map(toHex0x),
      proof: { at: toHex0x(new Uint8Array(32)), proof: trie.prove(keys).map(toHex0x) },
      values: { '0x0102': '0x09', '0x0104': null, '0x07': toHex0x(new Uint8Array(40).fill(1)) },
    };
    expect(codeOf(() => verifySubstrateStorageFile(file))).toBe('OK');
    expect(codeOf(() => verifySubstrateStorageFile({ ...file, values: { '0x0104': '0x00' } }))).toBe('PROOF_VALUE_MISMATCH');
  });

  it('grandpa-justification: the result names the block; wrong types are input errors', () => {
    expect(grandpaJustificationFromFile(grandpaFile())).toMatchObject({ targetHash: J.blockHash, targetNumber: 302592, weightSigned: 5n });
    expect(codeOf(() => grandpaJustificationFromFile(grandpaFile({ blockHash: RECORDED_HEADERS[0]!.hash })))).toBe('GRANDPA_TARGET_MISMATCH');
    expect(codeOf(() => grandpaJustificationFromFile(grandpaFile({ blockNumber: '302592' })))).toBe('BAD_INTEGER');
    expect(codeOf(() => grandpaJustificationFromFile(grandpaFile({ justification: 'zz' })))).toBe('BAD_HEX');
    expect(codeOf(() => grandpaJustificationFromFile(grandpaFile({ authorities: {} })))).toBe('INVALID_INPUT');
    expect(codeOf(() => grandpaJustificationFromFile(grandpaFile({ setId: 1 })))).toBe('SIGNATURE_INVALID');
  });
});
