/**
 * Solidity storage layout of a mapped record, driven by data (the registration's `EvmStorageMapping`), shared by the
 * EVM adapter (which slots to ask for) and the evidence verifier (which slots must have been proven, and what they
 * decode to). Pure.
 *
 * Solidity docs, "Layout of State Variables in Storage":
 * - §Mappings and Dynamic Arrays: the value of key k of a mapping declared at slot p lives at keccak256(h(k) ‖ p),
 *   h = left-pad value types to 32 bytes (bytesN: right-pad); a struct value's member i at that base + its slot.
 * - value types are packed low-order aligned: the first member of a slot occupies its lowest bytes (`offset`).
 * - §bytes and string: short (< 32 bytes) data lives in the high-order bytes of the slot with 2·len in the lowest
 *   byte; long data stores 2·len + 1 in the slot and the bytes at keccak256(slot), keccak256(slot) + 1, …
 */
import { concatBytes, fromHex, toHex0x, utf8 } from '../../crypto/bytes.js';
import { keccak256 } from '../../crypto/hash.js';
import { memoKeccak256 } from '../evm/keccak-memo.js';
import { fail } from '../../errors.js';
import type { EvmFieldMapping, EvmFieldType, EvmKeyType, EvmStorageMapping, JsonValue } from '../../../adapters/types.js';

/** Most fields a mapped record may have. */
export const MAX_FIELDS = 64;
/** Longest string/bytes field read (bytes): 128 data slots. */
export const MAX_DYNAMIC_BYTES = 4096;
const TWO_256 = 1n << 256n;

/** A 32-byte big-endian word of a bigint in [0, 2^256). */
export function word(x: bigint): Uint8Array {
  return fromHex(x.toString(16).padStart(64, '0'), 'word', 32);
}

/** `0x` + 64 hex digits of a slot number. */
export function slotHex(x: bigint): string {
  return `0x${x.toString(16).padStart(64, '0')}`;
}

function sizeOf(type: EvmFieldType, field: string): number | 'dynamic' {
  if (type === 'string' || type === 'bytes') return 'dynamic';
  if (type === 'bool') return 1;
  if (type === 'address') return 20;
  const m = /^(uint|int|bytes)(\d+)$/.exec(type);
  if (m === null) return fail('MAPPING_INVALID', { field, reason: `unknown type ${type}` });
  const n = Number(m[2]);
  if (m[1] === 'bytes') return n >= 1 && n <= 32 ? n : fail('MAPPING_INVALID', { field, reason: `bad size in ${type}` });
  return n >= 8 && n <= 256 && n % 8 === 0 ? n / 8 : fail('MAPPING_INVALID', { field, reason: `bad size in ${type}` });
}

