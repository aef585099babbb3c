import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRegistration, registrationDigest } from '../../../adapters/registration/parse.js';
import { isCourtBridgeError } from '../../../src/errors.js';
import { bftDocument, evmDocument, identity } from './fixtures.js';

const partner = identity().did;
const docs = [bftDocument(partner), evmDocument(partner)];

/** Every JSON pointer path of a value (objects and arrays), bounded. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = JSON.parse(JSON.stringify(root));
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  node[path.at(-1)!] = value;
  return copy;
}

describe('registration document: properties', () => {
  it('any value at any path: parses or fails with REGISTRATION_INVALID, never a foreign error (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 }), fc.nat(), fc.jsonValue({ maxDepth: 3 }), (d, pick, value) => {
        const doc = docs[d]!;
        const all = paths(doc);
        const mutated = setAt(doc, all[pick % all.length]!, value);
        try {
          parseRegistration(mutated);
        } catch (e) {
          expect(isCourtBridgeError(e)).toBe(true);
          expect((e as { code: string }).code).toBe('REGISTRATION_INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the digest depends on content only, not on key order (RFC 8785), and changes with any field', () => {
    const shuffle = (v: unknown, seed: number): unknown => {
      if (Array.isArray(v)) return v.map((x) => shuffle(x, seed));
      if (v === null || typeof v !== 'object') return v;
      const e = Object.entries(v);
      if (seed % 2 === 1) e.reverse();
      return Object.fromEntries(e.map(([k, x]) => [k, shuffle(x, seed >> 1)]));
    };
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const doc = docs[seed % 2]!;
        expect(registrationDigest(shuffle(doc, seed) as typeof doc)).toBe(registrationDigest(doc));
      }),
      { numRuns: 50 },
    );
    expect(registrationDigest({ ...docs[0]!, name: `${docs[0]!.name}.` })).not.toBe(registrationDigest(docs[0]!));
  });
});
