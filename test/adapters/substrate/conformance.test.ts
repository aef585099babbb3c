/**
 * The shared adapter conformance suite (adapters/conformance.ts) for the `substrate` adapter against the chain
 * simulator (sim-chain.ts: V1 trie state, SCALE headers, GRANDPA justifications by real Ed25519 authorities), served
 * by the local RPC server over HTTP — the suite's fault proxy speaks HTTP, and Substrate nodes serve HTTP and
 * WebSocket on one port. WebSocket faults are in recorded.test.ts. Not applicable: `fork` — GRANDPA-final blocks do
 * not reorganise, and the adapter only reads final blocks (conflicting finality is the light client's business).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterConformance, type ConformanceHarness } from '../../../adapters/conformance.js';
import { createAdapter } from '../../../adapters/registry.js';
import type { JsonValue } from '../../../adapters/types.js';
import { SIM_CHAIN_ID, SIM_MAPPING, SIM_RECORD_TYPE, SimChain, simRegistration } from './sim-chain.js';
import { startSubstrateRpcServer, type SubstrateRpcServer } from './rpc-server.js';
import { debtor } from './sim-records.js';

type Json = Record<string, any>;
const flipHex = (h: string) => h.slice(0, -1) + (h.endsWith('0') ? '1' : '0');
const nowSec = () => Math.floor(Date.now() / 1000);

const chain = new SimChain();
let server: SubstrateRpcServer | undefined;
let serial = 0;

const harness: ConformanceHarness = {
  name: 'substrate (simulator over HTTP)',
  endpoint: () => server!.httpUrl,
  registration: simRegistration,
  makeAdapter: (registration) => createAdapter(registration),
  async writeRecord() {
    const record = debtor(serial++);
    chain.put(record.caseNumber as string, record);
    chain.produce();
    return { ref: { chainId: SIM_CHAIN_ID, recordType: SIM_RECORD_TYPE, key: record.caseNumber as string }, expected: record as { [k: string]: JsonValue } };
  },
  absentRef: () => ({ chainId: SIM_CHAIN_ID, recordType: SIM_RECORD_TYPE, key: '（1999）京0105执1号' }),
  malformedKey: () => 'x'.repeat(2000),
  async advance(n) {
    for (let i = 0; i < n; i++) chain.produce();
  },
  mapping: () => SIM_MAPPING,
  trust: async () => chain.trust(nowSec() - 10),
  now: nowSec,
  provesAbsence: true,
  tampers: [
    { name: 'read proof node dropped', rewrite: (m, _p, r) => (m === 'state_getReadProof' ? { ...(r as Json), proof: (r as Json).proof.slice(1) } : undefined) },
    { name: 'read proof node flipped', rewrite: (m, _p, r) => (m === 'state_getReadProof' ? { ...(r as Json), proof: (r as Json).proof.map((n: string, i: number) => (i === 0 ? flipHex(n) : n)) } : undefined) },
    { name: 'read proof of another block', rewrite: (m, _p, r) => (m === 'state_getReadProof' ? { ...(r as Json), at: chain.blocks[1]!.hash } : undefined) },
    { name: 'header state root replaced', rewrite: (m, _p, r) => (m === 'chain_getHeader' && r !== null ? { ...(r as Json), stateRoot: flipHex((r as Json).stateRoot) } : undefined) },
    { name: 'justification signature corrupted', rewrite: (m, _p, r) => (m === 'chain_getBlock' && (r as Json)?.justifications ? { ...(r as Json), justifications: [[(r as Json).justifications[0][0], flipHex((r as Json).justifications[0][1].slice(0, 300)) + (r as Json).justifications[0][1].slice(300)]] } : undefined) },
    { name: 'justification withheld', rewrite: (m, _p, r) => (m === 'chain_getBlock' && r !== null ? { ...(r as Json), justifications: null } : undefined) },
    { name: 'finalized head replaced by an unknown hash', rewrite: (m) => (m === 'chain_getFinalizedHead' ? `0x${'77'.repeat(32)}` : undefined) },
  ],
};

beforeAll(async () => {
  server = await startSubstrateRpcServer(chain.backend);
});
afterAll(async () => {
  await server?.close();
});

adapterConformance(harness, { describe, it, beforeAll, afterAll, expect: expect as never });
