/**
 * The evidence bundle (schemas/evidence-bundle.json, DESIGN.md "Core types" `EvidenceBundle`): everything a court —
 * or any expert it hands the file to — needs to check one attestation offline with the published trust anchors only.
 *
 * Every byte of a bundle is covered by a check of `verifyEvidenceBundle`: the attestation by the hub's JWS, the record
 * and the source evidence by the digests the attestation signs, the validator-set chain and the evidence by the light
 * client, the ledger part by the inclusion proof and the signed checkpoint, the registration by the partner's JWS
 * and its activation entry in the same tree, and the court facts by re-deriving them (facts.ts). Nothing in a bundle
 * is "just information" that could be changed unnoticed.
 */
import type { JsonValue, SourceEvidence } from '../../adapters/types.js';

/** Value of `type` (also the `courtbridge proof verify` dispatch key). */
export const BUNDLE_TYPE = 'evidence-bundle';
/** Current bundle format version. */
export const BUNDLE_VERSION = 1;
/** `$id` of schemas/evidence-bundle.json. */
export const BUNDLE_SCHEMA_ID = 'https://courtbridge.example/schemas/evidence-bundle/v1';
/** Largest bundle text a verifier reads (the evidence of one record is far smaller). */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;
/** Most validator-set hand-overs a bundle carries (relay/trust.ts MAX_TRUST_UPDATES). */
export const MAX_VALIDATOR_SET_CHAIN = 1024;

/** The attestation as stored in the ledger: its RFC 8785 text and its detached JWS (relay/attestation.ts). */
export interface BundleAttestation {
  /** RFC 8785 canonical JSON text of the `Attestation`. */
  canonical: string;
  /** Detached compact JWS (`header..signature`) by the hub's DID key. */
  jws: string;
}

/** The ledger part: where the attestation is, the proof and the signed checkpoint of that tree. */
export interface BundleLedger {
  origin: string;
  hashAlg: 'sha256' | 'sm3';
  /** The ledger's note verifier keys (`<name>+<hex id>+<base64>`), every one of which signed the checkpoint. */
  verifierKeys: string[];
  /** Witness verifier keys whose cosignatures the note carries (may be empty). */
  witnessKeys: string[];
  index: number;
  /** Hex RFC 9162 leaf hash of the entry `{attestation, jws}` (RFC 8785 bytes). */
  leafHash: string;
  treeSize: number;
  /** Hex audit path (RFC 9162 §2.1.3). */
  proof: string[];
  /** Hex root of the tree of `treeSize` leaves. */
  root: string;
  /** The signed checkpoint note (C2SP tlog-checkpoint) of `treeSize`, with witness cosignature lines. */
  checkpoint: string;
}

/** The partner's registration and the inclusion of its activation entry in the same tree. */
export interface BundleRegistration {
  chainId: string;
  version: number;
  /** Hex SHA-256 of the RFC 8785 registration document. */
  digest: string;
  /** The partner's compact JWS over the document. */
  registrationJws: string;
  activationIndex: number;
  activation: { hashAlg: string; entry: string; treeSize: number; proof: string[]; root: string };
}

/** One JSON-RPC call of the extraction (credentials stripped from endpoints). */
export interface ExtractionCall {
  method: string;
  params: JsonValue[];
}

/** The facts a court weighs (在线诉讼规则 Arts 16–19, 互联网法院规定 Art 11), re-derived by the verifier. */
export interface CourtFacts {
  sourcePlatform: { name: string; chainId: string; domain: string; filingNumber: string; securityLevel: number };
  operator: { name: string; uscc: string; did: string };
  /** 利害关系: whether the operator is a party, from the case parties the court named in its request. */
  interest: { caseParties: string[]; operatorIsParty: boolean | null; determination: string };
  cryptoSuite: {
    partnerChain: { hash: string[]; signature: string[] };
    attestation: string;
    ledger: { hashAlg: string; noteKeyTypes: string[] };
  };
  timeSource: { attestationIssuedAt: string; issuedAtSource: string; blockHeight: number; blockTimestamp: JsonValue; checkpointTreeSize: number };
  preChainProvenance: { declared: boolean; statement: string };
  extraction: { endpoints: string[]; finality: string; calls: ExtractionCall[] };
}

/** The evidence bundle. */
export interface EvidenceBundle {
  type: typeof BUNDLE_TYPE;
  bundleVersion: typeof BUNDLE_VERSION;
  attestation: BundleAttestation;
  /** The raw (unredacted) record the attestation's `record.digest` commits to. */
  record: { [key: string]: JsonValue };
  /** The SourceEvidence the attestation's `evidence.digest` commits to (raw RPC JSON verbatim). */
  sourceEvidence: SourceEvidence;
  /** Raw light-client finality evidence of each validator-set hand-over from the trust anchor to the record's height. */
  validatorSetChain: JsonValue[];
  ledger: BundleLedger;
  registration: BundleRegistration;
  facts: CourtFacts;
}

/** Outcome of one named verification step. */
export type StepStatus = 'passed' | 'failed' | 'skipped';

/** One step of the verification report. */
export interface BundleStep {
  name: BundleStepName;
  status: StepStatus;
  /** `OK`, a qualified pass (`SELF_ASSERTED`, `RPC_DEPTH`), the error code of a failure, or why it was skipped. */
  code: string;
  detail?: string;
}

/** The named steps, in order. */
export const BUNDLE_STEPS = [
  'schema', 'attestation-signature', 'attestation-binding', 'source-evidence', 'record-schema',
  'ledger-inclusion', 'checkpoint-signature', 'registration', 'court-facts',
] as const;

/** A step name. */
export type BundleStepName = (typeof BUNDLE_STEPS)[number];

/** The verdict: 一致 (consistent) iff every step passed. */
export interface BundleVerification {
  consistent: boolean;
  /**
   * Consistent AND the checkpoint was checked against published trust anchors. Without anchors a bundle can only be
   * consistent with itself (its own ledger keys, `SELF_ASSERTED`): a forger with keys of their own passes that too.
   */
  anchored: boolean;
  steps: BundleStep[];
  /** The first failed step, when inconsistent. */
  reason?: { step: BundleStepName; code: string; detail?: string };
  /** Summary of what was verified (for the report). */
  summary: { attestationId?: string; chainId?: string; recordType?: string; blockHeight?: number; ledgerIndex?: number; treeSize?: number; issuedAt?: string };
}

/** Published trust anchors (`courtbridge verify --trust anchors.json`). */
export interface TrustAnchors {
  type: 'courtbridge-trust-anchors';
  /** The ledger's verifier keys; the checkpoint must be signed by them. */
  ledger: { origin?: string; verifierKeys: string[] };
  /** Hub DIDs allowed to sign attestations (optional). */
  hubDids?: string[];
  /** Per chain: the registered trust anchor (registration document form), or null for depth-rule chains. */
  chains: Record<string, JsonValue>;
}
