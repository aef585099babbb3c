/**
 * Property: for random structs of value types packed by Solidity's rules (members fill a slot low-order first; a
 * member that does not fit starts the next slot) and random values, writing the values into slot words the way the
 * EVM stores them and decoding with the mapping gives the values back (build-then-decode round trip).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRecord, headSlots, parseEvmMapping, recordBaseSlot, slotHex } from '../../src/proofs/evidence/layout.js';
import type { EvmFieldMapping, EvmFieldType, JsonValue } from '../../adapters/types.js';

const TYPES: { type: EvmFieldType; size: number }[] = [
  { type: 'bool', size: 1 }, { type: 'uint8', size: 1 }, { type: 'uint32', size: 4 }, { type: 'uint64', size: 8 },
  { type: 'int16', size: 2 }, { type: 'int128', size: 16 }, { type: 'address', size: 20 }, { type: 'bytes4', size: 4 }, { type: 'bytes32', size: 32 },
];

function layout(picks: number[]): EvmFieldMapping[] {
  let slot = 0;
  let offset = 0;
  return picks.map((p, i) => {
    const { type, size } = TYPES[p]!;
    if (offset + size > 32) {
      slot++;
      offset = 0;
    }
    const f: EvmFieldMapping = { name: `f${i}`, type, slot, ...(offset === 0 ? {} : { offset }) };
    offset += size;
    return f;
  });
}

function expected(type: EvmFieldType, size: number, raw: bigint): JsonValue {
  if (type === 'bool') return raw === 1n;
  if (type === 'address' || type.startsWith('bytes')) return `0x${raw.toString(16).padStart(2 * size, '0')}`;
  const signed = type.startsWith('int') && raw >> BigInt(8 * size - 1) === 1n ? raw - (1n << BigInt(8 * size)) : raw;
  return size <= 6 ? Number(signed) : signed.toString();
}

describe('storage layout round trip (property)', () => {
  it('packed value-type structs decode to what was stored', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: TYPES.length - 1 }), { minLength: 1, maxLength: 10 }), fc.array(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), { minLength: 10, maxLength: 10 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (picks, randoms, keyBytes) => {
        const fields = layout(picks);
        const mapping = parseEvmMapping({ kind: 'evm-storage', contract: `0x${'ab'.repeat(20)}`, mappingSlot: 5, keyType: 'bytes32', fields });
        const key = `0x${Buffer.from(keyBytes).toString('hex')}`;
        const base = recordBaseSlot(mapping, key);
        const words = new Map<string, bigint>();
        const want: Record<string, JsonValue> = {};
        fields.forEach((f, i) => {
          const size = TYPES[picks[i]!]!.size;
          const raw = f.type === 'bool' ? randoms[i]! & 1n : randoms[i]! & ((1n << BigInt(8 * size)) - 1n);
          const s = slotHex(base + BigInt(f.slot));
          words.set(s, (words.get(s) ?? 0n) | (raw << BigInt(8 * (f.offset ?? 0))));
          want[f.name] = expected(f.type, size, raw);
        });
        expect(new Set(headSlots(mapping, key).map((p) => p.slot))).toEqual(new Set([...new Set(fields.map((f) => f.slot))].map((s) => slotHex(base + BigInt(s)))));
        expect(decodeRecord(mapping, key, words)).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });
});
