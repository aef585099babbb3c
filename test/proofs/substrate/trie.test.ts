/**
 * Read proofs against the WASM build of the real trie code: @acala-network/chopsticks-executor 1.5.1
 * (`calculate_state_root` = sp-trie root for layout V0/V1; `create_proof` / `decode_proof` = smoldot's proof
 * encoder/decoder). Our verifier shares no code with them nor with the test builder (trie-builder.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as executor from '@acala-network/chopsticks-executor';
import { blake2b256 } from '../../../src/crypto/hash.js';
import { fromHex, toHex0x } from '../../../src/crypto/bytes.js';
import { EMPTY_TRIE_ROOT, verifyReadProof } from '../../../src/proofs/substrate/read-proof.js';
import { decodeTrieNode, lookupKey } from '../../../src/proofs/substrate/trie.js';
import { buildTrie } from './trie-builder.js';
import { POLKADOT_GENESIS_PROOF, SMOLDOT_INLINE_PROOF } from './fixtures/recorded.js';
import { codeOf } from '../../helpers/codes.js';

type Hex = `0x${string}`;
const ref = executor as unknown as {
  calculate_state_root(entries: [Hex, Hex][], version: number): Promise<Hex>;
  create_proof(nodes: Hex[], updates: [Hex, Hex | null][]): Promise<[Hex, Hex[]]>;
  decode_proof(root: Hex, nodes: Hex[]): Promise<[Hex, Hex][]>;
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Random storage: keys share prefixes like pallet maps (twox128 prefixes + hashed suffixes), some long values. */
function randomEntries(seed: number, n: number): [Uint8Array, Uint8Array][] {
  const r = rng(seed);
  const bytes = (len: number): Uint8Array => Uint8Array.from({ length: len }, () => Math.floor(r() * 256));
  const prefixes = [bytes(2), bytes(16), bytes(32), bytes(1)];
  const map = new Map<string, [Uint8Array, Uint8Array]>();
  while (map.size < n) {
    const p = prefixes[Math.floor(r() * prefixes.length)]!;
    const k = Uint8Array.from([...p, ...bytes(Math.floor(r() * 6))]);
    const vlen = r() < 0.4 ? 33 + Math.floor(r() * 60) : Math.floor(r() * 32);
    map.set(toHex0x(k), [k, bytes(vlen)]);
  }
  return [...map.values()];
}

const hexEntries = (e: [Uint8Array, Uint8Array][]): [Hex, Hex][] => e.map(([k, v]) => [toHex0x(k) as Hex, toHex0x(v) as Hex]);

