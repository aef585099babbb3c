/**
 * The BFT simulator process itself (docs/bft-simulator-rpc.md): deterministic keys and genesis from the seed (the
 * trust anchor is computed offline), SHA-256 chains, timed block production, validator sets by height, option errors.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createBftAdapter } from '../../../adapters/bft/adapter.js';
import { simulatorGenesis, simulatorSigners, simulatorTrustAnchor } from '../../../adapters/bft/simulator/genesis.js';
import { simulatorEntry, type SimulatorProcess } from '../../../adapters/bft/simulator/spawn.js';
import { verifySourceEvidence } from '../../../src/proofs/evidence.js';
import { verifyQuorumCertificateFile } from '../../../src/proofs/bft/verify-file.js';
import { MAPPING, RECORD_TYPE, addBlock, buildOnce, copyright, genesisTrust, nowSec, registrationFor, rpc, startSimulator } from './helpers.js';

const running: SimulatorProcess[] = [];
afterAll(async () => {
  for (const s of running) await s.stop();
});
async function start(...args: string[]) {
  const s = await startSimulator(...args);
  running.push(s);
  return s;
}

describe('BFT simulator (BFT simulator process)', () => {
  it('keys and genesis are a function of the seed: bft_trustAnchor equals the offline anchor; mixed SM2 / Ed25519 weighted set', async () => {
    const sim = await start('--seed', 'court-a');
    const opts = { chainId: 'bft:copyright-sim', seed: 'court-a', validators: 4, hashAlg: 'sm3' as const, genesisTime: 1_767_225_600 };
    const anchor = await rpc(sim.url, 'bft_trustAnchor');
    const offline = simulatorGenesis(opts);
    expect(anchor.hash).toBe(offline.hash);
    expect(anchor.header).toEqual(offline.header);
    expect(anchor.validatorSet).toEqual(offline.validatorSet);
    expect(simulatorTrustAnchor(opts).header.hash).toBe(offline.hash);
    expect(offline.validatorSet.validators.map((v) => [v.alg, v.weight])).toEqual([['SM2', 1], ['Ed25519', 2], ['SM2', 1], ['Ed25519', 2]]);
    expect(simulatorSigners('court-b', 4)[0]!.key.publicKey).not.toEqual(offline.signers[0]!.key.publicKey);
    expect(await rpc(sim.url, 'bft_getValidatorSet', [0])).toEqual(offline.validatorSet);
    expect(await rpc(sim.url, 'bft_getValidatorSet', [99])).toBeNull();
    expect(await rpc(sim.url, 'bft_getBlock', [99])).toBeNull();
    expect(await rpc(sim.url, 'bft_chainId')).toBe('bft:copyright-sim');
  });

  it('a block and record are a valid quorum-certificate proof file (docs/bft-format.md)', async () => {
    const sim = await start();
    const h = await addBlock(sim.url, [copyright(1), copyright(2), copyright(3)]);
    const block = await rpc(sim.url, 'bft_getBlock', [h]);
    const rec = await rpc(sim.url, 'bft_getRecord', [RECORD_TYPE, copyright(3).registrationNumber]);
    expect(rec.height).toBe(h);
    const validatorSet = await rpc(sim.url, 'bft_getValidatorSet', [h]);
    expect(() => verifyQuorumCertificateFile({ type: 'quorum-certificate', header: block.header, validatorSet, certificate: block.certificate, record: rec.record })).not.toThrow();
    expect(await rpc(sim.url, 'bft_getBlockRecords', [h])).toEqual({ height: h, records: [1, 2, 3].map((n, index) => ({ recordType: RECORD_TYPE, key: copyright(n).registrationNumber, index })) });
  });

  it('--hash sha256 --validators 7 --chain-id: evidence verifies end to end', async () => {
    const sim = await start('--hash', 'sha256', '--validators', '7', '--chain-id', 'bft:ip-sha', '--seed', 's7');
    const opts = { chainId: 'bft:ip-sha', seed: 's7', validators: 7, hashAlg: 'sha256' as const, genesisTime: 1_767_225_600 };
    await addBlock(sim.url, [copyright(5)]);
    const a = await createBftAdapter(registrationFor([sim.url], undefined, opts), {});
    const ev = await a.fetchRecord({ chainId: 'bft:ip-sha', recordType: RECORD_TYPE, key: copyright(5).registrationNumber as string });
    expect((ev.header as any).recordsHashAlg).toBe('sha256');
    expect((ev.certificate as any).signatures).toHaveLength(7);
    expect(verifySourceEvidence(ev, genesisTrust(opts), { now: nowSec(), mapping: MAPPING }).record).toEqual(copyright(5));
    await a.close();
  });

  it('--block-ms: blocks are produced on a timer, parent-linked', async () => {
    const sim = await start('--block-ms', '50');
    await new Promise((r) => setTimeout(r, 400));
    const head = await rpc(sim.url, 'bft_finalizedHead');
    expect(head.height).toBeGreaterThanOrEqual(2);
    const b1 = await rpc(sim.url, 'bft_getBlock', [1]);
    const b2 = await rpc(sim.url, 'bft_getBlock', [2]);
    expect(b2.header.parentHash).toBe(b1.certificate.headerHash);
  });

  it('bad options exit with status 2 and say why', () => {
    buildOnce();
    for (const args of [['--validators', '0'], ['--bogus']]) {
      const r = spawnSync(process.execPath, [simulatorEntry(), ...args], { encoding: 'utf8', timeout: 10_000 });
      expect(r.status, args.join(' ')).not.toBe(0);
    }
    const r = spawnSync(process.execPath, [simulatorEntry(), '--hash', 'md5'], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error\t--hash/);
  });
});