/** Parse a mapping from untrusted JSON (registration or evidence) strictly; MAPPING_INVALID names the field. */
export function parseEvmMapping(value: unknown, field = 'mapping'): EvmStorageMapping {
  const o = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('MAPPING_INVALID', { field, reason: 'must be an object' });
  for (const k of Object.keys(o)) if (!['kind', 'contract', 'mappingSlot', 'keyType', 'fields'].includes(k)) fail('MAPPING_INVALID', { field: `${field}.${k}`, reason: 'unknown member' });
  if (o.kind !== 'evm-storage') fail('MAPPING_INVALID', { field: `${field}.kind`, reason: 'must be evm-storage' });
  if (typeof o.contract !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(o.contract)) fail('MAPPING_INVALID', { field: `${field}.contract`, reason: 'must be a 20-byte address' });
  if (typeof o.mappingSlot !== 'number' || !Number.isSafeInteger(o.mappingSlot) || o.mappingSlot < 0) fail('MAPPING_INVALID', { field: `${field}.mappingSlot`, reason: 'must be a non-negative safe integer' });
  if (!['bytes32', 'bytes32-utf8', 'address', 'uint256'].includes(o.keyType as string)) fail('MAPPING_INVALID', { field: `${field}.keyType`, reason: 'unknown key type' });
  if (!Array.isArray(o.fields) || o.fields.length === 0 || o.fields.length > MAX_FIELDS) return fail('MAPPING_INVALID', { field: `${field}.fields`, reason: `must list 1..${MAX_FIELDS} fields` });
  const names = new Set<string>();
  const used = new Map<number, { from: number; to: number }[]>();
  const fields = o.fields.map((f: unknown, i): EvmFieldMapping => {
    const ff = `${field}.fields[${i}]`;
    const fo = f as Record<string, unknown>;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return fail('MAPPING_INVALID', { field: ff, reason: 'must be an object' });
    for (const k of Object.keys(fo)) if (!['name', 'type', 'slot', 'offset'].includes(k)) fail('MAPPING_INVALID', { field: `${ff}.${k}`, reason: 'unknown member' });
    if (typeof fo.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(fo.name) || names.has(fo.name)) fail('MAPPING_INVALID', { field: `${ff}.name`, reason: 'must be a unique identifier' });
    names.add(fo.name);
    const size = sizeOf(fo.type as EvmFieldType, `${ff}.type`);
    if (typeof fo.slot !== 'number' || !Number.isSafeInteger(fo.slot) || fo.slot < 0 || fo.slot > 1024) fail('MAPPING_INVALID', { field: `${ff}.slot`, reason: 'must be an integer in 0..1024' });
    const offset = fo.offset ?? 0;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return fail('MAPPING_INVALID', { field: `${ff}.offset`, reason: 'must be a non-negative integer' });
    const span = size === 'dynamic' ? 32 : size;
    if ((size === 'dynamic' && offset !== 0) || offset + span > 32) fail('MAPPING_INVALID', { field: `${ff}.offset`, reason: 'field does not fit its slot' });
    const ranges = used.get(fo.slot) ?? [];
    if (ranges.some((r) => offset < r.to && r.from < offset + span)) fail('MAPPING_INVALID', { field: ff, reason: 'overlaps another field' });
    used.set(fo.slot, [...ranges, { from: offset, to: offset + span }]);
    return { name: fo.name, type: fo.type as EvmFieldType, slot: fo.slot, ...(offset === 0 ? {} : { offset }) };
  });
  return { kind: 'evm-storage', contract: o.contract.toLowerCase(), mappingSlot: o.mappingSlot, keyType: o.keyType as EvmKeyType, fields };
}

/** h(k): the 32-byte mapping key of a record key, per the mapping's key type. */
export function mappingKey(key: string, keyType: EvmKeyType): Uint8Array {
  switch (keyType) {
    case 'bytes32':
      return fromHex(key, 'key', 32);
    case 'bytes32-utf8': {
      const b = utf8(key);
      if (b.length === 0 || b.length > 32) fail('INVALID_INPUT', { field: 'key', reason: 'must be 1..32 UTF-8 bytes' });
      return concatBytes(b, new Uint8Array(32 - b.length));
    }
    case 'address':
      return concatBytes(new Uint8Array(12), fromHex(key, 'key', 20));
    case 'uint256': {
      if (!/^(0|[1-9][0-9]{0,77})$/.test(key) || BigInt(key) >= TWO_256) fail('INVALID_INPUT', { field: 'key', reason: 'must be a decimal uint256' });
      return word(BigInt(key));
    }
  }
}

/**
 * The record's base slot: keccak256(h(key) ‖ pad32(mappingSlot)). Memoised by the exact 64 input bytes (a pure
 * function, see src/proofs/evm/keccak-memo.ts): a relay derives it several times per record (fetch, verify, decode).
 */
export function recordBaseSlot(mapping: EvmStorageMapping, key: string): bigint {
  return BigInt(toHex0x(memoKeccak256(concatBytes(mappingKey(key, mapping.keyType), word(BigInt(mapping.mappingSlot))))));
}

/** A slot to read and the fields it serves. */
export interface PlannedSlot {
  readonly slot: string;
  readonly field: string;
}

/** The head slots of a record (one per distinct member slot, fields joined by ','), in ascending member-slot order. */
export function headSlots(mapping: EvmStorageMapping, key: string): PlannedSlot[] {
  const base = recordBaseSlot(mapping, key);
  const bySlot = new Map<number, string[]>();
  for (const f of mapping.fields) bySlot.set(f.slot, [...(bySlot.get(f.slot) ?? []), f.name]);
  return [...bySlot.entries()].sort((a, b) => a[0] - b[0]).map(([s, names]) => ({ slot: slotHex((base + BigInt(s)) % TWO_256), field: names.join(',') }));
}

