/**
 * Known answers for the RFC 9162 Merkle tree code.
 * Sources (values transcribed, code not copied):
 *  - transparency-dev/merkle rfc6962/rfc6962_test.go (TestRFC6962Hasher): empty root, empty leaf, leaf, node.
 *  - transparency-dev/merkle testonly/constants.go: LeafInputs, NodeHashes, RootHashes, CompactTrees of the
 *    8-leaf RFC 6962 test tree.
 *  - transparency-dev/merkle proof/verify_test.go: inclusionProofs / consistencyProofs and the corrupted variants of
 *    corruptInclusionProof / corruptConsistencyProof.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HASHES } from '../../src/crypto/hash.js';
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';
import {
  CompactRange, assemble, consistencyPlan, emptyRoot, inclusionPlan, leafHash, nodeHash, rootFromPeaks, rootPlan,
  verifyConsistency, verifyInclusion, type NodeId,
} from '../../src/ledger/merkle.js';
import { CourtBridgeError } from '../../src/errors.js';

const h = HASHES.sha256;
const hx = (s: string): Uint8Array => fromHex(s, 'test');

// testonly/constants.go LeafInputs()
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hx);
// testonly/constants.go NodeHashes(): [level][index]
const NODES = [
  ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7', '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1'],
  ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0'],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
// testonly/constants.go RootHashes(), by tree size 0..8
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125', 'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef', 'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// proof/verify_test.go inclusionProofs (their leaf numbers are 1-based; converted to 0-based indices here)
const INCLUSION: Array<{ index: number; size: number; proof: string[] }> = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { index: 1, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];
// proof/verify_test.go consistencyProofs
const CONSISTENCY: Array<{ size1: number; size2: number; proof: string[] }> = [
  { size1: 1, size2: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { size1: 6, size2: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { size1: 2, size2: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { size1: 6, size2: 7, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
// proof/verify_test.go sha256SomeHash
const SOME_HASH = hx('abacaba000000000000000000000000000000000000000000060061e00123456');

const getNode = (id: NodeId): Uint8Array => hx(NODES[id.level]![id.index]!);
const rejects = (fn: () => void): void => {
  expect(fn).toThrow(CourtBridgeError);
};

describe('RFC 6962 hasher (transparency-dev/merkle rfc6962/rfc6962_test.go)', () => {
  it('empty root, empty leaf, leaf, node', () => {
    expect(toHex(emptyRoot(h))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(leafHash(h, new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(toHex(leafHash(h, utf8('L123456')))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    expect(toHex(nodeHash(h, utf8('N123'), utf8('N456')))).toBe('aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb');
  });
});

describe('8-leaf reference tree (transparency-dev/merkle testonly/constants.go)', () => {
  it('CompactRange creates exactly NodeHashes() and its roots are RootHashes()', () => {
    const cr = new CompactRange(h);
    expect(toHex(cr.root())).toBe(ROOTS[0]);
    const created = new Map<string, string>();
    LEAVES.forEach((leaf, i) => {
      for (const n of cr.append(leafHash(h, leaf))) created.set(`${n.id.level}/${n.id.index}`, toHex(n.hash));
      expect(toHex(cr.root())).toBe(ROOTS[i + 1]);
      expect(cr.size).toBe(i + 1);
      // CompactTrees(): the peaks are the rootPlan nodes.
      expect(cr.peaks.map(toHex)).toEqual(rootPlan(i + 1).map((id) => NODES[id.level]![id.index]));
    });
    const expected = new Map<string, string>();
    NODES.forEach((lvl, level) => lvl.forEach((v, index) => expected.set(`${level}/${index}`, v)));
    expect(created).toEqual(expected);
  });

  it('roots from rootPlan + assemble + rootFromPeaks, and resuming a CompactRange from stored peaks', () => {
    for (let size = 1; size <= 8; size++) {
      const [root] = assemble(h, [rootPlan(size)], getNode);
      expect(toHex(root!)).toBe(ROOTS[size]);
      const peaks = rootPlan(size).map(getNode);
      expect(toHex(rootFromPeaks(h, peaks))).toBe(ROOTS[size]);
      const resumed = new CompactRange(h, size, peaks);
      for (let i = size; i < 8; i++) resumed.append(leafHash(h, LEAVES[i]!));
      expect(toHex(resumed.root())).toBe(ROOTS[8]);
    }
    expect(toHex(assemble(h, [rootPlan(0)], getNode)[0]!)).toBe(ROOTS[0]);
  });

  it.each(INCLUSION)('inclusion proof index $index size $size: plan reproduces it, verifier accepts it', ({ index, size, proof }) => {
    expect(assemble(h, inclusionPlan(index, size), getNode).map(toHex)).toEqual(proof);
    verifyInclusion(h, index, size, leafHash(h, LEAVES[index]!), proof.map(hx), hx(ROOTS[size]!));
  });

  it.each(CONSISTENCY)('consistency proof $size1 → $size2: plan reproduces it, verifier accepts it', ({ size1, size2, proof }) => {
    expect(assemble(h, consistencyPlan(size1, size2), getNode).map(toHex)).toEqual(proof);
    verifyConsistency(h, size1, size2, hx(ROOTS[size1]!), hx(ROOTS[size2]!), proof.map(hx));
  });

  it('index 0 of a 1-leaf tree has an empty proof; 1 → 1 consistency is empty', () => {
    expect(inclusionPlan(0, 1)).toEqual([]);
    verifyInclusion(h, 0, 1, hx(ROOTS[1]!), [], hx(ROOTS[1]!));
    expect(consistencyPlan(1, 1)).toEqual([]);
    verifyConsistency(h, 1, 1, hx(ROOTS[1]!), hx(ROOTS[1]!), []);
    rejects(() => verifyConsistency(h, 1, 1, hx(ROOTS[1]!), hx(ROOTS[2]!), []));
    rejects(() => verifyConsistency(h, 1, 1, hx(ROOTS[1]!), hx(ROOTS[1]!), [hx(ROOTS[0]!)]));
  });
});

describe('corrupted proofs (transparency-dev/merkle proof/verify_test.go corruptInclusionProof / corruptConsistencyProof)', () => {
  it.each(INCLUSION)('every corruption of inclusion index $index size $size is rejected', ({ index, size, proof: hexProof }) => {
    const proof = hexProof.map(hx);
    const root = hx(ROOTS[size]!);
    const leaf = leafHash(h, LEAVES[index]!);
    const emptyTree = hx(ROOTS[0]!);
    const probes: Array<[number, number, Uint8Array, Uint8Array[], Uint8Array]> = [
      [index - 1, size, leaf, proof, root], [index + 1, size, leaf, proof, root], [index ^ 2, size, leaf, proof, root],
      [index, size * 2, leaf, proof, root], [index, Math.floor(size / 2), leaf, proof, root],
      [index, size, utf8('WrongLeaf'), proof, root], [index, size, leaf, proof, emptyTree], [index, size, leaf, proof, SOME_HASH],
      [index, size, leaf, [...proof, new Uint8Array(0)], root], [index, size, leaf, [...proof, root], root],
      [index, size, leaf, [new Uint8Array(0), ...proof], root], [index, size, leaf, [root, ...proof], root],
      [index, size, leaf, proof.slice(0, -1), root],
    ];
    if (proof.length > 1) probes.push([index, size, leaf, [proof[0]!, SOME_HASH, ...proof.slice(1)], root]);
    proof.forEach((_, i) => {
      const bad = proof.map((p) => Uint8Array.from(p));
      bad[i]![0]! ^= 8;
      probes.push([index, size, leaf, bad, root]);
    });
    for (const [i, s, l, p, r] of probes) rejects(() => verifyInclusion(h, i, s, l, p, r));
  });

  it.each(CONSISTENCY)('every corruption of consistency $size1 → $size2 is rejected', ({ size1, size2, proof: hexProof }) => {
    const proof = hexProof.map(hx);
    const r1 = hx(ROOTS[size1]!);
    const r2 = hx(ROOTS[size2]!);
    const wrong = utf8('WrongRoot');
    const probes: Array<[number, number, Uint8Array, Uint8Array, Uint8Array[]]> = [
      [size1 - 1, size2, r1, r2, proof], [size1 + 1, size2, r1, r2, proof], [size1 ^ 2, size2, r1, r2, proof],
      [size1, size2 * 2, r1, r2, proof], [size1, Math.floor(size2 / 2), r1, r2, proof],
      [size1, size2, wrong, r2, proof], [size1, size2, r1, wrong, proof], [size1, size2, r2, r1, proof],
      [size1, size2, r1, r2, []],
      [size1, size2, r1, r2, [...proof, new Uint8Array(0)]], [size1, size2, r1, r2, [...proof, r1]], [size1, size2, r1, r2, [...proof, r2]],
      [size1, size2, r1, r2, [new Uint8Array(0), ...proof]], [size1, size2, r1, r2, [r1, ...proof]], [size1, size2, r1, r2, [r2, ...proof]],
      [size1, size2, r1, r2, [proof[0]!, ...proof]], [size1, size2, r1, r2, proof.slice(0, -1)],
    ];
    proof.forEach((_, i) => {
      const bad = proof.map((p) => Uint8Array.from(p));
      bad[i]![0]! ^= 16;
      probes.push([size1, size2, r1, r2, bad]);
    });
    for (const [s1, s2, a, b, p] of probes) rejects(() => verifyConsistency(h, s1, s2, a, b, p));
  });
});

describe('SM3 trees (computed independently with node:crypto sm3)', () => {
  const sm3 = (...parts: Uint8Array[]): Buffer => {
    const x = createHash('sm3');
    for (const p of parts) x.update(p);
    return x.digest();
  };
  it('a 3-leaf SM3 tree: root, proofs, consistency', () => {
    const s = HASHES.sm3;
    const leaves = ['a', 'b', 'c'].map(utf8);
    const lh = leaves.map((l) => sm3(Uint8Array.of(0), l));
    const n01 = sm3(Uint8Array.of(1), lh[0]!, lh[1]!);
    const root = sm3(Uint8Array.of(1), n01, lh[2]!);
    const cr = new CompactRange(s);
    for (const l of leaves) cr.append(leafHash(s, l));
    expect(toHex(cr.root())).toBe(root.toString('hex'));
    expect(toHex(emptyRoot(s))).toBe(sm3().toString('hex'));
    expect(toHex(emptyRoot(s))).toBe('1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b');
    verifyInclusion(s, 2, 3, lh[2]!, [n01], root);
    verifyInclusion(s, 0, 3, lh[0]!, [lh[1]!, lh[2]!], root);
    verifyConsistency(s, 2, 3, n01, root, [lh[2]!]);
    // The same proof under SHA-256 must fail.
    rejects(() => verifyInclusion(h, 2, 3, lh[2]!, [n01], root));
  });
});
