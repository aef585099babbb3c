/**
 * `data()` (execution-apis DATA) after its fast path: lower-case hex takes the re-encode check, every other input the
 * regex; the accepted set and the error codes are those of the regex + fromHex it replaced.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { data } from '../../../src/proofs/evm/json.js';
import { fromHex } from '../../../src/crypto/bytes.js';
import { codeOf } from './helpers/codes.js';

const DATA_RE = /^0x([0-9a-fA-F]{2})*$/;

/** The former implementation, as the reference. */
function reference(value: unknown, length?: number): Uint8Array {
  if (typeof value !== 'string' || !DATA_RE.test(value)) throw Object.assign(new Error('BAD_HEX'), { ref: 'BAD_HEX' });
  return fromHex(value, 'f', length);
}

describe('data()', () => {
  it('accepts lower, upper and mixed case; rejects bad prefixes, odd lengths, non-hex and non-ASCII with BAD_HEX', () => {
    expect(data('0x', 'f')).toEqual(new Uint8Array(0));
    expect(data('0xabCD', 'f')).toEqual(new Uint8Array([0xab, 0xcd]));
    expect(data('0xABCD', 'f', 2)).toEqual(new Uint8Array([0xab, 0xcd]));
    for (const bad of ['abcd', '0Xabcd', '0xabc', '0xabcg', '0x ab', '0xab\u0130', '0x\u0130\u0131', '0x٠١', 'x0ab', 7, null, undefined]) {
      expect(codeOf(() => data(bad, 'f'))).toBe('BAD_HEX');
    }
    expect(codeOf(() => data('0xabcd', 'f', 3))).toBe('BAD_LENGTH');
  });

  it('agrees with the former regex + fromHex on random strings over a hex-heavy alphabet', () => {
    const ch = fc.constantFrom(...'0123456789abcdefABCDEFxg \u0130\u0660'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: ch, maxLength: 40 }), fc.boolean(), fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), (s, prefix, len) => {
        const v = prefix ? `0x${s}` : s;
        let want: string | Uint8Array;
        try {
          want = reference(v, len);
        } catch (e) {
          want = (e as { ref?: string; code?: string }).ref ?? (e as { code: string }).code;
        }
        let got: string | Uint8Array;
        try {
          got = data(v, 'f', len);
        } catch (e) {
          got = (e as { code: string }).code;
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 1000 },
    );
  });
});