/** Data slots of long string/bytes fields, given the head values (`slot` hex → value). */
export function dataSlots(mapping: EvmStorageMapping, key: string, head: ReadonlyMap<string, bigint>): PlannedSlot[] {
  const base = recordBaseSlot(mapping, key);
  const out: PlannedSlot[] = [];
  for (const f of mapping.fields) {
    if (f.type !== 'string' && f.type !== 'bytes') continue;
    const slot = slotHex((base + BigInt(f.slot)) % TWO_256);
    const v = head.get(slot) ?? 0n;
    if ((v & 1n) === 0n) continue; // short form: inline
    const len = (v - 1n) / 2n;
    if (len > BigInt(MAX_DYNAMIC_BYTES)) fail('TOO_LARGE', { field: `record.${f.name}`, limit: MAX_DYNAMIC_BYTES });
    const start = BigInt(toHex0x(keccak256(word(BigInt(slot)))));
    for (let i = 0n; i * 32n < len; i++) out.push({ slot: slotHex((start + i) % TWO_256), field: `${f.name}#data[${i}]` });
  }
  return out;
}

function decodeDynamic(f: EvmFieldMapping, headValue: bigint, data: readonly bigint[], name: string): JsonValue {
  let bytes: Uint8Array;
  if ((headValue & 1n) === 0n) {
    const len = Number((headValue & 0xffn) / 2n);
    if (len > 31) fail('EVIDENCE_MISMATCH', { field: name, actual: `short length ${len}`, expected: '< 32' });
    bytes = word(headValue).subarray(0, len);
  } else {
    const len = Number((headValue - 1n) / 2n);
    if (len < 32) fail('EVIDENCE_MISMATCH', { field: name, actual: `long length ${len}`, expected: '≥ 32' });
    bytes = concatBytes(...data.map(word)).subarray(0, len);
  }
  if (f.type === 'bytes') return toHex0x(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    return fail('EVIDENCE_MISMATCH', { field: name, actual: 'invalid UTF-8', expected: 'a UTF-8 string' }, e);
  }
}

function decodeValue(f: EvmFieldMapping, slotValue: bigint, name: string): JsonValue {
  const size = sizeOf(f.type, name) as number;
  const raw = (slotValue >> BigInt(8 * (f.offset ?? 0))) & ((1n << BigInt(8 * size)) - 1n);
  if (f.type === 'bool') return raw === 0n ? false : raw === 1n ? true : fail('EVIDENCE_MISMATCH', { field: name, actual: String(raw), expected: '0 or 1' });
  if (f.type === 'address' || f.type.startsWith('bytes')) return `0x${raw.toString(16).padStart(2 * size, '0')}`;
  // DIFF FROM ABI JSON habits: integers up to 48 bits are JSON numbers, wider ones decimal strings (no precision loss).
  let n = raw;
  if (f.type.startsWith('int') && raw >> BigInt(8 * size - 1) === 1n) n = raw - (1n << BigInt(8 * size));
  return size <= 6 ? Number(n) : n.toString(10);
}

/** Decode the record from proven slot values (`slot` hex → value; absent slots are 0). */
export function decodeRecord(mapping: EvmStorageMapping, key: string, values: ReadonlyMap<string, bigint>): { [k: string]: JsonValue } {
  const base = recordBaseSlot(mapping, key);
  const record: { [k: string]: JsonValue } = {};
  for (const f of mapping.fields) {
    const slot = slotHex((base + BigInt(f.slot)) % TWO_256);
    const v = values.get(slot) ?? 0n;
    if (f.type === 'string' || f.type === 'bytes') {
      const data = (v & 1n) === 1n ? dataSlots({ ...mapping, fields: [f] }, key, values).map((p) => values.get(p.slot) ?? 0n) : [];
      record[f.name] = decodeDynamic(f, v, data, `record.${f.name}`);
    } else {
      record[f.name] = decodeValue(f, v, `record.${f.name}`);
    }
  }
  return record;
}
