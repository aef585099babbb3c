/**
 * The strict SCALE reader. Known answers from the parity-scale-codec README ("Compact/General Integers" table:
 * 0 → 0x00, 1 → 0x04, 42 → 0xa8, 69 → 0x1501, 65535 → 0xfeff0300, 100000000000000 → 0x0b00407a10f35a) and the
 * Polkadot specification, Definition "SCALE Compact Integer".
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex0x } from '../../../src/crypto/bytes.js';
import { ScaleReader, ScaleWriter, decodeAll, encodeCompact } from '../../../src/proofs/substrate/scale.js';
import { codeOf } from './helpers.js';

const read = (hex: string, f: (r: ScaleReader) => unknown): unknown => decodeAll(fromHex(hex, 'x'), 'x', f);

describe('SCALE reader', () => {
  it('decodes compact integers in all four modes (parity-scale-codec README vectors)', () => {
    const vectors: [bigint, string][] = [
      [0n, '0x00'], [1n, '0x04'], [42n, '0xa8'], [63n, '0xfc'], [64n, '0x0101'], [69n, '0x1501'], [16383n, '0xfdff'],
      [16384n, '0x02000100'], [65535n, '0xfeff0300'], [2n ** 30n - 1n, '0xfeffffff'], [2n ** 30n, '0x0300000040'],
      [2n ** 32n - 1n, '0x03ffffffff'], [100000000000000n, '0x0b00407a10f35a'], [2n ** 64n - 1n, '0x13ffffffffffffffff'],
    ];
    for (const [v, hex] of vectors) {
      expect(read(hex, (r) => r.compact('c'))).toBe(v);
      expect(toHex0x(encodeCompact(v))).toBe(hex);
    }
  });

  it('rejects non-canonical compact encodings in every mode, and overlong big-integer modes', () => {
    for (const hex of ['0x0100', '0xfd00', '0x02000000', '0xfeff0000', '0x03ffffff3f', '0x07ffffffff00', '0x0b000000000000', '0x17ffffffffffffffffff']) {
      expect([hex, codeOf(() => read(hex, (r) => r.compact('c')))]).toEqual([hex, 'SCALE_INVALID']);
    }
    expect(codeOf(() => read('0x0700000000ff', (r) => r.compact('c', 4)))).toBe('SCALE_INVALID'); // 5 bytes for Compact<u32>
  });

  it('fails on truncation and trailing bytes in every reader', () => {
    expect(codeOf(() => read('0x', (r) => r.u8('a')))).toBe('SCALE_INVALID');
    expect(codeOf(() => read('0x01', (r) => r.u16('a')))).toBe('SCALE_INVALID');
    expect(codeOf(() => read('0x010203', (r) => r.u32('a')))).toBe('SCALE_INVALID');
    expect(codeOf(() => read('0x01020304050607', (r) => r.u64('a')))).toBe('SCALE_INVALID');
    expect(codeOf(() => read('0x01', (r) => r.compact('a')))).toBe('SCALE_INVALID');
    expect(codeOf(() => read('0x0201', (r) => r.compact('a')))).toBe('SCALE_INVALID');
    expect(codeOf(() => read('0x0102', (r) => r.bytes(3, 'a')))).toBe('SCALE_INVALID');
    expect(codeOf(() => read('0x0000', (r) => r.u8('a')))).toBe('SCALE_INVALID');
    expect(read('0x0302010000000000', (r) => [r.u32('a'), r.u32('b')])).toEqual([0x010203, 0]);
    expect(read('0xffffffffffffffff', (r) => r.u64('a'))).toBe(2n ** 64n - 1n);
    expect(read('0xffffffff', (r) => r.u32('a'))).toBe(0xffffffff);
  });

  it('checks Vec lengths against the cap and the remaining input before reading elements', () => {
    expect(read('0x080102', (r) => [...r.byteVec('v', 10)])).toEqual([1, 2]);
    expect(codeOf(() => read('0x0c0102', (r) => r.byteVec('v', 10)))).toBe('SCALE_INVALID'); // claims 3, has 2
    expect(codeOf(() => read('0x2c' + '00'.repeat(11), (r) => r.byteVec('v', 10)))).toBe('SCALE_INVALID'); // 11 > cap 10
    let calls = 0;
    // A count of 2^30 - 1 with 8-byte elements and 4 bytes left: rejected before any element is read.
    expect(codeOf(() => read('0xfeffffff00000000', (r) => r.vec('v', 2 ** 31, 8, () => calls++)))).toBe('SCALE_INVALID');
    expect(calls).toBe(0);
  });

  it('Option tags 0 and 1 only; enum indices from the allowed list only', () => {
    expect(read('0x00', (r) => r.option('o', (rr) => rr.u8('x')))).toBeNull();
    expect(read('0x0107', (r) => r.option('o', (rr) => rr.u8('x')))).toBe(7);
    expect(codeOf(() => read('0x0207', (r) => r.option('o', (rr) => rr.u8('x'))))).toBe('SCALE_INVALID');
    expect(read('0x04', (r) => r.enumIndex('e', [0, 4, 5] as const))).toBe(4);
    expect(codeOf(() => read('0x03', (r) => r.enumIndex('e', [0, 4, 5] as const)))).toBe('SCALE_INVALID');
  });

  it('property: writer output reads back; compact round-trips for every u64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.uint8Array({ maxLength: 70 }), fc.integer({ min: 0, max: 0xffffffff }), (v, bytes, n) => {
        const enc = new ScaleWriter().compact(v).byteVec(bytes).u32(n).u64(v).finish();
        const [cv, bv, nv, uv] = decodeAll(enc, 'x', (r) => [r.compact('c'), r.byteVec('b', 100), r.u32('n'), r.u64('u')] as const);
        expect(cv).toBe(v);
        expect(toHex0x(bv)).toBe(toHex0x(bytes));
        expect(nv).toBe(n);
        expect(uv).toBe(v);
      }),
      { numRuns: 300 },
    );
    expect(codeOf(() => encodeCompact(-1n))).toBe('BAD_INTEGER');
    expect(codeOf(() => encodeCompact(2n ** 64n))).toBe('BAD_INTEGER');
  });
});
