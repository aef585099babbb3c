/**
 * Verify a `state_getReadProof` result ({at, proof: [hex nodes]}) against a state root for several keys.
 *
 * The proof is sp-state-machine's `StorageProof`: an unordered set of encoded trie nodes (and, for trie layout V1,
 * the preimages of hashed values), which sp-state-machine `read_proof_check` loads into a memory database before
 * looking each key up. We do the same lookups (see trie.ts) and additionally require:
 *  - no duplicate entries (smoldot `proof_decode`: DuplicateProofEntry; a StorageProof is a set);
 *  - every entry used by some requested key's lookup. DIFF FROM SPEC: `read_proof_check` ignores unused entries;
 *    we follow the strict verifiers instead — trie-db `proof::verify_proof` (behind sp-trie `verify_trie_proof`)
 *    fails with `ExtraneousNode`, smoldot `decode_and_verify_proof` with `UnusedProofEntry` — so a proof cannot
 *    smuggle unrelated data into an evidence bundle. A node's recorder produces exactly the entries its lookups read.
 *  - size caps on entries, bytes and keys (TOO_LARGE).
 */
import { fail } from '../../errors.js';
import { bytesEqual, fromHex, toHex, toHex0x } from '../../crypto/bytes.js';
import { blake2b256 } from '../../crypto/hash.js';
import { HASH_LEN, type NodeStore, lookupKey } from './trie.js';

/** Most proof entries accepted. */
export const MAX_PROOF_NODES = 10_000;
/** Most proof bytes accepted in total (the runtime `:code` value alone is ~1.5 MB on Polkadot). */
export const MAX_PROOF_BYTES = 32 << 20;
/** Most keys proven at once. */
export const MAX_PROOF_KEYS = 1024;
/** Longest storage key accepted (map keys are a few dozen bytes; child-trie prefixes a little more). */
export const MAX_KEY_BYTES = 4096;

/** BLAKE2b-256 of the empty-trie node 0x00: the root of an empty state. */
export const EMPTY_TRIE_ROOT = blake2b256(Uint8Array.of(0));

/** The parsed `state_getReadProof` result. */
export interface ReadProof {
  at: Uint8Array;
  proof: Uint8Array[];
}

/** One proven key: its value, or null when the proof shows it is absent. */
export interface ProvenEntry {
  key: Uint8Array;
  value: Uint8Array | null;
}

/** Parse the `state_getReadProof` JSON result strictly ({at, proof}, nothing else). */
export function parseReadProofJson(json: unknown, field = 'proof'): ReadProof {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('INVALID_INPUT', { field, reason: 'must be an object' });
  const obj = json as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (k !== 'at' && k !== 'proof') fail('INVALID_INPUT', { field: `${field}.${k}`, reason: 'unknown field' });
  if (!Array.isArray(obj.proof)) return fail('INVALID_INPUT', { field: `${field}.proof`, reason: 'must be an array' });
  if (obj.proof.length > MAX_PROOF_NODES) fail('TOO_LARGE', { field: `${field}.proof`, limit: MAX_PROOF_NODES });
  return {
    at: fromHex(obj.at, `${field}.at`, 32),
    proof: obj.proof.map((n, i) => fromHex(n, `${field}.proof[${i}]`)),
  };
}

/** Index proof entries by hash, rejecting oversized proofs and duplicates. */
class ProofStore implements NodeStore {
  private readonly byHash = new Map<string, Uint8Array>();
  private readonly used = new Set<string>();

  constructor(nodes: readonly Uint8Array[]) {
    if (nodes.length > MAX_PROOF_NODES) fail('TOO_LARGE', { field: 'proof', limit: MAX_PROOF_NODES });
    let total = 0;
    for (const [i, n] of nodes.entries()) {
      total += n.length;
      if (total > MAX_PROOF_BYTES) fail('TOO_LARGE', { field: 'proof bytes', limit: MAX_PROOF_BYTES });
      if (n.length === 0) fail('TRIE_PROOF_INVALID', { reason: `proof[${i}] is empty` });
      const h = toHex(blake2b256(n));
      if (this.byHash.has(h)) fail('TRIE_PROOF_INVALID', { reason: `proof[${i}] repeats an entry` });
      this.byHash.set(h, n);
    }
  }

  get(hash: Uint8Array): Uint8Array | undefined {
    const h = toHex(hash);
    const n = this.byHash.get(h);
    if (n !== undefined) this.used.add(h);
    return n;
  }

  unused(): string[] {
    return [...this.byHash.keys()].filter((h) => !this.used.has(h)).map((h) => `0x${h}`);
  }
}

/**
 * Verify `nodes` against `stateRoot` for `keys`: each key's value or null (proven absent), in the order given.
 * Throws TRIE_PROOF_INVALID / TRIE_NODE_INVALID / TOO_LARGE / INVALID_INPUT.
 */
export function verifyReadProof(stateRoot: Uint8Array, nodes: readonly Uint8Array[], keys: readonly Uint8Array[]): ProvenEntry[] {
  // Step 1: check the request.
  if (stateRoot.length !== HASH_LEN) fail('BAD_LENGTH', { field: 'stateRoot', expected: HASH_LEN, actual: stateRoot.length });
  if (keys.length === 0) fail('INVALID_INPUT', { field: 'keys', reason: 'at least one key is required' });
  if (keys.length > MAX_PROOF_KEYS) fail('TOO_LARGE', { field: 'keys', limit: MAX_PROOF_KEYS });
  const seen = new Set<string>();
  for (const [i, k] of keys.entries()) {
    if (k.length > MAX_KEY_BYTES) fail('TOO_LARGE', { field: `keys[${i}]`, limit: MAX_KEY_BYTES });
    if (seen.has(toHex(k))) fail('INVALID_INPUT', { field: `keys[${i}]`, reason: 'duplicate key' });
    seen.add(toHex(k));
  }
  // Step 2: index the proof entries by hash.
  const store = new ProofStore(nodes);
  // Step 3: look every key up. An empty state (root = hash of 0x00) holds no key and needs no entry (trie-db
  // treats the null-node root without a database read).
  const emptyState = bytesEqual(stateRoot, EMPTY_TRIE_ROOT);
  const out = keys.map((key, i) => ({ key, value: emptyState ? null : lookupKey(store, stateRoot, key, `keys[${i}] ${toHex0x(key)}`) }));
  // Step 4: every entry must have been read.
  const unused = store.unused();
  if (unused.length > 0) fail('TRIE_PROOF_INVALID', { reason: `${unused.length} proof entries are not used by the requested keys (first ${unused[0]})` });
  return out;
}
