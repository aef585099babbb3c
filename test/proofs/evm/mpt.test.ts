/**
 * MPT proof verification cross-checked against @ethereumjs/mpt (independent implementation) on random tries,
 * present and absent keys; then hostile proofs: mutations, truncated RLP, oversized nodes, trailing / unreferenced
 * nodes, self-referencing nodes, oversized proofs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createMPT, createMerkleProof, verifyMPTWithMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt';
import { encodeRlp, getBytes } from 'ethers';
import { EMPTY_TRIE_ROOT, toNibbles, verifyMptPath, verifySecureProof } from '../../../src/proofs/evm/mpt.js';
import { keccak256 } from '../../../src/crypto/hash.js';
import { codeOf } from './helpers/codes.js';

const rlp = (x: Parameters<typeof encodeRlp>[0]): Uint8Array => getBytes(encodeRlp(x));

async function buildTrie(entries: Array<[Uint8Array, Uint8Array]>, secure: boolean): Promise<MerklePatriciaTrie> {
  const t = await createMPT({ useKeyHashing: secure });
  for (const [k, v] of entries) await t.put(k, v);
  return t;
}

async function theirs(t: MerklePatriciaTrie, key: Uint8Array, proof: Uint8Array[]): Promise<Uint8Array | null> {
  return verifyMPTWithMerkleProof(t, t.root(), key, proof);
}

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

describe('MPT proofs cross-checked with @ethereumjs/mpt', () => {
  it('secure tries (state-like): present and absent keys agree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(bytes(20, 20), bytes(1, 40)), { minLength: 1, maxLength: 40 }), bytes(20, 20), async (entries, probe) => {
        const t = await buildTrie(entries, true);
        const root = t.root();
        const expected = new Map(entries.map(([k, v]) => [Buffer.from(k).toString('hex'), v]));
        for (const key of [...entries.map((e) => e[0]), probe]) {
          const proof = await createMerkleProof(t, key);
          const ours = verifySecureProof(root, key, proof, 'p');
          expect(ours).toEqual(await theirs(t, key, proof));
          expect(ours).toEqual(expected.get(Buffer.from(key).toString('hex')) ?? null);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('plain tries with short keys and values (embedded nodes, branch values) agree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(bytes(1, 3), bytes(1, 4)), { minLength: 1, maxLength: 30 }), bytes(1, 3), async (entries, probe) => {
        const t = await buildTrie(entries, false);
        const root = t.root();
        for (const key of [...entries.map((e) => e[0]), probe]) {
          const proof = await createMerkleProof(t, key);
          const ours = verifyMptPath(root, toNibbles(key), proof, 'p', { maxNodeBytes: 532, maxNodes: 64 });
          expect(ours).toEqual(await theirs(t, key, proof));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('empty trie: empty proof and the [0x80] proof both prove absence', () => {
    expect(verifySecureProof(EMPTY_TRIE_ROOT, new Uint8Array(32), [], 'p')).toBeNull();
    expect(verifySecureProof(EMPTY_TRIE_ROOT, new Uint8Array(32), [new Uint8Array([0x80])], 'p')).toBeNull();
    expect(codeOf(() => verifySecureProof(keccak256(new Uint8Array([1])), new Uint8Array(32), [], 'p'))).toBe('MPT_PROOF_INVALID');
  });
});

describe('hostile MPT proofs', () => {
  async function sample() {
    const entries: Array<[Uint8Array, Uint8Array]> = Array.from({ length: 300 }, (_, i) => [keccak256(new Uint8Array([i, 1])).subarray(0, 20), rlp([`0x${(i + 1).toString(16).padStart(4, '0')}`, '0x01'])]);
    const t = await buildTrie(entries, true);
    const key = entries[7]![0];
    return { root: t.root(), key, proof: await createMerkleProof(t, key), t };
  }

  it('every single-byte change of any proof node is rejected with a coded error', async () => {
    const { root, key, proof } = await sample();
    expect(verifySecureProof(root, key, proof, 'p')).not.toBeNull();
    let n = 0;
    for (let j = 0; j < proof.length; j++) {
      for (let i = 0; i < proof[j]!.length; i++) {
        const p = proof.map((x) => x.slice());
        p[j]![i] = p[j]![i]! ^ 0x5a;
        expect(codeOf(() => verifySecureProof(root, key, p, 'p'))).toBe('MPT_PROOF_INVALID');
        n++;
      }
    }
    expect(n).toBeGreaterThan(500);
  });

  it('rejects trailing, duplicated and missing nodes', async () => {
    const { root, key, proof } = await sample();
    expect(codeOf(() => verifySecureProof(root, key, [...proof, proof[0]!], 'p'))).toBe('MPT_PROOF_INVALID');
    expect(codeOf(() => verifySecureProof(root, key, [proof[0]!, ...proof], 'p'))).toBe('MPT_PROOF_INVALID');
    expect(codeOf(() => verifySecureProof(root, key, proof.slice(0, -1), 'p'))).toBe('MPT_PROOF_INVALID');
    // A proof of absence for another key with an unrelated extra node appended.
    const other = keccak256(new Uint8Array([99])).subarray(0, 20);
    expect(codeOf(() => verifySecureProof(root, other, [...proof], 'p'))).toBe('MPT_PROOF_INVALID');
  });

  it('rejects malformed RLP and wrong node shapes whose hash matches the root', () => {
    const k = new Uint8Array(32);
    const withRoot = (node: Uint8Array) => codeOf(() => verifySecureProof(keccak256(node), k, [node], 'p'));
    expect(withRoot(new Uint8Array([0xf8, 0x40, 0x80]))).toBe('RLP_MALFORMED'); // truncated
    expect(withRoot(new Uint8Array([0xc2, 0x81, 0x05]))).toBe('RLP_MALFORMED'); // non-canonical single byte
    expect(withRoot(new Uint8Array([0xc1, 0x80, 0x80]))).toBe('RLP_MALFORMED'); // trailing bytes
    expect(withRoot(rlp(['0x01', '0x02', '0x03']))).toBe('MPT_PROOF_INVALID'); // 3 items
    expect(withRoot(rlp('0x0102'))).toBe('MPT_PROOF_INVALID'); // not a list
    expect(withRoot(rlp(['0x40', '0x01']))).toBe('MPT_PROOF_INVALID'); // bad hex-prefix flag
    expect(withRoot(rlp(['0x00', `0x${'11'.repeat(31)}`]))).toBe('MPT_PROOF_INVALID'); // extension child of 31 bytes
    const big = rlp([`0x20${'00'.repeat(32)}`, `0x${'ab'.repeat(600)}`]);
    expect(withRoot(big)).toBe('MPT_PROOF_INVALID'); // node > 532 bytes
  });

  it('rejects a self-referencing node (cycle) and oversized proofs', () => {
    // A branch whose every slot references the hash H of a node that is itself: impossible to build, so emulate a
    // cycle by repeating a node: the walk consumes nodes in order, so a repeat fails the hash check.
    const leafish = rlp([`0x00${'ab'.repeat(2)}`, `0x${'11'.repeat(32)}`]);
    const h = keccak256(leafish);
    expect(codeOf(() => verifyMptPath(h, new Uint8Array(64), [leafish, leafish, leafish], 'p'))).toBe('MPT_PROOF_INVALID');
    const many = Array.from({ length: 65 }, () => leafish);
    expect(codeOf(() => verifyMptPath(h, new Uint8Array(64), many, 'p'))).toBe('TOO_LARGE');
  });
});