describe('substrate trie vs the real trie (chopsticks-executor WASM of sp-trie/smoldot)', () => {
  it('our test builder reproduces the reference roots for layouts V0 and V1', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const entries = randomEntries(seed, 1 + seed * 7);
      for (const v of [0, 1] as const) {
        expect(toHex0x(buildTrie(entries, v).root)).toBe(await ref.calculate_state_root(hexEntries(entries), v));
      }
    }
  });

  it('verifies the reference create_proof output (V0, all keys) and agrees with its values', async () => {
    for (let seed = 20; seed < 26; seed++) {
      const entries = randomEntries(seed, 40);
      const [root, nodes] = await ref.create_proof([], hexEntries(entries));
      expect(root).toBe(await ref.calculate_state_root(hexEntries(entries), 0));
      const out = verifyReadProof(fromHex(root, 'root'), nodes.map((n) => fromHex(n, 'n')), entries.map(([k]) => k));
      out.forEach((e, i) => expect(toHex0x(e.value!)).toBe(toHex0x(entries[i]![1])));
      // Asking for a subset leaves nodes unused: rejected (trie-db ExtraneousNode / smoldot UnusedProofEntry).
      expect(codeOf(() => verifyReadProof(fromHex(root, 'root'), nodes.map((n) => fromHex(n, 'n')), [entries[0]![0]]))).toBe('TRIE_PROOF_INVALID');
    }
  });

  it('verifies subset proofs (present and absent keys) for V0 and V1; smoldot decodes the same values', async () => {
    for (let seed = 40; seed < 52; seed++) {
      const entries = randomEntries(seed, 60);
      const version = (seed % 2) as 0 | 1;
      const trie = buildTrie(entries, version);
      expect(toHex0x(trie.root)).toBe(await ref.calculate_state_root(hexEntries(entries), version));
      const r = rng(seed);
      const present = entries.filter(() => r() < 0.15).map(([k]) => k);
      const absent = [Uint8Array.of(0xff, 0xee, seed), Uint8Array.from([...entries[0]![0], 0x42, 0x42]), entries[1]![0].subarray(0, 1)]
        .filter((k) => !entries.some(([e]) => toHex0x(e) === toHex0x(k)));
      const keys = [...present, ...absent];
      const proof = trie.prove(keys);
      const out = verifyReadProof(trie.root, proof, keys);
      const expected = new Map(entries.map(([k, v]) => [toHex0x(k), toHex0x(v)]));
      for (const e of out) expect(e.value === null ? null : toHex0x(e.value)).toBe(expected.get(toHex0x(e.key)) ?? null);
      const decoded = new Map(await ref.decode_proof(toHex0x(trie.root) as Hex, proof.map((p) => toHex0x(p) as Hex)));
      for (const k of present) expect(decoded.get(toHex0x(k) as Hex)).toBe(expected.get(toHex0x(k)));
      // Dropping any entry makes the proof incomplete.
      for (let i = 0; i < proof.length; i++) {
        expect(codeOf(() => verifyReadProof(trie.root, proof.filter((_, j) => j !== i), keys))).toBe('TRIE_PROOF_INVALID');
      }
    }
  });

  it('V1 hashes values of 33 bytes or more and the proof carries their preimages', () => {
    const key = Uint8Array.of(1, 2, 3);
    const big = new Uint8Array(33).fill(7);
    const trie = buildTrie([[key, big], [Uint8Array.of(1, 2, 4), Uint8Array.of(1)]], 1);
    const proof = trie.prove([key]);
    expect(proof.some((p) => toHex0x(p) === toHex0x(big))).toBe(true);
    expect(toHex0x(verifyReadProof(trie.root, proof, [key])[0]!.value!)).toBe(toHex0x(big));
    expect(codeOf(() => verifyReadProof(trie.root, proof.filter((p) => toHex0x(p) !== toHex0x(big)), [key]))).toBe('TRIE_PROOF_INVALID');
  });

  it('property: random tries and key subsets verify; values agree with the entries', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 0, maxLength: 5 }), { minLength: 1, maxLength: 30, selector: (k) => toHex0x(k) }), fc.boolean(), fc.nat(), (keys, v1, pick) => {
        const entries = keys.map((k, i): [Uint8Array, Uint8Array] => [k, new Uint8Array(i % 3 === 0 ? 40 : i % 7).fill(i)]);
        const trie = buildTrie(entries, v1 ? 1 : 0);
        const chosen = [entries[pick % entries.length]![0], Uint8Array.of(0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9)];
        const wanted = chosen.filter((k, i) => i === 0 || !keys.some((e) => toHex0x(e) === toHex0x(k)));
        const out = verifyReadProof(trie.root, trie.prove(wanted), wanted);
        expect(toHex0x(out[0]!.value!)).toBe(toHex0x(entries[pick % entries.length]![1]));
        if (out[1]) expect(out[1].value).toBeNull();
      }),
      { numRuns: 150 },
    );
  });

  it('empty state: every key is absent with an empty proof; any entry is unused', () => {
    expect(verifyReadProof(EMPTY_TRIE_ROOT, [], [Uint8Array.of(1)])[0]!.value).toBeNull();
    expect(codeOf(() => verifyReadProof(EMPTY_TRIE_ROOT, [Uint8Array.of(0)], [Uint8Array.of(1)]))).toBe('TRIE_PROOF_INVALID');
  });
});

describe('substrate trie: published proofs', () => {
  for (const [name, p] of [['Polkadot genesis key (recorded Polkadot proof nodes)', POLKADOT_GENESIS_PROOF], ['smoldot inline-child vector', SMOLDOT_INLINE_PROOF]] as const) {
    it(`verifies the ${name} and agrees with smoldot's value`, async () => {
      const out = verifyReadProof(fromHex(p.stateRoot, 'root'), p.proof.map((n) => fromHex(n, 'n')), [fromHex(p.key, 'key')]);
      expect(toHex0x(out[0]!.value!)).toBe(p.value);
      // smoldot's decoder (in the executor) reads the same value from the same nodes.
      const decoded = new Map(await ref.decode_proof(p.stateRoot as Hex, p.proof as Hex[]));
      expect(decoded.get(p.key as Hex)).toBe(p.value);
    });
  }
});

