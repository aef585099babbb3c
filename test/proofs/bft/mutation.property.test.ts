import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRecordsTree } from '../../../src/proofs/bft/build.js';
import { verifyQuorumCertificateFile } from '../../../src/proofs/bft/verify-file.js';
import { canonicalJson } from '../../../src/crypto/canonical.js';
import { example, RECORDS } from './helpers.js';

/** Parse and verify a proof file given as bytes; true when accepted. */
function accepts(bytes: Uint8Array): boolean {
  try {
    verifyQuorumCertificateFile(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return true;
  } catch {
    return false;
  }
}

describe('BFT quorum certificate: every single-byte mutation is rejected (property, sampled)', () => {
  const { set, header, certificate } = example('sm3');
  const file = { type: 'quorum-certificate', header, validatorSet: set, certificate, record: buildRecordsTree(RECORDS, 'sm3').proof(1) };
  const bytes = Buffer.from(canonicalJson(file), 'utf8');
  const headerStart = bytes.indexOf('"header"');
  const sigStart = bytes.indexOf('"signatures"');

  it('the unmutated file is accepted', () => {
    expect(accepts(bytes)).toBe(true);
  });

  const mutate = (pos: number, value: number): Uint8Array => {
    const out = Uint8Array.from(bytes);
    out[pos] = value === out[pos] ? (value + 1) % 256 : value;
    return out;
  };

  it('anywhere in the file', () => {
    fc.assert(fc.property(fc.nat(bytes.length - 1), fc.nat(255), (pos, v) => !accepts(mutate(pos, v))), { numRuns: 150 });
  });

  it('in the header', () => {
    const end = bytes.indexOf('"record"');
    fc.assert(fc.property(fc.integer({ min: headerStart, max: end - 1 }), fc.nat(255), (pos, v) => !accepts(mutate(pos, v))), { numRuns: 100 });
  });

  it('in the signatures', () => {
    const end = bytes.indexOf(']', sigStart);
    fc.assert(fc.property(fc.integer({ min: sigStart, max: end }), fc.nat(255), (pos, v) => !accepts(mutate(pos, v))), { numRuns: 100 });
  });
});
