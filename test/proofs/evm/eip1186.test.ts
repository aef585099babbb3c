/**
 * EIP-1186 verification offline: eth_getProof-shaped JSON built from tries made with @ethereumjs/mpt (an
 * independent implementation), then claims that lie, hostile members and mutated proofs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createMPT, createMerkleProof } from '@ethereumjs/mpt';
import { encodeRlp, getBytes, toBeHex, zeroPadValue } from 'ethers';
import { EMPTY_CODE_HASH, verifyAccountProof } from '../../../src/proofs/evm/eip1186.js';
import { EMPTY_TRIE_ROOT } from '../../../src/proofs/evm/mpt.js';
import { keccak256 } from '../../../src/crypto/hash.js';
import { toHex0x } from '../../../src/crypto/bytes.js';
import { codeOf } from './helpers/codes.js';

const slot = (n: number): string => zeroPadValue(toBeHex(n), 32);

describe('verifyAccountProof (tries built by @ethereumjs/mpt)', () => {
  let stateRoot: Uint8Array;
  let json: any;
  let absentJson: any;
  const contract = `0x${'c0'.repeat(20)}`;

  beforeAll(async () => {
    const storage = await createMPT({ useKeyHashing: true });
    for (let i = 1; i <= 50; i++) await storage.put(getBytes(slot(i)), getBytes(encodeRlp(toBeHex(i * 1000))));
    const state = await createMPT({ useKeyHashing: true });
    for (let i = 0; i < 200; i++) {
      await state.put(keccak256(new Uint8Array([i])).subarray(0, 20), getBytes(encodeRlp(['0x', toBeHex(i + 1), toHex0x(EMPTY_TRIE_ROOT), toHex0x(EMPTY_CODE_HASH)])));
    }
    const codeHash = toHex0x(keccak256(new Uint8Array([0x60, 0x00])));
    await state.put(getBytes(contract), getBytes(encodeRlp(['0x07', '0x0de0b6b3a7640000', toHex0x(storage.root()), codeHash])));
    stateRoot = state.root();
    const hex = (p: Uint8Array[]) => p.map(toHex0x);
    json = {
      address: contract, balance: '0xde0b6b3a7640000', codeHash, nonce: '0x7', storageHash: toHex0x(storage.root()),
      accountProof: hex(await createMerkleProof(state, getBytes(contract))),
      storageProof: [
        { key: slot(3), value: toBeHex(3000).replace(/^0x0+(?=.)/, '0x'), proof: hex(await createMerkleProof(storage, getBytes(slot(3)))) },
        { key: '0x63', value: '0x0', proof: hex(await createMerkleProof(storage, getBytes(slot(0x63)))) },
      ],
    };
    const nobody = `0x${'ee'.repeat(20)}`;
    absentJson = { address: nobody, balance: '0x0', codeHash: toHex0x(EMPTY_CODE_HASH), nonce: '0x0', storageHash: toHex0x(EMPTY_TRIE_ROOT), accountProof: hex(await createMerkleProof(state, getBytes(nobody))), storageProof: [{ key: slot(1), value: '0x0', proof: [] }] };
  });

  it('verifies a contract account with a present and an absent slot (short key form echoed)', () => {
    const r = verifyAccountProof(json, stateRoot);
    expect(r).toMatchObject({ nonce: 7n, balance: 10n ** 18n, exists: true });
    expect(r.storage).toEqual([{ key: slot(3), value: 3000n }, { key: slot(0x63), value: 0n }]);
  });

  it('verifies an absent account with empty values', () => {
    expect(verifyAccountProof(absentJson, stateRoot)).toMatchObject({ exists: false, nonce: 0n, balance: 0n });
    expect(codeOf(() => verifyAccountProof({ ...absentJson, codeHash: `0x${'00'.repeat(32)}` }, stateRoot))).toBe('PROOF_VALUE_MISMATCH');
  });

  it('rejects every claimed field that differs from the proof', () => {
    for (const [k, v] of [['nonce', '0x8'], ['balance', '0x0'], ['codeHash', toHex0x(EMPTY_CODE_HASH)], ['storageHash', toHex0x(EMPTY_TRIE_ROOT)]]) {
      expect(codeOf(() => verifyAccountProof({ ...json, [k!]: v }, stateRoot))).toBe('PROOF_VALUE_MISMATCH');
    }
    const lie = [{ ...json.storageProof[0], value: '0xbb9' }];
    expect(codeOf(() => verifyAccountProof({ ...json, storageProof: lie }, stateRoot))).toBe('PROOF_VALUE_MISMATCH');
    const absentLie = [{ ...json.storageProof[1], value: '0x1' }];
    expect(codeOf(() => verifyAccountProof({ ...json, storageProof: absentLie }, stateRoot))).toBe('PROOF_VALUE_MISMATCH');
    // The proof of slot 3 presented for slot 4.
    const moved = [{ ...json.storageProof[0], key: slot(4) }];
    expect(codeOf(() => verifyAccountProof({ ...json, storageProof: moved }, stateRoot))).toMatch(/MPT_PROOF_INVALID|PROOF_VALUE_MISMATCH/);
  });

  it('rejects hostile members: unknown fields, duplicates, bad hex, too many nodes, wrong types', () => {
    expect(codeOf(() => verifyAccountProof({ ...json, extra: true }, stateRoot))).toBe('INVALID_INPUT');
    expect(codeOf(() => verifyAccountProof({ ...json, storageProof: [json.storageProof[0], json.storageProof[0]] }, stateRoot))).toBe('INVALID_INPUT');
    expect(codeOf(() => verifyAccountProof({ ...json, storageProof: [{ ...json.storageProof[0], junk: 1 }] }, stateRoot))).toBe('INVALID_INPUT');
    expect(codeOf(() => verifyAccountProof({ ...json, accountProof: ['0xzz'] }, stateRoot))).toBe('BAD_HEX');
    expect(codeOf(() => verifyAccountProof({ ...json, accountProof: Array(65).fill('0x80') }, stateRoot))).toBe('TOO_LARGE');
    expect(codeOf(() => verifyAccountProof({ ...json, nonce: 7 }, stateRoot))).toBe('BAD_INTEGER');
    expect(codeOf(() => verifyAccountProof({ ...json, nonce: '0x07' }, stateRoot))).toBe('BAD_INTEGER');
    expect(codeOf(() => verifyAccountProof({ ...json, address: '0x1234' }, stateRoot))).toBe('BAD_LENGTH');
    expect(codeOf(() => verifyAccountProof({ ...json, storageProof: [{ ...json.storageProof[0], key: `0x${'1'.repeat(65)}` }] }, stateRoot))).toBe('BAD_HEX');
    expect(codeOf(() => verifyAccountProof(null, stateRoot))).toBe('INVALID_INPUT');
  });

  it('every single-byte change of any account-proof node is rejected', () => {
    let n = 0;
    json.accountProof.forEach((node: string, j: number) => {
      for (let i = 2; i < node.length; i += 2) {
        const b = (parseInt(node.slice(i, i + 2), 16) ^ 0x80).toString(16).padStart(2, '0');
        const p = [...json.accountProof];
        p[j] = node.slice(0, i) + b + node.slice(i + 2);
        expect(codeOf(() => verifyAccountProof({ ...json, accountProof: p }, stateRoot))).toBe('MPT_PROOF_INVALID');
        n++;
      }
    });
    expect(n).toBeGreaterThan(300);
  });
});