describe('substrate trie: adversarial nodes and proofs', () => {
  const entries: [Uint8Array, Uint8Array][] = randomEntries(99, 30);
  const trie = buildTrie(entries, 1);
  const key = entries[3]![0];

  it('rejects unknown header bits, bad padding, bitmap/child mismatches, trailing bytes and bad child sizes', () => {
    const cases: [string, Uint8Array][] = [
      ['unknown header 0x0f', Uint8Array.of(0x0f, 0, 0)],
      ['empty encoding', new Uint8Array(0)],
      ['empty node with trailing byte', Uint8Array.of(0x00, 0x01)],
      ['odd partial with non-zero padding', Uint8Array.of(0x41, 0x1a, 0x04, 0x01)],
      ['leaf truncated value', Uint8Array.of(0x42, 0xab, 0x08, 0x01)],
      ['leaf trailing byte', Uint8Array.of(0x42, 0xab, 0x04, 0x01, 0x00)],
      ['bitmap 0', Uint8Array.of(0x80, 0x00, 0x00)],
      ['bitmap says 2 children, 1 present', Uint8Array.of(0x80, 0x03, 0x00, 0x0c, 0x41, 0x01, 0x00)],
      ['bitmap says 2 children, 3 present', Uint8Array.of(0x80, 0x03, 0x00, 0x0c, 0x40, 0x04, 0x01, 0x0c, 0x40, 0x04, 0x02, 0x0c, 0x40, 0x04, 0x03)],
      ['child of 33 bytes', Uint8Array.from([0x80, 0x03, 0x00, 33 << 2, ...new Uint8Array(33), 0x0c, 0x40, 0x04, 0x01])],
      ['child of 0 bytes', Uint8Array.of(0x80, 0x03, 0x00, 0x00, 0x0c, 0x40, 0x04, 0x01)],
      ['branch without value, one child', Uint8Array.of(0x80, 0x01, 0x00, 0x0c, 0x40, 0x04, 0x01)],
      ['hashed leaf value of 31 bytes', Uint8Array.from([0x20, ...new Uint8Array(31)])],
      ['size continuation truncated', Uint8Array.of(0x7f)],
      ['non-canonical compact child length', Uint8Array.of(0x80, 0x03, 0x00, 0x31, 0x00, 0x40, 0x04, 0x01, 0x0c, 0x40, 0x04, 0x02)],
    ];
    for (const [name, node] of cases) {
      const code = codeOf(() => decodeTrieNode(node, name));
      expect([name, code]).toEqual([name, 'TRIE_NODE_INVALID']);
    }
  });

  it('rejects a proof whose root node is missing, extra, duplicated, or oversized', () => {
    const proof = trie.prove([key]);
    expect(codeOf(() => verifyReadProof(new Uint8Array(32), proof, [key]))).toBe('TRIE_PROOF_INVALID');
    expect(codeOf(() => verifyReadProof(trie.root, [...proof, Uint8Array.of(0x40, 0x00)], [key]))).toBe('TRIE_PROOF_INVALID');
    expect(codeOf(() => verifyReadProof(trie.root, [...proof, proof[0]!], [key]))).toBe('TRIE_PROOF_INVALID');
    expect(codeOf(() => verifyReadProof(trie.root, new Array<Uint8Array>(10_001).fill(Uint8Array.of(1)), [key]))).toBe('TOO_LARGE');
    expect(codeOf(() => verifyReadProof(trie.root, [new Uint8Array(33 << 20)], [key]))).toBe('TOO_LARGE');
    expect(codeOf(() => verifyReadProof(trie.root, proof, [key, key]))).toBe('INVALID_INPUT');
    expect(codeOf(() => verifyReadProof(trie.root.subarray(1), proof, [key]))).toBe('BAD_LENGTH');
  });

  it('detects a reference cycle (a store whose node points back to itself by hash)', () => {
    // A real cycle needs a BLAKE2b collision; a fake store exercises the guard the walk relies on.
    const fakeHash = new Uint8Array(32).fill(0xaa);
    const selfRef = Uint8Array.from([0x80, 0x03, 0x00, 32 << 2, ...fakeHash, 32 << 2, ...fakeHash]);
    const store = { get: (h: Uint8Array) => (toHex0x(h) === toHex0x(fakeHash) ? selfRef : undefined) };
    expect(codeOf(() => lookupKey(store, fakeHash, Uint8Array.of(0x00, 0x00, 0x00), 'k'))).toBe('TRIE_PROOF_INVALID');
  });

  it('every entry of a real-shaped proof is addressed by its BLAKE2b-256 hash', () => {
    const proof = trie.prove([key]);
    expect(proof.some((p) => toHex0x(blake2b256(p)) === toHex0x(trie.root))).toBe(true);
  });
});
