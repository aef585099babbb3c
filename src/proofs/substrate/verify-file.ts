/**
 * `courtbridge proof verify` file verifiers for Substrate: `substrate-storage` and `grandpa-justification`.
 * Each takes the parsed JSON object (the `type` field already dispatched), returns when valid, throws otherwise.
 */
import { fail } from '../../errors.js';
import { bytesEqual, fromHex, toHex, toHex0x } from '../../crypto/bytes.js';
import { parseHeaderJson } from './header.js';
import { parseReadProofJson, verifyReadProof, MAX_PROOF_KEYS } from './read-proof.js';
import { parseAuthoritySetJson } from './authority-set.js';
import { verifyGrandpaJustification, type GrandpaVerified } from './grandpa.js';

const STORAGE_FIELDS = ['type', 'header', 'stateRoot', 'blockHash', 'keys', 'proof', 'values'];
const GRANDPA_FIELDS = ['type', 'setId', 'authorities', 'justification', 'blockHash', 'blockNumber'];

function checkFields(input: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(input)) if (!allowed.includes(k)) fail('INVALID_INPUT', { field: k, reason: 'unknown field' });
}

/**
 * `substrate-storage`: `{header | stateRoot, blockHash?, keys, proof: {at, proof}, values?}` — valid iff the header
 * hashes to blockHash (when both are given), every key is proven against the state root, and the proven values equal
 * `values` where given (null = proven absent).
 */
export function verifySubstrateStorageFile(input: Record<string, unknown>): void {
  checkFields(input, STORAGE_FIELDS);
  // Step 1: the state root, from the header (checked against blockHash) or given directly.
  const hasHeader = input.header !== undefined;
  if (hasHeader === (input.stateRoot !== undefined)) fail('INVALID_INPUT', { field: 'header', reason: 'exactly one of header and stateRoot is required' });
  let stateRoot: Uint8Array;
  if (hasHeader) {
    const header = parseHeaderJson(input.header);
    stateRoot = header.stateRoot;
    if (input.blockHash !== undefined) {
      const claimed = fromHex(input.blockHash, 'blockHash', 32);
      if (!bytesEqual(claimed, header.hash)) fail('BLOCK_HASH_MISMATCH', { claimed: toHex0x(claimed), actual: toHex0x(header.hash) });
    }
  } else {
    stateRoot = fromHex(input.stateRoot, 'stateRoot', 32);
    if (input.blockHash !== undefined) fromHex(input.blockHash, 'blockHash', 32);
  }
  // Step 2: the keys, the proof, and when present the proof's `at` against blockHash.
  if (!Array.isArray(input.keys)) return fail('INVALID_INPUT', { field: 'keys', reason: 'must be an array of hex keys' });
  if (input.keys.length > MAX_PROOF_KEYS) fail('TOO_LARGE', { field: 'keys', limit: MAX_PROOF_KEYS });
  const keys = input.keys.map((k, i) => fromHex(k, `keys[${i}]`));
  const proof = parseReadProofJson(input.proof);
  if (input.blockHash !== undefined && !bytesEqual(proof.at, fromHex(input.blockHash, 'blockHash', 32))) {
    fail('BLOCK_HASH_MISMATCH', { claimed: String(input.blockHash), actual: `proof.at ${toHex0x(proof.at)}` });
  }
  // Step 3: verify the proof for every key.
  const proven = verifyReadProof(stateRoot, proof.proof, keys);
  // Step 4: compare with the expected values where given.
  if (input.values === undefined) return;
  const values = input.values;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return fail('INVALID_INPUT', { field: 'values', reason: 'must be an object key → hex | null' });
  const byKey = new Map(proven.map((e) => [toHex(e.key), e.value]));
  for (const [k, expected] of Object.entries(values as Record<string, unknown>)) {
    const key = toHex(fromHex(k, `values key ${k}`));
    if (!byKey.has(key)) fail('INVALID_INPUT', { field: `values.${k}`, reason: 'not one of keys' });
    const got = byKey.get(key)!;
    const want = expected === null ? null : fromHex(expected, `values.${k}`);
    const same = want === null || got === null ? want === got : bytesEqual(want, got);
    if (!same) fail('PROOF_VALUE_MISMATCH', { field: `values.${k}`, claimed: want === null ? 'absent' : toHex0x(want), proven: got === null ? 'absent' : toHex0x(got) });
  }
}

/**
 * `grandpa-justification`: `{setId, authorities: [[publicKeyHex, weight]], justification: hex, blockHash?,
 * blockNumber?}` — valid iff the justification verifies against the set and (when given) targets that block.
 */
export function verifyGrandpaJustificationFile(input: Record<string, unknown>): void {
  grandpaJustificationFromFile(input);
}

/** The same check as verifyGrandpaJustificationFile, returning what the justification proves. */
export function grandpaJustificationFromFile(input: Record<string, unknown>): GrandpaVerified {
  checkFields(input, GRANDPA_FIELDS);
  const set = parseAuthoritySetJson(input.setId, input.authorities);
  const bytes = fromHex(input.justification, 'justification');
  const expectedHash = input.blockHash === undefined ? undefined : toHex0x(fromHex(input.blockHash, 'blockHash', 32));
  const n = input.blockNumber;
  if (n !== undefined && !(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= 0xffffffff)) fail('BAD_INTEGER', { field: 'blockNumber' });
  const result = verifyGrandpaJustification(bytes, set);
  if (expectedHash !== undefined && result.targetHash !== expectedHash) fail('GRANDPA_TARGET_MISMATCH', { actual: result.targetHash, expected: expectedHash });
  if (n !== undefined && result.targetNumber !== n) fail('GRANDPA_TARGET_MISMATCH', { actual: `#${result.targetNumber}`, expected: `#${String(n)}` });
  return result;
}
