/**
 * The Keccak memo behind the MPT verifier and the header hash (src/proofs/evm/keccak-memo.ts): it returns exactly
 * keccak256 of its input, stays bounded, cannot be altered through what it returns, and — the point — a node that was
 * verified (and so is in the memo) and then changed by one byte, or lengthened, is still rejected. Tries are built by
 * @ethereumjs/mpt (independent implementation); headers are recorded mainnet blocks (test/fixtures/evm).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createMPT, createMerkleProof } from '@ethereumjs/mpt';
import { keccak256 } from '../../../src/crypto/hash.js';
import { MEMO_MAX_ENTRIES, MEMO_MAX_INPUT_BYTES, clearMemo, memoKeccak256, memoSize } from '../../../src/proofs/evm/keccak-memo.js';
import { verifySecureProof } from '../../../src/proofs/evm/mpt.js';
import { verifyHeaderJson } from '../../../src/proofs/evm/header.js';
import { codeOf } from './helpers/codes.js';

describe('memoKeccak256', () => {
  it('equals keccak256 on first sight and on repeats, across the size limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: MEMO_MAX_INPUT_BYTES + 64 }), (b) => {
        const want = keccak256(b);
        expect(memoKeccak256(b)).toEqual(want);
        expect(memoKeccak256(b.slice())).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('tells apart inputs that differ only in the last byte or in length (keys are the whole bytes)', () => {
    const a = new Uint8Array(532).fill(7);
    const b = a.slice();
    b[531] = 8;
    const c = a.subarray(0, 531);
    const d = new Uint8Array([...a, 0]);
    const hashes = [a, b, c, d].map((x) => memoKeccak256(x));
    [a, b, c, d].forEach((x, i) => expect(hashes[i]).toEqual(keccak256(x)));
    expect(new Set(hashes.map((h) => Buffer.from(h).toString('hex'))).size).toBe(4);
  });

  it('returns copies: mutating a result does not change later results', () => {
    const x = new Uint8Array([1, 2, 3]);
    const first = memoKeccak256(x);
    first.fill(0);
    const again = memoKeccak256(x);
    expect(again).toEqual(keccak256(x));
    again.fill(0);
    expect(memoKeccak256(x)).toEqual(keccak256(x));
  });

  it('stays within MEMO_MAX_ENTRIES, evicting the least recently used', () => {
    clearMemo();
    const keep = new Uint8Array([0xaa, 0xbb]);
    memoKeccak256(keep);
    for (let i = 0; i < MEMO_MAX_ENTRIES + 100; i++) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, i);
      memoKeccak256(b);
      if (i % 1000 === 0) memoKeccak256(keep); // recently used: survives
    }
    expect(memoSize()).toBe(MEMO_MAX_ENTRIES);
    expect(memoKeccak256(keep)).toEqual(keccak256(keep));
  });
});

describe('verified nodes in the memo are still checked byte for byte', () => {
  async function sample() {
    const t = await createMPT({ useKeyHashing: true });
    const entries = Array.from({ length: 200 }, (_, i) => keccak256(new Uint8Array([i, 9])).subarray(0, 20));
    for (const k of entries) await t.put(k, new Uint8Array([0x82, 1, 2]));
    const key = entries[11]!;
    return { root: t.root(), key, proof: await createMerkleProof(t, key) };
  }

  it('a cached proof node mutated by one byte (any byte) is rejected; the original still verifies', async () => {
    const { root, key, proof } = await sample();
    expect(verifySecureProof(root, key, proof, 'p')).not.toBeNull(); // every node is now in the memo
    expect(verifySecureProof(root, key, proof, 'p')).not.toBeNull(); // served from it
    for (let j = 0; j < proof.length; j++) {
      for (let i = 0; i < proof[j]!.length; i += 7) {
        const p = proof.map((x) => x.slice());
        p[j]![i] = p[j]![i]! ^ 0x01;
        expect(codeOf(() => verifySecureProof(root, key, p, 'p'))).toBe('MPT_PROOF_INVALID');
      }
      // Lengthened or shortened by one byte.
      const longer = proof.map((x) => x.slice());
      longer[j] = new Uint8Array([...proof[j]!, 0]);
      expect(codeOf(() => verifySecureProof(root, key, longer, 'p'))).not.toBe('OK');
      const shorter = proof.map((x) => x.slice());
      shorter[j] = proof[j]!.slice(0, proof[j]!.length - 1);
      expect(codeOf(() => verifySecureProof(root, key, shorter, 'p'))).not.toBe('OK');
    }
    expect(verifySecureProof(root, key, proof, 'p')).not.toBeNull();
  });

  it('a header verified once (hash memoised) and then changed in one field keeps failing (recorded mainnet header)', () => {
    const recorded = JSON.parse(readFileSync('test/fixtures/evm/recorded-headers.json', 'utf8')) as Array<{ block: Record<string, unknown> }>;
    const block = recorded[recorded.length - 1]!.block;
    expect(codeOf(() => verifyHeaderJson(block))).toBe('OK');
    const ts = BigInt(block.timestamp as string);
    expect(codeOf(() => verifyHeaderJson({ ...block, timestamp: `0x${(ts + 1n).toString(16)}` }))).toBe('BLOCK_HASH_MISMATCH');
    expect(codeOf(() => verifyHeaderJson(block))).toBe('OK');
  });
});
