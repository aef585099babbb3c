/**
 * End to end on real parts: a local anvil node with the EnterpriseInfoRegistry partner contract, the real `evm`
 * adapter, the real verifier (src/proofs/evidence.ts), the ledger and relay tables on a SQLite file — and again on
 * PostgreSQL (`COURTBRIDGE_TEST_PG`, own schema per run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/crypto/canonical.js';
import { verifyInclusion, leafHash } from '../../src/ledger/merkle.js';
import { HASHES } from '../../src/crypto/hash.js';
import { fromHex } from '../../src/crypto/bytes.js';
import { validateRecord } from '../../src/schema/index.js';
import { verifySignedAttestation, ATTESTATION_SCHEMA_ID } from '../../relay/attestation.js';
import { Interface } from 'ethers';
import { verifyHeaderJson } from '../../src/proofs/evm/header.js';
import { verifyReceiptInList } from '../../src/proofs/evm/receipts.js';
import { sha256 } from '../../src/crypto/hash.js';
import { toHex0x, utf8 } from '../../src/crypto/bytes.js';
import { ANCHOR_ABI } from '../../relay/anchor.js';
import { compileContract, sendTx } from '../proofs/evm/helpers/anvil.js';
import { enterprise, ledgerAttestationIds, makeEngine, openBackend, startPartnerChain, uscc, type Backend, type PartnerChain } from './helpers.js';

const PG = process.env.COURTBRIDGE_TEST_PG;

for (const kind of ['sqlite', 'postgres'] as const) {
  const skip = kind === 'postgres' && !PG;
  describe.skipIf(skip)(skip ? 'relay e2e — skipped: no PostgreSQL' : `relay e2e on ${kind} (anvil + evm adapter)`, () => {
    let chain: PartnerChain;
    let backend: Backend;
    beforeAll(async () => {
      chain = await startPartnerChain(6);
      backend = await openBackend(kind, PG);
    }, 60_000);
    afterAll(async () => {
      await backend?.close();
      await chain?.anvil.stop();
    });

    it('attests one EVM record: signed, schema-valid, no personal data, included in the ledger', async () => {
      const { engine, chains, hub } = makeEngine(backend, [chain.entry()]);
      await engine.start();
      try {
        const r = await engine.attest({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(0) }, { timeoutMs: 30_000 });
        expect(r.job.state).toBe('done');
        const leaf = await backend.ledger.get(r.receipt.ledgerIndex);
        const entry = JSON.parse(Buffer.from(leaf.data).toString('utf8'));
        // The entry validates against schemas/attestation.json and its detached JWS verifies with the hub key.
        validateRecord(ATTESTATION_SCHEMA_ID, entry);
        const att = verifySignedAttestation(entry, { alg: 'Ed25519', kid: hub.kid, publicKey: hub.kp.publicKey }, uscc(0));
        expect(att.id).toBe(r.receipt.attestationId);
        expect(att.source).toMatchObject({ chainId: chain.chainId, recordType: 'enterprise', blockHeight: r.job.blockHeight });
        expect(att.relay).toBe(hub.did);
        // Principle 4: no raw identifier or name in the ledger entry.
        const text = Buffer.from(leaf.data).toString('utf8');
        for (const v of [uscc(0), enterprise(0).legalRepresentative!]) expect(text).not.toContain(v);
        expect(att.subjects.map((s) => s.pointer)).toEqual(expect.arrayContaining(['/uscc', '/legalRepresentative']));
        // Receipt ↔ ledger: leaf hash and an inclusion proof against the committed tree.
        expect(r.receipt.leafHash).toBe(Buffer.from(leafHash(HASHES.sha256, canonicalBytes(entry))).toString('hex'));
        const proof = await backend.ledger.proveInclusion(r.receipt.ledgerIndex);
        verifyInclusion(HASHES.sha256, proof.index, proof.treeSize, fromHex(r.receipt.leafHash, 'leaf', 32), proof.proof, proof.root);
        expect(await engine.metricsText()).toMatch(/courtbridge_relay_attestations_total\{chain="eip155:31337"\} 1/);
      } finally {
        await engine.stop();
        await chains.close();
      }
    }, 60_000);

    it('is idempotent: the same record at the same block twice ⇒ one job, one attestation, one leaf', async () => {
      const { engine, chains } = makeEngine(backend, [chain.entry()]);
      await engine.start();
      try {
        const head = await (await chains(chain.chainId))!.adapter.finalizedHead();
        const ref = { chainId: chain.chainId, recordType: 'enterprise', key: uscc(1) };
        const sizeBefore = await backend.ledger.size();
        const [a, b] = await Promise.all([engine.attest(ref, { at: head.height }), engine.attest(ref, { at: head.height })]);
        const c = await engine.attest(ref, { at: head.height });
        expect(b.job.id).toBe(a.job.id);
        expect(c.receipt).toEqual(a.receipt);
        expect(await backend.ledger.size()).toBe(sizeBefore + 1);
        const ids = await ledgerAttestationIds(backend.ledger);
        expect(new Set(ids).size).toBe(ids.length);
      } finally {
        await engine.stop();
        await chains.close();
      }
    }, 60_000);

    it('attests many records with concurrent workers: every job done, leaves == distinct attestation ids', async () => {
      const { engine, chains } = makeEngine(backend, [chain.entry()], undefined, { workers: 3, batchSize: 4 });
      await engine.start();
      try {
        const head = await (await chains(chain.chainId))!.adapter.finalizedHead();
        const results = await Promise.all([2, 3, 4, 5].map((i) => engine.attest({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(i) }, { at: head.height })));
        expect(new Set(results.map((r) => r.receipt.ledgerIndex)).size).toBe(4);
        const ids = await ledgerAttestationIds(backend.ledger);
        expect(new Set(ids).size).toBe(ids.length);
        expect(await backend.ledger.size()).toBe(ids.length);
        expect(await backend.relayStore.counts()).toMatchObject({ queued: 0, running: 0, failed: 0, dead: 0 });
      } finally {
        await engine.stop();
        await chains.close();
      }
    }, 60_000);

    it('anchors the ledger checkpoint on the court chain; the stored receipt proof re-verifies; not twice for one size', async () => {
      const { engine, chains } = makeEngine(backend, [chain.entry()]);
      // The court chain is the same local node here; the hub key is anvil's first dev account (it deploys, so it owns).
      const deployed = await sendTx(chain.anvil, { data: compileContract('CheckpointAnchor').bytecode, gas: '0x500000' });
      const cfg = {
        rpcUrl: chain.anvil.url, chainId: chain.chainId, contract: String(deployed.contractAddress),
        privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
      };
      const row = (await engine.anchorNow(cfg))!;
      const cp = (await backend.ledger.checkpoints()).at(-1)!;
      expect(row).toMatchObject({ treeSize: cp.treeSize, rootHash: toHex0x(cp.root), noteHash: toHex0x(sha256(utf8(cp.note))) });
      expect((await backend.relayStore.anchors()).map((a) => a.txHash)).toContain(row.txHash);
      // Offline re-check of what the bundle carries: header hash, receipts root, the Anchored log's arguments.
      const proof = JSON.parse(row.receiptProof);
      const header = verifyHeaderJson(proof.block);
      const receipt = verifyReceiptInList(proof.receipts, proof.transactionIndex, header.receiptsRoot);
      const ev = new Interface(['event Anchored(uint256 indexed seq, uint64 treeSize, bytes32 rootHash, bytes32 noteHash)']);
      const log = ev.parseLog(receipt.logs[0]!)!;
      expect([Number(log.args.treeSize), log.args.rootHash, log.args.noteHash]).toEqual([row.treeSize, row.rootHash, row.noteHash]);
      const count = await chain.anvil.rpc<string>('eth_call', [{ to: cfg.contract, data: ANCHOR_ABI.encodeFunctionData('count') }, 'latest']);
      expect(Number(count)).toBe(1);
      expect(await engine.anchorNow(cfg)).toBeUndefined();
      // ANCHOR_FAILED: an account that is not the hub cannot anchor (the contract reverts).
      await backend.ledger.append({ note: 'one more leaf so that a new checkpoint is due' });
      const [, other] = await chain.anvil.rpc<string[]>('eth_accounts');
      await expect(engine.anchorNow({ rpcUrl: chain.anvil.url, chainId: chain.chainId, contract: cfg.contract, from: other })).rejects.toMatchObject({ code: 'ANCHOR_FAILED' });
      await chains.close();
      // Periodic anchoring by a running engine picks up the new checkpoint.
      const periodic = makeEngine(backend, [chain.entry()], undefined, { anchor: { ...cfg, intervalMs: 50 } });
      const before = (await backend.relayStore.anchors()).length;
      await periodic.engine.start();
      try {
        for (let i = 0; i < 200 && (await backend.relayStore.anchors()).length === before; i++) await new Promise((r) => setTimeout(r, 25));
        expect((await backend.relayStore.anchors()).length).toBe(before + 1);
        expect(await periodic.engine.metricsText()).toMatch(/courtbridge_relay_anchors_total 1/);
      } finally {
        await periodic.engine.stop();
        await periodic.chains.close();
      }
    }, 60_000);

    it('a receipt pointing at a leaf that is not its attestation fails the job with RELAY_LEDGER_MISMATCH', async () => {
      const { engine, chains } = makeEngine(backend, [chain.entry()], undefined, { maxAttempts: 1 });
      const head = await (await chains(chain.chainId))!.adapter.finalizedHead();
      // Attest once to learn the id, then point its receipt at a foreign leaf and rerun a new job of the same record.
      await engine.start();
      try {
        const first = await engine.attest({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(0) }, { at: head.height });
        const foreign = await backend.ledger.append({ note: 'not an attestation' });
        const db = backend.kind === 'sqlite' ? (backend.ledgerStore as any).database : undefined;
        if (db) db.prepare('UPDATE relay_attestations SET ledger_index = ? WHERE attestation_id = ?').run(foreign.index, first.receipt.attestationId);
        else await (backend.ledgerStore as any).query('UPDATE relay_attestations SET ledger_index = $1 WHERE attestation_id = $2', [foreign.index, first.receipt.attestationId]);
        if (db) db.prepare("UPDATE relay_jobs SET state = 'queued', next_run_at = 0, attempts = 0 WHERE id = ?").run(first.job.id);
        else await (backend.ledgerStore as any).query("UPDATE relay_jobs SET state = 'queued', next_run_at = 0, attempts = 0 WHERE id = $1", [first.job.id]);
        const err = await engine.waitFor(first.job.id, 30_000).catch((e) => e);
        expect(err.code).toBe('RELAY_JOB_DEAD');
        expect((await backend.relayStore.job(first.job.id))!.lastError).toBe('RELAY_LEDGER_MISMATCH');
      } finally {
        await engine.stop();
        await chains.close();
      }
    }, 60_000);
  });
}
