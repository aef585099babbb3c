/**
 * `follow` of the `substrate` adapter (adapters/substrate/follow.ts) against a simulated Substrate node
 * (wire-format): sim-chain.ts builds real V1 tries, SCALE headers and GRANDPA justifications and answers in the
 * polkadot-sdk sc-rpc shapes (`chain_getFinalizedHead`, `state_getKeysPaged`, `state_getStorageHash`, …) over
 * WebSocket; it is a simulator, not a recorded node. Finality lags the best block by `finalityLag` blocks, so some
 * records sit in blocks that are produced but not yet final. Then the relay engine on SQLite following it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../../../adapters/registry.js';
import { KEYS_PAGE, recordKeyOf } from '../../../adapters/substrate/follow.js';
import type { Adapter, FollowEvent } from '../../../adapters/types.js';
import { fromHex, toHex0x, utf8 } from '../../../src/crypto/bytes.js';
import { subjectRef } from '../../../src/ids/subject.js';
import { encodeSubstrateKey } from '../../../src/proofs/evidence/substrate.js';
import { storageMapKey } from '../../../src/proofs/evidence/twox.js';
import { verifySourceEvidence } from '../../../src/proofs/evidence.js';
import { SALT, makeEngine, openBackend, type Backend } from '../../relay/helpers.js';
import { SIM_CHAIN_ID, SIM_MAPPING, SIM_RECORD_TYPE, SimChain, simRegistration } from './sim-chain.js';
import { debtor } from './sim-records.js';
import { startSubstrateRpcServer, type SubstrateRpcServer } from './rpc-server.js';

const NOW = Math.floor(Date.now() / 1000);

/** Poll `cond` until true; the guard only ends a stuck test (no assertion is about time). */
async function until(what: string, cond: () => Promise<boolean>, guardMs = 30_000): Promise<void> {
  const end = Date.now() + guardMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A simulated chain with `n` records put at block 1 (before any follow starts), served over WebSocket. */
async function node(n: number, finalityLag: number) {
  const chain = new SimChain();
  for (let i = 0; i < n; i++) chain.put(debtor(i).caseNumber as string, debtor(i));
  chain.produce();
  chain.finalityLag = finalityLag;
  const server = await startSubstrateRpcServer(chain.backend);
  const adapter = await createAdapter(simRegistration([{ url: server.wsUrl }]));
  return { chain, server, adapter };
}

/** Run `follow` from `fromHeight` until it has scanned the node's finalized head; the events it delivered. */
async function followOnce(adapter: Adapter, fromHeight: number): Promise<{ events: FollowEvent[]; scanned: number }> {
  const target = (await adapter.finalizedHead()).height;
  const events: FollowEvent[] = [];
  let scanned = fromHeight;
  const ctl = new AbortController();
  const guard = setTimeout(() => ctl.abort(), 20_000);
  await adapter.follow!({
    recordTypes: [SIM_RECORD_TYPE], fromHeight, intervalMs: 20, signal: ctl.signal,
    onProgress: (s) => {
      scanned = s;
      if (s >= target) ctl.abort();
    },
  }, (e) => {
    events.push(e);
  });
  clearTimeout(guard);
  return { events, scanned };
}

describe('substrate follow on a simulated Substrate node (wire-format)', () => {
  let chain: SimChain;
  let server: SubstrateRpcServer;
  let adapter: Adapter;
  let serial = 5000;
  /** Case number → number of the first block holding it. */
  const firstBlock = new Map<string, number>();
  const put = () => {
    const r = debtor(serial++);
    chain.put(r.caseNumber as string, r);
    firstBlock.set(r.caseNumber as string, chain.blocks.length); // takes effect in the next block
    return r.caseNumber as string;
  };
  const simple = (events: FollowEvent[]) => events.map((e) => ({ key: e.ref.key, height: e.head.height, hash: e.head.hash }));

  beforeAll(async () => {
    // Keys over three `state_getKeysPaged` pages, so listings page (checked below: a new key lies past page one).
    ({ chain, server, adapter } = await node(2 * KEYS_PAGE + 5, 2));
  }, 60_000);
  afterAll(async () => {
    await adapter.close();
    await server.close();
  });

  it('reports each new key once, at the first final block holding it, in height order; non-final blocks wait', async () => {
    chain.produce();
    chain.produce();
    chain.produce();
    const from = (await adapter.finalizedHead()).height;
    const a = put();
    chain.produce();
    const b = put();
    const c = put(); // two new keys in one block
    chain.produce();
    chain.produce(); // empty block
    const d = put();
    chain.produce(); // d's block: best, not final yet (finalityLag 2)
    chain.produce();
    expect(chain.finalized.json.number).toBe(`0x${(firstBlock.get(d)! - 1).toString(16)}`);

    const storageKeys = [...chain.finalized.state.keys()].filter((k) => k !== '0x3a636f6465').sort();
    const pastPageOne = (k: string) => storageKeys.indexOf(toHex0x(storageMapKey(SIM_MAPPING, encodeSubstrateKey(SIM_MAPPING, k)))) >= KEYS_PAGE;
    expect([a, b, c].some(pastPageOne)).toBe(true);

    const run = await followOnce(adapter, from);
    expect(run.scanned).toBe(firstBlock.get(d)! - 1);
    expect(simple(run.events)).toEqual([a, b, c].sort((x, y) => firstBlock.get(x)! - firstBlock.get(y)! || (x < y ? -1 : 1)).map((k) => ({ key: k, height: firstBlock.get(k)!, hash: chain.blocks[firstBlock.get(k)!]!.hash })));
    expect(run.events.every((e) => e.ref.chainId === SIM_CHAIN_ID && e.ref.recordType === SIM_RECORD_TYPE)).toBe(true);
    // The first block holding the record proves it, final under GRANDPA.
    for (const e of run.events) {
      const v = verifySourceEvidence(await adapter.fetchRecord(e.ref, e.head.height), chain.trust(NOW - 10), { now: NOW, mapping: SIM_MAPPING, expect: e.ref });
      expect(v.blockHash).toBe(e.head.hash);
    }

    // d's block becomes final: a follow resuming from the scanned height reports d alone.
    chain.produce();
    chain.produce();
    const resumed = await followOnce(adapter, run.scanned);
    expect(simple(resumed.events)).toEqual([{ key: d, height: firstBlock.get(d)!, hash: chain.blocks[firstBlock.get(d)!]!.hash }]);
    // From the first start again, later: the same records at the same blocks (a restart re-delivers identically).
    expect(simple((await followOnce(adapter, from)).events)).toEqual(simple([...run.events, ...resumed.events]));
    for (const m of ['chain_getFinalizedHead', 'state_getKeysPaged', 'state_getStorageHash', 'chain_getBlockHash']) expect(server.calls.get(m) ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it('storage keys name their record key only when the hasher output matches', () => {
    const key = debtor(1).caseNumber as string;
    const sk = storageMapKey(SIM_MAPPING, encodeSubstrateKey(SIM_MAPPING, key));
    expect(recordKeyOf(SIM_MAPPING, sk, 1024)).toBe(key);
    const wrongHash = Uint8Array.from(sk);
    wrongHash[33]! ^= 1; // inside the blake2_128 part
    expect(recordKeyOf(SIM_MAPPING, wrongHash, 1024)).toBe(null);
    expect(recordKeyOf(SIM_MAPPING, sk.subarray(0, sk.length - 1), 1024)).toBe(null); // truncated SCALE Vec<u8>
    const bytes32 = { ...SIM_MAPPING, keyType: 'bytes32' as const, hasher: 'twox64_concat' as const };
    const k32 = `0x${'ab'.repeat(32)}`;
    expect(recordKeyOf(bytes32, storageMapKey(bytes32, fromHex(k32, 'k', 32)), 1024)).toBe(k32);
    expect(recordKeyOf({ ...SIM_MAPPING, hasher: 'identity' }, storageMapKey({ ...SIM_MAPPING, hasher: 'identity' }, encodeSubstrateKey(SIM_MAPPING, 'x')), 1024)).toBe('x');
    expect(recordKeyOf(SIM_MAPPING, storageMapKey(SIM_MAPPING, encodeSubstrateKey(SIM_MAPPING, 'x'.repeat(20))), 8)).toBe(null); // over the key bound
    expect(utf8(key).length).toBeGreaterThan(0);
  });
});

describe('relay subscription on a simulated Substrate node (wire-format), SQLite', () => {
  let sim: Awaited<ReturnType<typeof node>>;
  let backend: Backend;

  beforeAll(async () => {
    sim = await node(3, 1);
    backend = await openBackend('sqlite');
  }, 60_000);
  afterAll(async () => {
    await sim?.adapter.close();
    await sim?.server.close();
    await backend?.close();
  });

  it('attests each new final record once at its first block; resumes after a restart; none before fromHeight', async () => {
    const { chain } = sim;
    const entry = () => ({ registration: simRegistration([{ url: sim.server.wsUrl }]), trust: chain.trust(NOW - 10) });
    const first = new Map<string, number>();
    let serial = 7000;
    const put = () => {
      const r = debtor(serial++);
      chain.put(r.caseNumber as string, r);
      first.set(r.caseNumber as string, chain.blocks.length);
      return r.caseNumber as string;
    };
    const attested = async () => {
      const byRef = new Map([...first.keys(), ...[0, 1, 2].map((i) => debtor(i).caseNumber as string)].map((k) => [subjectRef('text', k, SALT), k] as const));
      const out = new Map<string, number[]>();
      for (const l of await backend.ledger.store.leaves(0, await backend.ledger.size())) {
        const src = (JSON.parse(Buffer.from(l.data).toString('utf8')) as { attestation?: { source?: { keyRef: string; blockHeight: number } } }).attestation?.source;
        if (src !== undefined) out.set(byRef.get(src.keyRef) ?? src.keyRef, [...(out.get(byRef.get(src.keyRef) ?? src.keyRef) ?? []), src.blockHeight]);
      }
      return out;
    };
    const settle = async (keys: string[]) => {
      await until(`${keys.length} attested`, async () => (await attested()).size >= keys.length && (await backend.relayStore.counts()).done >= keys.length);
      const h = (await sim.adapter.finalizedHead()).height;
      await until('cursor at the finalized head', async () => Number(JSON.parse((await backend.relayStore.subscriptions())[0]!.cursor)) >= h);
      const got = await attested();
      expect([...got.keys()].sort()).toEqual([...keys].sort());
      for (const k of keys) expect(got.get(k)).toEqual([first.get(k)]);
      expect(Object.values(await backend.relayStore.counts()).reduce((a, b) => a + b, 0)).toBe(keys.length);
    };

    chain.produce();
    chain.produce();
    const from = (await sim.adapter.finalizedHead()).height; // the three initial records are below it
    const k1 = put();
    chain.produce();
    let made = makeEngine(backend, [entry()]);
    await made.engine.start();
    await made.engine.subscribe(SIM_CHAIN_ID, SIM_RECORD_TYPE, from);
    const k2 = put();
    chain.produce();
    chain.produce(); // k2's block final (finalityLag 1)
    await settle([k1, k2]);

    await made.engine.stop();
    await made.chains.close();
    const k3 = put();
    chain.produce();
    chain.produce();
    made = makeEngine(backend, [entry()]);
    await made.engine.start();
    try {
      await settle([k1, k2, k3]);
    } finally {
      await made.engine.stop();
      await made.chains.close();
    }
  }, 60_000);
});
