/**
 * The `bft` adapter against the BFT simulator process: evidence that verifies offline against a trust anchor built
 * without the chain, absence, wrong keys and wrong proofs from a malicious endpoint, failover, historic reads, follow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBftAdapter, type BftAdapter } from '../../../adapters/bft/adapter.js';
import { simulatorGenesisHash } from '../../../adapters/bft/simulator/genesis.js';
import type { SimulatorProcess } from '../../../adapters/bft/simulator/spawn.js';
import { RecordNotFoundError } from '../../../adapters/errors.js';
import { createAdapter } from '../../../adapters/registry.js';
import type { FollowEvent, RecordRef } from '../../../adapters/types.js';
import { verifySourceEvidence } from '../../../src/proofs/evidence.js';
import { validateRecord } from '../../../src/schema/index.js';
import { MAPPING, RECORD_TYPE, addBlock, copyright, genesisTrust, nowSec, registrationFor, rpc, startSimulator } from './helpers.js';

let sim: SimulatorProcess;
let adapter: BftAdapter;
const CHAIN = 'bft:copyright-sim';
const ref = (n: number): RecordRef => ({ chainId: CHAIN, recordType: RECORD_TYPE, key: copyright(n).registrationNumber as string });
const verify = (evidence: unknown, expect?: RecordRef) => verifySourceEvidence(evidence, genesisTrust(), { now: nowSec(), mapping: MAPPING, ...(expect === undefined ? {} : { expect }) });

beforeAll(async () => {
  sim = await startSimulator();
  adapter = await createBftAdapter(registrationFor([sim.url]), {});
  await addBlock(sim.url, [copyright(1), copyright(2), copyright(3)]);
  await addBlock(sim.url, [copyright(4)]);
});
afterAll(async () => {
  await adapter?.close();
  await sim?.stop();
});

describe('bft adapter (BFT simulator process)', () => {
  it('finalizedHead: the newest certified block; genesis hash matches the offline trust anchor', async () => {
    const head = await adapter.finalizedHead();
    expect(head.height).toBe(2);
    expect(head.hash).toMatch(/^0x[0-9a-f]{64}$/);
    const genesis = await adapter.block(0);
    expect(genesis?.certificate.headerHash).toBe(simulatorGenesisHash());
  });

  it('fetchRecord → bft-merkle evidence (raw JSON kept) that verifySourceEvidence accepts', async () => {
    const ev = await adapter.fetchRecord(ref(2));
    expect(ev.kind).toBe('bft-merkle');
    expect(ev.record.index).toBe(1);
    expect(JSON.parse(ev.record.data)).toEqual(copyright(2));
    const raw = await rpc(sim.url, 'bft_getBlock', [1]);
    expect(ev.header).toEqual(raw.header);
    expect(ev.certificate).toEqual(raw.certificate);
    const v = verify(ev, ref(2));
    expect(v).toMatchObject({ chainId: CHAIN, height: 1, key: ref(2).key, record: copyright(2), finality: { rule: 'bft-qc', trust: 'light-client' } });
    const last = verify(await adapter.fetchRecord(ref(4)), ref(4));
    expect(last.height).toBe(2);
    // The verified record is a valid copyright registration (schemas/domain/ip/copyright-registration.json).
    expect(() => validateRecord(registrationFor([sim.url]).recordTypes[RECORD_TYPE]!.schemaId, v.record)).not.toThrow();
  });

  it('the registry creates the bft adapter lazily (kind bft)', async () => {
    const a = await createAdapter(registrationFor([sim.url]));
    expect(a.kind).toBe('bft');
    expect((await a.finalizedHead()).height).toBeGreaterThanOrEqual(2);
    await a.close();
  });

  it('fetchRecord at a height: a record updated later is read as it was; below its first block it is absent', async () => {
    const updated = { ...copyright(1), workTitle: '作品 1（修订）' };
    const h = await addBlock(sim.url, [updated]);
    expect(JSON.parse((await adapter.fetchRecord(ref(1))).record.data)).toEqual(updated);
    const old = await adapter.fetchRecord(ref(1), h - 1);
    expect(JSON.parse(old.record.data)).toEqual(copyright(1));
    expect(verify(old, ref(1)).height).toBe(1);
    await expect(adapter.fetchRecord(ref(1), 0)).rejects.toMatchObject({ code: 'RECORD_NOT_FOUND' });
  });

  it('absence: RECORD_NOT_FOUND without absence evidence (records trees are unsorted)', async () => {
    const e = await adapter.fetchRecord(ref(999)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RecordNotFoundError);
    expect(e).toMatchObject({ code: 'RECORD_NOT_FOUND' });
    expect((e as RecordNotFoundError).absence).toBeUndefined();
  });

  it('input errors: unknown record type, other chain, bad height', async () => {
    await expect(adapter.fetchRecord({ ...ref(1), recordType: 'trademark' })).rejects.toMatchObject({ code: 'RECORD_TYPE_UNKNOWN' });
    await expect(adapter.fetchRecord({ ...ref(1), chainId: 'bft:other' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(adapter.fetchRecord(ref(1), -1)).rejects.toMatchObject({ code: 'BAD_INTEGER' });
  });

  it('wrong key: evidence for key A does not verify as key B; a node serving another key is RPC_BAD_RESPONSE', async () => {
    const ev = await adapter.fetchRecord(ref(2));
    expect(() => verify({ ...ev, key: ref(3).key }, ref(3))).toThrowError(expect.objectContaining({ code: 'EVIDENCE_MISMATCH' }));
    expect(() => verify(ev, ref(3))).toThrowError(expect.objectContaining({ code: 'EVIDENCE_MISMATCH' }));
    await rpc(sim.url, 'sim_setFault', [{ kind: 'wrongKey', methods: ['bft_getRecord'], times: 1 }]);
    await expect(adapter.fetchRecord(ref(2))).rejects.toMatchObject({ code: 'RPC_BAD_RESPONSE' });
  });

  it('a malicious node serving a well-formed but wrong proof: fetched, then rejected by verification', async () => {
    await rpc(sim.url, 'sim_setFault', [{ kind: 'wrongProof', methods: ['bft_getRecord'], times: 1 }]);
    const ev = await adapter.fetchRecord(ref(2));
    expect(() => verify(ev, ref(2))).toThrowError(expect.objectContaining({ code: 'INCLUSION_PROOF_INVALID' }));
    expect(verify(await adapter.fetchRecord(ref(2)), ref(2)).key).toBe(ref(2).key); // fault used up
  });

  it('failover: a dead endpoint and a wrong-key endpoint are skipped for a good one', async () => {
    const other = await startSimulator();
    try {
      await addBlock(other.url, [copyright(2)]); // same record, other (honest) chain copy at height 1
      await rpc(sim.url, 'sim_setFault', [{ kind: 'wrongKey', methods: ['bft_getRecord'], times: 1 }]);
      const a = await createBftAdapter(registrationFor(['http://127.0.0.1:1/', sim.url, other.url]), {});
      const ev = await a.fetchRecord(ref(2), 1);
      expect(verify(ev, ref(2)).height).toBe(1);
      await a.close();
    } finally {
      await other.stop();
    }
  });

  it('follow: reports new records of the chosen types in chain order, then stops on abort', async () => {
    const stop = new AbortController();
    const seen: FollowEvent[] = [];
    const from = (await adapter.finalizedHead()).height;
    const done = adapter.follow({ recordTypes: [RECORD_TYPE], fromHeight: from, intervalMs: 50, signal: stop.signal }, (e) => {
      seen.push(e);
      if (seen.length === 3) stop.abort();
    });
    await addBlock(sim.url, [copyright(10), copyright(11)]);
    await rpc(sim.url, 'sim_produceBlock'); // empty block
    await addBlock(sim.url, [copyright(12)]);
    await done;
    expect(seen.map((e) => e.ref.key)).toEqual([ref(10).key, ref(11).key, ref(12).key]);
    expect(seen[0]!.head.height).toBe(from + 1);
    expect(seen[2]!.head.height).toBe(from + 3);
    const ev = await adapter.fetchRecord(seen[2]!.ref, seen[2]!.head.height);
    expect(verify(ev, seen[2]!.ref).blockHash).toBe(seen[2]!.head.hash);
  });

  it('follow: transient RPC failures are retried at the next poll; an error of the callback stops it', async () => {
    const from = (await adapter.finalizedHead()).height;
    await rpc(sim.url, 'sim_setFault', [{ kind: 'drop', methods: ['bft_finalizedHead', 'bft_getBlockRecords'], times: 3 }]);
    await addBlock(sim.url, [copyright(20)]);
    const stop = new AbortController();
    const keys: string[] = [];
    await adapter.follow({ recordTypes: [RECORD_TYPE], fromHeight: from, intervalMs: 30, signal: stop.signal }, (e) => {
      keys.push(e.ref.key);
      stop.abort();
    });
    expect(keys).toEqual([ref(20).key]);
    await addBlock(sim.url, [copyright(21)]);
    const failing = adapter.follow({ recordTypes: [RECORD_TYPE], fromHeight: from + 1, intervalMs: 30 }, () => {
      throw new TypeError('subscriber failed');
    });
    await expect(failing).rejects.toThrow(TypeError);
    await expect(adapter.follow({ recordTypes: ['trademark'] }, () => undefined)).rejects.toMatchObject({ code: 'RECORD_TYPE_UNKNOWN' });
  });
});
