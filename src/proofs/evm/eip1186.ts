/**
 * EIP-1186 (`eth_getProof`) verification: the account proof against a block's stateRoot and each storage proof
 * against the proven account's storageHash. Every value the node claims in the JSON must equal the proven one.
 *
 * Account leaf = RLP([nonce, balance, storageRoot, codeHash]) at keccak256(address) (Yellow Paper §4.1);
 * storage leaf = RLP(value without leading zeros) at keccak256(slot) (§4.1, storageRoot). Absent accounts have
 * nonce 0, balance 0, the empty-trie storage root and keccak256("") as code hash; absent slots are 0.
 */
import { fail } from '../../errors.js';
import { keccak256 } from '../../crypto/hash.js';
import { bytesEqual, toHex0x } from '../../crypto/bytes.js';
import { array, data, object, quantity } from './json.js';
import { asBytes, asList, decodeRlpStrict, rlpScalar } from './rlp.js';
import { EMPTY_TRIE_ROOT, verifySecureProof } from './mpt.js';

/** keccak256(""): the code hash of an account without code. */
export const EMPTY_CODE_HASH = keccak256(new Uint8Array(0));

/** Most storage proofs accepted in one eth_getProof result. */
export const MAX_STORAGE_PROOFS = 1024;

/** The proven state of an account. */
export interface ProvenAccount {
  nonce: bigint;
  balance: bigint;
  storageHash: Uint8Array;
  codeHash: Uint8Array;
  /** False when the proof is a proof of absence (the fields are then the empty-account values). */
  exists: boolean;
}

/** A proven storage slot: key as 0x + 64 hex, value as bigint (0 when absent). */
export interface ProvenSlot {
  key: string;
  value: bigint;
}

/** The result of verifying an eth_getProof response. */
export interface VerifiedAccountProof extends ProvenAccount {
  address: string;
  storage: ProvenSlot[];
}

function proofNodes(value: unknown, field: string): Uint8Array[] {
  return array(value, field, 64).map((n, i) => data(n, `${field}[${i}]`));
}

/** Verify an account proof (nodes) for `address` against `stateRoot`, returning the proven account. */
export function proveAccount(stateRoot: Uint8Array, address: Uint8Array, proof: readonly Uint8Array[], field = 'accountProof'): ProvenAccount {
  const leaf = verifySecureProof(stateRoot, address, proof, field);
  if (leaf === null) return { nonce: 0n, balance: 0n, storageHash: EMPTY_TRIE_ROOT, codeHash: EMPTY_CODE_HASH, exists: false };
  const items = asList(decodeRlpStrict(leaf, `${field} account`), `${field} account`);
  if (items.length !== 4) fail('RLP_MALFORMED', { field: `${field} account`, reason: 'account must have 4 fields' });
  const storageHash = asBytes(items[2], `${field} storageRoot`);
  const codeHash = asBytes(items[3], `${field} codeHash`);
  if (storageHash.length !== 32 || codeHash.length !== 32) fail('RLP_MALFORMED', { field: `${field} account`, reason: 'roots must be 32 bytes' });
  return { nonce: rlpScalar(items[0], `${field} nonce`), balance: rlpScalar(items[1], `${field} balance`), storageHash, codeHash, exists: true };
}

/** Verify a storage proof for the 32-byte `slot` against `storageRoot`; returns the value (0 when absent). */
export function proveStorage(storageRoot: Uint8Array, slot: Uint8Array, proof: readonly Uint8Array[], field = 'storageProof'): bigint {
  const leaf = verifySecureProof(storageRoot, slot, proof, field);
  if (leaf === null) return 0n;
  const value = rlpScalar(decodeRlpStrict(leaf, `${field} value`), `${field} value`);
  if (value === 0n) fail('MPT_PROOF_INVALID', { field, reason: 'zero values are never stored' });
  return value;
}

/** Parse a storage key: 1–64 hex digits (nodes echo the requested form), left-padded to 32 bytes. */
export function storageKey(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) fail('BAD_HEX', { field });
  return new Uint8Array(Buffer.from(value.slice(2).padStart(64, '0'), 'hex'));
}

function mismatch(field: string, claimed: string, proven: string): never {
  return fail('PROOF_VALUE_MISMATCH', { field, claimed, proven });
}

const PROOF_KEYS = new Set(['address', 'accountProof', 'balance', 'codeHash', 'nonce', 'storageHash', 'storageProof']);
const SLOT_KEYS = new Set(['key', 'value', 'proof']);

/**
 * Verify an eth_getProof result against `stateRoot`: the account proof, every storage proof against the proven
 * storage root, and exact equality of every claimed field with the proven one (PROOF_VALUE_MISMATCH otherwise).
 */
export function verifyAccountProof(getProofJson: unknown, stateRoot: Uint8Array, field = 'proof'): VerifiedAccountProof {
  const o = object(getProofJson, field);
  for (const k of Object.keys(o)) if (!PROOF_KEYS.has(k)) fail('INVALID_INPUT', { field: `${field}.${k}`, reason: 'unknown member' });
  // Step 1: parse the claims.
  const address = data(o.address, `${field}.address`, 20);
  const claimed = {
    nonce: quantity(o.nonce, `${field}.nonce`),
    balance: quantity(o.balance, `${field}.balance`),
    storageHash: data(o.storageHash, `${field}.storageHash`, 32),
    codeHash: data(o.codeHash, `${field}.codeHash`, 32),
  };
  // Step 2: prove the account against the state root.
  const acct = proveAccount(stateRoot, address, proofNodes(o.accountProof, `${field}.accountProof`), `${field}.accountProof`);
  // Step 3: every claimed account field equals the proven one.
  if (claimed.nonce !== acct.nonce) mismatch(`${field}.nonce`, String(claimed.nonce), String(acct.nonce));
  if (claimed.balance !== acct.balance) mismatch(`${field}.balance`, String(claimed.balance), String(acct.balance));
  if (!bytesEqual(claimed.storageHash, acct.storageHash)) mismatch(`${field}.storageHash`, toHex0x(claimed.storageHash), toHex0x(acct.storageHash));
  if (!bytesEqual(claimed.codeHash, acct.codeHash)) mismatch(`${field}.codeHash`, toHex0x(claimed.codeHash), toHex0x(acct.codeHash));
  // Step 4: every storage proof against the proven storage root; duplicates are refused.
  const slots = array(o.storageProof, `${field}.storageProof`, MAX_STORAGE_PROOFS);
  const seen = new Set<string>();
  const storage: ProvenSlot[] = slots.map((s, i) => {
    const sf = `${field}.storageProof[${i}]`;
    const so = object(s, sf);
    for (const k of Object.keys(so)) if (!SLOT_KEYS.has(k)) fail('INVALID_INPUT', { field: `${sf}.${k}`, reason: 'unknown member' });
    const key = storageKey(so.key, `${sf}.key`);
    const keyHex = toHex0x(key);
    if (seen.has(keyHex)) fail('INVALID_INPUT', { field: `${sf}.key`, reason: 'duplicate slot' });
    seen.add(keyHex);
    const claimedValue = quantity(so.value, `${sf}.value`);
    const value = proveStorage(acct.storageHash, key, proofNodes(so.proof, `${sf}.proof`), `${sf}.proof`);
    if (value !== claimedValue) mismatch(`${sf}.value`, String(claimedValue), String(value));
    return { key: keyHex, value };
  });
  return { address: toHex0x(address), ...acct, storage };
}
