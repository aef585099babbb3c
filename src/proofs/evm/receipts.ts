/**
 * Receipts against a block's receiptsRoot (Yellow Paper §4.3.1; EIP-658 status; EIP-2718 typed receipts).
 *
 * Consensus encoding: [type byte if type ≠ 0] ‖ RLP([status | postStateRoot, cumulativeGasUsed, logsBloom,
 * [[address, [topic…], data]…]]). Only these fields are covered by the root: the other members of the
 * eth_getTransactionReceipt / eth_getBlockReceipts JSON (transactionHash, gasUsed, effectiveGasPrice, from, to,
 * contractAddress, blob gas fields, block fields, log indices…) are ignored and never reported as proven.
 */
import { fail } from '../../errors.js';
import { bytesEqual, concatBytes, toHex0x } from '../../crypto/bytes.js';
import { array, data, object, quantity, safeQuantity } from './json.js';
import { rlpEncodeBytes, rlpEncodeListRaw, scalarBytes } from './rlp.js';
import { verifyMptPath, toNibbles, type MptLimits } from './mpt.js';
import { indexKey, orderedTrieRoot, MAX_BLOCK_ITEMS } from './ordered-trie.js';

/** Receipt and transaction tries hold whole receipts / transactions in leaves: larger nodes are legitimate. */
export const BLOCK_TRIE_LIMITS: MptLimits = { maxNodeBytes: 4 * 1024 * 1024, maxNodes: 16 };

/** The consensus fields of a receipt. */
export interface ProvenReceipt {
  type: number;
  /** 1 / 0 after Byzantium; undefined for pre-Byzantium receipts (which carry `root`). */
  status?: number;
  root?: string;
  cumulativeGasUsed: bigint;
  logsBloom: string;
  logs: Array<{ address: string; topics: string[]; data: string }>;
}

const MAX_LOGS = 10_000;

/** Encode a receipt JSON object in its consensus form (the trie value). */
export function encodeReceipt(json: unknown, field = 'receipt'): { encoded: Uint8Array; receipt: ProvenReceipt } {
  const o = object(json, field);
  const type = o.type === undefined ? 0 : safeQuantity(o.type, `${field}.type`);
  if (type > 4) fail('UNKNOWN_TYPE', { type: `receipt type ${type}` });
  let first: Uint8Array;
  const receipt: ProvenReceipt = { type, cumulativeGasUsed: 0n, logsBloom: '', logs: [] };
  if (o.status !== undefined && o.status !== null) {
    const s = safeQuantity(o.status, `${field}.status`);
    if (s > 1) fail('BAD_INTEGER', { field: `${field}.status` });
    receipt.status = s;
    first = scalarBytes(BigInt(s));
  } else {
    first = data(o.root, `${field}.root`, 32);
    receipt.root = toHex0x(first);
  }
  receipt.cumulativeGasUsed = quantity(o.cumulativeGasUsed, `${field}.cumulativeGasUsed`);
  const bloom = data(o.logsBloom, `${field}.logsBloom`, 256);
  receipt.logsBloom = toHex0x(bloom);
  const logs = array(o.logs, `${field}.logs`, MAX_LOGS).map((l, i) => {
    const lf = `${field}.logs[${i}]`;
    const lo = object(l, lf);
    const address = data(lo.address, `${lf}.address`, 20);
    const topics = array(lo.topics, `${lf}.topics`, 4).map((t, j) => data(t, `${lf}.topics[${j}]`, 32));
    const d = data(lo.data, `${lf}.data`);
    receipt.logs.push({ address: toHex0x(address), topics: topics.map(toHex0x), data: toHex0x(d) });
    return rlpEncodeListRaw([rlpEncodeBytes(address), rlpEncodeListRaw(topics.map(rlpEncodeBytes)), rlpEncodeBytes(d)]);
  });
  const body = rlpEncodeListRaw([rlpEncodeBytes(first), rlpEncodeBytes(scalarBytes(receipt.cumulativeGasUsed)), rlpEncodeBytes(bloom), rlpEncodeListRaw(logs)]);
  return { encoded: type === 0 ? body : concatBytes(new Uint8Array([type]), body), receipt };
}

/** Root of the receipts trie of a whole block (the eth_getBlockReceipts result, in order). */
export function receiptsRoot(receiptsJson: unknown, field = 'receipts'): Uint8Array {
  const list = array(receiptsJson, field, MAX_BLOCK_ITEMS);
  return orderedTrieRoot(list.map((r, i) => encodeReceipt(r, `${field}[${i}]`).encoded));
}

/** Verify receipt `index` of a block given all its receipts: the list must hash to `root`. */
export function verifyReceiptInList(receiptsJson: unknown, index: number, root: Uint8Array, field = 'receipts'): ProvenReceipt {
  const list = array(receiptsJson, field, MAX_BLOCK_ITEMS);
  if (!Number.isSafeInteger(index) || index < 0 || index >= list.length) fail('BAD_INTEGER', { field: `${field} index` });
  const encoded = list.map((r, i) => encodeReceipt(r, `${field}[${i}]`));
  const actual = orderedTrieRoot(encoded.map((e) => e.encoded));
  if (!bytesEqual(actual, root)) fail('TRIE_ROOT_MISMATCH', { field, actual: toHex0x(actual), expected: toHex0x(root) });
  return encoded[index]!.receipt;
}

/** Verify a receipt JSON at `index` with an MPT proof (nodes root → leaf) against `root`. */
export function verifyReceiptProof(receiptJson: unknown, index: number, proof: readonly Uint8Array[], root: Uint8Array, field = 'receipt'): ProvenReceipt {
  const { encoded, receipt } = encodeReceipt(receiptJson, field);
  const value = verifyMptPath(root, toNibbles(indexKey(index)), proof, `${field}.proof`, BLOCK_TRIE_LIMITS);
  if (value === null) fail('MPT_PROOF_INVALID', { field: `${field}.proof`, reason: `no receipt at index ${index}` });
  if (!bytesEqual(value, encoded)) fail('PROOF_VALUE_MISMATCH', { field, claimed: 'receipt JSON', proven: 'a different receipt' });
  return receipt;
}
