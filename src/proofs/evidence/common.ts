/**
 * Helpers shared by the per-kind evidence verifiers: strict parsing of the evidence envelope, the light-client step,
 * and the digests of a VerifiedRecord.
 */
import { canonicalBytes, canonicalJson } from '../../crypto/canonical.js';
import { toHex0x } from '../../crypto/bytes.js';
import { sha256 } from '../../crypto/hash.js';
import { fail } from '../../errors.js';
import { acceptHeader, setAt } from '../lightclient/state.js';
import type { ChainKind, FinalizedHeader, JsonValue, TrustState } from '../lightclient/types.js';
import type { EvidenceTrust, RecordMapping, VerifyEvidenceOptions } from '../../../adapters/types.js';

/** A plain object with exactly the `required` keys and some of `optional` (INVALID_INPUT naming the field). */
export { objectWith as strictObject } from '../bft/format.js';

/** A non-empty string of at most `max` characters. */
export function text(value: unknown, field: string, max = 256): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) return fail('INVALID_INPUT', { field, reason: `must be a string of 1..${max} characters` });
  return value;
}

/** The envelope every evidence kind shares; checks it against the trust's chain and `opts.expect`. */
export function envelope(o: Record<string, unknown>, trust: EvidenceTrust, opts: VerifyEvidenceOptions): { chainId: string; recordType: string; key: string } {
  const chainId = text(o.chainId, 'evidence.chainId', 64);
  const recordType = text(o.recordType, 'evidence.recordType', 128);
  const key = text(o.key, 'evidence.key', 256);
  if (chainId !== trust.chainId) fail('CHAIN_ID_MISMATCH', { expected: trust.chainId, actual: chainId });
  const want = opts.expect;
  if (want !== undefined) {
    if (want.chainId !== chainId) fail('EVIDENCE_MISMATCH', { field: 'chainId', actual: chainId, expected: want.chainId });
    if (want.recordType !== recordType) fail('EVIDENCE_MISMATCH', { field: 'recordType', actual: recordType, expected: want.recordType });
    if (want.key !== key) fail('EVIDENCE_MISMATCH', { field: 'key', actual: key, expected: want.key });
  }
  return { chainId, recordType, key };
}

/** The registration's mapping must be exactly the evidence's (when the caller gives it). */
export function sameMapping(evidenceMapping: RecordMapping, expected: RecordMapping | undefined): void {
  if (expected === undefined) return;
  const a = canonicalJson(evidenceMapping);
  const b = canonicalJson(expected);
  if (a !== b) fail('EVIDENCE_MISMATCH', { field: 'mapping', actual: a, expected: b });
}

/** The trust must be a light-client state of `kind`. */
export function lightClientTrust(trust: EvidenceTrust, kind: ChainKind): TrustState {
  if (trust.kind !== kind) return fail('EVIDENCE_MISMATCH', { field: 'trust.kind', actual: trust.kind, expected: kind });
  return trust as TrustState;
}

/** Light-client step: `finality` proves a header final under the trusted set (frozen → HEADER_CONFLICT). */
export function acceptFinal(state: TrustState, finality: JsonValue, now: number): { header: FinalizedHeader; validatorSetId: string } {
  const result = acceptHeader(state, state.kind, finality, now);
  if (result.status === 'frozen') throw result.error;
  return { header: result.header, validatorSetId: setAt(state, result.header.height).id };
}

/** `0x` SHA-256 of the RFC 8785 canonical JSON of `value`. */
export function digestOf(value: unknown): string {
  return toHex0x(sha256(canonicalBytes(value)));
}
