/**
 * `verifySourceEvidence` on `evm-storage` evidence fetched by the `evm` adapter from a real anvil node: the two partner
 * contracts, a string-holding contract (long strings need a second eth_getProof), a QBFT-sealed header over the same
 * real state (simulator validators, light-client trust), and one adversarial case per error code of the verifier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { Interface, keccak256 as ethersKeccak } from 'ethers';
import { createAdapter } from '../../adapters/registry.js';
import { verifySourceAbsence, verifySourceEvidence } from '../../src/proofs/evidence.js';
import { createTrustState } from '../../src/proofs/lightclient/state.js';
import { evmValidatorSet } from '../../src/proofs/lightclient/kind-evm-bft.js';
import { encodeBftExtraData, type BftExtraData } from '../../src/proofs/evm/bft-extra-data.js';
import { bftBlockHash, bftSealDigest } from '../../src/proofs/evm/bft.js';
import { parseHeader } from '../../src/proofs/evm/header.js';
import { fromHex, toHex0x, utf8 } from '../../src/crypto/bytes.js';
import { CourtBridgeError } from '../../src/errors.js';
import { addr, baseHeader, seal, validatorKeys } from '../proofs/evm/helpers/bft-chain.js';
import { sendTx } from '../proofs/evm/helpers/anvil.js';
import { CHAIN_ID, startEvmChain, type EvmChain } from './evm-harness.js';
import type { Adapter, DepthTrust, EvmStorageEvidence, EvmStorageMapping, RecordRef } from '../../adapters/types.js';

const require = createRequire(import.meta.url);

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'OK';
  } catch (e) {
    return e instanceof CourtBridgeError ? e.code : `NOT_CODED ${String(e)}`;
  }
}

const NOTES_SOURCE = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;
contract Notes {
  struct Note { string title; bytes body; uint128 amount; int64 delta; address clerk; }
  mapping(uint256 => Note) public notes;
  function put(uint256 id, string calldata title, bytes calldata body, uint128 amount, int64 delta) external {
    notes[id] = Note(title, body, amount, delta, msg.sender);
  }
}`;

function compileNotes(): { abi: unknown[]; bytecode: string } {
  const solc = require('solc') as { compile(input: string): string };
  const input = { language: 'Solidity', sources: { 'Notes.sol': { content: NOTES_SOURCE } }, settings: { outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } } };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as any;
  const c = out.contracts['Notes.sol'].Notes;
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

describe('verifySourceEvidence: evm-storage (anvil)', () => {
  let chain: EvmChain;
  let adapter: Adapter;
  let trust: DepthTrust;
  let evidence: EvmStorageEvidence;
  const now = () => Math.floor(Date.now() / 1000);
  const subject = ethersKeccak(utf8('salt|110101199001011234'));
  const caseHash = ethersKeccak(utf8('(2024)京0105执12345号'));
  const ref = (): RecordRef => ({ chainId: CHAIN_ID, recordType: 'dishonest-debtor', key: subject });
  const opts = () => ({ now: now(), mapping: chain.debtorMapping, expect: ref() });

  beforeAll(async () => {
    chain = await startEvmChain();
    await chain.listDebtor(subject, caseHash);
    await chain.registerEnterprise('91110000100000000X', ethersKeccak(utf8('record v1')));
    await chain.anvil.rpc('anvil_mine', ['0x3']);
    adapter = await createAdapter(chain.registration([{ url: chain.anvil.url }]));
    trust = await chain.trust();
    evidence = (await adapter.fetchRecord(ref())) as EvmStorageEvidence;
  }, 60_000);
  afterAll(async () => {
    await adapter?.close();
    await chain?.anvil.stop();
  });

  it('DishonestDebtorList entry (packed struct) and EnterpriseRegistry record (UTF-8 USCC key) verify', async () => {
    const v = verifySourceEvidence(evidence, trust, opts());
    expect(v.record).toMatchObject({ caseHash, active: true });
    expect(v.finality).toEqual({ rule: 'depth', trust: 'rpc-depth', confirmations: 2 });
    expect(v.blockHash).toBe(evidence.block.hash);
    const eref = { chainId: CHAIN_ID, recordType: 'enterprise', key: '91110000100000000X' };
    const e = await adapter.fetchRecord(eref);
    expect(verifySourceEvidence(e, trust, { now: now(), mapping: chain.enterpriseMapping, expect: eref }).record).toEqual({ recordHash: ethersKeccak(utf8('record v1')) });
  });

  it('a long string needs its data slots: fetched at the same block, decoded, and every field type round-trips', async () => {
    const notes = compileNotes();
    const address = ((await sendTx(chain.anvil, { data: notes.bytecode, gas: '0x400000' })).contractAddress as string).toLowerCase();
    const title = '(2025)京0491民初123号 关于某某科技有限公司与某某银行股份有限公司金融借款合同纠纷一案';
    const body = `0x${'5a'.repeat(70)}`;
    await sendTx(chain.anvil, { to: address, data: new Interface(notes.abi as never).encodeFunctionData('put', [42, title, body, 10n ** 30n, -7]), gas: '0x400000' });
    await chain.anvil.rpc('anvil_mine', ['0x3']);
    const mapping: EvmStorageMapping = {
      kind: 'evm-storage', contract: address, mappingSlot: 0, keyType: 'uint256',
      fields: [{ name: 'title', type: 'string', slot: 0 }, { name: 'body', type: 'bytes', slot: 1 }, { name: 'amount', type: 'uint128', slot: 2 }, { name: 'delta', type: 'int64', slot: 2, offset: 16 }, { name: 'clerk', type: 'address', slot: 3 }],
    };
    const reg = chain.registration([{ url: chain.anvil.url }]);
    const a = await createAdapter({ ...reg, recordTypes: { note: { schemaId: 'x', mapping } } });
    const nref = { chainId: CHAIN_ID, recordType: 'note', key: '42' };
    const e = (await a.fetchRecord(nref)) as EvmStorageEvidence;
    await a.close();
    expect(e.slots.length).toBeGreaterThan(4);
    const [from] = await chain.anvil.rpc<string[]>('eth_accounts');
    const v = verifySourceEvidence(e, await chain.trust(), { now: now(), mapping, expect: nref });
    expect(v.record).toEqual({ title, body, amount: (10n ** 30n).toString(), delta: '-7', clerk: from!.toLowerCase() });
    // Dropping a data slot from the evidence breaks it.
    expect(await codeOf(() => verifySourceEvidence({ ...e, slots: e.slots.slice(0, -1) }, trust, { now: now(), mapping }))).toBe('EVIDENCE_MISMATCH');
  });

  it('absence is proven (verifySourceAbsence) and is not a record', async () => {
    const aref = { ...ref(), key: ethersKeccak(utf8('nobody')) };
    const err = (await adapter.fetchRecord(aref).then(() => undefined, (e: unknown) => e)) as { code: string; absence: EvmStorageEvidence };
    expect(err.code).toBe('RECORD_NOT_FOUND');
    expect(verifySourceAbsence(err.absence, trust, { now: now(), mapping: chain.debtorMapping }).key).toBe(aref.key);
    expect(await codeOf(() => verifySourceAbsence(evidence, trust, opts()))).toBe('EVIDENCE_MISMATCH');
  });

  it('RECORD_NOT_FINAL: fewer confirmations than the trust requires', async () => {
    expect(await codeOf(() => verifySourceEvidence(evidence, { ...trust, minConfirmations: 3 }, opts()))).toBe('RECORD_NOT_FINAL');
    const height = Number(evidence.block.number);
    const tip = await adapter.fetchRecord(ref(), Number(await chain.anvil.rpc<string>('eth_blockNumber')));
    expect((tip as EvmStorageEvidence).finality).toMatchObject({ confirmations: 0 });
    expect(await codeOf(() => verifySourceEvidence(tip, trust, opts()))).toBe('RECORD_NOT_FINAL');
    expect(height).toBeGreaterThan(0);
  });

  it('BLOCK_NOT_CANONICAL: the relay knows another block at that height', async () => {
    const height = String(Number(evidence.block.number));
    expect(await codeOf(() => verifySourceEvidence(evidence, { ...trust, canonical: { [height]: `0x${'77'.repeat(32)}` } }, opts()))).toBe('BLOCK_NOT_CANONICAL');
  });

  it('EVIDENCE_MISMATCH: mapping, contract, key, descendants, confirmations claim, slot list', async () => {
    const o = opts();
    const other = { ...chain.debtorMapping, mappingSlot: 1 };
    const d = evidence.finality as Extract<EvmStorageEvidence['finality'], { rule: 'depth' }>;
    const cases: [string, unknown, object][] = [
      ['registration mapping differs', evidence, { ...o, mapping: other }],
      ['evidence mapping differs', { ...evidence, mapping: other }, o],
      ['contract differs', { ...evidence, contract: `0x${'01'.repeat(20)}` }, o],
      ['key differs', { ...evidence, key: ethersKeccak(utf8('x')) }, { ...o, expect: undefined }],
      ['expected another key', evidence, { ...o, expect: { ...ref(), key: ethersKeccak(utf8('x')) } }],
      ['descendants out of order', { ...evidence, finality: { ...d, descendants: [...d.descendants].reverse() } }, o],
      ['confirmations claim', { ...evidence, finality: { ...d, confirmations: 5 } }, o],
      ['slot list reordered', { ...evidence, slots: [...evidence.slots].reverse() }, o],
    ];
    for (const [name, e, op] of cases) expect(`${name}: ${await codeOf(() => verifySourceEvidence(e, trust, op as never))}`).toBe(`${name}: EVIDENCE_MISMATCH`);
  });

  it('other input codes: CHAIN_ID_MISMATCH, UNKNOWN_TYPE, MAPPING_INVALID, INVALID_INPUT, BAD_INTEGER', async () => {
    expect(await codeOf(() => verifySourceEvidence(evidence, { ...trust, chainId: 'eip155:1' }, opts()))).toBe('CHAIN_ID_MISMATCH');
    expect(await codeOf(() => verifySourceEvidence({ ...evidence, kind: 'evm-receipt' }, trust, opts()))).toBe('UNKNOWN_TYPE');
    expect(await codeOf(() => verifySourceEvidence({ ...evidence, finality: { rule: 'pow' } }, trust, opts()))).toBe('UNKNOWN_TYPE');
    expect(await codeOf(() => verifySourceEvidence(evidence, trust, { now: now() } as never))).toBe('MAPPING_INVALID');
    expect(await codeOf(() => verifySourceEvidence({ ...evidence, extra: 1 }, trust, opts()))).toBe('INVALID_INPUT');
    expect(await codeOf(() => verifySourceEvidence(evidence, trust, { ...opts(), now: -1 }))).toBe('BAD_INTEGER');
  });

  it('qbft rule: a QBFT-sealed header over the real state verifies through the light client; a foreign seal does not', async () => {
    const keys = validatorKeys(4, 77);
    const real = evidence.block as Record<string, string>;
    const sealedBy = (signers: typeof keys) => {
      const json: Record<string, unknown> = { ...baseHeader(Number(real.number)), stateRoot: real.stateRoot };
      const extra: BftExtraData = { vanity: new Uint8Array(32), validators: keys.map((k) => fromHex(addr(k), 'a', 20)), vote: null, round: 0, seals: [] };
      json.extraData = toHex0x(encodeBftExtraData(extra, 'qbft'));
      const digest = bftSealDigest(parseHeader(json), extra, 'qbft');
      extra.seals = signers.map((k) => seal(k, digest));
      json.extraData = toHex0x(encodeBftExtraData(extra, 'qbft'));
      json.hash = toHex0x(bftBlockHash(parseHeader(json), extra, 'qbft'));
      return json;
    };
    const set = evmValidatorSet('evm-qbft', keys.map(addr));
    const state = createTrustState({ chainId: CHAIN_ID, kind: 'evm-qbft', trustingPeriod: 86_400, validatorSet: set, header: { chainId: CHAIN_ID, kind: 'evm-qbft', height: 0, hash: `0x${'00'.repeat(32)}`, parentHash: `0x${'00'.repeat(32)}`, stateRoot: `0x${'00'.repeat(32)}` } }, now());
    const qbft = { ...evidence, block: sealedBy(keys.slice(0, 3)), finality: { rule: 'qbft' } } as unknown as EvmStorageEvidence;
    const v = verifySourceEvidence(qbft, state, opts());
    expect(v.finality).toEqual({ rule: 'qbft', trust: 'light-client', chainKind: 'evm-qbft', validatorSetId: set.id });
    expect(v.record).toMatchObject({ caseHash });
    const foreign = { ...qbft, block: sealedBy([...keys.slice(0, 2), ...validatorKeys(1, 99)]) };
    expect(await codeOf(() => verifySourceEvidence(foreign, state, opts()))).toBe('SIGNER_NOT_IN_SET');
    expect(await codeOf(() => verifySourceEvidence(qbft, trust, opts()))).toBe('EVIDENCE_MISMATCH'); // depth trust for a qbft rule
    expect(await codeOf(() => verifySourceEvidence(evidence, state, opts()))).toBe('EVIDENCE_MISMATCH'); // light-client trust for depth
  });
});

describe('evm adapter follow (anvil)', () => {
  it('reports each record changed in a newly final range once, with its head; keys decode per key type', async () => {
    const chain = await startEvmChain();
    try {
      const adapter = await createAdapter(chain.registration([{ url: chain.anvil.url }]));
      const ac = new AbortController();
      const events: { key: string; type: string; height: number }[] = [];
      const start = Number(await chain.anvil.rpc<string>('eth_blockNumber'));
      const subjects = [ethersKeccak(utf8('a')), ethersKeccak(utf8('b'))];
      const running = adapter.follow!({ recordTypes: ['dishonest-debtor', 'enterprise'], fromHeight: start, intervalMs: 50, signal: ac.signal }, (e) => {
        events.push({ key: e.ref.key, type: e.ref.recordType, height: e.head.height });
        if (events.length === 3) ac.abort();
      });
      for (const s of subjects) await chain.listDebtor(s, ethersKeccak(s));
      await chain.registerEnterprise('91330100MA27XXXX0T', ethersKeccak(utf8('r')));
      await chain.anvil.rpc('anvil_mine', ['0x3']);
      await running;
      expect(events.map((e) => `${e.type}:${e.key}`).sort()).toEqual([`dishonest-debtor:${subjects[0]}`, `dishonest-debtor:${subjects[1]}`, 'enterprise:91330100MA27XXXX0T'].sort());
      for (const e of events) expect(e.height).toBeGreaterThan(start);
      expect(await codeOf(() => adapter.follow!({ recordTypes: ['nope'] }, () => undefined))).toBe('RECORD_TYPE_UNKNOWN');
      await adapter.close();
    } finally {
      await chain.anvil.stop();
    }
  }, 30_000);
});
