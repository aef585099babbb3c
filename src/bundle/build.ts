/**
 * `buildEvidenceBundle`: assemble the bundle of one attestation from the ledger, the relay's tables and the
 * registrations (I/O). Steps:
 *   1. locate the ledger entry (by attestation id through the relay's receipt, or by ledger index) and its job
 *      (the raw record key and the pinned block height);
 *   2. the source evidence: given by the caller (`opts.evidence`), else the raw evidence the relay stored before the
 *      append (relay schema v2 `relay_evidence`; its digest checked against the attestation, BUNDLE_MISMATCH), else —
 *      only for attestations made before v2 — fetched again from the partner chain at the job's pinned height; the
 *      digest must equal the attested one (BUNDLE_EVIDENCE_UNAVAILABLE);
 *   3. the validator-set chain: the adapter's certified hand-overs above the registered anchor, up to the record;
 *   4. a signed checkpoint covering the entry (the latest, or a new one) and, in THAT tree, the inclusion proofs of
 *      the entry and of the registration's activation event;
 *   5. the court facts (facts.ts), then a self-check: the built bundle must verify 一致 (else the step's code).
 */
import { toHex } from '../crypto/bytes.js';
import { canonicalJson } from '../crypto/canonical.js';
import { fail } from '../errors.js';
import type { Ledger } from '../ledger/ledger.js';
import { decodeJwt } from '../../did/jwt.js';
import { parseRegistration } from '../../adapters/registration/parse.js';
import type { RegistrationDocument } from '../../adapters/registration/types.js';
import { proveRegistration, type ProvenRegistration } from '../../adapters/registration/evidence.js';
import type { RegistrationEvidence } from '../../adapters/registration/service.js';
import type { JsonValue, SourceEvidence } from '../../adapters/types.js';
import { attestationIdOfLeaf, jsonDigest, type SignedAttestation } from '../../relay/attestation.js';
import type { ChainResolver } from '../../relay/pipeline.js';
import type { RelayStore } from '../../relay/jobs/types.js';
import { evidenceFromRow } from '../../relay/evidence.js';
import { deriveFacts, type CourtInput } from './facts.js';
import { chainBetween, verifyBundleSource } from './source.js';
import { BUNDLE_TYPE, BUNDLE_VERSION, type EvidenceBundle } from './types.js';
import { jwsHeader } from './steps.js';
import { verifyEvidenceBundle } from './verify.js';

/** Where the registration facts come from (`RegistrationService` satisfies it). */
export interface RegistrationEvidenceSource {
  evidence(chainId: string, version?: number): Promise<RegistrationEvidence>;
  /** The version active at a ledger index (the newest activated before it); default: the active version. */
  versionAt?(chainId: string, ledgerIndex: number): Promise<number | undefined>;
}

/** What the builder reads. */
export interface BundleSources {
  ledger: Ledger;
  relayStore: RelayStore;
  registrations: RegistrationEvidenceSource;
  /** The relay's chains, to fetch the evidence of pre-v2 attestations again (step 2) and the hand-overs (step 3). */
  chains?: ChainResolver;
}

/** Options of `buildEvidenceBundle`. */
export interface BuildBundleOptions extends CourtInput {
  /** The source evidence when the caller holds it (checked against the attested digest). */
  evidence?: SourceEvidence;
  /** The validator-set hand-overs when the caller holds them (raw finality evidence, ascending). */
  validatorSetChain?: JsonValue[];
  /** Return the bundle even when it does not verify 一致 (forensic export of a bad entry); default: BUNDLE_INCONSISTENT. */
  allowInconsistent?: boolean;
}

async function locate(src: BundleSources, which: string | number): Promise<{ index: number; entry: SignedAttestation; jobId: number | null }> {
  let index: number;
  let jobId: number | null = null;
  if (typeof which === 'string') {
    const r = (await src.relayStore.receipt(which.toLowerCase())) ?? fail('ATTESTATION_NOT_FOUND', { id: which });
    index = r.ledgerIndex;
    jobId = r.jobId;
  } else {
    if (!Number.isSafeInteger(which) || which < 0) fail('BAD_INTEGER', { field: 'ledgerIndex' });
    index = which;
  }
  const leaf = await src.ledger.get(index);
  const id = attestationIdOfLeaf(leaf.data) ?? fail('ATTESTATION_NOT_FOUND', { id: `ledger entry ${index}` });
  if (typeof which === 'string' && id !== which.toLowerCase()) fail('RELAY_LEDGER_MISMATCH', { id: which, index, reason: `holds ${id}` });
  if (jobId === null) jobId = (await src.relayStore.receipt(id))?.jobId ?? null;
  return { index, entry: JSON.parse(Buffer.from(leaf.data).toString('utf8')) as SignedAttestation, jobId };
}

