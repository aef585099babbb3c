/**
 * RPC faults injected by the BFT simulator process (`--faults`): every one ends in a coded error, promptly, and the
 * adapter keeps working afterwards. Deadlines are short (600 ms) so that a hang would show as a slow test.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBftAdapter, type BftAdapter } from '../../../adapters/bft/adapter.js';
import type { SimulatorProcess } from '../../../adapters/bft/simulator/spawn.js';
import { RECORD_TYPE, addBlock, copyright, rawRpc, registrationFor, rpc, startSimulator } from './helpers.js';

let sim: SimulatorProcess;
let adapter: BftAdapter;
const TIMEOUT = 600;

beforeAll(async () => {
  sim = await startSimulator();
  adapter = await createBftAdapter(registrationFor([sim.url], { timeoutMs: TIMEOUT, maxResponseBytes: 1024 * 1024 }), {});
  await addBlock(sim.url, [copyright(1)]);
});
afterAll(async () => {
  await adapter?.close();
  await sim?.stop();
});
beforeEach(async () => {
  await rpc(sim.url, 'sim_clearFaults');
});

async function failsWith(fault: Record<string, unknown>, code: string): Promise<number> {
  await rpc(sim.url, 'sim_setFault', [{ ...fault, methods: ['bft_finalizedHead'], times: 1 }]);
  const t0 = Date.now();
  const err = await adapter.finalizedHead().then(() => undefined, (e: unknown) => e);
  const ms = Date.now() - t0;
  expect(err).toMatchObject({ code, details: { chain: 'bft:copyright-sim', method: 'bft_finalizedHead' } });
  expect((await adapter.finalizedHead()).height).toBe(1); // the adapter recovers
  return ms;
}

describe('RPC faults → coded errors, no hang (BFT simulator process)', () => {
  it('delay beyond the deadline → RPC_TIMEOUT', async () => {
    const ms = await failsWith({ kind: 'delay', ms: 3_000 }, 'RPC_TIMEOUT');
    expect(ms).toBeLessThan(TIMEOUT + 1_500);
  });

  it('slow drip (one byte per 100 ms, defeats idle timers) → RPC_TIMEOUT at the total deadline', async () => {
    const ms = await failsWith({ kind: 'slowDrip', intervalMs: 100 }, 'RPC_TIMEOUT');
    expect(ms).toBeLessThan(TIMEOUT + 1_500);
  });

  it('connection reset → RPC_UNAVAILABLE', async () => {
    await failsWith({ kind: 'drop' }, 'RPC_UNAVAILABLE');
  });

  it('HTTP 503 → RPC_UNAVAILABLE', async () => {
    await failsWith({ kind: 'httpError', status: 503 }, 'RPC_UNAVAILABLE');
  });

  it('garbage body → RPC_BAD_RESPONSE', async () => {
    await failsWith({ kind: 'garbage' }, 'RPC_BAD_RESPONSE');
  });

  it('oversized body (8 MiB against a 1 MiB cap) → RPC_BAD_RESPONSE, read no further than the cap', async () => {
    const ms = await failsWith({ kind: 'oversized', bytes: 8 * 1024 * 1024 }, 'RPC_BAD_RESPONSE');
    expect(ms).toBeLessThan(TIMEOUT + 1_500);
  });

  it('a JSON-RPC error answer → RPC_ERROR with the node’s code (not failed over)', async () => {
    const err = await adapter.block(-5 as number).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RPC_ERROR', details: { rpcCode: -32602, method: 'bft_getBlock' } });
  });

  it('a well-formed answer that does not parse into the domain type → RPC_BAD_RESPONSE (wrong-key record)', async () => {
    await rpc(sim.url, 'sim_setFault', [{ kind: 'wrongKey', methods: ['bft_getRecord'] }]);
    await addBlock(sim.url, [copyright(2)]);
    const err = await adapter.fetchRecord({ chainId: 'bft:copyright-sim', recordType: RECORD_TYPE, key: copyright(1).registrationNumber as string }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RPC_BAD_RESPONSE', details: { method: 'bft_getRecord' } });
  });

  it('no endpoint listening → RPC_UNAVAILABLE; mixed failures across endpoints → RPC_UNAVAILABLE naming each', async () => {
    const dead = await createBftAdapter(registrationFor(['http://127.0.0.1:1/'], { timeoutMs: TIMEOUT }), {});
    await expect(dead.finalizedHead()).rejects.toMatchObject({ code: 'RPC_UNAVAILABLE' });
    await dead.close();
    await rpc(sim.url, 'sim_setFault', [{ kind: 'delay', ms: 3_000, methods: ['bft_finalizedHead'] }]);
    const mixed = await createBftAdapter(registrationFor(['http://127.0.0.1:1/', sim.url], { timeoutMs: TIMEOUT }), {});
    const err = await mixed.finalizedHead().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RPC_UNAVAILABLE', details: { reason: 'RPC_UNAVAILABLE, RPC_TIMEOUT' } });
    await mixed.close();
  });

  it('credentials in endpoint URLs never reach error details', async () => {
    const a = await createBftAdapter(registrationFor(['http://user:s3cret@127.0.0.1:1/rpc?apikey=k3y'], { timeoutMs: TIMEOUT }), {});
    const err = (await a.finalizedHead().catch((e: unknown) => e)) as { details: unknown; message: string };
    expect(JSON.stringify(err.details) + err.message).not.toMatch(/s3cret|k3y|user:/);
    await a.close();
  });

  it('the simulator itself: parse error, batch, unknown method, bad params, faults disabled without --faults', async () => {
    const res = await fetch(sim.url, { method: 'POST', body: '{' });
    expect(((await res.json()) as any).error.code).toBe(-32700);
    const batch = await fetch(sim.url, { method: 'POST', body: '[]' });
    expect(((await batch.json()) as any).error.code).toBe(-32600);
    expect((await rawRpc(sim.url, 'bft_nope')).error?.code).toBe(-32601);
    expect((await rawRpc(sim.url, 'bft_getRecord', [RECORD_TYPE])).error?.code).toBe(-32602);
    expect((await rawRpc(sim.url, 'bft_submitRecord', [RECORD_TYPE, { key: 'x', pad: 'x'.repeat(20_000) }])).error?.data?.code).toBe('TOO_LARGE');
    expect((await rawRpc(sim.url, 'sim_setFault', [{ kind: 'meteor' }])).error?.code).toBe(-32602);
    expect((await fetch(sim.url)).status).toBe(405);
    const plain = await (await import('../../../adapters/bft/simulator/spawn.js')).spawnSimulator([]);
    try {
      expect((await rawRpc(plain.url, 'sim_setFault', [{ kind: 'drop' }])).error?.code).toBe(-32601);
    } finally {
      await plain.stop();
    }
  });
});
