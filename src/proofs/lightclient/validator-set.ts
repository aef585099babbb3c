/**
 * Light-client validator sets: construction with CourtBridge's set identity, and the strict parser used when a
 * stored TrustState is read back (fromJSON). Kind-specific key rules: EVM kinds carry 20-byte addresses; GRANDPA
 * Ed25519 public keys; bft-qc an algorithm and a public key per member (see types.ts).
 */
import { canonicalBytes } from '../../crypto/canonical.js';
import { sha256 } from '../../crypto/hash.js';
import { toHex0x } from '../../crypto/bytes.js';
import { fail } from '../../errors.js';
import { CHAIN_KINDS, type ChainKind, type ValidatorAlg, type ValidatorMember, type ValidatorSet } from './types.js';

/** Most members a validator set may have. */
export const MAX_SET_MEMBERS = 1024;
/** Largest total weight: 3 × total stays a safe integer for quorum arithmetic. */
export const MAX_SET_WEIGHT = Math.floor(Number.MAX_SAFE_INTEGER / 3);

const ADDRESS_RE = /^0x[0-9a-f]{40}$/;
const HEX_RE = /^0x(?:[0-9a-f]{2})+$/;
const KEY_BYTES: Readonly<Record<ValidatorAlg, number>> = { Ed25519: 32, ES256K: 33, SM2: 33 };

function bad(reason: string): never {
  return fail('TRUST_STATE_INVALID', { reason });
}

/** True for the EVM kinds (members are addresses). */
export function isEvmKind(kind: ChainKind): boolean {
  return kind === 'evm-qbft' || kind === 'evm-ibft2' || kind === 'evm-clique';
}

/** Parse a chain kind, failing with UNKNOWN_TYPE. */
export function parseChainKind(value: unknown): ChainKind {
  if (typeof value === 'string' && (CHAIN_KINDS as readonly string[]).includes(value)) return value as ChainKind;
  return fail('UNKNOWN_TYPE', { type: String(value) });
}

/** CourtBridge's identity of a set: `0x` SHA-256 of the RFC 8785 JSON of `{kind, setId?, members}`. */
export function validatorSetId(kind: ChainKind, members: readonly ValidatorMember[], setId?: number): string {
  return toHex0x(sha256(canonicalBytes({ kind, ...(setId === undefined ? {} : { setId }), members })));
}

function checkMember(kind: ChainKind, m: unknown, field: string): ValidatorMember {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) bad(`${field} must be an object`);
  const o = m as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['id', 'weight', 'alg', 'publicKey', 'address'].includes(k)) bad(`${field}.${k} is an unknown field`);
  if (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > 200) bad(`${field}.id must be a non-empty string`);
  if (typeof o.weight !== 'number' || !Number.isSafeInteger(o.weight) || o.weight <= 0) bad(`${field}.weight must be a positive safe integer`);
  if (isEvmKind(kind)) {
    if (typeof o.address !== 'string' || !ADDRESS_RE.test(o.address)) bad(`${field}.address must be 0x + 40 lower-case hex digits`);
    if (o.alg !== undefined || o.publicKey !== undefined) bad(`${field}: EVM members carry an address only`);
    return { id: o.id, weight: o.weight, address: o.address };
  }
  const alg = o.alg;
  if (alg !== 'Ed25519' && alg !== 'ES256K' && alg !== 'SM2') return fail('UNSUPPORTED_ALGORITHM', { alg: String(alg) });
  if (kind === 'substrate-grandpa' && alg !== 'Ed25519') fail('UNSUPPORTED_ALGORITHM', { alg });
  if (typeof o.publicKey !== 'string' || !HEX_RE.test(o.publicKey) || o.publicKey.length !== 2 + 2 * KEY_BYTES[alg]) {
    bad(`${field}.publicKey must be 0x + ${KEY_BYTES[alg]} bytes of lower-case hex`);
  }
  if (o.address !== undefined) bad(`${field}.address is only for EVM kinds`);
  return { id: o.id, weight: o.weight, alg, publicKey: o.publicKey };
}

/** Build a validated set (unique ids and keys, bounded size and weight) with its identity and total weight. */
export function makeValidatorSet(kind: ChainKind, members: readonly ValidatorMember[], setId?: number): ValidatorSet {
  if (!Array.isArray(members) || members.length === 0) bad('a validator set needs at least one member');
  if (members.length > MAX_SET_MEMBERS) fail('TOO_LARGE', { field: 'validator set', limit: MAX_SET_MEMBERS });
  if (setId !== undefined && (!Number.isSafeInteger(setId) || setId < 0)) fail('BAD_INTEGER', { field: 'setId' });
  const checked = members.map((m, i) => checkMember(kind, m, `members[${i}]`));
  const ids = new Set(checked.map((m) => m.id));
  const keys = new Set(checked.map((m) => m.address ?? m.publicKey));
  if (ids.size !== checked.length || keys.size !== checked.length) bad('validator ids and keys must be unique');
  let total = 0;
  for (const m of checked) total += m.weight;
  if (total > MAX_SET_WEIGHT) fail('TOO_LARGE', { field: 'validator set weight', limit: MAX_SET_WEIGHT });
  return { kind, id: validatorSetId(kind, checked, setId), ...(setId === undefined ? {} : { setId }), members: checked, totalWeight: total };
}

/** Parse a stored set, recomputing its identity and total (a stored value that disagrees is rejected). */
export function parseValidatorSet(value: unknown, field: string): ValidatorSet {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(`${field} must be an object`);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['kind', 'id', 'setId', 'members', 'totalWeight'].includes(k)) bad(`${field}.${k} is an unknown field`);
  const set = makeValidatorSet(parseChainKind(o.kind), o.members as ValidatorMember[], o.setId as number | undefined);
  if (o.id !== set.id) bad(`${field}.id does not match its members`);
  if (o.totalWeight !== set.totalWeight) bad(`${field}.totalWeight does not match its members`);
  return set;
}
