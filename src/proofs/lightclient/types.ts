/**
 * Shared types of the light client: one set of types for every partner-chain kind (EVM QBFT / IBFT 2.0 / Clique,
 * Substrate GRANDPA, CourtBridge BFT quorum certificates).
 *
 * Everything here is plain JSON data (hex strings, safe integers, no `Uint8Array`, no `bigint`), so that a
 * `TrustState` survives `JSON.stringify` → `JSON.parse` unchanged and the relay can store it as it is.
 * Conventions: hashes, keys and addresses are `0x`-prefixed lower-case hex; heights are block numbers (safe
 * integers ≥ 0); times are Unix seconds (safe integers); weights are positive safe integers.
 */
import type { CourtBridgeError } from '../../errors.js';

/** Every chain kind, in a fixed order (runtime list for parsing and table-driven tests). */
export const CHAIN_KINDS = ['evm-qbft', 'evm-ibft2', 'evm-clique', 'substrate-grandpa', 'bft-qc'] as const;

/** The kinds of partner chain whose finality CourtBridge verifies. */
export type ChainKind = (typeof CHAIN_KINDS)[number];

/** A JSON value: what raw evidence (certificates, headers, justifications) is, exactly as a chain returned it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Signature algorithms a validator key may use (names as in src/crypto/signature.ts). */
export type ValidatorAlg = 'Ed25519' | 'ES256K' | 'SM2';

/**
 * One member of a validator set. Which key fields are present depends on the kind:
 * - `evm-qbft` / `evm-ibft2` / `evm-clique`: `address` (20 bytes; seals are recovered to addresses), weight 1;
 * - `substrate-grandpa`: `alg` 'Ed25519' + `publicKey` (32 bytes), weight = GRANDPA authority weight;
 * - `bft-qc`: `alg` + `publicKey` (Ed25519 32 bytes; ES256K / SM2 SEC1 compressed 33 bytes), weight as configured.
 */
export interface ValidatorMember {
  /** Identifier unique in the set: bft-qc validator id; EVM address; GRANDPA public key hex. */
  readonly id: string;
  /** Voting weight, a positive safe integer. */
  readonly weight: number;
  /** Signature algorithm of `publicKey`, when the kind signs with public keys. */
  readonly alg?: ValidatorAlg;
  /** `0x` hex public key, when the kind signs with public keys. */
  readonly publicKey?: string;
  /** `0x` hex 20-byte address, for EVM kinds. */
  readonly address?: string;
}

/** A validator set of one chain kind. */
export interface ValidatorSet {
  /** Which kind of chain this set belongs to (its members' key fields depend on it). */
  readonly kind: ChainKind;
  /**
   * CourtBridge's identity of the set: `0x` hex SHA-256 of the RFC 8785 canonical JSON of `{kind, setId?, members}`
   * (see `validatorSetId` in validator-set.ts). Not the chain's own commitment (e.g. the BFT header's
   * `validatorSetHash`), which the kind's verifier recomputes itself.
   */
  readonly id: string;
  /** The chain's own set number where it has one (GRANDPA `set_id`). */
  readonly setId?: number;
  /** Members, in the chain's canonical order (QBFT: sorted addresses; GRANDPA: authority list order). */
  readonly members: readonly ValidatorMember[];
  /** Sum of the members' weights (a safe integer). */
  readonly totalWeight: number;
}

/** A validator-set hand-over announced by a final header: `set` takes over from block `fromHeight` on. */
export interface ValidatorHandover {
  /** First height the new set finalises. */
  readonly fromHeight: number;
  /** The new set, certified because the header announcing it is final under the current set. */
  readonly set: ValidatorSet;
}

/** A header proven final by a kind's `FinalityVerifier`. */
export interface FinalizedHeader {
  /** CAIP-2 chain id (`eip155:<n>`, `polkadot:<genesis-prefix>`, `bft:<network>`). */
  readonly chainId: string;
  /** Kind of the chain. */
  readonly kind: ChainKind;
  /** Block number. */
  readonly height: number;
  /** `0x` hex block hash (the value the finality certificate signs, or commits to). */
  readonly hash: string;
  /** `0x` hex hash of the parent block. */
  readonly parentHash: string;
  /** `0x` hex state root (EVM, Substrate) or records root (bft-qc): what record proofs are checked against. */
  readonly stateRoot: string;
  /** Block time, Unix seconds; absent where the header does not carry one (Substrate keeps it in the body). */
  readonly timestamp?: number;
  /** Present when this header hands finality over to another validator set. */
  readonly nextValidatorSet?: ValidatorHandover;
}

