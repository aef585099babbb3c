/**
 * `verifySourceEvidence` on `substrate-storage` evidence (simulator: a base-16 trie from the independent builder of
 * test/proofs/substrate, a SCALE header, a GRANDPA justification by real Ed25519 authorities) and on `bft-merkle`
 * evidence (simulator: CourtBridge-BFT headers signed by SM2 / Ed25519 / secp256k1 validators).
 */
import { describe, expect, it } from 'vitest';
import { buildTrie } from '../proofs/substrate/trie-builder.js';
import { storageMapKey } from '../../src/proofs/evidence/twox.js';
import { encodeSubstrateKey } from '../../src/proofs/evidence/substrate.js';
import { verifySourceAbsence, verifySourceEvidence } from '../../src/proofs/evidence.js';
import { buildHeader, headerToJson } from '../../src/proofs/substrate/header.js';
import { encodeJustification, precommitPayload } from '../../src/proofs/substrate/justification.js';
import { encodeCompact } from '../../src/proofs/substrate/scale.js';
import { grandpaValidatorSet } from '../../src/proofs/lightclient/kind-grandpa.js';
import { createTrustState } from '../../src/proofs/lightclient/state.js';
import { canonicalBytes, canonicalJson } from '../../src/crypto/canonical.js';
import { concatBytes, toHex0x } from '../../src/crypto/bytes.js';
import { generateKeyPair, sign } from '../../src/crypto/signature.js';
import { buildRecordsTree, signCertificate, validatorSetOf, type BftSigner } from '../../src/proofs/bft/build.js';
import { bftValidatorSetHash } from '../../src/proofs/bft/encoding.js';
import { bftSim } from '../proofs/lightclient/sims.js';
import { codeOf } from '../proofs/evm/helpers/codes.js';
import type { SubstrateStorageEvidence, SubstrateStorageMapping, BftMerkleEvidence, BftRecordMapping } from '../../adapters/types.js';

const NOW = 1_800_000_000;

describe('substrate-storage evidence (simulator)', () => {
  const chainId = 'polkadot:91b171bb158e2d3848fa23a9f1c25182';
  const mapping: SubstrateStorageMapping = { kind: 'substrate-storage', pallet: 'CreditRegistry', item: 'Entries', hasher: 'blake2_128_concat', keyType: 'bytes32', valueCodec: 'scale-bytes-json' };
  const key = `0x${'ab'.repeat(32)}`;
  const absentKey = `0x${'cd'.repeat(32)}`;
  const record = { caseNumber: '(2024)京0105执12345号', listedAt: '2024-05-01', active: true };
  const json = canonicalBytes(record);
  const storageKey = storageMapKey(mapping, encodeSubstrateKey(mapping, key));
  const absentStorageKey = storageMapKey(mapping, encodeSubstrateKey(mapping, absentKey));
  const trie = buildTrie([[storageKey, concatBytes(encodeCompact(json.length), json)], [storageMapKey(mapping, new Uint8Array(32).fill(1)), Uint8Array.of(4, 1)]], 1);
  const keys = [0, 1, 2, 3].map(() => generateKeyPair('Ed25519'));
  const set = grandpaValidatorSet(0, keys.map((k) => ({ publicKey: k.publicKey, weight: 1n })));
  const height = 120;
  const h = buildHeader(new Uint8Array(32).fill(0x11), height, trie.root, new Uint8Array(32).fill(0x33), []);
  const precommits = keys.slice(0, 3).map((k) => ({ targetHash: h.hash, targetNumber: height, signature: sign(k, precommitPayload(h.hash, height, 3n, 0n)), id: k.publicKey }));
  const justification = toHex0x(encodeJustification({ round: 3n, targetHash: h.hash, targetNumber: height, precommits, votesAncestries: [] }));
  const anchor = { chainId, kind: 'substrate-grandpa' as const, height: 0, hash: `0x${'aa'.repeat(32)}`, parentHash: `0x${'bb'.repeat(32)}`, stateRoot: `0x${'cc'.repeat(32)}` };
  const trust = createTrustState({ chainId, kind: 'substrate-grandpa', trustingPeriod: 86_400, header: anchor, validatorSet: set }, NOW - 10);
  const evidenceFor = (k: string, sk: Uint8Array, withJustification = true): SubstrateStorageEvidence => ({
    kind: 'substrate-storage', chainId, recordType: 'dishonest-debtor', key: k,
    header: headerToJson(h) as never, readProof: { at: toHex0x(h.hash), proof: trie.prove([sk]).map(toHex0x) }, storageKey: toHex0x(sk),
    ...(withJustification ? { justification } : {}),
  });
  const opts = { now: NOW, mapping };

  it('a record proven by read proof under a GRANDPA-final header', () => {
    const v = verifySourceEvidence(evidenceFor(key, storageKey), trust, opts);
    expect(v.record).toEqual(record);
    expect(v.height).toBe(height);
    expect(v.finality).toEqual({ rule: 'grandpa', trust: 'light-client', chainKind: 'substrate-grandpa', validatorSetId: set.id });
  });

  it('absence is proven; absence evidence is not a record', () => {
    const e = evidenceFor(absentKey, absentStorageKey);
    expect(verifySourceAbsence(e, trust, opts).key).toBe(absentKey);
    expect(codeOf(() => verifySourceEvidence(e, trust, opts))).toBe('RECORD_NOT_FOUND');
    expect(codeOf(() => verifySourceAbsence(evidenceFor(key, storageKey), trust, opts))).toBe('EVIDENCE_MISMATCH');
  });

  it('fails closed: wrong storage key, no justification, proof of another block, tampered proof, wrong mapping', () => {
    expect(codeOf(() => verifySourceEvidence(evidenceFor(absentKey, storageKey), trust, opts))).toBe('EVIDENCE_MISMATCH');
    expect(codeOf(() => verifySourceEvidence(evidenceFor(key, storageKey, false), trust, opts))).toBe('RECORD_NOT_FINAL');
    const e = evidenceFor(key, storageKey);
    expect(codeOf(() => verifySourceEvidence({ ...e, readProof: { ...e.readProof, at: `0x${'99'.repeat(32)}` } }, trust, opts))).toBe('BLOCK_HASH_MISMATCH');
    const proof = (e.readProof.proof as string[]).slice(1);
    expect(codeOf(() => verifySourceEvidence({ ...e, readProof: { ...e.readProof, proof } }, trust, opts))).toMatch(/^TRIE_/);
    expect(codeOf(() => verifySourceEvidence(e, trust, { ...opts, mapping: { ...mapping, item: 'Other' } }))).toBe('EVIDENCE_MISMATCH');
    expect(codeOf(() => verifySourceEvidence(e, trust, { now: NOW, mapping: { kind: 'bft-merkle', keyField: 'k' } }))).toBe('MAPPING_INVALID');
  });
});

