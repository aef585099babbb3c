/**
 * The raw source evidence of an attestation as the relay keeps it (schema v2 `relay_evidence`): the RFC 8785 text of
 * the SourceEvidence, whose SHA-256 is exactly the attested `evidence.digest` (src/proofs/evidence/common.ts
 * `digestOf` = SHA-256 of `canonicalBytes` = UTF-8 of `canonicalJson`). Written before the ledger append, read by
 * the evidence-bundle builder instead of fetching the evidence again (DESIGN.md principle 1).
 */
import { toHex0x, utf8 } from '../src/crypto/bytes.js';
import { canonicalJson } from '../src/crypto/canonical.js';
import { sha256 } from '../src/crypto/hash.js';
import { fail } from '../src/errors.js';
import type { SourceEvidence } from '../adapters/types.js';
import type { Attestation } from './attestation.js';
import type { EvidenceRow } from './jobs/types.js';

/** `0x` hex SHA-256 of the UTF-8 bytes of a stored canonical evidence text. */
export function evidenceTextDigest(text: string): string {
  return toHex0x(sha256(utf8(text)));
}

/**
 * The evidence row of an attestation; ATTESTATION_INVALID when the evidence is not the attested one. `text`: the
 * evidence's canonical text when the verifier already produced it (VerifiedEvidence.evidenceText), else computed here.
 */
export function evidenceRow(att: Attestation, evidence: SourceEvidence, now: number, text = canonicalJson(evidence)): EvidenceRow {
  const digest = evidenceTextDigest(text);
  if (digest !== att.evidence.digest) fail('ATTESTATION_INVALID', { reason: `evidence digest ${digest} is not the attested ${att.evidence.digest}` });
  return { attestationId: att.id, evidence: text, evidenceDigest: digest, createdAt: now };
}

/**
 * The stored evidence of an attestation, checked before use: the stored text must hash to the attested digest (and
 * to the row's own digest) and parse as a JSON object; BUNDLE_MISMATCH otherwise.
 */
export function evidenceFromRow(row: EvidenceRow, att: Attestation): SourceEvidence {
  const mismatch = (reason: string): never => fail('BUNDLE_MISMATCH', { field: 'sourceEvidence', reason });
  if (row.attestationId !== att.id) mismatch(`the stored row belongs to ${row.attestationId}`);
  const digest = evidenceTextDigest(row.evidence);
  if (digest !== att.evidence.digest) mismatch(`the stored evidence hashes to ${digest}, the attestation says ${att.evidence.digest}`);
  if (row.evidenceDigest !== digest) mismatch('the stored digest column does not match the stored evidence');
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.evidence);
  } catch {
    return mismatch('the stored evidence is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) mismatch('the stored evidence is not a JSON object');
  // Canonical text round-trips: what is returned is exactly what the digest covers.
  if (canonicalJson(parsed) !== row.evidence) mismatch('the stored evidence is not RFC 8785 canonical');
  return parsed as SourceEvidence;
}
