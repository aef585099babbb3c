/**
 * EVM proof benchmarks.
 * - proofs.eip1186: one account proof + two storage proofs (a state trie of 3,000 accounts, a contract storage trie of
 *   1,000 slots; built once in setup with @ethereumjs/mpt) verified by src/proofs/evm vs @ethereumjs/mpt's
 *   verifyMPTWithMerkleProof on the same proof bytes. Nothing is cached across iterations on either side.
 * - proofs.qbft21: finality of a QBFT header with 21 validators and 15 committed seals vs 15 bare
 *   SigningKey.recoverPublicKey calls (the floor: recovery dominates).
 */
import { createMPT, createMerkleProof, verifyMPTWithMerkleProof } from '@ethereumjs/mpt';
import { SigningKey, Signature, Wallet, encodeRlp, getBytes } from 'ethers';
import type { Benchmark } from '../harness.js';
import { keccak256 } from '../../src/crypto/hash.js';
import { clearMemo } from '../../src/proofs/evm/keccak-memo.js';
import { concatBytes, fromHex, toHex0x } from '../../src/crypto/bytes.js';
import { proveAccount, proveStorage, EMPTY_CODE_HASH } from '../../src/proofs/evm/eip1186.js';
import { parseHeader } from '../../src/proofs/evm/header.js';
import { BFT_MIX_HASH, bftBlockHash, bftSealDigest } from '../../src/proofs/evm/bft.js';
import { encodeBftExtraData, type BftExtraData } from '../../src/proofs/evm/bft-extra-data.js';
import { verifyQbftFinality } from '../../src/proofs/evm/qbft.js';

const seeded = (i: number, tag: number): Uint8Array => keccak256(new Uint8Array([tag, i >> 16, (i >> 8) & 255, i & 255]));

async function eip1186Setup() {
  const storage = await createMPT({ useKeyHashing: true });
  for (let i = 0; i < 1000; i++) await storage.put(seeded(i, 2), getBytes(encodeRlp(seeded(i, 3))));
  const contract = seeded(7, 1).subarray(0, 20);
  const state = await createMPT({ useKeyHashing: true });
  for (let i = 0; i < 3000; i++) {
    const a = i === 7 ? contract : seeded(i, 1).subarray(0, 20);
    const acct = i === 7 ? [ '0x01', '0x0de0b6b3a7640000', toHex0x(storage.root()), toHex0x(keccak256(new Uint8Array([1]))) ] : [ '0x', `0x${(i + 1).toString(16).padStart(6, '0')}`, toHex0x(new Uint8Array(Buffer.from('56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421', 'hex'))), toHex0x(EMPTY_CODE_HASH) ];
    await state.put(a, getBytes(encodeRlp(acct)));
  }
  const slots = [seeded(11, 2), seeded(523, 2)];
  return {
    stateRoot: state.root(), storageRoot: storage.root(), contract, slots, state, storage,
    accountProof: await createMerkleProof(state, contract),
    storageProofs: await Promise.all(slots.map((s) => createMerkleProof(storage, s))),
  };
}

function qbft21() {
  const keys = Array.from({ length: 21 }, (_, i) => new SigningKey(toHex0x(seeded(i, 9))));
  const vals = keys.map((k) => new Wallet(k).address.toLowerCase());
  const h32 = (b: string) => `0x${b.repeat(32)}`;
  const json: Record<string, unknown> = {
    parentHash: h32('aa'), sha3Uncles: h32('bb'), miner: `0x${'12'.repeat(20)}`, stateRoot: h32('cc'), transactionsRoot: h32('dd'),
    receiptsRoot: h32('ee'), logsBloom: `0x${'00'.repeat(256)}`, difficulty: '0x1', number: '0x1234', gasLimit: '0x1c9c380',
    gasUsed: '0x0', timestamp: '0x6553f100', extraData: '0x', mixHash: toHex0x(BFT_MIX_HASH), nonce: '0x0000000000000000', baseFeePerGas: '0x0',
  };
  const extra: BftExtraData = { vanity: new Uint8Array(32), validators: vals.map((v) => fromHex(v, 'v', 20)), vote: null, round: 0, seals: [] };
  json.extraData = toHex0x(encodeBftExtraData(extra, 'qbft'));
  const digest = bftSealDigest(parseHeader(json), extra, 'qbft');
  const sigs = keys.slice(0, 15).map((k) => k.sign(digest));
  extra.seals = sigs.map((s) => concatBytes(getBytes(s.r), getBytes(s.s), new Uint8Array([s.yParity])));
  json.extraData = toHex0x(encodeBftExtraData(extra, 'qbft'));
  json.hash = toHex0x(bftBlockHash(parseHeader(json), extra, 'qbft'));
  return { json, vals, digest, sigs: sigs.map((s) => Signature.from(s)) };
}

/** The EVM proof benchmarks. */
export const proofsEvmBenchmarks: Benchmark[] = [
  {
    name: 'proofs.eip1186',
    target: 1.5,
    async setup() {
      const s = await eip1186Setup();
      // Sanity: both sides accept the proofs before timing.
      const acct = proveAccount(s.stateRoot, s.contract, s.accountProof);
      if (acct.storageHash.length !== 32 || (await verifyMPTWithMerkleProof(s.state, s.stateRoot, s.contract, s.accountProof)) === null) throw new Error('bad setup');
      return {
        subject: {
          // The keccak memo (src/proofs/evm/keccak-memo.ts) is cleared on every run: the same proofs repeat here, and a
          // warm memo would measure cache hits, not verification. Cold verification is what a first proof costs.
          label: 'src/proofs/evm proveAccount + 2 × proveStorage (keccak memo cleared each run)',
          run: () => {
            clearMemo();
            const a = proveAccount(s.stateRoot, s.contract, s.accountProof);
            for (let i = 0; i < s.slots.length; i++) proveStorage(a.storageHash, s.slots[i]!, s.storageProofs[i]!);
          },
        },
        baseline: {
          label: '@ethereumjs/mpt verifyMPTWithMerkleProof (account + 2 storage)',
          run: async () => {
            await verifyMPTWithMerkleProof(s.state, s.stateRoot, s.contract, s.accountProof);
            for (let i = 0; i < s.slots.length; i++) await verifyMPTWithMerkleProof(s.storage, s.storageRoot, s.slots[i]!, s.storageProofs[i]!);
          },
        },
        notes: () => ({ accountProofNodes: s.accountProof.length, storageProofNodes: s.storageProofs.map((p) => p.length).join('+') }),
      };
    },
  },
  {
    name: 'proofs.qbft21',
    async setup() {
      const q = qbft21();
      verifyQbftFinality(q.json, q.vals);
      return {
        subject: { label: 'verifyQbftFinality (21 validators, 15 seals)', run: () => verifyQbftFinality(q.json, q.vals) },
        baseline: { label: '15 × SigningKey.recoverPublicKey', run: () => { for (const s of q.sigs) SigningKey.recoverPublicKey(q.digest, s); } },
      };
    },
  },
];
