/**
 * Light-client state transitions, pure and kind-independent: every function takes a TrustState and returns a new
 * one (inputs are never mutated), so the relay can store states as JSON and replay decisions.
 *
 * `acceptHeader` is the one way a state advances, as an ordered list of named steps:
 *   1. the chain is not frozen                                          (CHAIN_FROZEN)
 *   2. the trusting period since the last trusted update has not expired (TRUSTING_PERIOD_EXPIRED)
 *   3. pick the set valid at the height the evidence claims             (NO_VALIDATOR_SET_AT_HEIGHT)
 *   4. the kind's verifier proves the header final under that set      (kind-specific codes)
 *   5. a different final header at the same height freezes the chain   (result status 'frozen', evidence kept)
 *   6. a hand-over announced by the (final) header is recorded          (VALIDATOR_SET_UNCERTIFIED if it contradicts history)
 *   7. remember the header; advance the checkpoint when it is higher
 *
 * Skipping (as in Tendermint's light client): a header above the checkpoint is checked against the newest set; this
 * is sound because a quorum of the set we trust signed it. A chain whose set changed in a block the client never saw
 * fails step 4 (the old set cannot reach quorum), and the relay must submit the hand-over header first.
 */
import { CourtBridgeError, fail } from '../../errors.js';
import { FINALITY_VERIFIERS } from './kinds.js';
import type {
  AcceptResult, AcceptedHeader, AdminDecision, ChainKind, FinalityVerifier, FinalizedHeader, JsonValue,
  MisbehaviourEvidence, TrustState, ValidatorSet, ValidatorSetEpoch,
} from './types.js';
import { MAX_EPOCHS, MAX_RECENT } from './state-json.js';
import { parseChainKind } from './validator-set.js';

export { MAX_EPOCHS, MAX_RECENT, fromJSON, toJSON } from './state-json.js';

/** What a trust state starts from: the registration's trust anchor. */
export interface TrustAnchor {
  /** CAIP-2 chain id. */
  readonly chainId: string;
  /** Kind of chain. */
  readonly kind: ChainKind;
  /** Trusting period in seconds (positive). */
  readonly trustingPeriod: number;
  /** The anchor header, trusted by configuration (genesis or a checkpoint the operator attests). */
  readonly header: FinalizedHeader;
  /** The validator set that finalises headers from `header.height` on (or from `setFromHeight`). */
  readonly validatorSet: ValidatorSet;
  /** First height the anchor set finalises; defaults to `header.height`. */
  readonly setFromHeight?: number;
}

function nonNegative(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail('BAD_INTEGER', { field });
  return value;
}

/** A fresh trust state from a trust anchor, trusted at `now` (Unix seconds). */
export function createTrustState(anchor: TrustAnchor, now: number): TrustState {
  const kind = parseChainKind(anchor.kind);
  if (anchor.validatorSet.kind !== kind) fail('VALIDATOR_SET_MISMATCH', { expected: kind, actual: anchor.validatorSet.kind });
  if (anchor.header.chainId !== anchor.chainId || anchor.header.kind !== kind) fail('CHAIN_ID_MISMATCH', { expected: anchor.chainId, actual: anchor.header.chainId });
  if (nonNegative(anchor.trustingPeriod, 'trustingPeriod') === 0) fail('BAD_INTEGER', { field: 'trustingPeriod' });
  const fromHeight = nonNegative(anchor.setFromHeight ?? anchor.header.height, 'setFromHeight');
  return {
    version: 1,
    chainId: anchor.chainId,
    kind,
    trustingPeriod: anchor.trustingPeriod,
    checkpoint: { height: anchor.header.height, hash: anchor.header.hash, at: nonNegative(now, 'now') },
    validatorSets: [{ fromHeight, set: anchor.validatorSet }],
    recent: [{ header: anchor.header, evidence: null }],
    frozen: false,
    misbehaviour: [],
    resolved: [],
  };
}

