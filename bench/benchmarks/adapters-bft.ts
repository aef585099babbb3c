/**
 * `adapters.bft.fetch` (report): `fetchRecord` of the `bft` adapter (bft_finalizedHead + bft_getRecord + bft_getBlock,
 * strict parsing at the edge, evidence assembly) against the same three JSON-RPC calls made with bare axios (same
 * keep-alive agent settings, JSON.parse only) to the same BFT simulator process, which is spawned in setup and killed
 * in teardown. The simulator's block holds 64 records (proofs of 6 nodes) signed by 4 validators (SM2 + Ed25519).
 */
import http from 'node:http';
import axios from 'axios';
import type { Benchmark } from '../harness.js';
import { createBftAdapter } from '../../adapters/bft/adapter.js';
import { spawnSimulator } from '../../adapters/bft/simulator/spawn.js';
import type { RecordRef, Registration } from '../../adapters/types.js';

const RECORD_TYPE = 'copyright-registration';
const CHAIN = 'bft:copyright-sim';

async function hook(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await res.json()) as { result: unknown }).result;
}

function record(n: number): Record<string, unknown> {
  return {
    registrationNumber: `国作登字-2026-F-${String(n).padStart(8, '0')}`,
    workTitle: `作品 ${n}`,
    workCategory: 'software',
    copyrightOwners: [{ kind: 'legal-person', orgName: '杭州某某网络科技有限公司', uscc: '9144030071526726XG' }],
    rightsAcquisition: 'original',
    registrationDate: '2026-05-20',
    registrationAuthority: '中国版权保护中心',
  };
}

/** The BFT adapter benchmarks. */
export const adaptersBftBenchmarks: Benchmark[] = [
  {
    name: 'adapters.bft.fetch',
    async setup() {
      const sim = await spawnSimulator([]);
      for (let i = 0; i < 64; i++) await hook(sim.url, 'bft_submitRecord', [RECORD_TYPE, record(i), 'registrationNumber']);
      await hook(sim.url, 'sim_produceBlock');
      for (let i = 0; i < 3; i++) await hook(sim.url, 'sim_produceBlock');
      const registration: Registration = {
        chainId: CHAIN,
        kind: 'bft',
        rpc: [{ url: sim.url }],
        finality: { rule: 'bft-qc' },
        recordTypes: { [RECORD_TYPE]: { schemaId: 'https://courtbridge.example/schemas/domain/ip/copyright-registration/v1', mapping: { kind: 'bft-merkle', keyField: 'registrationNumber' } } },
      };
      const adapter = await createBftAdapter(registration, {});
      const refs: RecordRef[] = Array.from({ length: 64 }, (_, i) => ({ chainId: CHAIN, recordType: RECORD_TYPE, key: record(i).registrationNumber as string }));
      const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
      const bare = axios.create({ httpAgent: agent, responseType: 'text', transformResponse: [(d: unknown) => d], proxy: false });
      let id = 0;
      const call = async (method: string, params: unknown[]): Promise<any> => {
        const res = await bare.post<string>(sim.url, JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }), { headers: { 'content-type': 'application/json' } });
        return JSON.parse(res.data).result;
      };
      let i = 0;
      let j = 0;
      let evidenceBytes = 0;
      return {
        subject: {
          label: 'bft adapter fetchRecord',
          run: async () => {
            const e = await adapter.fetchRecord(refs[i++ % refs.length]!);
            evidenceBytes = JSON.stringify(e).length;
          },
        },
        baseline: {
          label: 'bare axios: bft_finalizedHead + bft_getRecord + bft_getBlock',
          run: async () => {
            const ref = refs[j++ % refs.length]!;
            const head = await call('bft_finalizedHead', []);
            const rec = await call('bft_getRecord', [ref.recordType, ref.key, head.height]);
            await call('bft_getBlock', [rec.height]);
          },
        },
        notes: () => ({ rpcCallsPerFetch: 3, evidenceBytes }),
        async teardown() {
          await adapter.close();
          agent.destroy();
          await sim.stop();
        },
      };
    },
  },
];
