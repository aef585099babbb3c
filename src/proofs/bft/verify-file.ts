/**
 * `courtbridge proof verify` for files of type `quorum-certificate` (docs/bft-format.md §Proof file):
 * `{type, header, validatorSet, certificate, record?}`. Valid iff the set is the one the header names, the
 * certificate reaches quorum with valid signatures, and the record (when given) is in the header's records tree.
 * The set is taken from the file: the file proves internal consistency; trust in the set is the reader's business
 * (the light client takes sets from its trust state instead).
 */
import { fail } from '../../errors.js';
import { objectWith, parseBftCertificate, parseBftHeader, parseBftRecordProof, parseBftValidatorSet } from './format.js';
import { verifyQuorumCertificate } from './quorum.js';
import { verifyRecordInclusion } from './records.js';

/** Verify a parsed `quorum-certificate` proof file; throws a coded error unless valid. */
export function verifyQuorumCertificateFile(input: Record<string, unknown>): void {
  // Step 0: parse the whole file at the edge (unknown fields fail closed).
  const o = objectWith(input, 'file', ['type', 'header', 'validatorSet', 'certificate'], ['record']);
  if (o.type !== 'quorum-certificate') fail('UNKNOWN_TYPE', { type: String(o.type) });
  const header = parseBftHeader(o.header);
  const set = parseBftValidatorSet(o.validatorSet);
  const certificate = parseBftCertificate(o.certificate);
  const record = o.record === undefined ? undefined : parseBftRecordProof(o.record);
  // Step 1: the header is final under the set.
  verifyQuorumCertificate(header, set, certificate);
  // Step 2: the record is in the header's records tree.
  if (record !== undefined) verifyRecordInclusion(header, record);
}