describe('bft-merkle evidence (simulator)', () => {
  const set = bftSim.newSet();
  const trust = createTrustState(bftSim.anchor(0, set, 86_400), NOW - 10);
  const mapping: BftRecordMapping = { kind: 'bft-merkle', keyField: 'registrationNumber', typeField: 'type', typeValue: 'copyright' };
  const records = [0, 1, 2, 3, 4].map((i) => ({ type: 'copyright', registrationNumber: `国作登字-2026-F-0000000${i}`, title: `作品 ${i}` }));

  it('a record included in a QC-final block verifies; wrong key, type, text and index do not', () => {
    const signers = (set as unknown as { signers: BftSigner[] }).signers;
    const vset = validatorSetOf(signers);
    const tree = buildRecordsTree(records, 'sm3');
    const header = {
      chainId: bftSim.chainId, height: 5, timestamp: 1_760_000_005, parentHash: `0x${'11'.repeat(32)}`, recordsRoot: tree.root,
      recordCount: tree.count, recordsHashAlg: 'sm3' as const, validatorSetHash: bftValidatorSetHash(vset, 'sm3'),
    };
    const certificate = signCertificate(header, vset, signers.slice(0, 4));
    const p = tree.proof(2);
    const e: BftMerkleEvidence = {
      kind: 'bft-merkle', chainId: bftSim.chainId, recordType: 'copyright', key: records[2]!.registrationNumber,
      header: header as never, certificate: JSON.parse(JSON.stringify(certificate)), record: { data: canonicalJson(records[2]), index: 2, proof: [...p.proof] },
    };
    const opts = { now: NOW, mapping };
    const v = verifySourceEvidence(e, trust, opts);
    expect(v.record).toEqual(records[2]);
    expect(v.finality).toMatchObject({ rule: 'bft-qc', trust: 'light-client' });
    expect(codeOf(() => verifySourceEvidence({ ...e, key: records[1]!.registrationNumber }, trust, opts))).toBe('EVIDENCE_MISMATCH');
    expect(codeOf(() => verifySourceEvidence(e, trust, { ...opts, mapping: { ...mapping, typeValue: 'trademark' } }))).toBe('EVIDENCE_MISMATCH');
    expect(codeOf(() => verifySourceEvidence({ ...e, record: { ...e.record, data: JSON.stringify(records[2], null, 1) } }, trust, opts))).toBe('EVIDENCE_MISMATCH');
    expect(codeOf(() => verifySourceEvidence({ ...e, record: { ...e.record, index: 3 } }, trust, opts))).toBe('INCLUSION_PROOF_INVALID');
    expect(codeOf(() => verifySourceEvidence({ ...e, record: { ...e.record, data: canonicalJson(records[3]) } }, trust, opts))).toBe('INCLUSION_PROOF_INVALID');
    expect(codeOf(() => verifySourceEvidence({ ...e, certificate: { ...e.certificate, signatures: [] } }, trust, opts))).toBe('QUORUM_NOT_REACHED');
    expect(codeOf(() => verifySourceAbsence(e, trust, opts))).toBe('UNKNOWN_TYPE');
    expect(codeOf(() => verifySourceEvidence(e, trust, { now: NOW, mapping: { kind: 'evm-storage' } as never }))).toBe('MAPPING_INVALID');
  });
});
