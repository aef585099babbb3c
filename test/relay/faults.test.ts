/**
 * Faults on real parts (anvil + evm adapter + SQLite file), injected by a local JSON-RPC proxy or by the node itself:
 * RPC timeouts and garbage (retried, then done), a malicious partner serving a well-formed but wrong proof (job dead
 * with the verification code, NO attestation), and a fork (a block re-mined at an attested height is refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerAttestationIds, makeEngine, openBackend, startPartnerChain, uscc, type Backend, type PartnerChain } from './helpers.js';
import { startProxy, type RpcProxy } from './proxy.js';

describe('relay faults (anvil + evm adapter + SQLite, proxy in front of the node)', () => {
  let chain: PartnerChain;
  let backend: Backend;
  let proxy: RpcProxy;
  beforeAll(async () => {
    chain = await startPartnerChain(8);
    backend = await openBackend('sqlite');
    proxy = await startProxy(chain.anvil.url);
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await backend?.close();
    await chain?.anvil.stop();
  });

  const run = async <T>(fn: (e: ReturnType<typeof makeEngine>['engine'], head: number) => Promise<T>, maxAttempts = 6): Promise<T> => {
    proxy.policy = () => 'pass';
    const { engine, chains } = makeEngine(backend, [chain.entry(proxy.url, 300)], undefined, { maxAttempts });
    await engine.start();
    try {
      const head = (await (await chains(chain.chainId))!.adapter.finalizedHead()).height;
      return await fn(engine, head);
    } finally {
      await engine.stop();
      await chains.close();
    }
  };

  it('RPC timeouts: the first calls hang past the adapter timeout; the job retries and completes', async () => {
    await run(async (engine, head) => {
      let hung = 0;
      proxy.policy = (m) => (m === 'eth_getProof' && hung++ < 2 ? 'hang' : 'pass');
      const r = await engine.attest({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(0) }, { at: head, timeoutMs: 30_000 });
      expect(r.job.state).toBe('done');
      expect(r.job.attempts).toBeGreaterThan(1);
      expect(await engine.metricsText()).toMatch(/courtbridge_relay_retries_total\{chain="[^"]+",code="RPC_(TIMEOUT|UNAVAILABLE)"\} [1-9]/);
    });
  }, 60_000);

  it('garbage responses: the job retries and completes', async () => {
    await run(async (engine, head) => {
      let bad = 0;
      proxy.policy = (m) => (m === 'eth_getBlockByNumber' && bad++ < 2 ? 'garbage' : 'pass');
      const r = await engine.attest({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(1) }, { at: head, timeoutMs: 30_000 });
      expect(r.job.state).toBe('done');
      expect(r.job.attempts).toBeGreaterThan(1);
    });
  }, 60_000);

  it('a malicious partner serving a well-formed but wrong proof: job dead with the verification code, no attestation', async () => {
    await run(async (engine, head) => {
      // Flip the value the node claims for the record's status slot (a valid quantity; the proof no longer matches).
      proxy.policy = (m) => (m === 'eth_getProof'
        ? { rewrite: (b) => { const sp = b.result.storageProof; sp[sp.length - 1].value = '0x6163746976650000000000000000000000000000000000000000000000000c'; return b; } }
        : 'pass');
      const sizeBefore = await backend.ledger.size();
      const err = await engine.attest({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(2) }, { at: head, timeoutMs: 30_000 }).catch((e) => e);
      expect(err.code).toBe('RELAY_JOB_DEAD');
      const job = (await backend.relayStore.job(Number(err.details.id)))!;
      expect(job.state).toBe('dead');
      expect(['PROOF_VALUE_MISMATCH', 'MPT_PROOF_INVALID', 'TRIE_ROOT_MISMATCH']).toContain(job.lastError);
      expect(job.ledgerIndex).toBeNull();
      expect(await backend.ledger.size()).toBe(sizeBefore);
      expect(await engine.metricsText()).toMatch(new RegExp(`courtbridge_relay_verification_failures_total\\{chain="[^"]+",code="${job.lastError}"\\} 2`));
    }, 2);
  }, 60_000);

  it('a fork: a block re-mined at an attested height is refused (BLOCK_NOT_CANONICAL), nothing attested from it', async () => {
    const snap = await chain.anvil.rpc<string>('evm_snapshot');
    const base = Number(await chain.anvil.rpc<string>('eth_blockNumber'));
    await chain.write(6);
    await chain.mine(chain.confirmations);
    const h = base + 1;
    await run(async (engine) => {
      const r = await engine.attest({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(6) }, { at: h, timeoutMs: 30_000 });
      expect(r.job.blockHeight).toBe(h);
    });
    // Reorganise: back to `base`, and a different block h (another transaction in it).
    await chain.anvil.rpc('evm_revert', [snap]);
    await chain.write(7);
    await chain.mine(chain.confirmations);
    const sizeBefore = await backend.ledger.size();
    await run(async (engine) => {
      const err = await engine.attest({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(7) }, { at: h, timeoutMs: 30_000 }).catch((e) => e);
      expect(err.code).toBe('RELAY_JOB_DEAD');
      expect((await backend.relayStore.job(Number(err.details.id)))!.lastError).toBe('BLOCK_NOT_CANONICAL');
    }, 2);
    expect(await backend.ledger.size()).toBe(sizeBefore);
    const ids = await ledgerAttestationIds(backend.ledger);
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);
});
