/**
 * `adapters.evm.fetch` (report): `fetchRecord` calls/s of the `evm` adapter (keep-alive JSON-RPC client, slot
 * derivation from the registration's mapping, response checks, evidence assembly) against the bare rate of the same
 * `eth_getProof` + `eth_getBlockByNumber` pair sent as raw HTTP JSON-RPC (node:http keep-alive agent, JSON.parse only,
 * both calls in parallel as the adapter sends them) to the same anvil node in the same process.
 *
 * The node: anvil (started in setup, killed in teardown) running DishonestDebtorList with 64 entries; each operation
 * fetches the next entry (struct of 2 slots). Registration: `depth` rule with 0 confirmations (immediate finality,
 * the QBFT path: proof and header at `latest`, matched by state root). Notes: the same with 2 confirmations
 * (eth_blockNumber + 2 descendant headers more per fetch).
 */
import { Agent, request } from 'node:http';
import { Interface, hexlify, keccak256 as ethersKeccak, randomBytes } from 'ethers';
import type { Benchmark } from '../harness.js';
import { measure } from '../harness.js';
import { createAdapter } from '../../adapters/registry.js';
import { headSlots } from '../../src/proofs/evidence/layout.js';
import type { Adapter, EvmStorageMapping, Registration } from '../../adapters/types.js';
import { compileContract, sendTx, startAnvil, type Anvil } from '../../test/proofs/evm/helpers/anvil.js';

const CHAIN = 'eip155:31337';

function registration(url: string, mapping: EvmStorageMapping, confirmations: number): Registration {
  return {
    chainId: CHAIN, kind: 'evm', rpc: [{ url }], finality: { rule: 'depth', confirmations },
    recordTypes: { 'dishonest-debtor': { schemaId: 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor.json', mapping } },
  };
}

/** Raw JSON-RPC over a keep-alive agent: the baseline's whole client. */
function rawClient(url: string): (method: string, params: unknown[]) => Promise<unknown> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const u = new URL(url);
  let id = 0;
  return (method, params) => new Promise((resolve, reject) => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params });
    const req = request(u, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result: unknown }).result));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`raw ${method} timed out`)));
    req.end(body);
  });
}

/** The adapters' benchmarks. */
export const adaptersBenchmarks: Benchmark[] = [
  {
    name: 'adapters.evm.fetch',
    async setup() {
      const anvil = await startAnvil('prague');
      try {
        return await prepare(anvil);
      } catch (e) {
        await anvil.stop(); // a failed setup has no teardown: do not leave the node running
        throw e;
      }
    },
  },
];

/** Deploy, write 64 entries, make the adapters; the sides of the benchmark. */
async function prepare(anvil: Anvil): Promise<Awaited<ReturnType<Benchmark['setup']>>> {
  const deb = compileContract('DishonestDebtorList');
  const debtors = ((await sendTx(anvil, { data: deb.bytecode, gas: '0x200000' })).contractAddress as string).toLowerCase();
  const iface = new Interface(deb.abi as never);
  const keys: string[] = [];
  for (let i = 0; i < 64; i++) {
    const subject = hexlify(randomBytes(32));
    await sendTx(anvil, { to: debtors, data: iface.encodeFunctionData('list', [subject, ethersKeccak(new TextEncoder().encode(`case ${i}`))]) });
    keys.push(subject);
  }
  await anvil.rpc('anvil_mine', ['0x4']); // every entry final under the depth-2 rule too
  const mapping: EvmStorageMapping = {
    kind: 'evm-storage', contract: debtors, mappingSlot: 0, keyType: 'bytes32',
    fields: [{ name: 'caseHash', type: 'bytes32', slot: 0 }, { name: 'listedAt', type: 'uint64', slot: 1 }, { name: 'active', type: 'bool', slot: 1, offset: 8 }],
  };
  const adapter: Adapter = await createAdapter(registration(anvil.url, mapping, 0));
  const deep: Adapter = await createAdapter(registration(anvil.url, mapping, 2));
  const raw = rawClient(anvil.url);
  const slots = keys.map((k) => headSlots(mapping, k).map((s) => s.slot));
  let i = 0;
  let j = 0;
  const ref = (k: number) => ({ chainId: CHAIN, recordType: 'dishonest-debtor', key: keys[k % keys.length]! });
  // The depth-2 figure, measured once here (notes are synchronous).
  const deepRate = (await measure({ label: 'depth 2', run: () => deep.fetchRecord(ref(i++)) }, { label: 'noop', run: () => undefined }, { rounds: 1, roundMs: 500 })).subject;
  return {
    subject: { label: 'evm adapter fetchRecord', run: () => adapter.fetchRecord(ref(i++)) },
    baseline: {
      label: 'raw eth_getProof + eth_getBlockByNumber',
      run: () => {
        const n = j++ % keys.length;
        return Promise.all([raw('eth_getProof', [debtors, slots[n], 'latest']), raw('eth_getBlockByNumber', ['latest', false])]);
      },
    },
    notes: () => ({ 'depth-2 fetchRecord ops/s': Math.round(deepRate) }),
    async teardown() {
      await adapter.close();
      await deep.close();
      await anvil.stop();
    },
  };
}
