/**
 * The shared adapter conformance suite (adapters/conformance.ts) for the `bft` adapter against the BFT simulator
 * process. Trust is what a relay syncing from the registration's anchor would hold: a light-client state created
 * from the genesis (computed offline from the simulator's seed) that accepted every block up to the head. Forks: the
 * simulator re-signs final blocks above a height (`revert`), which that light client sees as conflicting headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterConformance, type ConformanceHarness } from '../../../adapters/conformance.js';
import type { SimulatorProcess } from '../../../adapters/bft/simulator/spawn.js';
import { createAdapter } from '../../../adapters/registry.js';
import type { JsonValue } from '../../../adapters/types.js';
import { acceptHeader } from '../../../src/proofs/lightclient/state.js';
import type { TrustState } from '../../../src/proofs/lightclient/types.js';
import { MAPPING, RECORD_TYPE, copyright, genesisTrust, nowSec, registrationFor, rpc, startSimulator } from './helpers.js';

let sim: SimulatorProcess | undefined;
let serial = 100;

/** Walk the light client from genesis through every block to the head (a relay that synced the chain). */
async function syncedTrust(url: string): Promise<TrustState> {
  let state = genesisTrust();
  const head = (await rpc(url, 'bft_finalizedHead')).height as number;
  for (let h = 1; h <= head; h++) {
    const r = acceptHeader(state, 'bft-qc', (await rpc(url, 'bft_getBlock', [h])) as JsonValue, nowSec());
    state = r.state;
  }
  return state;
}

type Json = Record<string, any>;
const flipHex = (h: string) => h.slice(0, -1) + (h.endsWith('0') ? '1' : '0');
const tamperProof = (proof: string[]) => (proof.length === 0 ? [`0x${'00'.repeat(32)}`] : [flipHex(proof[0]!), ...proof.slice(1)]);

const harness: ConformanceHarness = {
  name: 'bft (BFT simulator process)',
  endpoint: () => sim!.url,
  registration: (endpoints, limits) => ({ ...registrationFor(endpoints.map((e) => e.url), limits), rpc: endpoints }),
  makeAdapter: (registration) => createAdapter(registration),
  async writeRecord() {
    const record = copyright(serial++);
    await rpc(sim!.url, 'bft_submitRecord', [RECORD_TYPE, record, 'registrationNumber']);
    await rpc(sim!.url, 'sim_produceBlock');
    return { ref: { chainId: 'bft:copyright-sim', recordType: RECORD_TYPE, key: record.registrationNumber as string }, expected: record as { [k: string]: JsonValue } };
  },
  absentRef: () => ({ chainId: 'bft:copyright-sim', recordType: RECORD_TYPE, key: '国作登字-1999-Z-99999999' }),
  malformedKey: () => 'x'.repeat(300),
  async advance(n) {
    for (let i = 0; i < n; i++) await rpc(sim!.url, 'sim_produceBlock');
  },
  mapping: () => MAPPING,
  trust: () => syncedTrust(sim!.url),
  now: nowSec,
  provesAbsence: false,
  tampers: [
    { name: 'record proof node flipped (or added to a one-leaf proof)', rewrite: (m, _p, r) => (m === 'bft_getRecord' && r !== null ? { ...(r as Json), record: { ...(r as Json).record, proof: tamperProof((r as Json).record.proof) } } : undefined) },
    { name: 'record content changed', rewrite: (m, _p, r) => (m === 'bft_getRecord' && r !== null ? { ...(r as Json), record: { ...(r as Json).record, data: { ...(r as Json).record.data, workTitle: '篡改' } } } : undefined) },
    { name: 'record index shifted', rewrite: (m, _p, r) => (m === 'bft_getRecord' && r !== null ? { ...(r as Json), record: { ...(r as Json).record, index: (r as Json).record.index + 1 } } : undefined) },
    { name: 'another key served', rewrite: (m, _p, r) => (m === 'bft_getRecord' && r !== null ? { ...(r as Json), record: { ...(r as Json).record, data: { ...(r as Json).record.data, registrationNumber: 'other' } } } : undefined) },
    { name: 'records root replaced', rewrite: (m, _p, r) => (m === 'bft_getBlock' && r !== null ? { ...(r as Json), header: { ...(r as Json).header, recordsRoot: flipHex((r as Json).header.recordsRoot) } } : undefined) },
    { name: 'header re-hashed but unsigned', rewrite: (m, _p, r) => (m === 'bft_getBlock' && r !== null ? { ...(r as Json), certificate: { ...(r as Json).certificate, signatures: (r as Json).certificate.signatures.slice(0, 1) } } : undefined) },
    { name: 'one signature corrupted', rewrite: (m, _p, r) => (m === 'bft_getBlock' && r !== null ? { ...(r as Json), certificate: { ...(r as Json).certificate, signatures: (r as Json).certificate.signatures.map((s: Json, i: number) => (i === 1 ? { ...s, signature: flipHex(s.signature) } : s)) } } : undefined) },
    { name: 'duplicate signer', rewrite: (m, _p, r) => (m === 'bft_getBlock' && r !== null ? { ...(r as Json), certificate: { ...(r as Json).certificate, signatures: [...(r as Json).certificate.signatures, (r as Json).certificate.signatures[0]] } } : undefined) },
  ],
  fork: {
    async snapshot() {
      return String((await rpc(sim!.url, 'bft_finalizedHead')).height);
    },
    async revert(id) {
      await rpc(sim!.url, 'sim_setFault', [{ kind: 'revert', height: Number(id) }]);
    },
  },
};

beforeAll(async () => {
  sim = await startSimulator();
}, 60_000);
afterAll(async () => {
  await sim?.stop();
});

adapterConformance(harness, { describe, it, beforeAll, afterAll, expect: expect as never });