/** The epoch index whose window [fromHeight, toHeight) holds `height`, or -1. */
function epochIndexAt(state: TrustState, height: number): number {
  return state.validatorSets.findIndex((e) => e.fromHeight <= height && (e.toHeight === undefined || height < e.toHeight));
}

/** The validator set valid at `height`; NO_VALIDATOR_SET_AT_HEIGHT when the history does not cover it. */
export function setAt(state: TrustState, height: number): ValidatorSet {
  const i = epochIndexAt(state, nonNegative(height, 'height'));
  if (i < 0) fail('NO_VALIDATOR_SET_AT_HEIGHT', { height });
  return state.validatorSets[i]!.set;
}

/** True when the trusting period since the checkpoint was trusted has run out at `now`. */
export function isExpired(state: TrustState, now: number): boolean {
  return now >= state.checkpoint.at + state.trustingPeriod;
}

/** Record a hand-over announced by a final header at `height` (step 6); returns the new epoch list. */
function applyHandover(state: TrustState, header: FinalizedHeader): readonly ValidatorSetEpoch[] {
  const next = header.nextValidatorSet;
  if (next === undefined) return state.validatorSets;
  const epochs = state.validatorSets;
  const i = epochIndexAt(state, header.height);
  const current = epochs[i]!;
  if (next.set.kind !== state.kind) fail('VALIDATOR_SET_UNCERTIFIED', { setId: next.set.id, reason: `set of kind ${next.set.kind}` });
  if (!Number.isSafeInteger(next.fromHeight) || next.fromHeight <= header.height) {
    fail('VALIDATOR_SET_UNCERTIFIED', { setId: next.set.id, reason: `hand-over height ${next.fromHeight} is not above ${header.height}` });
  }
  if (current.toHeight === undefined) {
    if (next.set.id === current.set.id) return epochs; // announces no change
    // Headers up to the checkpoint were accepted under the current set: a hand-over below it would contradict them.
    if (next.fromHeight <= state.checkpoint.height) {
      fail('VALIDATOR_SET_UNCERTIFIED', { setId: next.set.id, reason: `hand-over at ${next.fromHeight} is not above the checkpoint ${state.checkpoint.height}; submit hand-overs in order` });
    }
    if (epochs.length >= MAX_EPOCHS) fail('TOO_LARGE', { field: 'validatorSets', limit: MAX_EPOCHS });
    return [...epochs.slice(0, i), { fromHeight: current.fromHeight, toHeight: next.fromHeight, set: current.set }, { fromHeight: next.fromHeight, set: next.set }];
  }
  // A header inside a closed epoch must agree with the hand-over already recorded.
  const successor = epochs[i + 1]!;
  if (next.set.id === current.set.id && next.fromHeight < current.toHeight) return epochs;
  if (successor.fromHeight !== next.fromHeight || successor.set.id !== next.set.id) {
    fail('VALIDATOR_SET_UNCERTIFIED', { setId: next.set.id, reason: `history already hands over to ${successor.set.id} at ${successor.fromHeight}` });
  }
  return epochs;
}

/** Insert `entry` into the recent list (ascending height), keeping the highest MAX_RECENT. */
function remember(recent: readonly AcceptedHeader[], entry: AcceptedHeader): readonly AcceptedHeader[] {
  if (recent.some((r) => r.header.height === entry.header.height)) return recent;
  const out = [...recent, entry].sort((a, b) => a.header.height - b.header.height);
  return out.length > MAX_RECENT ? out.slice(out.length - MAX_RECENT) : out;
}

/**
 * Verify `evidence` (the raw finality evidence of one header of a `kind` chain) against the trust state at `now`
 * (Unix seconds). Returns the accepted header and the advanced state, or — when the header is final but conflicts
 * with one already accepted at its height — the frozen state with the misbehaviour evidence. Throws otherwise.
 */