/** Step 2–3: the evidence (checked against the attested digest) and the hand-overs. */
async function sourceParts(src: BundleSources, entry: SignedAttestation, jobId: number | null, opts: BuildBundleOptions, anchorHeight: number | undefined): Promise<{ evidence: SourceEvidence; updates: JsonValue[] }> {
  const att = entry.attestation;
  const unavailable = (reason: string): never => fail('BUNDLE_EVIDENCE_UNAVAILABLE', { id: att.id, reason });
  let evidence = opts.evidence;
  if (evidence === undefined) {
    const stored = await src.relayStore.evidence(att.id);
    if (stored !== undefined) evidence = evidenceFromRow(stored, att);
  }
  let updates = opts.validatorSetChain;
  if (evidence === undefined || (updates === undefined && anchorHeight !== undefined)) {
    const job = jobId === null ? undefined : await src.relayStore.job(jobId);
    if (job === undefined) return unavailable('no relay job holds the record key (pass the evidence)');
    const chain = (await src.chains?.(att.source.chainId)) ?? unavailable(`no adapter for ${att.source.chainId}`);
    evidence ??= await chain.adapter.fetchRecord({ chainId: job.chainId, recordType: job.recordType, key: job.key }, att.source.blockHeight);
    if (updates === undefined && anchorHeight !== undefined) updates = chain.adapter.trustUpdates ? await chain.adapter.trustUpdates(anchorHeight) : [];
  }
  if (jsonDigest(evidence) !== att.evidence.digest) unavailable('the chain now returns evidence with another digest than the attested one');
  return { evidence, updates: updates ?? [] };
}

/** The record proven by the evidence, or (forensic export) the evidence's own claim of it when it does not verify. */
function recordOf(evidence: SourceEvidence, doc: RegistrationDocument, chain: readonly JsonValue[], issuedAt: string): JsonValue {
  try {
    return verifyBundleSource(doc, evidence, chain, Math.floor(Date.parse(issuedAt) / 1000)).verified.record;
  } catch {
    return evidence.kind === 'bft-merkle' ? (JSON.parse(evidence.record.data) as JsonValue) : {};
  }
}

/** Build the evidence bundle of an attestation (by id) or of a ledger entry (by index). */
export async function buildEvidenceBundle(src: BundleSources, which: string | number, opts: BuildBundleOptions = {}): Promise<EvidenceBundle> {
  // Step 1.
  const { index, entry, jobId } = await locate(src, which);
  const att = entry.attestation;
  const version = await src.registrations.versionAt?.(att.source.chainId, index);
  const regEv = await src.registrations.evidence(att.source.chainId, version);
  const doc = parseRegistration(decodeJwt(regEv.registrationJws, 1024 * 1024).payload.registration);
  // Steps 2–3.
  const { evidence, updates } = await sourceParts(src, entry, jobId, opts, doc.trustAnchor?.header.height);
  const validatorSetChain = chainBetween(doc, evidence, updates);
  const record = opts.allowInconsistent ? recordOf(evidence, doc, validatorSetChain, att.issuedAt) : verifyBundleSource(doc, evidence, validatorSetChain, Math.floor(Date.parse(att.issuedAt) / 1000)).verified.record;
  // Step 4: a checkpoint whose tree holds the entry (and the activation, which precedes it).
  const head = await src.ledger.head();
  const treeSize = head.checkpoint !== undefined && head.checkpoint.treeSize > index ? head.checkpoint.treeSize : (await src.ledger.checkpoint()).treeSize;
  if (regEv.activationIndex >= treeSize) fail('BUNDLE_EVIDENCE_UNAVAILABLE', { id: att.id, reason: 'the registration was activated after the checkpoint' });
  const inclusion = await src.ledger.proveInclusion(index, treeSize);
  const note = await src.ledger.checkpointNote(treeSize);
  const witnessKeys = [...new Set((await src.ledger.store.cosignatures(treeSize)).map((c) => c.verifierKey))];
  const proven: ProvenRegistration = await proveRegistration(regEv, src.ledger, treeSize);
  const ledger = {
    origin: head.origin, hashAlg: head.hashAlg as 'sha256' | 'sm3', verifierKeys: head.verifierKeys, witnessKeys,
    index, leafHash: toHex(inclusion.leafHash), treeSize, proof: inclusion.proof.map(toHex), root: toHex(inclusion.root), checkpoint: note,
  };
  // Step 5.
  const jwsAlg = String(jwsHeader(entry.jws).alg);
  const bundle: EvidenceBundle = {
    type: BUNDLE_TYPE,
    bundleVersion: BUNDLE_VERSION,
    attestation: { canonical: canonicalJson(att), jws: entry.jws },
    record: record as EvidenceBundle['record'],
    sourceEvidence: evidence,
    validatorSetChain,
    ledger,
    registration: {
      chainId: proven.chainId, version: proven.version, digest: proven.digest, registrationJws: proven.registrationJws,
      activationIndex: proven.activationIndex, activation: { ...proven.activation, proof: [...proven.activation.proof] },
    },
    facts: deriveFacts({ doc, evidence, attestation: att, jwsAlg, ledger, validatorSetChain, court: opts }),
  };
  const check = verifyEvidenceBundle(bundle);
  if (!check.consistent && opts.allowInconsistent !== true) fail('BUNDLE_INCONSISTENT', { step: check.reason!.step, code: check.reason!.code });
  return bundle;
}
