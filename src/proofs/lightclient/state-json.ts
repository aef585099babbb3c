/**
 * TrustState ⇄ JSON. `toJSON` writes RFC 8785 canonical JSON (same state ⇒ same bytes, so stored states can be
 * hashed and compared); `fromJSON` re-checks everything a stored state could get wrong — shapes, sizes, set
 * identities, contiguous validity windows, ordering, the checkpoint being a remembered header, frozen ⇔ evidence —
 * and fails with TRUST_STATE_INVALID (or the field's own code) rather than trusting the store.
 */
import { canonicalJson } from '../../crypto/canonical.js';
import { fail } from '../../errors.js';
import type {
  AcceptedHeader, AdminDecision, FinalizedHeader, JsonValue, MisbehaviourEvidence, ResolvedMisbehaviour,
  TrustState, ValidatorSetEpoch,
} from './types.js';
import { parseChainKind, parseValidatorSet } from './validator-set.js';

/** Most validator-set epochs a state keeps. */
export const MAX_EPOCHS = 10_000;
/** How many accepted headers a state remembers for conflict detection (the highest ones). */
export const MAX_RECENT = 64;
const MAX_STORED_EPOCHS = MAX_EPOCHS;
const MAX_STORED_RECENT = MAX_RECENT;
const MAX_STORED_RESOLVED = 1_000;
const MAX_STORED_MISBEHAVIOUR = 16;
const HASH_RE = /^0x[0-9a-f]{64}$/;
const CAIP2_RE = /^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/;

function bad(reason: string): never {
  return fail('TRUST_STATE_INVALID', { reason });
}

function obj(value: unknown, field: string, keys: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(`${field} must be an object`);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k) && !optional.includes(k)) bad(`${field}.${k} is an unknown field`);
  for (const k of keys) if (!Object.hasOwn(o, k)) bad(`${field}.${k} is missing`);
  return o;
}

function int(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) bad(`${field} must be a non-negative safe integer`);
  return value;
}

function hash(value: unknown, field: string): string {
  if (typeof value !== 'string' || !HASH_RE.test(value)) bad(`${field} must be 0x + 64 lower-case hex digits`);
  return value;
}

function list(value: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(value)) bad(`${field} must be an array`);
  if (value.length > max) fail('TOO_LARGE', { field, limit: max });
  return value;
}

function parseHeader(value: unknown, field: string, chainId: string, kind: string): FinalizedHeader {
  const o = obj(value, field, ['chainId', 'kind', 'height', 'hash', 'parentHash', 'stateRoot'], ['timestamp', 'nextValidatorSet']);
  if (o.chainId !== chainId || o.kind !== kind) bad(`${field} is not a header of ${chainId} (${kind})`);
  let next: FinalizedHeader['nextValidatorSet'];
  if (o.nextValidatorSet !== undefined) {
    const n = obj(o.nextValidatorSet, `${field}.nextValidatorSet`, ['fromHeight', 'set']);
    next = { fromHeight: int(n.fromHeight, `${field}.nextValidatorSet.fromHeight`), set: parseValidatorSet(n.set, `${field}.nextValidatorSet.set`) };
  }
  return {
    chainId,
    kind: parseChainKind(kind),
    height: int(o.height, `${field}.height`),
    hash: hash(o.hash, `${field}.hash`),
    parentHash: hash(o.parentHash, `${field}.parentHash`),
    stateRoot: hash(o.stateRoot, `${field}.stateRoot`),
    ...(o.timestamp === undefined ? {} : { timestamp: int(o.timestamp, `${field}.timestamp`) }),
    ...(next === undefined ? {} : { nextValidatorSet: next }),
  };
}

function parseAccepted(value: unknown, field: string, chainId: string, kind: string): AcceptedHeader {
  const o = obj(value, field, ['header', 'evidence']);
  return { header: parseHeader(o.header, `${field}.header`, chainId, kind), evidence: o.evidence as JsonValue };
}

function parseMisbehaviour(value: unknown, field: string, chainId: string, kind: string): MisbehaviourEvidence {
  const o = obj(value, field, ['height', 'detectedAt', 'first', 'second']);
  const m = {
    height: int(o.height, `${field}.height`),
    detectedAt: int(o.detectedAt, `${field}.detectedAt`),
    first: parseAccepted(o.first, `${field}.first`, chainId, kind),
    second: parseAccepted(o.second, `${field}.second`, chainId, kind),
  };
  if (m.first.header.height !== m.height || m.second.header.height !== m.height || m.first.header.hash === m.second.header.hash) {
    bad(`${field} is not two different headers at height ${m.height}`);
  }
  return m;
}

