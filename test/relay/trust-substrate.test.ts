import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import type { SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import { TrustBook, finalityEvidenceOf } from '../../relay/trust.js';
import { createAdapter } from '../../adapters/registry.js';
import type { Adapter, SourceEvidence } from '../../adapters/types.js';
import { verifySourceEvidence } from '../../src/proofs/evidence.js';
import { SIM_CHAIN_ID, SIM_MAPPING, SIM_RECORD_TYPE, SimChain, simRegistration } from '../adapters/substrate/sim-chain.js';
import { debtor } from '../adapters/substrate/sim-records.js';
import { startSubstrateRpcServer, type SubstrateRpcServer } from '../adapters/substrate/rpc-server.js';

const NOW = Math.floor(Date.now() / 1000);
const chain = new SimChain();
let dir: string;
let ledgerStore: SqliteLedgerStore;
let server: SubstrateRpcServer;
let adapter: Adapter;
const ref = (key: string) => ({ chainId: SIM_CHAIN_ID, recordType: SIM_RECORD_TYPE, key });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-relay-substrate-'));
  ledgerStore = await openSqliteStore(join(dir, 'relay.db'));
  server = await startSubstrateRpcServer((m, p) => chain.backend(m, p));
  adapter = await createAdapter(simRegistration([{ url: server.wsUrl }]));
});
afterAll(async () => {
  await adapter.close();
  await server.close();
  await ledgerStore.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('relay trust for Substrate chains (GRANDPA light client, simulator)', () => {
  it('accepts GRANDPA-final evidence through the stored light-client state and advances it (simulator)', async () => {
    const book = new TrustBook(await openRelayStore(ledgerStore), verifySourceEvidence, () => NOW);
    const r0 = debtor(0);
    chain.put(r0.caseNumber as string, r0);
    chain.produce();
    const e = await adapter.fetchRecord(ref(r0.caseNumber as string));
    const v = await book.verify(SIM_CHAIN_ID, e, { mapping: SIM_MAPPING, expect: ref(r0.caseNumber as string) }, () => chain.trust(NOW - 10));
    expect(v.record).toEqual(r0);
    const stored = await book.current(SIM_CHAIN_ID);
    expect(stored && 'checkpoint' in stored ? stored.checkpoint.height : -1).toBe(v.height);
  });

  it('refuses evidence without a justification (RECORD_NOT_FINAL) and a tampered justification (coded, no state change)', async () => {
    const r1 = debtor(1);
    chain.put(r1.caseNumber as string, r1);
    chain.produce();
    const e = (await adapter.fetchRecord(ref(r1.caseNumber as string))) as Extract<SourceEvidence, { kind: 'substrate-storage' }>;
    const { justification: _j, ...bare } = e;
    expect(() => finalityEvidenceOf(bare as SourceEvidence)).toThrowError(expect.objectContaining({ code: 'RECORD_NOT_FINAL' }));
    const book = new TrustBook(await openRelayStore(ledgerStore), verifySourceEvidence, () => NOW);
    const before = JSON.stringify(await book.current(SIM_CHAIN_ID));
    const j = e.justification!;
    const flipped = `${j.slice(0, -2)}${j.slice(-2) === '00' ? '01' : '00'}`;
    await expect(book.verify(SIM_CHAIN_ID, { ...e, justification: flipped }, { mapping: SIM_MAPPING, expect: ref(r1.caseNumber as string) }, () => chain.trust(NOW - 10)))
      .rejects.toHaveProperty('code');
    expect(JSON.stringify(await book.current(SIM_CHAIN_ID))).toBe(before);
  });
});
