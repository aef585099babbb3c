/**
 * Property: a single-byte change anywhere in a proof node, a header or a justification is never accepted with the
 * same result — it fails with a coded CourtBridgeError (never a crash) or yields a different result.
 * Exhaustive over the recorded Polkadot justification; sampled elsewhere to keep the run short.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex0x } from '../../../src/crypto/bytes.js';
import { verifyReadProof } from '../../../src/proofs/substrate/read-proof.js';
import { decodeHeader, parseHeaderJson } from '../../../src/proofs/substrate/header.js';
import { parseAuthoritySetJson } from '../../../src/proofs/substrate/authority-set.js';
import { prepareAuthoritySet, verifyGrandpaJustification } from '../../../src/proofs/substrate/grandpa.js';
import { isCourtBridgeError } from '../../../src/errors.js';
import { POLKADOT_GENESIS_PROOF as P, POLKADOT_JUSTIFICATION as J, RECORDED_HEADERS } from './fixtures/recorded.js';
import { buildTrie } from './trie-builder.js';
import { childHeader, makeJustification, makeVoters } from './helpers.js';

/** Run f; 'error' for a CourtBridgeError, the JSON of its result otherwise; anything else thrown fails the test. */
function outcome(f: () => unknown): string {
  try {
    return JSON.stringify(f(), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? toHex0x(v) : v));
  } catch (e) {
    if (isCourtBridgeError(e)) return 'error';
    throw e;
  }
}

const mutate = (b: Uint8Array, i: number, x: number): Uint8Array => {
  const c = Uint8Array.from(b);
  c[i] = c[i]! ^ (x === 0 ? 1 : x);
  return c;
};

describe('single-byte mutations are rejected', () => {
  it('every byte of the recorded Polkadot justification (recorded Polkadot justification)', () => {
    const set = prepareAuthoritySet(parseAuthoritySetJson(J.setId, J.authorities));
    const bytes = fromHex(J.justification, 'j');
    const good = outcome(() => verifyGrandpaJustification(bytes, set));
    expect(good).not.toBe('error');
    for (let i = 0; i < bytes.length; i++) expect(outcome(() => verifyGrandpaJustification(mutate(bytes, i, 0x5a), set))).toBe('error');
  });

  it('sampled bytes of a 300-voter justification with ancestry (simulator)', () => {
    const v = makeVoters(300);
    const set = prepareAuthoritySet(v.set);
    const b0 = childHeader(null, 1, [], 77);
    const b1 = childHeader(b0, 2);
    const votes = v.keys.slice(0, 210).map((k, i): [typeof k, typeof b0] => [k, i % 2 === 0 ? b1 : b0]);
    const { bytes } = makeJustification({ setId: 7n, target: b0, votes, ancestry: [b1] });
    expect(outcome(() => verifyGrandpaJustification(bytes, set))).not.toBe('error');
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        expect(outcome(() => verifyGrandpaJustification(mutate(bytes, i, x), set))).toBe('error');
      }),
      { numRuns: 60 },
    );
  });

  it('every byte of the recorded genesis proof nodes, sampled values (recorded Polkadot proof nodes)', () => {
    const nodes = P.proof.map((n, i) => fromHex(n, `p${i}`));
    const root = fromHex(P.stateRoot, 'root');
    const key = fromHex(P.key, 'key');
    const good = outcome(() => verifyReadProof(root, nodes, [key]));
    nodes.forEach((node, j) => {
      for (let i = 0; i < node.length; i++) {
        const changed = nodes.map((n, k) => (k === j ? mutate(node, i, (i * 37 + j) & 0xff) : n));
        expect(outcome(() => verifyReadProof(root, changed, [key]))).not.toBe(good);
      }
    });
  });

  it('random proofs of generated V1 tries: mutated nodes never verify to the same values (simulator: test-built trie)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 25, selector: toHex0x }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (keys, pick, pos, x) => {
        const entries = keys.map((k, i): [Uint8Array, Uint8Array] => [k, new Uint8Array(i % 2 ? 40 : 3).fill(i + 1)]);
        const trie = buildTrie(entries, 1);
        const wanted = [entries[pick % entries.length]![0]];
        const proof = trie.prove(wanted);
        const good = outcome(() => verifyReadProof(trie.root, proof, wanted));
        const j = pos % proof.length;
        const changed = proof.map((n, k) => (k === j ? mutate(n, (pos >> 4) % n.length, x) : n));
        expect(outcome(() => verifyReadProof(trie.root, changed, wanted))).not.toBe(good);
      }),
      { numRuns: 200 },
    );
  });

  it('every byte of real SCALE-encoded headers changes the hash or fails to decode (recorded Polkadot/Westend responses)', () => {
    for (const h of RECORDED_HEADERS) {
      const enc = parseHeaderJson(h.json).encoded;
      for (let i = 0; i < enc.length; i++) {
        const r = outcome(() => toHex0x(decodeHeader(mutate(enc, i, 0x81)).hash));
        expect(r).not.toBe(JSON.stringify(h.hash));
      }
    }
  });
});