export function acceptHeader(
  state: TrustState,
  kind: ChainKind,
  evidence: JsonValue,
  now: number,
  verifiers: Readonly<Partial<Record<ChainKind, FinalityVerifier>>> = FINALITY_VERIFIERS,
): AcceptResult {
  nonNegative(now, 'now');
  if (kind !== state.kind) fail('INVALID_INPUT', { field: 'kind', reason: `the state is for ${state.kind}, not ${kind}` });
  // Step 1: a frozen chain accepts nothing until an administrator decides.
  if (state.frozen) fail('CHAIN_FROZEN', { chainId: state.chainId });
  // Step 2: the trusting period runs from the last trusted update.
  if (isExpired(state, now)) fail('TRUSTING_PERIOD_EXPIRED', { at: state.checkpoint.at, now });
  // Step 3: the set valid at the claimed height.
  const verifier = verifiers[kind] ?? fail('UNKNOWN_TYPE', { type: kind });
  const claimed = verifier.heightOf(evidence);
  const set = setAt(state, claimed);
  // Step 4: finality under that set.
  const header = verifier.verify(evidence, set, { chainId: state.chainId });
  if (header.chainId !== state.chainId) fail('CHAIN_ID_MISMATCH', { expected: state.chainId, actual: header.chainId });
  if (header.height !== claimed || header.kind !== kind) fail('INTERNAL', { reason: 'verifier returned a header other than the one claimed' });
  // The evidence is copied so that the caller's later changes cannot reach the (immutable) state.
  const kept = JSON.parse(JSON.stringify(evidence)) as JsonValue;
  // Step 5: two different final headers at one height are proof of misbehaviour.
  // (The checkpoint is always among the recent headers: createTrustState and fromJSON ensure it.)
  const known = state.recent.find((r) => r.header.height === header.height);
  if (known !== undefined && known.header.hash !== header.hash) {
    const misbehaviour: MisbehaviourEvidence = { height: header.height, detectedAt: now, first: known, second: { header, evidence: kept } };
    const error = new CourtBridgeError('HEADER_CONFLICT', { height: header.height, a: known.header.hash, b: header.hash });
    return { status: 'frozen', state: { ...state, frozen: true, misbehaviour: [...state.misbehaviour, misbehaviour] }, evidence: misbehaviour, error };
  }
  // Step 6: a hand-over certified by this final header.
  const validatorSets = applyHandover(state, header);
  // Step 7: remember it; advance the checkpoint when it is the highest.
  const checkpoint = header.height > state.checkpoint.height ? { height: header.height, hash: header.hash, at: now } : state.checkpoint;
  return { status: 'accepted', header, state: { ...state, checkpoint, validatorSets, recent: remember(state.recent, { header, evidence: kept }) } };
}

/** Lift a freeze by an administrator's decision; the evidence moves to `resolved` together with the decision. */
export function unfreeze(state: TrustState, decision: AdminDecision): TrustState {
  if (!state.frozen) fail('INVALID_INPUT', { field: 'state', reason: 'the chain is not frozen' });
  if (typeof decision.by !== 'string' || decision.by.length === 0) fail('INVALID_INPUT', { field: 'decision.by', reason: 'must name the administrator' });
  if (typeof decision.reason !== 'string' || decision.reason.length === 0) fail('INVALID_INPUT', { field: 'decision.reason', reason: 'must be given' });
  nonNegative(decision.at, 'decision.at');
  let recent = state.recent;
  let checkpoint = state.checkpoint;
  if (decision.canonicalHash !== undefined) {
    for (const m of state.misbehaviour) {
      const keep = [m.first, m.second].find((c) => c.header.hash === decision.canonicalHash);
      if (keep === undefined) fail('INVALID_INPUT', { field: 'decision.canonicalHash', reason: `matches neither header at height ${m.height}` });
      recent = recent.map((r) => (r.header.height === m.height ? keep : r));
      if (checkpoint.height === m.height) checkpoint = { ...checkpoint, hash: keep.header.hash };
    }
  }
  const resolved = { evidence: state.misbehaviour, decision: { ...decision } };
  return { ...state, frozen: false, misbehaviour: [], recent, checkpoint, resolved: [...state.resolved, resolved] };
}
