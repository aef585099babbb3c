/**
 * canonicalJson walks plain objects and arrays itself (after its RFC 8785 §3.1 checks) instead of calling the
 * `canonicalize` package (by an RFC 8785 author) for the whole value: the text must be identical to the package's on
 * every JSON value, and on values with undefined members, toJSON objects and class instances it hands to the package.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalJson } from '../../src/crypto/canonical.js';

/** A class whose instances serialise through an inherited toJSON (handed to the package). */
class J {
  toJSON(): unknown {
    return { b: 2, a: [1, 'é'] };
  }
}

describe('canonicalJson equals the canonicalize package', () => {
  it('on random JSON values (unicode keys and strings, doubles)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        expect(canonicalJson(v)).toBe(canonicalize(v));
      }),
      { numRuns: 500 },
    );
  });

  it('on objects with undefined members, dates and nested toJSON values', () => {
    const values: unknown[] = [
      { b: undefined, a: 1 },
      { when: new Date(0), list: [new Date(1), { z: 1, y: [true, null, -0, 1e21, 5e-324] }] },
      { j: new J(), k: [new J()] },
      Object.assign(Object.create(null) as object, { b: 1, a: 'x' }),
      [],
      {},
      'only a string',
    ];
    for (const v of values) expect(canonicalJson(v)).toBe(canonicalize(v));
  });

  it('still refuses what RFC 8785 §3.1 refuses, naming the field, behind the fast pre-check', () => {
    const codeAndField = (v: unknown): string => {
      try {
        canonicalJson(v);
        return 'OK';
      } catch (e) {
        const err = e as { code: string; details?: { field?: string } };
        return `${err.code} ${err.details?.field ?? ''}`;
      }
    };
    expect(codeAndField({ a: ['ok', 'x\ud800'] })).toBe('INVALID_INPUT $.a[1]');
    expect(codeAndField({ a: { b: Number.NaN } })).toBe('INVALID_INPUT $.a.b');
    expect(codeAndField({ a: [1, Infinity] })).toBe('INVALID_INPUT $.a[1]');
    expect(codeAndField({ ['\udc00']: 1 })).toBe('INVALID_INPUT $');
    expect(codeAndField({ f: () => 1 })).toBe('INVALID_INPUT $.f');
    expect(codeAndField({ n: 1n })).toBe('INVALID_INPUT $.n');
    let deep: unknown = 1;
    for (let i = 0; i < 130; i++) deep = [deep];
    expect(codeAndField(deep).startsWith('INVALID_INPUT')).toBe(true);
    const holes = [1, , 2]; // eslint-disable-line no-sparse-arrays
    expect(canonicalJson(holes)).toBe(canonicalize(holes));
  });
});