/** Context a verifier gets besides the evidence and the set. */
export interface VerifyContext {
  /** The chain the trust state is for; the verifier fails with CHAIN_ID_MISMATCH when the evidence names another. */
  readonly chainId: string;
}

/**
 * Finality verification for one chain kind: pure, offline, fail-closed.
 * `verify(evidence, set)` returns the finalized header or throws a coded `CourtBridgeError`.
 */
export interface FinalityVerifier {
  /** The kind this verifier handles. */
  readonly kind: ChainKind;
  /** The height the evidence claims, read WITHOUT verifying it (used only to pick the validator set valid there). */
  heightOf(evidence: JsonValue): number;
  /** Check that `evidence` proves a header final under `set`; returns that header. */
  verify(evidence: JsonValue, set: ValidatorSet, ctx: VerifyContext): FinalizedHeader;
}

/** The last header the light client advanced to. */
export interface TrustedCheckpoint {
  /** Block number. */
  readonly height: number;
  /** `0x` hex block hash. */
  readonly hash: string;
  /** Local time (Unix seconds) this checkpoint was trusted: the trusting period runs from here. */
  readonly at: number;
}

/** A validator set with the window of heights it finalises: [fromHeight, toHeight); open-ended when toHeight is absent. */
export interface ValidatorSetEpoch {
  /** First height the set finalises. */
  readonly fromHeight: number;
  /** First height it no longer finalises; absent for the current set. */
  readonly toHeight?: number;
  /** The set. */
  readonly set: ValidatorSet;
}

/** A final header the light client accepted, kept with its raw evidence (for conflict detection and audit). */
export interface AcceptedHeader {
  /** The verified header. */
  readonly header: FinalizedHeader;
  /** The raw evidence it was verified from. */
  readonly evidence: JsonValue;
}

/** Proof of misbehaviour: two headers at one height, both final under the set valid there, with different hashes. */
export interface MisbehaviourEvidence {
  /** The height both headers claim. */
  readonly height: number;
  /** Local time (Unix seconds) the conflict was detected. */
  readonly detectedAt: number;
  /** The header accepted first. */
  readonly first: AcceptedHeader;
  /** The conflicting header. */
  readonly second: AcceptedHeader;
}

/** An administrator's decision that lifts a freeze (kept in the state's audit trail). */
export interface AdminDecision {
  /** Who decided (an administrator DID). */
  readonly by: string;
  /** When (Unix seconds). */
  readonly at: number;
  /** Why, for the record. */
  readonly reason: string;
  /** The hash the consortium recognises as canonical at the conflict height; the other header is forgotten. */
  readonly canonicalHash?: string;
}

/** A resolved freeze: the evidence and the decision that lifted it. */
export interface ResolvedMisbehaviour {
  /** The evidence list at the time of the decision. */
  readonly evidence: readonly MisbehaviourEvidence[];
  /** The decision. */
  readonly decision: AdminDecision;
}

/** Per-chain light-client state: immutable, JSON-serialisable, changed only by the pure functions of state.ts. */
export interface TrustState {
  /** Format version of this JSON. */
  readonly version: 1;
  /** CAIP-2 chain id. */
  readonly chainId: string;
  /** Kind of chain (selects the FinalityVerifier). */
  readonly kind: ChainKind;
  /** Seconds after `checkpoint.at` during which the current validator set is trusted without a newer update. */
  readonly trustingPeriod: number;
  /** The highest trusted header. */
  readonly checkpoint: TrustedCheckpoint;
  /** Validator-set history, ordered by `fromHeight`, windows contiguous; the last one is open-ended. */
  readonly validatorSets: readonly ValidatorSetEpoch[];
  /** Recently accepted final headers (bounded, ascending height) for conflict detection. */
  readonly recent: readonly AcceptedHeader[];
  /** True after misbehaviour: every acceptHeader fails with CHAIN_FROZEN until `unfreeze`. */
  readonly frozen: boolean;
  /** The evidence that froze the chain (non-empty exactly when frozen). */
  readonly misbehaviour: readonly MisbehaviourEvidence[];
  /** Past freezes and the decisions that lifted them. */
  readonly resolved: readonly ResolvedMisbehaviour[];
}

/** What `acceptHeader` returns: the header accepted, or the chain frozen by a conflicting final header. */
export type AcceptResult =
  | { readonly status: 'accepted'; readonly state: TrustState; readonly header: FinalizedHeader }
  | {
      readonly status: 'frozen';
      readonly state: TrustState;
      readonly evidence: MisbehaviourEvidence;
      /** HEADER_CONFLICT, for callers that report the outcome as an error (after storing `state`). */
      readonly error: CourtBridgeError;
    };
