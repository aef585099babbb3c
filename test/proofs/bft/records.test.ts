import { describe, expect, it } from 'vitest';
import { buildRecordsTree } from '../../../src/proofs/bft/build.js';
import { parseBftRecordProof } from '../../../src/proofs/bft/format.js';
import { verifyRecordInclusion } from '../../../src/proofs/bft/records.js';
import { leafHash } from '../../../src/ledger/merkle.js';
import { canonicalBytes } from '../../../src/crypto/canonical.js';
import { HASHES } from '../../../src/crypto/hash.js';
import { toHex0x } from '../../../src/crypto/bytes.js';
import { example, RECORDS } from './helpers.js';
import { codeOf } from '../../helpers/codes.js';

describe.each(['sha256', 'sm3'] as const)('BFT record inclusion (%s)', (alg) => {
  const { header } = example(alg);
  const tree = buildRecordsTree(RECORDS, alg);

  it('every record of the block verifies against recordsRoot; the leaf hash is RFC 9162 H(0x00 ‖ canonical JSON)', () => {
    for (let i = 0; i < RECORDS.length; i++) {
      const leaf = verifyRecordInclusion(header, parseBftRecordProof(JSON.parse(JSON.stringify(tree.proof(i)))));
      expect(leaf).toBe(toHex0x(leafHash(HASHES[alg], canonicalBytes(RECORDS[i]))));
    }
  });

  it('key order of the record does not matter (canonical JSON), its values do', () => {
    const p = tree.proof(0);
    const reordered = { owner: 'sha256:aa', number: '国作登字-2024-F-00000001', type: 'copyright-registration' };
    expect(() => verifyRecordInclusion(header, { ...p, data: reordered })).not.toThrow();
    expect(codeOf(() => verifyRecordInclusion(header, { ...p, data: { ...reordered, owner: 'sha256:ab' } }))).toBe('INCLUSION_PROOF_INVALID');
  });

  it('a proof for another index, a tampered node, a short proof and an index past the end fail', () => {
    const p = tree.proof(2);
    expect(codeOf(() => verifyRecordInclusion(header, { ...p, index: 3 }))).toBe('INCLUSION_PROOF_INVALID');
    const tampered = [...p.proof];
    tampered[0] = `0x${tampered[0]!.slice(2, 4) === '00' ? '01' : '00'}${tampered[0]!.slice(4)}`;
    expect(codeOf(() => verifyRecordInclusion(header, { ...p, proof: tampered }))).toBe('INCLUSION_PROOF_INVALID');
    expect(codeOf(() => verifyRecordInclusion(header, { ...p, proof: p.proof.slice(1) }))).toBe('PROOF_WRONG_LENGTH');
    expect(codeOf(() => verifyRecordInclusion(header, { ...p, index: RECORDS.length }))).toBe('PROOF_SIZE_INVALID');
  });

  it('the other hash suite does not verify', () => {
    const other = alg === 'sha256' ? 'sm3' : 'sha256';
    expect(codeOf(() => verifyRecordInclusion({ ...header, recordsHashAlg: other }, tree.proof(1)))).toBe('INCLUSION_PROOF_INVALID');
  });

  it('record proof parsing fails closed', () => {
    const p = tree.proof(1);
    expect(codeOf(() => parseBftRecordProof({ ...p, extra: 1 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseBftRecordProof({ index: 1, proof: p.proof }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseBftRecordProof({ ...p, proof: ['0x00'] }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseBftRecordProof({ ...p, proof: new Array(65).fill(p.proof[0]) }))).toBe('TOO_LARGE');
  });
});
