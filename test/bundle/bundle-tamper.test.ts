/**
 * Adversarial evidence bundles, built from a real relay run (anvil + evm adapter + SQLite; BFT simulator):
 *  - byte flips at ≥ 1,000 random positions of the serialized (RFC 8785) bundle: every one either fails to parse with
 *    a coded error or verifies 不一致 — never 一致;
 *  - for each named step, one change that makes exactly that step fail (later steps that need the broken part are
 *    skipped, never passed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from '../../src/crypto/bytes.js';
import { canonicalJson } from '../../src/crypto/canonical.js';
import { isCourtBridgeError } from '../../src/errors.js';
import { generateNoteKey } from '../../src/ledger/note.js';
import { verifySourceEvidence } from '../../src/proofs/evidence.js';
import { buildEvidenceBundle } from '../../src/bundle/build.js';
import { renderReport } from '../../src/bundle/report.js';
import { parseBundleText, parseTrustAnchors, verifyEvidenceBundle, type VerifyBundleOptions } from '../../src/bundle/verify.js';
import { BUNDLE_STEPS, type BundleStepName, type EvidenceBundle } from '../../src/bundle/types.js';
import { ATTESTATION_TYPE, attestationId, jsonDigest, signAttestation, type Attestation } from '../../relay/attestation.js';
import { startWorld, twoBundles, type BundleWorld } from './helpers.js';
import { prng } from '../helpers/prng.js';

const clone = (b: EvidenceBundle): EvidenceBundle => JSON.parse(JSON.stringify(b)) as EvidenceBundle;

/** Flip bytes at `n` distinct non-whitespace positions; returns the positions that verified 一致 (must be none). */
function flipSurvivors(bundle: EvidenceBundle, n: number, seed: number): { survivors: number[]; parseFailures: number; inconsistent: number } {
  const bytes = Buffer.from(canonicalJson(bundle), 'utf8');
  const rnd = prng(seed);
  const seen = new Set<number>();
  const survivors: number[] = [];
  let parseFailures = 0;
  let inconsistent = 0;
  const eligible = [...bytes.keys()].filter((i) => ![0x20, 0x0a, 0x0d, 0x09].includes(bytes[i]!));
  while (seen.size < Math.min(n, eligible.length)) {
    const pos = eligible[Math.floor(rnd() * eligible.length)]!;
    if (seen.has(pos)) continue;
    seen.add(pos);
    const mutated = Buffer.from(bytes);
    mutated[pos] = mutated[pos]! ^ (1 + Math.floor(rnd() * 255));
    let parsed: unknown;
    try {
      parsed = parseBundleText(new Uint8Array(mutated));
    } catch (e) {
      expect(isCourtBridgeError(e), `position ${pos}: uncoded parse error`).toBe(true);
      parseFailures++;
      continue;
    }
    const v = verifyEvidenceBundle(parsed);
    if (v.consistent) survivors.push(pos);
    else inconsistent++;
    // Every failure is coded: no step fails with an uncoded (INTERNAL) error on hostile input.
    expect(v.steps.filter((s) => s.code === 'INTERNAL').map((s) => `${pos}:${s.name}:${s.detail}`)).toEqual([]);
  }
  return { survivors, parseFailures, inconsistent };
}

/** The statuses by step. */
function statuses(b: unknown, opts?: VerifyBundleOptions): Record<BundleStepName, string> {
  const v = verifyEvidenceBundle(b, opts);
  return Object.fromEntries(v.steps.map((s) => [s.name, s.status === 'failed' ? `failed:${s.code}` : s.status])) as Record<BundleStepName, string>;
}

/** Exactly `step` failed (with `code`); every other step passed or (when it needs the broken part) was skipped. */
function expectOnlyFailure(b: unknown, step: BundleStepName, code: string, opts?: VerifyBundleOptions): void {
  const s = statuses(b, opts);
  expect(s[step]).toBe(`failed:${code}`);
  for (const other of BUNDLE_STEPS) if (other !== step) expect(['passed', 'skipped'], `${other}: ${s[other]}`).toContain(s[other]);
  const v = verifyEvidenceBundle(b, opts);
  expect(v.consistent).toBe(false);
  expect(v.reason?.step).toBe(step);
  const report = renderReport(v);
  expect(report).toMatch(/结论：不一致 \(inconsistent\): /);
  expect(report).toMatch(/Evidence bundle verification report/);
}

