/**
 * Verification of `bft-merkle` evidence (docs/bft-format.md): ordered steps
 *   1. envelope; the mapping is the registration's `bft-merkle` mapping
 *   2. the header is final: its quorum certificate verifies under the trusted validator set (light client, `bft-qc`)
 *   3. the record text is RFC 8785 canonical JSON of an object, leaf `index` of the header's records tree
 *      (RFC 9162 §2.1.3.2 inclusion against `recordsRoot`)
 *   4. the record is about the key (and type) asked for
 */
import { canonicalJson } from '../../crypto/canonical.js';
import { fail } from '../../errors.js';
import { parseBftHeader, parseBftRecordProof } from '../bft/format.js';
import { verifyRecordInclusion } from '../bft/records.js';
import type { JsonValue } from '../lightclient/types.js';
import type { BftRecordMapping, EvidenceTrust, FinalitySummary, VerifyEvidenceOptions } from '../../../adapters/types.js';
import { acceptFinal, envelope, lightClientTrust, strictObject } from './common.js';

/** Longest record text accepted (characters). */
export const MAX_RECORD_TEXT = 1 << 20;

/** A verified BFT record, before digests. */
export interface ProvenBftRecord {
  readonly chainId: string;
  readonly recordType: string;
  readonly key: string;
  readonly height: number;
  readonly blockHash: string;
  readonly record: { [k: string]: JsonValue };
  readonly finality: FinalitySummary;
}

function parseRecordText(data: unknown): { [k: string]: JsonValue } {
  if (typeof data !== 'string' || data.length > MAX_RECORD_TEXT) return fail('INVALID_INPUT', { field: 'evidence.record.data', reason: `must be JSON text of at most ${MAX_RECORD_TEXT} characters` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (e) {
    return fail('MALFORMED_JSON', { field: 'evidence.record.data', reason: 'not JSON' }, e);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('INVALID_INPUT', { field: 'evidence.record.data', reason: 'must be a JSON object' });
  // One record, one spelling: the leaf is the canonical form, so the text must be it.
  if (canonicalJson(parsed) !== data) fail('EVIDENCE_MISMATCH', { field: 'record.data', actual: 'non-canonical JSON', expected: 'RFC 8785 canonical JSON' });
  return parsed as { [k: string]: JsonValue };
}

/** Steps 1–4. */
export function verifyBftMerkle(evidence: unknown, trust: EvidenceTrust, opts: VerifyEvidenceOptions, mapping: BftRecordMapping): ProvenBftRecord {
  // Step 1: envelope.
  const o = strictObject(evidence, 'evidence', ['kind', 'chainId', 'recordType', 'key', 'header', 'certificate', 'record'], ['validatorSet']);
  const env = envelope(o, trust, opts);
  // Step 2: the light client checks the certificate (and a revealed hand-over set).
  const finality = { header: o.header, certificate: o.certificate, ...(o.validatorSet === undefined ? {} : { nextValidatorSet: o.validatorSet }) } as JsonValue;
  const { header: final, validatorSetId } = acceptFinal(lightClientTrust(trust, 'bft-qc'), finality, opts.now);
  const header = parseBftHeader(o.header, 'evidence.header');
  // Step 3: record inclusion in the records tree.
  const r = strictObject(o.record, 'evidence.record', ['data', 'index', 'proof']);
  const record = parseRecordText(r.data);
  verifyRecordInclusion(header, parseBftRecordProof({ data: record, index: r.index, proof: r.proof }, 'evidence.record'));
  // Step 4: key and type.
  if (record[mapping.keyField] !== env.key) fail('EVIDENCE_MISMATCH', { field: `record.${mapping.keyField}`, actual: JSON.stringify(record[mapping.keyField] ?? null), expected: env.key });
  if (mapping.typeField !== undefined) {
    const want = mapping.typeValue ?? env.recordType;
    if (record[mapping.typeField] !== want) fail('EVIDENCE_MISMATCH', { field: `record.${mapping.typeField}`, actual: JSON.stringify(record[mapping.typeField] ?? null), expected: want });
  }
  return { ...env, height: final.height, blockHash: final.hash, record, finality: { rule: 'bft-qc', trust: 'light-client', chainKind: 'bft-qc', validatorSetId } };
}
