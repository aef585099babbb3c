/**
 * Ledger proof benchmarks. `ledger.verifyInclusion.depth20`: verify an RFC 9162 inclusion proof of 20 nodes (leaf
 * 0x5a5a5 of a tree of 2^20 leaves; the path is synthetic — random sibling hashes folded into the root — so no
 * million leaves are materialised) against the floor of 20 one-shot SHA-256 calls over the same 65-byte inputs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { HASHES } from '../../src/crypto/hash.js';
import { nodeHash, verifyInclusion } from '../../src/ledger/merkle.js';
import type { Benchmark } from '../harness.js';

const DEPTH = 20;

function setupDepth20() {
  const h = HASHES.sha256;
  const size = 2 ** DEPTH;
  const index = 0x5a5a5;
  const leaf = new Uint8Array(randomBytes(32));
  const proof = Array.from({ length: DEPTH }, () => new Uint8Array(randomBytes(32)));
  // In a perfect tree, bit `level` of the index says whether the sibling is on the left (1) or the right (0).
  const inputs: Buffer[] = [];
  let r: Uint8Array = leaf;
  for (let level = 0; level < DEPTH; level++) {
    const siblingLeft = Math.floor(index / 2 ** level) % 2 === 1;
    const [l, rr] = siblingLeft ? [proof[level]!, r] : [r, proof[level]!];
    inputs.push(Buffer.concat([Buffer.of(1), l, rr]));
    r = nodeHash(h, l, rr);
  }
  const root = r;
  verifyInclusion(h, index, size, leaf, proof, root); // fail fast if the setup is wrong
  return { h, size, index, leaf, proof, root, inputs };
}

/** Ledger proof benchmarks. */
export const ledgerProofBenchmarks: Benchmark[] = [
  {
    name: 'ledger.verifyInclusion.depth20',
    target: 0.7,
    async setup() {
      const s = setupDepth20();
      let sink = 0;
      return {
        subject: {
          label: 'verifyInclusion (20 levels)',
          run: () => verifyInclusion(s.h, s.index, s.size, s.leaf, s.proof, s.root),
        },
        baseline: {
          label: "20× createHash('sha256').update(65 B).digest()",
          run: () => {
            for (const x of s.inputs) sink ^= createHash('sha256').update(x).digest()[0]!;
          },
        },
        notes: () => ({ depth: DEPTH, sink }),
      };
    },
  },
];
