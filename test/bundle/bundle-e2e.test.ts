/**
 * Evidence bundles from a real relay run (anvil + evm adapter + SQLite; the BFT simulator process with a certified
 * validator-set rotation), verified offline: in-process, through `courtbridge proof verify`, and by a spawned
 * `courtbridge verify` process (no database, no chain: only the file). The relay stores the raw source evidence
 * (relay schema v2): bundles are exported after anvil is stopped; attestations without a stored row (made before
 * v2) fall back to fetching again.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/crypto/canonical.js';
import { sha256 } from '../../src/crypto/hash.js';
import { toHex0x, utf8 } from '../../src/crypto/bytes.js';
import type { SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import { buildEvidenceBundle } from '../../src/bundle/build.js';
import { renderReport } from '../../src/bundle/report.js';
import { verifyEvidenceBundle } from '../../src/bundle/verify.js';
import type { EvidenceBundle, TrustAnchors } from '../../src/bundle/types.js';
import { bundleCommand } from '../../src/cli/commands/bundle.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { addBlock, copyright, rpc } from '../adapters/bft/helpers.js';
import { ensureBuilt } from '../relay/helpers.js';
import { apiWorld } from '../api/fixtures.js';
import { startWorld, type BundleWorld } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'courtbridge.js');

describe('evidence bundles from a real relay run (anvil + evm adapter + SQLite; BFT simulator)', () => {
  let w: BundleWorld;
  let dir: string;
  let evmBundle: EvidenceBundle;
  let bftBundle: EvidenceBundle;
  let evmId: string;

  const anchors = async (): Promise<TrustAnchors> => {
    const head = await w.backend.ledger.head();
    return {
      type: 'courtbridge-trust-anchors', ledger: { origin: head.origin, verifierKeys: head.verifierKeys }, hubDids: [w.hub.did],
      chains: { [w.evmDoc.chainId]: null, [w.bftDoc.chainId]: w.bftDoc.trustAnchor as never },
    };
  };

  beforeAll(async () => {
    ensureBuilt(ROOT);
    dir = mkdtempSync(join(tmpdir(), 'cb-bundle-'));
    w = await startWorld();
  }, 180_000);
  afterAll(async () => {
    await w?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('EVM record (depth rule): the bundle verifies 一致, every step passed, bilingual report', async () => {
    const r = await w.engine.attest(w.evmRef(1), { timeoutMs: 30_000 });
    evmId = r.receipt.attestationId;
    evmBundle = await buildEvidenceBundle(w.sources(), evmId);
    const v = verifyEvidenceBundle(evmBundle);
    expect(v.steps.map((s) => [s.name, s.status])).toEqual([
      ['schema', 'passed'], ['attestation-signature', 'passed'], ['attestation-binding', 'passed'], ['source-evidence', 'passed'], ['record-schema', 'passed'],
      ['ledger-inclusion', 'passed'], ['checkpoint-signature', 'passed'], ['registration', 'passed'], ['court-facts', 'passed'],
    ]);
    expect(v.consistent).toBe(true);
    expect(v.steps.find((s) => s.name === 'source-evidence')!.code).toBe('RPC_DEPTH');
    expect(v.steps.find((s) => s.name === 'checkpoint-signature')!.code).toBe('SELF_ASSERTED');
    expect(evmBundle.facts.sourcePlatform.filingNumber).toBe(w.evmDoc.platform.filingNumber);
    expect(evmBundle.facts.interest.operatorIsParty).toBeNull();
    expect(evmBundle.facts.extraction.calls.map((c) => c.method)).toEqual(['eth_getBlockByNumber', 'eth_getProof', 'eth_getBlockByNumber', 'eth_getBlockByNumber']);
    const report = renderReport(v);
    expect(report).toMatch(/电子证据包核验报告/);
    expect(report).toMatch(/Evidence bundle verification report/);
    expect(report.indexOf('存证证明的中继节点签名')).toBeLessThan(report.indexOf("attestation signature by the hub's DID"));
    expect(report.trimEnd().split('\n').at(-1)).toMatch(/^结论：一致，但仅为自证.*\(consistent with itself only: .*verify with --trust\)$/);
    expect(v.anchored).toBe(false);
    writeFileSync(join(dir, 'evm.json'), JSON.stringify(evmBundle, null, 2));
  }, 60_000);

  it('BFT record after a certified validator-set rotation: the hand-over is in the validator-set chain, 一致', async () => {
    await addBlock(w.sim.url, [copyright(1)]);
    await w.engine.attest(w.bftRef(1), { timeoutMs: 30_000 });
    await rpc(w.sim.url, 'sim_setFault', [{ kind: 'rotate', certified: true, validators: 5 }]);
    await addBlock(w.sim.url, []);
    await addBlock(w.sim.url, [copyright(2)]);
    const r = await w.engine.attest(w.bftRef(2), { timeoutMs: 30_000 });
    bftBundle = await buildEvidenceBundle(w.sources(), r.receipt.ledgerIndex, { caseParties: [w.bftDoc.platform.operatorUscc] });
    expect(bftBundle.validatorSetChain).toHaveLength(1);
    const v = verifyEvidenceBundle(bftBundle, { trustAnchors: await anchors() });
    expect(v.consistent).toBe(true);
    expect(v.steps.find((s) => s.name === 'checkpoint-signature')!.code).toBe('OK');
    expect(v.steps.find((s) => s.name === 'source-evidence')!.code).toBe('OK');
    expect(bftBundle.facts.interest.operatorIsParty).toBe(true);
    // Without the hand-over the record's certificate is by an unknown set: 不一致.
    const cut = verifyEvidenceBundle({ ...bftBundle, validatorSetChain: [] });
    expect(cut.consistent).toBe(false);
    expect(cut.steps.find((s) => s.name === 'source-evidence')!.status).toBe('failed');
    writeFileSync(join(dir, 'bft.json'), JSON.stringify(bftBundle));
  }, 60_000);

  it('the relay stored the raw evidence before the append: RFC 8785 text hashing to the attested digest', async () => {
    const att = JSON.parse(evmBundle.attestation.canonical) as { id: string; evidence: { digest: string } };
    const row = await w.backend.relayStore.evidence(att.id);
    expect(row).toBeDefined();
    expect(row!.evidence).toBe(canonicalJson(evmBundle.sourceEvidence));
    expect(toHex0x(sha256(utf8(row!.evidence)))).toBe(att.evidence.digest);
    expect(row!.evidenceDigest).toBe(att.evidence.digest);
    const bftId = (JSON.parse(bftBundle.attestation.canonical) as { id: string }).id;
    expect((await w.backend.relayStore.evidence(bftId))!.evidence).toBe(canonicalJson(bftBundle.sourceEvidence));
  });

  it('stored evidence that does not hash to the attested digest is refused: BUNDLE_MISMATCH (no silent re-fetch)', async () => {
    const bftId = (JSON.parse(bftBundle.attestation.canonical) as { id: string }).id;
    const good = (await w.backend.relayStore.evidence(bftId))!;
    const forged = canonicalJson({ ...bftBundle.sourceEvidence, key: 'someone-else' });
    await w.backend.relayStore.putEvidence([{ ...good, evidence: forged, evidenceDigest: toHex0x(sha256(utf8(forged))) }]);
    try {
      await expect(buildEvidenceBundle(w.sources(), bftId)).rejects.toMatchObject({ code: 'BUNDLE_MISMATCH' });
      await w.backend.relayStore.putEvidence([{ ...good, evidenceDigest: `0x${'00'.repeat(32)}` }]);
      await expect(buildEvidenceBundle(w.sources(), bftId)).rejects.toMatchObject({ code: 'BUNDLE_MISMATCH' });
    } finally {
      await w.backend.relayStore.putEvidence([good]);
    }
  });

  it('an attestation made before relay schema v2 (no stored evidence row): fetched again from the chain (simulator), 一致', async () => {
    const bftId = (JSON.parse(bftBundle.attestation.canonical) as { id: string }).id;
    const db = (w.backend.ledgerStore as SqliteLedgerStore).database;
    const row = (await w.backend.relayStore.evidence(bftId))!;
    db.prepare('DELETE FROM relay_evidence WHERE attestation_id = ?').run(bftId);
    try {
      expect(await w.backend.relayStore.evidence(bftId)).toBeUndefined();
      const again = await buildEvidenceBundle(w.sources(), bftId, { caseParties: [w.bftDoc.platform.operatorUscc] });
      expect(canonicalJson(again.sourceEvidence)).toBe(canonicalJson(bftBundle.sourceEvidence));
      expect(verifyEvidenceBundle(again, { trustAnchors: await anchors() }).consistent).toBe(true);
    } finally {
      await w.backend.relayStore.putEvidence([row]);
    }
  }, 60_000);

  it('`courtbridge verify` in a fresh process (only the file): exit 0 and 一致; --trust anchors.json; a tampered file exits 1 with 不一致', async () => {
    writeFileSync(join(dir, 'anchors.json'), JSON.stringify(await anchors()));
    const env = { PATH: process.env.PATH ?? '', HOME: dir, NO_PROXY: '*' };
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'verify', ...args], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    const ok = run(join(dir, 'evm.json'));
    expect(ok.status, ok.stderr).toBe(0);
    // Without anchors: consistent with itself only, and the conclusion says so (a forger's own keys would pass too).
    expect(ok.stdout).toContain('结论：一致，但仅为自证');
    expect(ok.stdout).toContain('SELF_ASSERTED');
    expect(JSON.parse(run(join(dir, 'evm.json'), '--json').stdout)).toMatchObject({ consistent: true, anchored: false });
    const trusted = run(join(dir, 'bft.json'), '--trust', join(dir, 'anchors.json'));
    expect(trusted.status, trusted.stderr).toBe(0);
    expect(trusted.stdout).toMatch(/signature\(s\) by trusted ledger keys/);
    expect(trusted.stdout).toContain('结论：一致 (consistent)\n');
    expect(JSON.parse(run(join(dir, 'bft.json'), '--trust', join(dir, 'anchors.json'), '--json').stdout)).toMatchObject({ consistent: true, anchored: true });
    const bad = JSON.parse(readFileSync(join(dir, 'evm.json'), 'utf8')) as EvidenceBundle;
    bad.facts.operator.name = '另一家公司';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const no = run(join(dir, 'bad.json'));
    expect(no.status).toBe(1);
    expect(no.stdout).toMatch(/结论：不一致 \(inconsistent\): .*BUNDLE_MISMATCH/);
    const unreadable = run(join(dir, 'missing.json'));
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr).toMatch(/^error\tFILE_UNREADABLE/);
  }, 120_000);

  it('`courtbridge proof verify` takes type evidence-bundle: valid / invalid', async () => {
    const io = memoryIo();
    expect(await main(['proof', 'verify', join(dir, 'evm.json'), join(dir, 'bad.json')], io)).toBe(1);
    expect(io.stdout).toEqual([`${join(dir, 'evm.json')}\tvalid`, `${join(dir, 'bad.json')}\tinvalid\tBUNDLE_INCONSISTENT`]);
    // Same content, one space changed: not an exported serialization, refused as by `courtbridge verify`.
    writeFileSync(join(dir, 'respaced.json'), readFileSync(join(dir, 'evm.json'), 'utf8').replace('": ', '":  '));
    const again = memoryIo();
    expect(await main(['proof', 'verify', join(dir, 'respaced.json')], again)).toBe(1);
    expect(again.stdout).toEqual([`${join(dir, 'respaced.json')}\terror\tBUNDLE_MALFORMED`]);
  });

  it('`courtbridge bundle export <id> --out FILE --party USCC` from the configured store AFTER the partner chain (anvil) is stopped: evidence from the relay store, 一致', async () => {
    await w.chain.anvil.stop();
    await expect(w.chain.anvil.rpc('eth_blockNumber')).rejects.toBeDefined();
    const inProcess = await buildEvidenceBundle(w.sources(), evmId);
    expect(canonicalJson(inProcess.sourceEvidence)).toBe(canonicalJson(evmBundle.sourceEvidence));
    expect(verifyEvidenceBundle(inProcess).consistent).toBe(true);
    const io = memoryIo();
    const out = join(dir, 'export.json');
    const code = await bundleCommand(['export', evmId, '--out', out, '--party', w.evmDoc.platform.operatorUscc], io, { ...process.env, ...w.backend.env });
    expect(code, io.stderr.join('\n')).toBe(0);
    const b = JSON.parse(readFileSync(out, 'utf8')) as EvidenceBundle;
    expect(canonicalJson(b.sourceEvidence)).toBe(canonicalJson(evmBundle.sourceEvidence));
    expect(b.facts.interest.operatorIsParty).toBe(true);
    const v = io.stdout;
    expect(v).toEqual([]);
    const verified = memoryIo();
    expect(await main(['verify', out], verified)).toBe(0);
    expect(verified.stdout.at(-1)).toMatch(/^结论：一致，但仅为自证/);
    const bad = memoryIo();
    expect(await bundleCommand(['export', `0x${'00'.repeat(32)}`], bad, { ...process.env, ...w.backend.env }).catch((e) => e.code)).toBe('ATTESTATION_NOT_FOUND');
  }, 60_000);

  it('GET /api/v1/court/attestations/:id/bundle (role court, JSON Schema on params/query): the bundle verifies 一致; partner 403; unknown 404; bad id 400', async () => {
    const api = await apiWorld({ bundles: (id, opts) => buildEvidenceBundle(w.sources(), id, opts) });
    try {
      const court = async () => ({ authorization: `Bearer ${await api.token('court')}` });
      const r = await api.app.inject({ method: 'GET', url: `/api/v1/court/attestations/${evmId}/bundle?parties=${w.evmDoc.platform.operatorUscc}`, headers: await court() });
      expect(r.statusCode, r.body).toBe(200);
      const b = r.json() as EvidenceBundle;
      expect(b.facts.interest.operatorIsParty).toBe(true);
      expect(verifyEvidenceBundle(b).consistent).toBe(true);
      const partner = await api.app.inject({ method: 'GET', url: `/api/v1/court/attestations/${evmId}/bundle`, headers: { authorization: `Bearer ${await api.token('partner')}` } });
      expect([partner.statusCode, partner.json().code]).toEqual([403, 'AUTH_FORBIDDEN']);
      const nf = await api.app.inject({ method: 'GET', url: `/api/v1/court/attestations/0x${'22'.repeat(32)}/bundle`, headers: await court() });
      expect([nf.statusCode, nf.json().code]).toEqual([404, 'ATTESTATION_NOT_FOUND']);
      const bad = await api.app.inject({ method: 'GET', url: '/api/v1/court/attestations/xyz/bundle', headers: await court() });
      expect([bad.statusCode, bad.json().code]).toEqual([400, 'INVALID_INPUT']);
      const anon = await api.app.inject({ method: 'GET', url: `/api/v1/court/attestations/${evmId}/bundle` });
      expect(anon.statusCode).toBe(401);
    } finally {
      await api.close();
    }
  }, 60_000);
});
