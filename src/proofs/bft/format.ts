/**
 * The CourtBridge BFT quorum-certificate format (docs/bft-format.md, schemas/bft-quorum-certificate.json): domain
 * types and the one parser per wire object. FISCO BCOS, ChainMaker and similar consortium chains each sign their own
 * header layouts; an adapter re-expresses a block in this canonical form, which the consortium's validators sign.
 *
 * Parsing is strict: unknown fields, upper-case or unprefixed hex, wrong sizes, unsafe integers, unknown algorithms
 * and oversized arrays are rejected with a coded error naming the field. Hex is canonical (`0x` + lower case) because
 * the header's signing bytes are its RFC 8785 JSON text, so one header must have exactly one spelling.
 */
import type { HashAlg } from '../../crypto/hash.js';
import { fail } from '../../errors.js';

/** Most validators a set may have; more is refused unread (TOO_LARGE). */
export const MAX_VALIDATORS = 1024;
/** Largest total weight: 3 × total must stay a safe integer for the quorum test `3·signed > 2·total`. */
export const MAX_TOTAL_WEIGHT = Math.floor(Number.MAX_SAFE_INTEGER / 3);
/** Most record-proof nodes (RFC 9162 proofs of trees below 2^53 leaves are shorter). */
export const MAX_RECORD_PROOF_NODES = 64;

/** Hash suites a BFT chain may use for its records tree, header hash and validator-set hash. */
export type BftHashAlg = Extract<HashAlg, 'sha256' | 'sm3'>;
/** Signature algorithms a BFT validator may use. */
export type BftSigAlg = 'Ed25519' | 'ES256K' | 'SM2';

/** The canonical BFT block header that validators sign. Hashes are `0x` + 64 lower-case hex digits. */
export interface BftHeader {
  readonly chainId: string;
  readonly height: number;
  readonly round?: number;
  readonly timestamp: number;
  readonly parentHash: string;
  readonly recordsRoot: string;
  readonly recordCount: number;
  readonly recordsHashAlg: BftHashAlg;
  readonly validatorSetHash: string;
  readonly nextValidatorSetHash?: string;
}

/** One validator: id unique in the set, key, positive weight. */
export interface BftValidator {
  readonly id: string;
  readonly alg: BftSigAlg;
  readonly publicKey: string;
  readonly weight: number;
}

/** A validator set, in its canonical (signed) order. */
export interface BftValidatorSet {
  readonly validators: readonly BftValidator[];
}

/** One signature of a certificate: the signer by id (string) or by index in the set (integer). */
export interface BftSignature {
  readonly validator: string | number;
  readonly signature: string;
}

/** A quorum certificate: the hash of the header signed, and the validators' signatures over its signing bytes. */
export interface BftCertificate {
  readonly headerHash: string;
  readonly signatures: readonly BftSignature[];
}

/** An RFC 9162 inclusion proof of one record (its RFC 8785 canonical JSON bytes) in the header's records tree. */
export interface BftRecordProof {
  readonly data: unknown;
  readonly index: number;
  readonly proof: readonly string[];
}

const HASH_RE = /^0x[0-9a-f]{64}$/;
const HEX_RE = /^0x(?:[0-9a-f]{2})+$/;
const CHAIN_ID_RE = /^bft:[-_a-zA-Z0-9]{1,32}$/; // CAIP-2 §syntax: namespace "bft", reference [-_a-zA-Z0-9]{1,32}
const ID_RE = /^[A-Za-z0-9._:@-]{1,128}$/;
const PUBLIC_KEY_BYTES: Readonly<Record<BftSigAlg, number>> = { Ed25519: 32, ES256K: 33, SM2: 33 };
const SIGNATURE_BYTES = 64;

/** Fail unless `value` is a plain object whose keys are all in `allowed` and that has every key of `required`. */
export function objectWith(value: unknown, field: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('INVALID_INPUT', { field, reason: 'must be an object' });
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!required.includes(key) && !optional.includes(key)) fail('INVALID_INPUT', { field: `${field}.${key}`, reason: 'unknown field' });
  }
  for (const key of required) if (!Object.hasOwn(obj, key)) fail('INVALID_INPUT', { field: `${field}.${key}`, reason: 'missing' });
  return obj;
}

/** A non-negative safe integer, or BAD_INTEGER naming `field`. */
export function safeInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail('BAD_INTEGER', { field });
  return value;
}

/** A canonical 32-byte hash string (`0x` + 64 lower-case hex), or BAD_HEX / BAD_LENGTH. */
export function hash32(value: unknown, field: string): string {
  if (typeof value !== 'string' || !HEX_RE.test(value)) fail('BAD_HEX', { field });
  if (!HASH_RE.test(value)) fail('BAD_LENGTH', { field, expected: 32, actual: (value.length - 2) / 2 });
  return value;
}

/** Canonical hex of exactly `bytes` bytes. */
function hexOf(value: unknown, field: string, bytes: number): string {
  if (typeof value !== 'string' || !HEX_RE.test(value)) fail('BAD_HEX', { field });
  if (value.length !== 2 + 2 * bytes) fail('BAD_LENGTH', { field, expected: bytes, actual: (value.length - 2) / 2 });
  return value;
}

