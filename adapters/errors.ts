/**
 * RECORD_NOT_FOUND with its evidence: an absent record is a fact proven at a block, not a bare error. The relay keeps
 * `absence` (checked with `verifySourceAbsence`) when a court asks for a record that is not there.
 */
import { CourtBridgeError, type ErrorDetails } from '../src/errors.js';
import type { SourceEvidence } from './types.js';

/** RECORD_NOT_FOUND carrying the evidence of absence, when the chain can prove it. */
export class RecordNotFoundError extends CourtBridgeError {
  /** Evidence that the record's storage is empty at `details.height` (absent where absence is not provable). */
  readonly absence: SourceEvidence | undefined;

  constructor(details: ErrorDetails, absence?: SourceEvidence) {
    super('RECORD_NOT_FOUND', details);
    this.absence = absence;
  }
}

/** True for RECORD_NOT_FOUND errors that carry absence evidence. */
export function hasAbsenceEvidence(e: unknown): e is RecordNotFoundError & { absence: SourceEvidence } {
  return e instanceof RecordNotFoundError && e.absence !== undefined;
}
