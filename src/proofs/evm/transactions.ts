/**
 * Transactions against a block's transactionsRoot (Yellow Paper §4.3; EIP-2718 envelopes; EIP-155, EIP-2930,
 * EIP-1559, EIP-4844, EIP-7702 payloads). The encoding is rebuilt from the eth_getTransactionBy* / full-block
 * JSON; keccak256 of it must equal the JSON `hash`, and the trie of all of them must give the root.
 * Non-consensus members (blockHash, blockNumber, from, transactionIndex, gasPrice of typed txs, v of typed txs…)
 * are ignored.
 */
import { fail } from '../../errors.js';
import { keccak256 } from '../../crypto/hash.js';
import { bytesEqual, concatBytes, toHex0x } from '../../crypto/bytes.js';
import { array, data, object, quantity, safeQuantity } from './json.js';
import { rlpEncodeBytes, rlpEncodeListRaw, scalarBytes } from './rlp.js';
import { toNibbles, verifyMptPath } from './mpt.js';
import { indexKey, orderedTrieRoot, MAX_BLOCK_ITEMS } from './ordered-trie.js';
import { BLOCK_TRIE_LIMITS } from './receipts.js';

type Enc = Uint8Array;
const L = rlpEncodeListRaw;
const B = rlpEncodeBytes;

function q(o: Record<string, unknown>, k: string, f: string): Enc {
  return B(scalarBytes(quantity(o[k], `${f}.${k}`)));
}

function to(o: Record<string, unknown>, f: string): Enc {
  return o.to === null || o.to === undefined ? B(new Uint8Array(0)) : B(data(o.to, `${f}.to`, 20));
}

function accessList(o: Record<string, unknown>, f: string): Enc {
  return L(array(o.accessList, `${f}.accessList`, 10_000).map((e, i) => {
    const eo = object(e, `${f}.accessList[${i}]`);
    const keys = array(eo.storageKeys, `${f}.accessList[${i}].storageKeys`, 10_000).map((k, j) => B(data(k, `${f}.accessList[${i}].storageKeys[${j}]`, 32)));
    return L([B(data(eo.address, `${f}.accessList[${i}].address`, 20)), L(keys)]);
  }));
}

/** yParity of a typed transaction: `yParity`, or `v` when a node sends only that (both must agree if both given). */
function yParity(o: Record<string, unknown>, f: string): Enc {
  const y = o.yParity !== undefined ? quantity(o.yParity, `${f}.yParity`) : quantity(o.v, `${f}.v`);
  if (y > 1n) fail('BAD_INTEGER', { field: `${f}.yParity` });
  if (o.yParity !== undefined && o.v !== undefined && quantity(o.v, `${f}.v`) !== y) fail('INVALID_INPUT', { field: `${f}.v`, reason: 'differs from yParity' });
  return B(scalarBytes(y));
}

function authorizationList(o: Record<string, unknown>, f: string): Enc {
  return L(array(o.authorizationList, `${f}.authorizationList`, 10_000).map((a, i) => {
    const af = `${f}.authorizationList[${i}]`;
    const ao = object(a, af);
    return L([q(ao, 'chainId', af), B(data(ao.address, `${af}.address`, 20)), q(ao, 'nonce', af), yParity(ao, af), q(ao, 'r', af), q(ao, 's', af)]);
  }));
}

