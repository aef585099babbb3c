/**
 * Substrate proof benchmarks (issue 3).
 *
 * `proofs.grandpa300` (target 0.8): verifying a GRANDPA justification of a 300-authority set carrying 201
 * precommits (the threshold), against the floor of 201 bare node:crypto Ed25519 verifications
 * (`crypto.verify(null, msg, keyObject, sig)` with prebuilt KeyObjects and prebuilt 53-byte messages). The
 * subject receives the encoded justification and an authority set prepared once (`prepareAuthoritySet`: the
 * per-authority KeyObjects and the key index are cached per set, as a light client holds them); it decodes the
 * justification, checks membership, duplicates, ancestry, weights and the GHOST, builds every signed payload and
 * verifies every signature on each run.
 *
 * `proofs.substrate10` (report): verifying a 10-key read proof of a 2,000-entry V1 trie (key hashing, node
 * decoding, lookups, unused-entry check) against the bare BLAKE2b-256 hashing of the same proof entries.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { blake2b256 } from '../../src/crypto/hash.js';
import { generateKeyPair, sign } from '../../src/crypto/signature.js';
import { buildHeader } from '../../src/proofs/substrate/header.js';
import { encodeJustification, precommitPayload } from '../../src/proofs/substrate/justification.js';
import { prepareAuthoritySet, verifyGrandpaJustification } from '../../src/proofs/substrate/grandpa.js';
import { verifyReadProof } from '../../src/proofs/substrate/read-proof.js';
import { buildTrie } from '../../test/proofs/substrate/trie-builder.js';
import type { Benchmark } from '../harness.js';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Substrate benchmarks. */
export const proofsSubstrateBenchmarks: Benchmark[] = [
  {
    name: 'proofs.grandpa300',
    target: 0.8,
    async setup() {
      const keys = Array.from({ length: 300 }, () => generateKeyPair('Ed25519'));
      const set = { setId: 1234n, authorities: keys.map((k) => ({ publicKey: k.publicKey, weight: 1n })) };
      const root = new Uint8Array(32).fill(3);
      const target = buildHeader(new Uint8Array(32).fill(1), 19_000_000, root, root, []);
      const round = 5678n;
      const payload = precommitPayload(target.hash, target.number, round, set.setId);
      const signers = keys.slice(0, 201);
      const precommits = signers.map((k) => ({ targetHash: target.hash, targetNumber: target.number, signature: sign(k, payload), id: k.publicKey }));
      const bytes = encodeJustification({ round, targetHash: target.hash, targetNumber: target.number, precommits, votesAncestries: [] });
      const prepared = prepareAuthoritySet(set);
      const keyObjects: KeyObject[] = signers.map((k) => createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, k.publicKey]), format: 'der', type: 'spki' }));
      const messages = signers.map(() => Buffer.from(payload));
      const sigs = precommits.map((p) => p.signature);
      if (verifyGrandpaJustification(bytes, prepared).weightSigned !== 201n) throw new Error('subject rejects the justification');
      let sink = 0;
      return {
        subject: { label: 'verifyGrandpaJustification(300 voters, 201 precommits)', run: () => { sink += Number(verifyGrandpaJustification(bytes, prepared).weightSigned); } },
        baseline: {
          label: '201 × node:crypto Ed25519 verify (prebuilt KeyObjects)',
          run: () => {
            for (let i = 0; i < 201; i++) if (!nodeVerify(null, messages[i]!, keyObjects[i]!, sigs[i]!)) throw new Error('baseline rejects');
          },
        },
        notes: () => ({ justificationBytes: bytes.length, cached: 'per-set KeyObjects and key index (prepareAuthoritySet)', sink }),
      };
    },
  },
  {
    name: 'proofs.substrate10',
    async setup() {
      const entries: [Uint8Array, Uint8Array][] = Array.from({ length: 2000 }, (_, i) => {
        const key = blake2b256(Uint8Array.of(i >> 8, i & 0xff));
        return [Uint8Array.from([0x26, 0xaa, 0x39, 0x4e, ...key]), new Uint8Array(i % 3 === 0 ? 80 : 16).fill(i & 0xff)];
      });
      const trie = buildTrie(entries, 1);
      const keys = entries.filter((_, i) => i % 200 === 7).map(([k]) => k);
      const proof = trie.prove(keys);
      if (verifyReadProof(trie.root, proof, keys).length !== 10) throw new Error('subject rejects the proof');
      let sink = 0;
      return {
        subject: { label: 'verifyReadProof(10 keys)', run: () => { sink += verifyReadProof(trie.root, proof, keys).length; } },
        baseline: { label: 'blake2b256 of every proof entry', run: () => { for (const n of proof) sink += blake2b256(n)[0]!; } },
        notes: () => ({ proofEntries: proof.length, proofBytes: proof.reduce((a, n) => a + n.length, 0), sink }),
      };
    },
  },
];
