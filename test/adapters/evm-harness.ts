/**
 * The EVM conformance harness: a real anvil node (test/proofs/evm/helpers/anvil.ts) with the two partner contracts
 * (test/fixtures/contracts) deployed, registered as a `depth`-rule dev chain.
 */
import { Interface, keccak256 as ethersKeccak, randomBytes, hexlify } from 'ethers';
import { startAnvil, compileContract, sendTx, type Anvil } from '../proofs/evm/helpers/anvil.js';
import { createAdapter } from '../../adapters/registry.js';
import type { ConformanceHarness } from '../../adapters/conformance.js';
import type { DepthTrust, EvmStorageMapping, Registration, RpcEndpoint } from '../../adapters/types.js';

export const CHAIN_ID = 'eip155:31337';
export const CONFIRMATIONS = 2;

/** A started anvil with both contracts, and helpers to write records. */
export interface EvmChain {
  anvil: Anvil;
  registry: string;
  debtors: string;
  debtorMapping: EvmStorageMapping;
  enterpriseMapping: EvmStorageMapping;
  registration(endpoints: readonly RpcEndpoint[], limits?: Registration['rpcLimits']): Registration;
  listDebtor(subject: string, caseHash: string): Promise<{ listedAt: number }>;
  registerEnterprise(uscc: string, recordHash: string): Promise<void>;
  trust(): Promise<DepthTrust>;
}

const regI = () => new Interface(compileContract('EnterpriseRegistry').abi as never);