/** Encode a transaction JSON object in its consensus (EIP-2718) form. */
export function encodeTransaction(json: unknown, field = 'transaction'): Uint8Array {
  const o = object(json, field);
  const f = field;
  const type = o.type === undefined ? 0 : safeQuantity(o.type, `${f}.type`);
  const input = B(data(o.input, `${f}.input`));
  const sig = (): Enc[] => [yParity(o, f), q(o, 'r', f), q(o, 's', f)];
  switch (type) {
    case 0:
      return L([q(o, 'nonce', f), q(o, 'gasPrice', f), q(o, 'gas', f), to(o, f), q(o, 'value', f), input, q(o, 'v', f), q(o, 'r', f), q(o, 's', f)]);
    case 1:
      return concatBytes(new Uint8Array([1]), L([q(o, 'chainId', f), q(o, 'nonce', f), q(o, 'gasPrice', f), q(o, 'gas', f), to(o, f), q(o, 'value', f), input, accessList(o, f), ...sig()]));
    case 2:
      return concatBytes(new Uint8Array([2]), L([q(o, 'chainId', f), q(o, 'nonce', f), q(o, 'maxPriorityFeePerGas', f), q(o, 'maxFeePerGas', f), q(o, 'gas', f), to(o, f), q(o, 'value', f), input, accessList(o, f), ...sig()]));
    case 3: {
      const hashes = L(array(o.blobVersionedHashes, `${f}.blobVersionedHashes`, 4096).map((h, i) => B(data(h, `${f}.blobVersionedHashes[${i}]`, 32))));
      return concatBytes(new Uint8Array([3]), L([q(o, 'chainId', f), q(o, 'nonce', f), q(o, 'maxPriorityFeePerGas', f), q(o, 'maxFeePerGas', f), q(o, 'gas', f), B(data(o.to, `${f}.to`, 20)), q(o, 'value', f), input, accessList(o, f), q(o, 'maxFeePerBlobGas', f), hashes, ...sig()]));
    }
    case 4:
      return concatBytes(new Uint8Array([4]), L([q(o, 'chainId', f), q(o, 'nonce', f), q(o, 'maxPriorityFeePerGas', f), q(o, 'maxFeePerGas', f), q(o, 'gas', f), B(data(o.to, `${f}.to`, 20)), q(o, 'value', f), input, accessList(o, f), authorizationList(o, f), ...sig()]));
    default:
      return fail('UNKNOWN_TYPE', { type: `transaction type ${type}` });
  }
}

/** Encode and check that keccak256(encoding) equals the JSON `hash` (BLOCK_HASH_MISMATCH style: PROOF_VALUE_MISMATCH). */
export function encodeTransactionChecked(json: unknown, field = 'transaction'): Uint8Array {
  const enc = encodeTransaction(json, field);
  const claimed = data(object(json, field).hash, `${field}.hash`, 32);
  const actual = keccak256(enc);
  if (!bytesEqual(actual, claimed)) fail('PROOF_VALUE_MISMATCH', { field: `${field}.hash`, claimed: toHex0x(claimed), proven: toHex0x(actual) });
  return enc;
}

/** Root of the transactions trie of a block given its full transaction objects, in order. */
export function transactionsRoot(txsJson: unknown, field = 'transactions'): Uint8Array {
  const list = array(txsJson, field, MAX_BLOCK_ITEMS);
  return orderedTrieRoot(list.map((t, i) => encodeTransactionChecked(t, `${field}[${i}]`)));
}

/** Verify transaction `index` of a block given all its transactions: the list must hash to `root`. */
export function verifyTransactionInList(txsJson: unknown, index: number, root: Uint8Array, field = 'transactions'): Uint8Array {
  const list = array(txsJson, field, MAX_BLOCK_ITEMS);
  if (!Number.isSafeInteger(index) || index < 0 || index >= list.length) fail('BAD_INTEGER', { field: `${field} index` });
  const enc = list.map((t, i) => encodeTransactionChecked(t, `${field}[${i}]`));
  const actual = orderedTrieRoot(enc);
  if (!bytesEqual(actual, root)) fail('TRIE_ROOT_MISMATCH', { field, actual: toHex0x(actual), expected: toHex0x(root) });
  return enc[index]!;
}

/** Verify a transaction JSON at `index` with an MPT proof against `root`; returns its encoding. */
export function verifyTransactionProof(txJson: unknown, index: number, proof: readonly Uint8Array[], root: Uint8Array, field = 'transaction'): Uint8Array {
  const enc = encodeTransactionChecked(txJson, field);
  const value = verifyMptPath(root, toNibbles(indexKey(index)), proof, `${field}.proof`, BLOCK_TRIE_LIMITS);
  if (value === null) fail('MPT_PROOF_INVALID', { field: `${field}.proof`, reason: `no transaction at index ${index}` });
  if (!bytesEqual(value, enc)) fail('PROOF_VALUE_MISMATCH', { field, claimed: 'transaction JSON', proven: 'a different transaction' });
  return enc;
}