describe('tampered evidence bundles (anvil + evm adapter + SQLite; BFT simulator)', () => {
  let w: BundleWorld;
  let evm: EvidenceBundle;
  let bft: EvidenceBundle;

  beforeAll(async () => {
    w = await startWorld();
    ({ evm, bft } = await twoBundles(w));
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  it('1,000 byte flips of the EVM bundle: each fails to parse (coded) or verifies 不一致, never 一致', () => {
    expect(verifyEvidenceBundle(evm).consistent).toBe(true);
    // COURTBRIDGE_BUNDLE_FLIPS / _SEED widen the run by hand (e.g. 20000 positions); the default stays ~3 s.
    const n = Number(process.env.COURTBRIDGE_BUNDLE_FLIPS ?? 1000);
    const r = flipSurvivors(evm, n, Number(process.env.COURTBRIDGE_BUNDLE_FLIPS_SEED ?? 0xc0ffee));
    expect(r.survivors).toEqual([]);
    expect(r.parseFailures + r.inconsistent).toBe(n);
  }, 120_000);

  it('300 byte flips of the BFT bundle (SM2 + Ed25519 quorum certificate): never 一致', () => {
    expect(verifyEvidenceBundle(bft).consistent).toBe(true);
    expect(flipSurvivors(bft, 300, 0xbadc0de).survivors).toEqual([]);
  }, 120_000);

  it('unreadable input is a coded input error (BUNDLE_MALFORMED / MALFORMED_JSON), not a verdict', () => {
    expect(() => parseBundleText('[]')).toThrow(expect.objectContaining({ code: 'BUNDLE_MALFORMED' }));
    expect(() => parseBundleText('{"type":')).toThrow(expect.objectContaining({ code: 'MALFORMED_JSON' }));
    expect(() => parseBundleText(Uint8Array.of(0x7b, 0xff, 0x7d))).toThrow(expect.objectContaining({ code: 'BUNDLE_MALFORMED' }));
    expect(() => parseTrustAnchors({ type: 'courtbridge-trust-anchors', ledger: { verifierKeys: [] }, chains: {} })).toThrow(expect.objectContaining({ code: 'BUNDLE_MALFORMED' }));
    expect(verifyEvidenceBundle(null).consistent).toBe(false);
  });

  it('step schema: an unknown property', () => {
    expectOnlyFailure({ ...clone(evm), note: 'x' }, 'schema', 'SCHEMA_INVALID');
    expectOnlyFailure({ ...clone(evm), bundleVersion: 2 }, 'schema', 'SCHEMA_INVALID');
  });

  it('step attestation-signature: one bit of the hub JWS signature', () => {
    const b = clone(evm);
    const [h, , s] = b.attestation.jws.split('.');
    const sig = fromBase64Url(s, 'sig');
    sig[5] = sig[5]! ^ 1;
    b.attestation.jws = `${h}..${toBase64Url(sig)}`;
    expectOnlyFailure(b, 'attestation-signature', 'ATTESTATION_INVALID');
  });

  it('step attestation-binding: the raw record differs from the attested digest', () => {
    const b = clone(evm);
    b.record = { ...b.record, name: '另一家科技有限公司' };
    expectOnlyFailure(b, 'attestation-binding', 'BUNDLE_MISMATCH');
  });

  it('step source-evidence: published trust anchors that differ from the registration', async () => {
    const head = await w.backend.ledger.head();
    const trustAnchors = { type: 'courtbridge-trust-anchors' as const, ledger: { verifierKeys: head.verifierKeys }, chains: { [w.evmDoc.chainId]: w.bftDoc.trustAnchor as never } };
    expectOnlyFailure(evm, 'source-evidence', 'BUNDLE_TRUST_MISMATCH', { trustAnchors });
    expect(statuses(evm, { trustAnchors: { ...trustAnchors, chains: { [w.evmDoc.chainId]: null } } })['source-evidence']).toBe('passed');
  });

  it('step record-schema: a record the relay would refuse, attested and exported forensically', async () => {
    // Write a schema-invalid enterprise on the partner chain and attest it by hand (the pipeline would refuse it).
    await w.chain.write(9, { establishmentDate: 'not-a-date', status: 'bogus' });
    await w.chain.mine(w.chain.confirmations);
    const ref = w.evmRef(9);
    const adapter = (await w.chains(ref.chainId))!.adapter;
    const evidence = await adapter.fetchRecord(ref);
    const v = verifySourceEvidence(evidence, { kind: 'evm-depth', chainId: ref.chainId, minConfirmations: w.chain.confirmations }, { now: Math.floor(Date.now() / 1000), mapping: evidence.kind === 'evm-storage' ? evidence.mapping : (undefined as never) });
    const schemaId = w.evmDoc.recordTypes[0]!.schemaId;
    const att: Attestation = {
      type: ATTESTATION_TYPE, id: attestationId(v.chainId, v.recordType, v.key, v.blockHash, v.recordDigest),
      source: { chainId: v.chainId, recordType: v.recordType, keyRef: 'hand-made', blockHeight: v.height, blockHash: v.blockHash },
      record: { schemaId, digest: v.recordDigest }, evidence: { kind: evidence.kind, digest: jsonDigest(evidence) }, subjects: [], relay: w.hub.did, issuedAt: new Date().toISOString(),
    };
    const receipt = await w.backend.ledger.append(await signAttestation(att, w.hub.signer));
    await expect(buildEvidenceBundle(w.sources(), receipt.index, { evidence })).rejects.toMatchObject({ code: 'BUNDLE_INCONSISTENT' });
    const b = await buildEvidenceBundle(w.sources(), receipt.index, { evidence, allowInconsistent: true });
    expectOnlyFailure(b, 'record-schema', 'SCHEMA_INVALID');
    // No relay job holds the raw key of a hand-made entry: without the evidence, export cannot fetch it.
    await expect(buildEvidenceBundle(w.sources(), receipt.index)).rejects.toMatchObject({ code: 'BUNDLE_EVIDENCE_UNAVAILABLE' });
    await expect(buildEvidenceBundle(w.sources(), `0x${'11'.repeat(32)}`)).rejects.toMatchObject({ code: 'ATTESTATION_NOT_FOUND' });
  }, 60_000);

  it('step ledger-inclusion: one node of the audit path', () => {
    const b = clone(evm);
    expect(b.ledger.proof.length).toBeGreaterThan(0);
    b.ledger.proof[0] = b.ledger.proof[0]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expectOnlyFailure(b, 'ledger-inclusion', 'INCLUSION_PROOF_INVALID');
    const c = clone(evm);
    c.ledger.leafHash = c.ledger.root;
    expectOnlyFailure(c, 'ledger-inclusion', 'BUNDLE_MISMATCH');
  });

  it('step checkpoint-signature: one bit of the ledger signature on the checkpoint note', () => {
    const b = clone(evm);
    b.ledger.checkpoint = b.ledger.checkpoint.replace(/^(— \S+ )(\S+)$/m, (_m, p: string, sig: string) => {
      const raw = fromBase64(sig, 'sig');
      raw[10] = raw[10]! ^ 1;
      return `${p}${toBase64(raw)}`;
    });
    expectOnlyFailure(b, 'checkpoint-signature', 'NOTE_SIGNATURE_INVALID');
    // A listed witness that did not cosign.
    const c = clone(evm);
    c.ledger.witnessKeys = [generateNoteKey('witness.example/w1', 'cosignature-ed25519').verifierKey];
    expectOnlyFailure(c, 'checkpoint-signature', 'BUNDLE_MISMATCH');
  });

  it('step registration: the activation index (its inclusion proof no longer holds; activated after the attestation)', () => {
    const b = clone(evm);
    b.registration.activationIndex -= 1;
    const code = statuses(b).registration;
    expect(['failed:INCLUSION_PROOF_INVALID', 'failed:PROOF_WRONG_LENGTH']).toContain(code);
    expectOnlyFailure(b, 'registration', code.slice('failed:'.length));
    // A registration activated after the attestation cannot be the one it came through.
    const c = clone(evm);
    c.registration.activationIndex = c.ledger.index;
    expectOnlyFailure(c, 'registration', 'BUNDLE_MISMATCH');
  });

  it('step court-facts: a filing number or a case party changed', () => {
    const b = clone(evm);
    b.facts.sourcePlatform.filingNumber = '京网信备11010819194755230012号';
    expectOnlyFailure(b, 'court-facts', 'BUNDLE_MISMATCH');
    const c = clone(evm);
    c.facts.interest.operatorIsParty = true;
    expectOnlyFailure(c, 'court-facts', 'BUNDLE_MISMATCH');
  });
});
