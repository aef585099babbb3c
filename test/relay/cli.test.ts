/**
 * `courtbridge attest` and `courtbridge relay` on real parts (anvil + evm adapter + SQLite file): in-process through
 * the command functions with an explicit environment, and once as a spawned process of the compiled CLI. Also the
 * engine-level error codes that the CLI surfaces (RELAY_TIMEOUT, RELAY_JOB_NOT_FOUND, RELAY_NO_ADAPTER,
 * RELAY_NO_TRUST_STATE).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { attestCommand, relayCommand } from '../../src/cli/commands/relay.js';
import { defaultTrust } from '../../relay/setup.js';
import { makeEngine, openBackend, startPartnerChain, uscc, type Backend, type PartnerChain } from './helpers.js';
import { ensureBuilt } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('relay CLI (anvil + evm adapter + SQLite)', () => {
  let chain: PartnerChain;
  let backend: Backend;
  let env: Record<string, string>;
  beforeAll(async () => {
    chain = await startPartnerChain(3);
    backend = await openBackend('sqlite');
    const chainsFile = join(dirname(backend.env.COURTBRIDGE_RELAY_KEY_FILE!), 'chains.json');
    writeFileSync(chainsFile, JSON.stringify([chain.entry()]));
    env = { ...backend.env, COURTBRIDGE_RELAY_CHAINS: chainsFile, COURTBRIDGE_RELAY_POLL_MS: '20' };
  }, 60_000);
  afterAll(async () => {
    await backend?.close();
    await chain?.anvil.stop();
  });

  it('attest prints the receipt as JSON; again ⇒ the same attestation and ledger index', async () => {
    const io1 = memoryIo();
    expect(await attestCommand([chain.chainId, 'enterprise', uscc(0)], io1, env)).toBe(0);
    const r1 = JSON.parse(io1.stdout[0]!);
    expect(r1).toMatchObject({ chainId: chain.chainId, recordType: 'enterprise', attestationId: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    const io2 = memoryIo();
    expect(await attestCommand([chain.chainId, 'enterprise', uscc(0), '--at', String(r1.blockHeight)], io2, env)).toBe(0);
    const r2 = JSON.parse(io2.stdout[0]!);
    expect([r2.attestationId, r2.ledgerIndex, r2.jobId]).toEqual([r1.attestationId, r1.ledgerIndex, r1.jobId]);
  }, 60_000);

  it('usage errors exit 2; unknown chain → RELAY_NO_ADAPTER; --timeout 0 → RELAY_TIMEOUT', async () => {
    expect(await attestCommand(['only-two', 'args'], memoryIo(), env)).toBe(2);
    expect(await relayCommand(['walk'], memoryIo(), env)).toBe(2);
    const io = memoryIo();
    expect(await main(['relay'], io)).toBe(2);
    await expect(attestCommand(['eip155:999', 'enterprise', uscc(0)], memoryIo(), env)).rejects.toMatchObject({ code: 'RELAY_NO_ADAPTER' });
    await expect(attestCommand([chain.chainId, 'enterprise', uscc(1), '--timeout', '0'], memoryIo(), env)).rejects.toMatchObject({ code: 'RELAY_TIMEOUT' });
    await expect(attestCommand([chain.chainId, 'enterprise', uscc(1), '--at=-1'], memoryIo(), env)).rejects.toMatchObject({ code: 'BAD_INTEGER' });
    await expect(attestCommand([chain.chainId, 'enterprise', uscc(1), '--bogus'], memoryIo(), env)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  }, 60_000);

  it('relay run starts, drains on abort and exits 0', async () => {
    const ctl = new AbortController();
    const io = memoryIo();
    const running = relayCommand(['run'], io, env, ctl.signal);
    for (let i = 0; i < 100 && !io.stderr.some((l) => l.startsWith('relay\trunning')); i++) await new Promise((r) => setTimeout(r, 20));
    ctl.abort();
    expect(await running).toBe(0);
    expect(io.stderr.at(-1)).toBe('relay\tstopped');
  }, 30_000);

  it('RELAY_JOB_NOT_FOUND for an unknown job; RELAY_NO_TRUST_STATE for a light-client chain without a trust anchor', async () => {
    const { engine, chains } = makeEngine(backend, [chain.entry()]);
    await expect(engine.waitFor(987_654, 1000)).rejects.toMatchObject({ code: 'RELAY_JOB_NOT_FOUND' });
    await chains.close();
    expect(() => defaultTrust({ registration: { ...chain.registration(), finality: { rule: 'qbft' } } })).toThrow(expect.objectContaining({ code: 'RELAY_NO_TRUST_STATE' }));
  });

  it('spawned `courtbridge attest` prints the same receipt (compiled CLI)', () => {
    ensureBuilt(ROOT);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'courtbridge.js'), 'attest', chain.chainId, 'enterprise', uscc(2)], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.ledgerIndex).toBeGreaterThanOrEqual(0);
    expect(out.attestationId).toMatch(/^0x[0-9a-f]{64}$/);
  }, 90_000);
});
