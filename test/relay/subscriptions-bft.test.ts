/**
 * Subscriptions on the BFT simulator process (lighter than subscriptions-evm.test.ts): the relay engine follows the
 * simulated copyright chain through the real `bft` adapter (`follow`: `bft_getBlockRecords` of each new QC-final
 * block), verifies with the real light client from the simulator's genesis, on SQLite — and again on PostgreSQL
 * (`COURTBRIDGE_TEST_PG`, own schema per run). A record submitted but not yet in a block is the non-final case: the
 * simulator's blocks are final when produced. The ledger is the judge; waits are on state, never on time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectRef } from '../../src/ids/subject.js';
import type { SimulatorProcess } from '../../adapters/bft/simulator/spawn.js';
import { RECORD_TYPE, addBlock, copyright, genesisTrust, registrationFor, rpc, startSimulator } from '../adapters/bft/helpers.js';
import { SALT, makeEngine, openBackend, type Backend } from './helpers.js';
import { engineControl } from './engine-control.js';

const PG = process.env.COURTBRIDGE_TEST_PG;

/** Poll `cond` until true; the guard only ends a stuck test (no assertion is about time). */
async function until(what: string, cond: () => Promise<boolean>, guardMs = 30_000): Promise<void> {
  const end = Date.now() + guardMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  const skip = kind === 'postgres' && !PG;
  describe.skipIf(skip)(skip ? 'subscriptions on bft — skipped: no PostgreSQL (COURTBRIDGE_TEST_PG)' : `subscriptions on ${kind}: relay follows the BFT simulator`, () => {
    let sim: SimulatorProcess;
    let backend: Backend;
    const base = kind === 'sqlite' ? 1000 : 2000;
    /** Record number → height of the block holding it. */
    const inBlock = new Map<number, number>();
    const key = (n: number) => copyright(n).registrationNumber as string;
    const chainId = () => registrationFor([sim.url]).chainId;

    const block = async (...ns: number[]) => {
      const h = await addBlock(sim.url, ns.map(copyright));
      for (const n of ns) inBlock.set(n, h);
      return h;
    };
    /** Attestation heights per record number (one entry per ledger leaf). */
    const attested = async (): Promise<Map<number, number[]>> => {
      const byRef = new Map([...inBlock.keys(), ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => base + i)].map((n) => [subjectRef('text', key(n), SALT), n] as const));
      const out = new Map<number, number[]>();
      for (const l of await backend.ledger.store.leaves(0, await backend.ledger.size())) {
        const src = (JSON.parse(Buffer.from(l.data).toString('utf8')) as { attestation?: { source?: { keyRef: string; blockHeight: number } } }).attestation?.source;
        if (src === undefined) continue;
        const n = byRef.get(src.keyRef) ?? -1;
        out.set(n, [...(out.get(n) ?? []), src.blockHeight]);
      }
      return out;
    };
    const expectExactly = async (ns: readonly number[]) => {
      const got = await attested();
      expect([...got.keys()].sort()).toEqual([...ns].sort());
      for (const n of ns) expect(got.get(n)).toEqual([inBlock.get(n)]);
      expect(Object.values(await backend.relayStore.counts()).reduce((a, b) => a + b, 0)).toBe(ns.length);
    };
    const cursor = async () => Number(JSON.parse((await backend.relayStore.subscriptions())[0]!.cursor));
    const caughtUp = async () => {
      const h = (await rpc(sim.url, 'bft_finalizedHead')).height as number;
      await until(`cursor reaches ${h}`, async () => (await cursor()) >= h);
    };
    const settled = async (ns: readonly number[]) => {
      await until(`${ns.length} attestations`, async () => (await attested()).size >= ns.length && (await backend.relayStore.counts()).done >= ns.length);
      await caughtUp();
    };
    const { start: startEngine, stop: stopEngine } = engineControl(() => makeEngine(backend, [{ registration: registrationFor([sim.url]), trust: genesisTrust() }]));

    beforeAll(async () => {
      sim = await startSimulator();
      backend = await openBackend(kind, PG);
    }, 120_000);
    afterAll(async () => {
      await stopEngine();
      await backend?.close();
      await sim?.stop();
    });

    it('attests records of blocks above fromHeight once, at their block; a pending record only once it is in a block; resumes after a restart', async () => {
      const fromHeight = await block(base + 0); // at fromHeight: excluded
      await block(base + 1, base + 2); // above it, before the subscription
      const e = await startEngine();
      await e.subscribe(chainId(), RECORD_TYPE, fromHeight);
      await block(base + 3);
      await settled([base + 1, base + 2, base + 3]);
      await expectExactly([base + 1, base + 2, base + 3]);

      await rpc(sim.url, 'bft_submitRecord', [RECORD_TYPE, copyright(base + 4), 'registrationNumber']); // pending
      await caughtUp();
      await expectExactly([base + 1, base + 2, base + 3]);
      inBlock.set(base + 4, (await rpc(sim.url, 'sim_produceBlock')).height as number);
      await settled([base + 1, base + 2, base + 3, base + 4]);
      await expectExactly([base + 1, base + 2, base + 3, base + 4]);

      await stopEngine();
      await block(base + 5);
      await block(base + 6, base + 7);
      await startEngine();
      const all = [1, 2, 3, 4, 5, 6, 7].map((i) => base + i);
      await settled(all);
      await expectExactly(all);
    }, 120_000);
  });
}
