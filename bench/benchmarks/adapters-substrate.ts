/**
 * `adapters.substrate.fetch` (report): `fetchRecord` of the `substrate` adapter over WebSocket (chain_getFinalizedHead
 * + chain_getHeader + state_getReadProof + chain_getBlock, strict parsing and the read-proof walk at the edge, evidence
 * assembly) against the same four JSON-RPC calls on a bare `ws` socket (JSON.parse only), to the same local server
 * replaying the chain simulator (test/adapters/substrate: 64 records in a V1 trie, GRANDPA justification by 4 Ed25519
 * authorities). `adapters.substrate.fetch-vs-polkadot-api`: the same adapter against the four calls through
 * @polkadot/api 16.5.6's WsProvider.send (cache off), the reference client; its first import time is noted.
 */
import WebSocket from 'ws';
import type { Benchmark, Side } from '../harness.js';
import { createSubstrateAdapter } from '../../adapters/substrate/adapter.js';
import type { RecordRef } from '../../adapters/types.js';
import { toHex0x } from '../../src/crypto/bytes.js';
import { encodeSubstrateKey } from '../../src/proofs/evidence/substrate.js';
import { storageMapKey } from '../../src/proofs/evidence/twox.js';
import { SIM_CHAIN_ID, SIM_MAPPING, SIM_RECORD_TYPE, SimChain, simRegistration } from '../../test/adapters/substrate/sim-chain.js';
import { startSubstrateRpcServer } from '../../test/adapters/substrate/rpc-server.js';

const N = 64;
type Call = (method: string, params: unknown[]) => Promise<any>;

/** A bare JSON-RPC client on one `ws` socket: no checks beyond matching ids. */
async function bareWs(url: string): Promise<{ call: Call; close: () => void }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const pending = new Map<number, (v: unknown) => void>();
  ws.on('message', (d) => {
    const o = JSON.parse(d.toString()) as { id: number; result: unknown };
    pending.get(o.id)?.(o.result);
    pending.delete(o.id);
  });
  let id = 0;
  return {
    call: (method, params) => new Promise((resolve) => {
      const n = ++id;
      pending.set(n, resolve);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: n, method, params }));
    }),
    close: () => ws.terminate(),
  };
}

async function fixture() {
  const chain = new SimChain();
  const keys: string[] = [];
  for (let i = 0; i < N; i++) {
    const key = `（2026）京0105执${10000 + i}号`;
    chain.put(key, { caseNumber: key, court: '北京市朝阳区人民法院', listedAt: '2026-05-20', n: i });
    keys.push(key);
  }
  for (let i = 0; i < 4; i++) chain.produce();
  const server = await startSubstrateRpcServer(chain.backend);
  const adapter = await createSubstrateAdapter(simRegistration([{ url: server.wsUrl }]), {});
  const refs: RecordRef[] = keys.map((key) => ({ chainId: SIM_CHAIN_ID, recordType: SIM_RECORD_TYPE, key }));
  const storageKeys = keys.map((k) => toHex0x(storageMapKey(SIM_MAPPING, encodeSubstrateKey(SIM_MAPPING, k))));
  let i = 0;
  let evidenceBytes = 0;
  const subject: Side = {
    label: 'substrate adapter fetchRecord (ws)',
    run: async () => {
      evidenceBytes = JSON.stringify(await adapter.fetchRecord(refs[i++ % N]!)).length;
    },
  };
  let j = 0;
  const fourCalls = (call: Call) => async () => {
    const key = storageKeys[j++ % N]!;
    const hash = await call('chain_getFinalizedHead', []);
    await call('chain_getHeader', [hash]);
    await call('state_getReadProof', [[key], hash]);
    await call('chain_getBlock', [hash]);
  };
  return { server, adapter, subject, fourCalls, notes: () => ({ rpcCallsPerFetch: 4, evidenceBytes }) };
}

/** The Substrate adapter benchmarks. */
export const adaptersSubstrateBenchmarks: Benchmark[] = [
  {
    name: 'adapters.substrate.fetch',
    async setup() {
      const f = await fixture();
      const bare = await bareWs(f.server.wsUrl);
      return {
        subject: f.subject,
        baseline: { label: 'bare ws: the same 4 JSON-RPC calls', run: f.fourCalls(bare.call) },
        notes: f.notes,
        async teardown() {
          bare.close();
          await f.adapter.close();
          await f.server.close();
        },
      };
    },
  },
  {
    name: 'adapters.substrate.fetch-vs-polkadot-api',
    async setup() {
      const f = await fixture();
      const t0 = performance.now();
      const { WsProvider } = await import('@polkadot/api');
      const importMs = Math.round(performance.now() - t0);
      const provider = new WsProvider(f.server.wsUrl, false, {}, 10_000, 0);
      await provider.connect();
      await provider.isReady;
      return {
        subject: f.subject,
        baseline: { label: '@polkadot/api WsProvider.send: the same 4 calls', run: f.fourCalls((m, p) => provider.send(m, p)) },
        notes: () => ({ ...f.notes(), polkadotApiImportMs: importMs }),
        async teardown() {
          await provider.disconnect();
          await f.adapter.close();
          await f.server.close();
        },
      };
    },
  },
];
