/**
 * Anchoring: the ledger's latest signed checkpoint written to the courts' own EVM chain (contract
 * test/fixtures/contracts/CheckpointAnchor.sol: `anchor(uint64 treeSize, bytes32 rootHash, bytes32 noteHash)`), so
 * the log's history is also witnessed by a chain the courts run. Kept for the evidence bundle in `relay_anchors`:
 * the transaction hash, the block header JSON and ALL receipts of the block — the receipts list re-hashes to the
 * header's `receiptsRoot` (src/proofs/evm/receipts `verifyReceiptInList`) and the header to its hash (keccak of RLP),
 * which is checked here before the anchor is stored.
 *
 * Transactions are signed locally with the hub's secp256k1 key (`privateKey`, ethers Wallet) or, on a dev node,
 * sent from an unlocked account (`from`). Raw JSON-RPC over fetch with a timeout; ethers only encodes and signs.
 */
import { Interface, Wallet } from 'ethers';
import { toHex0x, utf8, fromHex } from '../src/crypto/bytes.js';
import { sha256 } from '../src/crypto/hash.js';
import { asCourtBridgeError, fail } from '../src/errors.js';
import type { Ledger } from '../src/ledger/ledger.js';
import { verifyHeaderJson } from '../src/proofs/evm/header.js';
import { verifyReceiptInList } from '../src/proofs/evm/receipts.js';
import type { AnchorRow, RelayStore } from './jobs/types.js';

/** Where and how to anchor. */
export interface AnchorConfig {
  /** JSON-RPC URL of the court chain. */
  rpcUrl: string;
  /** CAIP-2 id of the court chain. */
  chainId: string;
  /** CheckpointAnchor contract address. */
  contract: string;
  /** Hub key (32 bytes hex) signing the transaction; or … */
  privateKey?: string;
  /** … an unlocked account of a dev node. */
  from?: string;
  /** Per-call timeout, ms. Default 10 000. */
  timeoutMs?: number;
}

/** ABI of the anchor call. */
export const ANCHOR_ABI = new Interface(['function anchor(uint64 treeSize, bytes32 rootHash, bytes32 noteHash)', 'function count() view returns (uint256)']);

async function rpc<T>(cfg: AnchorConfig, method: string, params: unknown[]): Promise<T> {
  let body: { result?: T; error?: { message?: string } };
  try {
    const res = await fetch(cfg.rpcUrl, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(cfg.timeoutMs ?? 10_000),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    body = (await res.json()) as typeof body;
  } catch (e) {
    throw asCourtBridgeError(e, 'ANCHOR_FAILED', { chainId: cfg.chainId, reason: `${method}: ${(e as Error).message}` });
  }
  if (body.error) fail('ANCHOR_FAILED', { chainId: cfg.chainId, reason: `${method}: ${String(body.error.message).slice(0, 200)}` });
  return body.result as T;
}

async function send(cfg: AnchorConfig, data: string): Promise<string> {
  if (cfg.privateKey !== undefined) {
    const wallet = new Wallet(cfg.privateKey);
    const [nonce, gasPrice, chainIdHex] = await Promise.all([
      rpc<string>(cfg, 'eth_getTransactionCount', [wallet.address, 'pending']), rpc<string>(cfg, 'eth_gasPrice', []), rpc<string>(cfg, 'eth_chainId', []),
    ]);
    const raw = await wallet.signTransaction({ to: cfg.contract, data, nonce: Number(nonce), gasPrice: BigInt(gasPrice) * 2n, gasLimit: 200_000n, chainId: BigInt(chainIdHex), type: 0 });
    return rpc<string>(cfg, 'eth_sendRawTransaction', [raw]);
  }
  if (cfg.from === undefined) fail('CONFIG_INVALID', { field: 'anchor', reason: 'needs privateKey or from' });
  return rpc<string>(cfg, 'eth_sendTransaction', [{ from: cfg.from, to: cfg.contract, data }]);
}

/** Anchor the ledger's latest checkpoint (signing a new one first); undefined when it is already anchored. */
export async function anchorCheckpoint(ledger: Ledger, store: RelayStore, cfg: AnchorConfig, pollMs = 50): Promise<AnchorRow | undefined> {
  const cp = await ledger.checkpoint();
  const anchored = await store.anchors();
  if (anchored.some((a) => a.treeSize === cp.treeSize)) return undefined;
  const rootHash = toHex0x(cp.root);
  const noteHash = toHex0x(sha256(utf8(cp.note)));
  const txHash = await send(cfg, ANCHOR_ABI.encodeFunctionData('anchor', [cp.treeSize, rootHash, noteHash]));
  let receipt: { status: string; blockNumber: string; blockHash: string; transactionIndex: string } | null = null;
  const deadline = Date.now() + (cfg.timeoutMs ?? 10_000) * 3;
  while (receipt === null) {
    receipt = await rpc(cfg, 'eth_getTransactionReceipt', [txHash]);
    if (receipt === null) {
      if (Date.now() > deadline) fail('ANCHOR_FAILED', { chainId: cfg.chainId, reason: `no receipt for ${txHash}` });
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  if (receipt.status !== '0x1') fail('ANCHOR_FAILED', { chainId: cfg.chainId, reason: `transaction ${txHash} reverted` });
  const [block, receipts] = await Promise.all([
    rpc<Record<string, unknown>>(cfg, 'eth_getBlockByHash', [receipt.blockHash, false]),
    rpc<unknown[]>(cfg, 'eth_getBlockReceipts', [receipt.blockHash]),
  ]);
  // Self-check what the bundle will carry: header hash, and the receipt list against the header's receiptsRoot.
  const header = verifyHeaderJson(block, 'anchor.block');
  const index = Number(receipt.transactionIndex);
  verifyReceiptInList(receipts, index, header.receiptsRoot, 'anchor.receipts');
  const row: AnchorRow = {
    treeSize: cp.treeSize, rootHash, noteHash, chainId: cfg.chainId, contract: cfg.contract.toLowerCase(), txHash,
    blockNumber: Number(header.number), blockHash: toHex0x(fromHex(receipt.blockHash, 'blockHash', 32)),
    receiptProof: JSON.stringify({ block, receipts, transactionIndex: index }), createdAt: Date.now(),
  };
  await store.putAnchor(row);
  return row;
}