/** Parse a canonical BFT header. */
export function parseBftHeader(value: unknown, field = 'header'): BftHeader {
  const o = objectWith(value, field, ['chainId', 'height', 'timestamp', 'parentHash', 'recordsRoot', 'recordCount', 'recordsHashAlg', 'validatorSetHash'], ['round', 'nextValidatorSetHash']);
  if (typeof o.chainId !== 'string' || !CHAIN_ID_RE.test(o.chainId)) fail('INVALID_INPUT', { field: `${field}.chainId`, reason: 'must be a CAIP-2 id bft:<network>' });
  if (o.recordsHashAlg !== 'sha256' && o.recordsHashAlg !== 'sm3') fail('UNSUPPORTED_ALGORITHM', { alg: String(o.recordsHashAlg) });
  const header: BftHeader = {
    chainId: o.chainId,
    height: safeInt(o.height, `${field}.height`),
    ...(o.round === undefined ? {} : { round: safeInt(o.round, `${field}.round`) }),
    timestamp: safeInt(o.timestamp, `${field}.timestamp`),
    parentHash: hash32(o.parentHash, `${field}.parentHash`),
    recordsRoot: hash32(o.recordsRoot, `${field}.recordsRoot`),
    recordCount: safeInt(o.recordCount, `${field}.recordCount`),
    recordsHashAlg: o.recordsHashAlg,
    validatorSetHash: hash32(o.validatorSetHash, `${field}.validatorSetHash`),
    ...(o.nextValidatorSetHash === undefined ? {} : { nextValidatorSetHash: hash32(o.nextValidatorSetHash, `${field}.nextValidatorSetHash`) }),
  };
  return header;
}

/** Parse a validator set: 1..MAX_VALIDATORS members, unique ids, unique keys, total weight bounded. */
export function parseBftValidatorSet(value: unknown, field = 'validatorSet'): BftValidatorSet {
  const o = objectWith(value, field, ['validators']);
  const list = o.validators;
  if (!Array.isArray(list) || list.length === 0) return fail('INVALID_INPUT', { field: `${field}.validators`, reason: 'must be a non-empty array' });
  if (list.length > MAX_VALIDATORS) fail('TOO_LARGE', { field: `${field}.validators`, limit: MAX_VALIDATORS });
  const ids = new Set<string>();
  const keys = new Set<string>();
  let total = 0;
  const validators = list.map((raw, i): BftValidator => {
    const f = `${field}.validators[${i}]`;
    const v = objectWith(raw, f, ['id', 'alg', 'publicKey', 'weight']);
    if (typeof v.id !== 'string' || !ID_RE.test(v.id)) fail('INVALID_INPUT', { field: `${f}.id`, reason: 'must match [A-Za-z0-9._:@-]{1,128}' });
    if (v.alg !== 'Ed25519' && v.alg !== 'ES256K' && v.alg !== 'SM2') fail('UNSUPPORTED_ALGORITHM', { alg: String(v.alg) });
    const publicKey = hexOf(v.publicKey, `${f}.publicKey`, PUBLIC_KEY_BYTES[v.alg]);
    const weight = safeInt(v.weight, `${f}.weight`);
    if (weight === 0) fail('BAD_INTEGER', { field: `${f}.weight` });
    // Duplicates would count one signer twice: reject repeated ids and repeated keys alike.
    if (ids.has(v.id)) fail('INVALID_INPUT', { field: `${f}.id`, reason: 'duplicate validator id' });
    if (keys.has(publicKey)) fail('INVALID_INPUT', { field: `${f}.publicKey`, reason: 'duplicate validator key' });
    ids.add(v.id);
    keys.add(publicKey);
    total += weight;
    if (total > MAX_TOTAL_WEIGHT) fail('TOO_LARGE', { field: `${field} total weight`, limit: MAX_TOTAL_WEIGHT });
    return { id: v.id, alg: v.alg, publicKey, weight };
  });
  return { validators };
}

/** Parse a quorum certificate (at most MAX_VALIDATORS signatures, 64-byte raw signatures). */
export function parseBftCertificate(value: unknown, field = 'certificate'): BftCertificate {
  const o = objectWith(value, field, ['headerHash', 'signatures']);
  const list = o.signatures;
  if (!Array.isArray(list)) return fail('INVALID_INPUT', { field: `${field}.signatures`, reason: 'must be an array' });
  if (list.length > MAX_VALIDATORS) fail('TOO_LARGE', { field: `${field}.signatures`, limit: MAX_VALIDATORS });
  const signatures = list.map((raw, i): BftSignature => {
    const f = `${field}.signatures[${i}]`;
    const s = objectWith(raw, f, ['validator', 'signature']);
    const validator = typeof s.validator === 'string' ? s.validator : safeInt(s.validator, `${f}.validator`);
    return { validator, signature: hexOf(s.signature, `${f}.signature`, SIGNATURE_BYTES) };
  });
  return { headerHash: hash32(o.headerHash, `${field}.headerHash`), signatures };
}

/** Parse a record proof `{data, index, proof}` (data: any JSON value; proof: 32-byte hashes, leaf to root). */
export function parseBftRecordProof(value: unknown, field = 'record'): BftRecordProof {
  const o = objectWith(value, field, ['data', 'index', 'proof']);
  if (!Array.isArray(o.proof)) return fail('INVALID_INPUT', { field: `${field}.proof`, reason: 'must be an array' });
  if (o.proof.length > MAX_RECORD_PROOF_NODES) fail('TOO_LARGE', { field: `${field}.proof`, limit: MAX_RECORD_PROOF_NODES });
  return {
    data: o.data,
    index: safeInt(o.index, `${field}.index`),
    proof: o.proof.map((p, i) => hash32(p, `${field}.proof[${i}]`)),
  };
}
