/**
 * RFC 8785 (JSON Canonicalization Scheme) examples: §3.2.2 (whole-document example), §3.2.3 (property sorting by
 * UTF-16 code units) and Appendix B (number serialisation; IEEE 754 bit patterns → expected text).
 */
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson } from '../../src/crypto/canonical.js';
import { toHex } from '../../src/crypto/bytes.js';

function f64(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('RFC 8785 canonical JSON', () => {
  it('§3.2.2 example: whitespace, number and string normalisation', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('§3.2.3 example: properties sorted by UTF-16 code units', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",' +
        ' "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    // (Compared as text: JS objects list integer-like keys such as "1" first, so Object.keys cannot show the order.)
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('Appendix B number serialisation samples', () => {
    const samples: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of samples) expect(canonicalJson(f64(bits)), bits).toBe(text);
  });

  it('Appendix B: NaN and Infinity are errors (INVALID_INPUT)', () => {
    for (const bits of ['7fffffffffffffff', '7ff0000000000000']) {
      expect(() => canonicalJson({ x: f64(bits) })).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });

  it('canonicalBytes is the UTF-8 of canonicalJson', () => {
    expect(toHex(canonicalBytes({ b: 'é', a: 1 }))).toBe(Buffer.from('{"a":1,"b":"é"}', 'utf8').toString('hex'));
  });
});
