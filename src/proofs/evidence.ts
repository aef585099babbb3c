/**
 * `verifySourceEvidence`: the one pure, offline check the relay (and `courtbridge verify` on a bundle) runs on what an
 * adapter fetched. An exhaustive switch on the evidence `kind`; each kind is an ordered list of named steps in
 * src/proofs/evidence/<kind>.ts. Returns a VerifiedRecord or throws a coded CourtBridgeError.
 *
 * `verifySourceAbsence` checks evidence of absence (EVM: the mapped slots proven zero; Substrate: the key proven
 * absent). BFT records trees are not sorted, so a BFT chain cannot prove absence (UNKNOWN_TYPE).
 *
 * The light-client state is an input, never changed here: a relay that wants to advance it calls `acceptHeader`
 * itself with the same finality evidence.
 */
import { toHex0x, utf8 } from '../crypto/bytes.js';
import { canonicalJson } from '../crypto/canonical.js';
import { sha256 } from '../crypto/hash.js';
import { fail } from '../errors.js';
import type {
  BftRecordMapping, EvidenceTrust, EvmStorageMapping, RecordMapping, SourceEvidence, SourceEvidenceKind,
  SubstrateStorageMapping, VerifiedAbsence, VerifiedRecord, VerifyEvidenceOptions,
} from '../../adapters/types.js';
import { digestOf } from './evidence/common.js';
import { evmRecord, proveEvmStorage } from './evidence/evm.js';
import { verifyBftMerkle } from './evidence/bft.js';
import { proveSubstrateStorage, substrateRecord } from './evidence/substrate.js';

function kindOf(evidence: unknown): SourceEvidenceKind {
  if (typeof evidence !== 'object' || evidence === null || Array.isArray(evidence)) return fail('INVALID_INPUT', { field: 'evidence', reason: 'must be an object' });
  const kind = (evidence as { kind?: unknown }).kind;
  if (kind === 'evm-storage' || kind === 'bft-merkle' || kind === 'substrate-storage') return kind;
  return fail('UNKNOWN_TYPE', { type: String(kind) });
}

function mappingOf<K extends RecordMapping['kind']>(opts: VerifyEvidenceOptions, kind: K): Extract<RecordMapping, { kind: K }> {
  const m = opts?.mapping;
  if (m === undefined || m === null || m.kind !== kind) return fail('MAPPING_INVALID', { field: 'opts.mapping', reason: `a ${kind} mapping from the registration is required` });
  return m as Extract<RecordMapping, { kind: K }>;
}

function checkNow(opts: VerifyEvidenceOptions): void {
  if (typeof opts?.now !== 'number' || !Number.isSafeInteger(opts.now) || opts.now < 0) fail('BAD_INTEGER', { field: 'opts.now' });
}

/** A VerifiedRecord with the RFC 8785 text its `evidenceDigest` covers (the relay stores that text as is). */
export interface VerifiedEvidence extends VerifiedRecord {
  /** Canonical JSON of the whole evidence: `evidenceDigest` is the SHA-256 of its UTF-8 bytes. */
  readonly evidenceText: string;
}

/** The evidence's canonical text and its digest, canonicalised once (large proofs: the costly part). */
function canonicalEvidence(evidence: unknown): { evidenceDigest: string; evidenceText: string } {
  const evidenceText = canonicalJson(evidence);
  return { evidenceDigest: toHex0x(sha256(utf8(evidenceText))), evidenceText };
}

/** Verify source evidence (untrusted JSON) against the chain's trust; returns the record proven final on its chain. */
export function verifySourceEvidence(evidence: SourceEvidence | unknown, trust: EvidenceTrust, opts: VerifyEvidenceOptions): VerifiedEvidence {
  checkNow(opts);
  const kind = kindOf(evidence);
  switch (kind) {
    case 'evm-storage': {
      mappingOf(opts, 'evm-storage') satisfies EvmStorageMapping;
      const p = proveEvmStorage(evidence, trust, opts);
      const record = evmRecord(p);
      return { chainId: p.chainId, recordType: p.recordType, key: p.key, height: p.height, blockHash: p.blockHash, record, recordDigest: digestOf(record), ...canonicalEvidence(evidence), finality: p.finality };
    }
    case 'bft-merkle': {
      const p = verifyBftMerkle(evidence, trust, opts, mappingOf(opts, 'bft-merkle') satisfies BftRecordMapping);
      return { ...p, recordDigest: digestOf(p.record), ...canonicalEvidence(evidence) };
    }
    case 'substrate-storage': {
      const mapping = mappingOf(opts, 'substrate-storage') satisfies SubstrateStorageMapping;
      const p = proveSubstrateStorage(evidence, trust, opts, mapping);
      const record = substrateRecord(p, mapping);
      return { chainId: p.chainId, recordType: p.recordType, key: p.key, height: p.height, blockHash: p.blockHash, record, recordDigest: digestOf(record), ...canonicalEvidence(evidence), finality: p.finality };
    }
    default:
      return kind satisfies never;
  }
}

/** Verify evidence of ABSENCE: the record's storage is proven empty at a final block (EVM, Substrate). */
export function verifySourceAbsence(evidence: SourceEvidence | unknown, trust: EvidenceTrust, opts: VerifyEvidenceOptions): VerifiedAbsence {
  checkNow(opts);
  const kind = kindOf(evidence);
  let p: { chainId: string; recordType: string; key: string; height: number; blockHash: string; finality: VerifiedAbsence['finality'] };
  switch (kind) {
    case 'evm-storage': {
      mappingOf(opts, 'evm-storage');
      const e = proveEvmStorage(evidence, trust, opts);
      if (!e.absent) fail('EVIDENCE_MISMATCH', { field: 'slots', actual: 'a present record', expected: 'all slots zero' });
      p = e;
      break;
    }
    case 'substrate-storage': {
      const s = proveSubstrateStorage(evidence, trust, opts, mappingOf(opts, 'substrate-storage'));
      if (s.value !== null) fail('EVIDENCE_MISMATCH', { field: 'readProof', actual: 'a present value', expected: 'the key proven absent' });
      p = s;
      break;
    }
    case 'bft-merkle':
      return fail('UNKNOWN_TYPE', { type: 'bft-merkle absence (records trees are unsorted; absence is not provable)' });
    default:
      return kind satisfies never;
  }
  return { chainId: p.chainId, recordType: p.recordType, key: p.key, height: p.height, blockHash: p.blockHash, evidenceDigest: digestOf(evidence), finality: p.finality };
}