function parseDecision(value: unknown, field: string): AdminDecision {
  const o = obj(value, field, ['by', 'at', 'reason'], ['canonicalHash']);
  if (typeof o.by !== 'string' || typeof o.reason !== 'string') bad(`${field}.by and .reason must be strings`);
  return { by: o.by, at: int(o.at, `${field}.at`), reason: o.reason, ...(o.canonicalHash === undefined ? {} : { canonicalHash: hash(o.canonicalHash, `${field}.canonicalHash`) }) };
}

function parseEpochs(value: unknown, kind: string): ValidatorSetEpoch[] {
  const raw = list(value, 'validatorSets', MAX_STORED_EPOCHS);
  if (raw.length === 0) bad('validatorSets must not be empty');
  return raw.map((e, i, all) => {
    const o = obj(e, `validatorSets[${i}]`, ['fromHeight', 'set'], ['toHeight']);
    const last = i === all.length - 1;
    const epoch: ValidatorSetEpoch = {
      fromHeight: int(o.fromHeight, `validatorSets[${i}].fromHeight`),
      ...(o.toHeight === undefined ? {} : { toHeight: int(o.toHeight, `validatorSets[${i}].toHeight`) }),
      set: parseValidatorSet(o.set, `validatorSets[${i}].set`),
    };
    if (epoch.set.kind !== kind) bad(`validatorSets[${i}].set is of kind ${epoch.set.kind}`);
    if (last !== (epoch.toHeight === undefined)) bad(`validatorSets[${i}]: only the last window is open-ended`);
    if (epoch.toHeight !== undefined && epoch.toHeight <= epoch.fromHeight) bad(`validatorSets[${i}] is an empty window`);
    return epoch;
  }).map((epoch, i, all) => {
    if (i > 0 && all[i - 1]!.toHeight !== epoch.fromHeight) bad(`validatorSets[${i}] does not start where the previous window ends`);
    return epoch;
  });
}

/** RFC 8785 canonical JSON text of a trust state. */
export function toJSON(state: TrustState): string {
  return canonicalJson(state);
}

/** Parse and validate a stored trust state (JSON text or an already parsed value). */
export function fromJSON(input: string | unknown): TrustState {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      fail('MALFORMED_JSON', { field: 'trust state', reason: (e as Error).message }, e);
    }
  }
  const o = obj(value, 'state', ['version', 'chainId', 'kind', 'trustingPeriod', 'checkpoint', 'validatorSets', 'recent', 'frozen', 'misbehaviour', 'resolved']);
  if (o.version !== 1) bad(`version ${String(o.version)} is not supported`);
  if (typeof o.chainId !== 'string' || !CAIP2_RE.test(o.chainId)) bad('chainId must be a CAIP-2 chain id');
  const chainId = o.chainId;
  const kind = parseChainKind(o.kind);
  const trustingPeriod = int(o.trustingPeriod, 'trustingPeriod');
  if (trustingPeriod === 0) bad('trustingPeriod must be positive');
  const c = obj(o.checkpoint, 'checkpoint', ['height', 'hash', 'at']);
  const checkpoint = { height: int(c.height, 'checkpoint.height'), hash: hash(c.hash, 'checkpoint.hash'), at: int(c.at, 'checkpoint.at') };
  const validatorSets = parseEpochs(o.validatorSets, kind);
  const recent = list(o.recent, 'recent', MAX_STORED_RECENT).map((r, i) => parseAccepted(r, `recent[${i}]`, chainId, kind));
  for (let i = 1; i < recent.length; i++) if (recent[i]!.header.height <= recent[i - 1]!.header.height) bad('recent must be in strictly ascending height');
  if (!recent.some((r) => r.header.height === checkpoint.height && r.header.hash === checkpoint.hash)) bad('checkpoint is not among the recent headers');
  if (recent.some((r) => r.header.height > checkpoint.height)) bad('a recent header is above the checkpoint');
  if (typeof o.frozen !== 'boolean') bad('frozen must be a boolean');
  const misbehaviour = list(o.misbehaviour, 'misbehaviour', MAX_STORED_MISBEHAVIOUR).map((m, i) => parseMisbehaviour(m, `misbehaviour[${i}]`, chainId, kind));
  if (o.frozen !== misbehaviour.length > 0) bad('frozen must be true exactly when there is misbehaviour evidence');
  const resolved: ResolvedMisbehaviour[] = list(o.resolved, 'resolved', MAX_STORED_RESOLVED).map((r, i) => {
    const ro = obj(r, `resolved[${i}]`, ['evidence', 'decision']);
    const evidence = list(ro.evidence, `resolved[${i}].evidence`, MAX_STORED_MISBEHAVIOUR).map((m, j) => parseMisbehaviour(m, `resolved[${i}].evidence[${j}]`, chainId, kind));
    return { evidence, decision: parseDecision(ro.decision, `resolved[${i}].decision`) };
  });
  return { version: 1, chainId, kind, trustingPeriod, checkpoint, validatorSets, recent, frozen: o.frozen, misbehaviour, resolved };
}