/** Start anvil, deploy the partner contracts. */
export async function startEvmChain(): Promise<EvmChain> {
  const anvil = await startAnvil('prague');
  const reg = compileContract('EnterpriseRegistry');
  const deb = compileContract('DishonestDebtorList');
  const registry = (await sendTx(anvil, { data: reg.bytecode, gas: '0x200000' })).contractAddress as string;
  const debtors = (await sendTx(anvil, { data: deb.bytecode, gas: '0x200000' })).contractAddress as string;
  const debI = new Interface(deb.abi as never);
  const entI = regI();
  const debtorMapping: EvmStorageMapping = {
    kind: 'evm-storage', contract: debtors.toLowerCase(), mappingSlot: 0, keyType: 'bytes32',
    fields: [{ name: 'caseHash', type: 'bytes32', slot: 0 }, { name: 'listedAt', type: 'uint64', slot: 1 }, { name: 'active', type: 'bool', slot: 1, offset: 8 }],
  };
  const enterpriseMapping: EvmStorageMapping = {
    kind: 'evm-storage', contract: registry.toLowerCase(), mappingSlot: 0, keyType: 'bytes32-utf8',
    fields: [{ name: 'recordHash', type: 'bytes32', slot: 0 }],
  };
  return {
    anvil, registry, debtors, debtorMapping, enterpriseMapping,
    registration: (endpoints, limits) => ({
      chainId: CHAIN_ID,
      kind: 'evm',
      rpc: endpoints,
      finality: { rule: 'depth', confirmations: CONFIRMATIONS },
      recordTypes: {
        'dishonest-debtor': { schemaId: 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor.json', mapping: debtorMapping },
        enterprise: { schemaId: 'https://courtbridge.example/schemas/domain/market/enterprise-basic-info.json', mapping: enterpriseMapping },
      },
      ...(limits === undefined ? {} : { rpcLimits: limits }),
    }),
    async listDebtor(subject, caseHash) {
      const receipt = await sendTx(anvil, { to: debtors, data: debI.encodeFunctionData('list', [subject, caseHash]) });
      const block = await anvil.rpc<{ timestamp: string }>('eth_getBlockByNumber', [receipt.blockNumber, false]);
      return { listedAt: Number(block.timestamp) };
    },
    async registerEnterprise(uscc, recordHash) {
      const key = hexlify(new TextEncoder().encode(uscc)).padEnd(66, '0');
      await sendTx(anvil, { to: registry, data: entI.encodeFunctionData('register', [key, recordHash]) });
    },
    async trust() {
      // The relay's own view of the canonical chain: the last 64 headers as the node reports them now.
      const head = Number(await anvil.rpc<string>('eth_blockNumber'));
      const canonical: Record<string, string> = {};
      const blocks = await Promise.all(Array.from({ length: Math.min(64, head + 1) }, (_, i) => anvil.rpc<{ number: string; hash: string }>('eth_getBlockByNumber', [`0x${(head - i).toString(16)}`, false])));
      for (const b of blocks) canonical[String(Number(b.number))] = b.hash;
      return { kind: 'evm-depth', chainId: CHAIN_ID, minConfirmations: CONFIRMATIONS, canonical };
    },
  };
}

const randomKey = (): string => hexlify(randomBytes(32));

/** The conformance harness over a chain started before the tests run (`chainOf` is read lazily). */
export function evmHarness(chainOf: () => EvmChain): ConformanceHarness {
  const a = {
    get url() { return chainOf().anvil.url; },
    rpc: <T,>(method: string, params?: unknown[]) => chainOf().anvil.rpc<T>(method, params),
  };
  const chain = {
    registration: (e: readonly RpcEndpoint[], l?: Registration['rpcLimits']) => chainOf().registration(e, l),
    listDebtor: (s: string, c: string) => chainOf().listDebtor(s, c),
    trust: () => chainOf().trust(),
    get debtorMapping() { return chainOf().debtorMapping; },
    get enterpriseMapping() { return chainOf().enterpriseMapping; },
  };
  return {
    name: 'evm (anvil, depth rule)',
    endpoint: () => a.url,
    registration: (endpoints, limits) => chain.registration(endpoints, limits),
    makeAdapter: (r) => createAdapter(r),
    async writeRecord() {
      const subject = randomKey();
      const caseHash = ethersKeccak(new TextEncoder().encode(`(2024)京0105执${subject.slice(2, 8)}号`));
      const { listedAt } = await chain.listDebtor(subject, caseHash);
      return { ref: { chainId: CHAIN_ID, recordType: 'dishonest-debtor', key: subject }, expected: { caseHash, listedAt: String(listedAt), active: true } };
    },
    absentRef: () => ({ chainId: CHAIN_ID, recordType: 'dishonest-debtor', key: randomKey() }),
    malformedKey: () => '0x1234',
    advance: async (n) => {
      await a.rpc('anvil_mine', [`0x${n.toString(16)}`]);
    },
    mapping: (t) => (t === 'enterprise' ? chain.enterpriseMapping : chain.debtorMapping),
    trust: () => chain.trust(),
    now: () => Math.floor(Date.now() / 1000),
    provesAbsence: true,
    tampers: [
      { name: 'storage value rewritten', rewrite: (m, _p, r: any) => (m === 'eth_getProof' ? { ...r, storageProof: r.storageProof.map((s: any, i: number) => (i === 0 ? { ...s, value: '0x1234' } : s)) } : undefined) },
      { name: 'storage value zeroed (fake absence)', rewrite: (m, _p, r: any) => (m === 'eth_getProof' ? { ...r, storageProof: r.storageProof.map((s: any) => ({ ...s, value: '0x0' })) } : undefined) },
      { name: 'storageHash rewritten', rewrite: (m, _p, r: any) => (m === 'eth_getProof' ? { ...r, storageHash: `0x${'11'.repeat(32)}` } : undefined) },
      { name: 'header stateRoot rewritten', rewrite: (m, _p, r: any) => (m === 'eth_getBlockByNumber' && r ? { ...r, stateRoot: `0x${'22'.repeat(32)}` } : undefined) },
      { name: 'header hash re-labelled', rewrite: (m, _p, r: any) => (m === 'eth_getBlockByNumber' && r ? { ...r, hash: `0x${'33'.repeat(32)}` } : undefined) },
      { name: 'proof node dropped', rewrite: (m, _p, r: any) => (m === 'eth_getProof' ? { ...r, accountProof: r.accountProof.slice(1) } : undefined) },
    ],
    fork: {
      snapshot: () => a.rpc<string>('evm_snapshot'),
      revert: async (id) => {
        await a.rpc('evm_revert', [id]);
      },
    },
  };
}
