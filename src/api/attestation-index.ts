/**
 * The court's attestation query index: relay attestations (relay/attestation.ts, `courtbridge.attestation/v1`) read
 * back from the ledger into `api_attestations` + `api_attestation_subjects` (salted subject refs only — the
 * attestation never holds a raw identifier). A court's subject or case number is hashed exactly as at ingest
 * (src/ids `subjectRef`, HMAC-SHA256 with the consortium salt) and matched against the refs.
 */
import { ATTESTATION_TYPE } from '../../relay/attestation.js';
import type { AttestationIndexRow } from './store/types.js';

const DOMAIN_RE = /\/schemas\/domain\/([a-z0-9-]{1,32})\//;

/** The index row of an attestation leaf, or undefined for any other leaf. */
export function attestationRowOfLeaf(data: Uint8Array, ledgerIndex: number): AttestationIndexRow | undefined {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (!text.includes(ATTESTATION_TYPE)) return undefined;
  let a: Record<string, unknown> | undefined;
  try {
    a = (JSON.parse(text) as { attestation?: Record<string, unknown> }).attestation;
  } catch {
    return undefined;
  }
  if (!a || a.type !== ATTESTATION_TYPE || typeof a.id !== 'string') return undefined;
  const src = a.source as Record<string, unknown> | undefined;
  const rec = a.record as Record<string, unknown> | undefined;
  if (typeof src?.chainId !== 'string' || typeof src.recordType !== 'string' || typeof src.blockHeight !== 'number' || typeof rec?.schemaId !== 'string' || typeof a.issuedAt !== 'string') return undefined;
  const subjects = Array.isArray(a.subjects) ? (a.subjects as { ref?: unknown }[]) : [];
  const refs = subjects.map((s) => s?.ref).filter((r): r is string => typeof r === 'string' && r.length <= 200);
  if (typeof src.keyRef === 'string') refs.push(src.keyRef);
  return {
    ledgerIndex, attestationId: a.id, chainId: src.chainId, recordType: src.recordType, schemaId: rec.schemaId,
    domain: DOMAIN_RE.exec(rec.schemaId)?.[1] ?? '', blockHeight: src.blockHeight, issuedAt: a.issuedAt, subjectRefs: [...new Set(refs)],
  };
}
