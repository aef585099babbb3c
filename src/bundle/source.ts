/**
 * Source evidence of a bundle against the trust rebuilt from the registration's trust anchor — the offline replay of
 * what relay/trust.ts did when the record was attested (pure):
 *   1. trust: `createTrustState(trustAnchorOf(registration))` for light-client chains; depth trust (the registered
 *      confirmations) for depth-rule dev chains;
 *   2. the validator-set chain: each certified hand-over, ascending, above the anchor and at most the record's
 *      height, through `acceptHeader` (a hand-over is accepted only under the set valid before it);
 *   3. the record's own finality evidence through `acceptHeader`;
 *   4. `verifySourceEvidence` against the resulting state, with the registration's mapping for the record type.
 * DIFF FROM RELAY: the clock of every step is the attestation's `issuedAt` — the trusting period guards the relay
 * against long-range forks at attestation time; re-evaluating it against today's clock would make every bundle
 * expire. The ledger checkpoint bounds `issuedAt` from above.
 */
import { fail } from '../errors.js';
import { acceptHeader, createTrustState } from '../proofs/lightclient/state.js';
import { FINALITY_VERIFIERS } from '../proofs/lightclient/kinds.js';
import type { TrustState } from '../proofs/lightclient/types.js';
import { verifySourceEvidence } from '../proofs/evidence.js';
import { trustAnchorOf } from '../../adapters/registration/anchor.js';
import type { RegisteredRecordType, RegistrationDocument } from '../../adapters/registration/types.js';
import type { EvidenceTrust, JsonValue, RecordMapping, SourceEvidence, VerifiedRecord } from '../../adapters/types.js';
import { finalityEvidenceOf } from '../../relay/trust.js';
import { MAX_VALIDATOR_SET_CHAIN } from './types.js';

/** The registration's record type `name`; BUNDLE_MISMATCH when the registration has none. */
export function recordTypeOf(doc: RegistrationDocument, name: string): RegisteredRecordType {
  return doc.recordTypes.find((r) => r.name === name) ?? fail('BUNDLE_MISMATCH', { field: 'registration.recordTypes', reason: `the registration has no record type ${name}` });
}

/** Step 1: the initial trust of a registration at `now` (relay/registered-chains.ts `initialTrustOf`, same rules). */
export function initialTrust(doc: RegistrationDocument, now: number): EvidenceTrust {
  const anchor = trustAnchorOf(doc);
  if (anchor !== undefined) return createTrustState(anchor, now);
  const f = doc.finality;
  if (f.rule === 'depth' || f.rule === 'clique') return { kind: 'evm-depth', chainId: doc.chainId, minConfirmations: f.confirmations };
  return fail('RELAY_NO_TRUST_STATE', { chainId: doc.chainId });
}

/** The hand-overs of `updates` a bundle needs: above the anchor, at most the evidence's finality height (ascending). */
export function chainBetween(doc: RegistrationDocument, evidence: SourceEvidence, updates: readonly JsonValue[]): JsonValue[] {
  const anchor = trustAnchorOf(doc);
  if (anchor === undefined) return [];
  const verifier = FINALITY_VERIFIERS[anchor.kind] ?? fail('UNKNOWN_TYPE', { type: anchor.kind });
  const target = verifier.heightOf(finalityEvidenceOf(evidence));
  return updates.filter((u) => {
    const h = verifier.heightOf(u);
    return h > anchor.header.height && h <= target;
  });
}

/** Steps 2–3: advance the light client along the validator-set chain, then to the record's header. */
function advance(trust: TrustState, chain: readonly JsonValue[], evidence: SourceEvidence, now: number): TrustState {
  if (chain.length > MAX_VALIDATOR_SET_CHAIN) fail('TOO_LARGE', { field: 'validatorSetChain', limit: MAX_VALIDATOR_SET_CHAIN });
  const verifier = FINALITY_VERIFIERS[trust.kind] ?? fail('UNKNOWN_TYPE', { type: trust.kind });
  const finality = finalityEvidenceOf(evidence);
  const target = verifier.heightOf(finality);
  let last = trust.checkpoint.height;
  for (const [i, u] of chain.entries()) {
    const h = verifier.heightOf(u);
    // Bundles carry exactly the hand-overs needed: ascending, above the anchor, not above the record.
    if (h <= last || h > target) fail('BUNDLE_MISMATCH', { field: `validatorSetChain[${i}]`, reason: `height ${h} is not in (${last}, ${target}]` });
    last = h;
    const res = acceptHeader(trust, trust.kind, u, now);
    if (res.status === 'frozen') throw res.error;
    trust = res.state;
  }
  const res = acceptHeader(trust, trust.kind, finality, now);
  if (res.status === 'frozen') throw res.error;
  return res.state;
}

/** What `verifyBundleSource` proved, and how. */
export interface BundleSourceResult {
  verified: VerifiedRecord;
  /** `light-client`: certificates under the anchored validator sets; `rpc-depth`: confirmations only (weaker). */
  trust: 'light-client' | 'rpc-depth';
}

/** Steps 1–4 (see the file comment); `now` is the attestation's issue time in Unix seconds. */
export function verifyBundleSource(doc: RegistrationDocument, evidence: SourceEvidence, chain: readonly JsonValue[], now: number): BundleSourceResult {
  const rt = recordTypeOf(doc, evidence.recordType);
  if (rt.mapping.kind === 'evm-event') fail('UNKNOWN_TYPE', { type: 'evm-event' });
  const mapping = rt.mapping as RecordMapping;
  let trust = initialTrust(doc, now);
  if (trust.kind === 'evm-depth') {
    if (chain.length > 0) fail('BUNDLE_MISMATCH', { field: 'validatorSetChain', reason: 'a depth-rule chain has no validator sets' });
  } else {
    trust = advance(trust, chain, evidence, now);
  }
  const verified = verifySourceEvidence(evidence, trust, { now, mapping, expect: { chainId: doc.chainId, recordType: evidence.recordType, key: evidence.key } });
  return { verified, trust: trust.kind === 'evm-depth' ? 'rpc-depth' : 'light-client' };
}
