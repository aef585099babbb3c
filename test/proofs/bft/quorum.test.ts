import { describe, expect, it } from 'vitest';
import { signCertificate, validatorSetOf } from '../../../src/proofs/bft/build.js';
import { bftHeaderHash, bftValidatorSetHash, headerSigningBytes, HEADER_PREFIX } from '../../../src/proofs/bft/encoding.js';
import { parseBftCertificate, parseBftHeader, parseBftValidatorSet } from '../../../src/proofs/bft/format.js';
import { isQuorum, verifyQuorumCertificate } from '../../../src/proofs/bft/quorum.js';
import { canonicalJson } from '../../../src/crypto/canonical.js';
import { sha256, sm3 } from '../../../src/crypto/hash.js';
import { toHex0x, utf8 } from '../../../src/crypto/bytes.js';
import { example, makeHeader, makeSigners } from './helpers.js';
import { codeOf } from '../../helpers/codes.js';

describe('BFT quorum certificates: valid certificates', () => {
  it('accepts a certificate signed by Ed25519, secp256k1 and SM2 validators (SHA-256 chain)', () => {
    const { set, header, certificate } = example('sha256');
    const r = verifyQuorumCertificate(header, set, certificate);
    expect(r.signedWeight).toBe(4);
    expect(r.totalWeight).toBe(4);
    expect(r.signers).toEqual(['v0', 'v1', 'v2', 'v3']);
  });

  it('accepts a certificate on an SM3 chain, with signers referenced by index', () => {
    const { signers, set } = example('sm3');
    const header = makeHeader(set, { alg: 'sm3', round: 2 });
    const certificate = signCertificate(header, set, signers.slice(0, 3), true);
    expect(verifyQuorumCertificate(header, set, certificate).signers).toEqual(['v0', 'v1', 'v2']);
  });

  it('signing bytes are the documented prefix + RFC 8785 JSON, and the hashes use the chain suite', () => {
    const { set, header } = example('sm3');
    const bytes = headerSigningBytes(header);
    expect(Buffer.from(bytes).toString('utf8')).toBe(`courtbridge-bft-header-v1\n${canonicalJson(header)}`);
    expect(HEADER_PREFIX).toBe('courtbridge-bft-header-v1\n');
    expect(bftHeaderHash(header)).toBe(toHex0x(sm3(bytes)));
    expect(bftValidatorSetHash(set, 'sha256')).toBe(toHex0x(sha256(utf8(`courtbridge-bft-validator-set-v1\n${canonicalJson(set)}`))));
  });

  it('isQuorum is strict integer > 2/3', () => {
    expect(isQuorum(2, 3)).toBe(false);
    expect(isQuorum(3, 4)).toBe(true);
    expect(isQuorum(6, 9)).toBe(false);
    expect(isQuorum(7, 9)).toBe(true);
    expect(isQuorum(0, 0)).toBe(false);
  });
});

describe('BFT quorum certificates: weighted thresholds', () => {
  // weights 3,3,2,1 → total 9; 2/3 of 9 = 6 exactly.
  const signers = makeSigners([['Ed25519', 3], ['ES256K', 3], ['SM2', 2], ['Ed25519', 1]]);
  const set = validatorSetOf(signers);
  const header = makeHeader(set);

  it('exactly 2/3 of the weight fails (3 + 3 of 9)', () => {
    const cert = signCertificate(header, set, [signers[0]!, signers[1]!]);
    expect(codeOf(() => verifyQuorumCertificate(header, set, cert))).toBe('QUORUM_NOT_REACHED');
  });

  it('just above 2/3 passes (3 + 3 + 1 of 9)', () => {
    const cert = signCertificate(header, set, [signers[0]!, signers[1]!, signers[3]!]);
    expect(verifyQuorumCertificate(header, set, cert).signedWeight).toBe(7);
  });

  it('many light validators cannot outvote by count: 3 of 4 members with 1+1+2 of 9 fails', () => {
    const cert = signCertificate(header, set, [signers[2]!, signers[3]!, signers[0]!].slice(0, 2));
    expect(codeOf(() => verifyQuorumCertificate(header, set, cert))).toBe('QUORUM_NOT_REACHED');
  });

  it('an empty certificate fails', () => {
    expect(codeOf(() => verifyQuorumCertificate(header, set, { headerHash: bftHeaderHash(header), signatures: [] }))).toBe('QUORUM_NOT_REACHED');
  });
});

describe('BFT quorum certificates: adversarial', () => {
  const { signers, set, header, certificate } = example();

  it('duplicate signer by id is rejected before counting (DUPLICATE_SIGNER)', () => {
    const cert = { ...certificate, signatures: [certificate.signatures[0]!, certificate.signatures[1]!, certificate.signatures[0]!] };
    expect(codeOf(() => verifyQuorumCertificate(header, set, cert))).toBe('DUPLICATE_SIGNER');
  });

  it('duplicate signer by id and by index is rejected (DUPLICATE_SIGNER)', () => {
    const cert = { ...certificate, signatures: [...certificate.signatures, { validator: 0, signature: certificate.signatures[0]!.signature }] };
    expect(codeOf(() => verifyQuorumCertificate(header, set, cert))).toBe('DUPLICATE_SIGNER');
  });

  it('a signer outside the set is rejected (SIGNER_NOT_IN_SET), by id and by index', () => {
    const [outsider] = makeSigners([['Ed25519', 1]], 'x');
    const extra = signCertificate(header, set, [outsider!]).signatures[0]!;
    expect(codeOf(() => verifyQuorumCertificate(header, set, { ...certificate, signatures: [...certificate.signatures, extra] }))).toBe('SIGNER_NOT_IN_SET');
    const byIndex = { ...certificate, signatures: [{ validator: 4, signature: extra.signature }] };
    expect(codeOf(() => verifyQuorumCertificate(header, set, byIndex))).toBe('SIGNER_NOT_IN_SET');
  });

  it('a member whose signature is by another key fails (SIGNATURE_INVALID)', () => {
    const forged = signCertificate(header, set, [{ ...signers[1]!, id: 'v0', key: signers[3]!.key }]).signatures[0]!;
    const cert = { ...certificate, signatures: [forged, ...certificate.signatures.slice(1)] };
    expect(codeOf(() => verifyQuorumCertificate(header, set, cert))).toBe('SIGNATURE_INVALID');
  });

  it('a certificate for another header fails (HEADER_HASH_MISMATCH)', () => {
    const other = { ...header, height: header.height + 1 };
    expect(codeOf(() => verifyQuorumCertificate(other, set, certificate))).toBe('HEADER_HASH_MISMATCH');
  });

  it('a header hash that matches but signatures over another header fail (SIGNATURE_INVALID)', () => {
    const other = { ...header, timestamp: header.timestamp + 1 };
    const cert = { ...signCertificate(other, set, signers), headerHash: bftHeaderHash(header) };
    expect(codeOf(() => verifyQuorumCertificate(header, set, cert))).toBe('SIGNATURE_INVALID');
  });

  it('a set other than the one the header names fails (VALIDATOR_SET_MISMATCH)', () => {
    const other = validatorSetOf(makeSigners([['Ed25519', 1]]));
    expect(codeOf(() => verifyQuorumCertificate(header, other, certificate))).toBe('VALIDATOR_SET_MISMATCH');
  });

  it('unknown algorithms fail closed (UNSUPPORTED_ALGORITHM): key alg ES256, hash alg keccak256', () => {
    const wire = JSON.parse(JSON.stringify(set));
    wire.validators[0].alg = 'ES256';
    expect(codeOf(() => parseBftValidatorSet(wire))).toBe('UNSUPPORTED_ALGORITHM');
    expect(codeOf(() => parseBftHeader({ ...header, recordsHashAlg: 'keccak256' }))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('unknown fields fail closed (INVALID_INPUT) in header, set, member, certificate and signature', () => {
    expect(codeOf(() => parseBftHeader({ ...header, extra: 1 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseBftValidatorSet({ ...set, threshold: 1 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseBftValidatorSet({ validators: [{ ...set.validators[0], name: 'x' }] }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseBftCertificate({ ...certificate, round: 1 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseBftCertificate({ ...certificate, signatures: [{ ...certificate.signatures[0], alg: 'SM2' }] }))).toBe('INVALID_INPUT');
  });

  it('malformed hex and sizes fail closed (BAD_HEX / BAD_LENGTH / BAD_INTEGER / TOO_LARGE)', () => {
    const sig = certificate.signatures[0]!;
    expect(codeOf(() => parseBftCertificate({ ...certificate, signatures: [{ ...sig, signature: sig.signature.slice(0, -2) }] }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseBftCertificate({ ...certificate, signatures: [{ ...sig, signature: `${sig.signature}00` }] }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseBftCertificate({ ...certificate, signatures: [{ ...sig, signature: sig.signature.toUpperCase().replace('0X', '0x') }] }))).toBe('BAD_HEX');
    expect(codeOf(() => parseBftCertificate({ ...certificate, headerHash: certificate.headerHash.slice(2) }))).toBe('BAD_HEX');
    expect(codeOf(() => parseBftCertificate({ ...certificate, signatures: [{ ...sig, validator: -1 }] }))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseBftCertificate({ ...certificate, signatures: [{ ...sig, validator: 1.5 }] }))).toBe('BAD_INTEGER');
    const v = set.validators[0]!;
    expect(codeOf(() => parseBftValidatorSet({ validators: [{ ...v, publicKey: `${v.publicKey}00` }] }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseBftValidatorSet({ validators: [{ ...set.validators[1]!, publicKey: set.validators[0]!.publicKey }] }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseBftValidatorSet({ validators: [{ ...v, weight: 0 }] }))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseBftValidatorSet({ validators: [{ ...v, weight: 2 ** 53 }] }))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseBftValidatorSet({ validators: [{ ...v, weight: 2 ** 52 }, { ...set.validators[1]!, weight: 2 ** 52 }] }))).toBe('TOO_LARGE');
    expect(codeOf(() => parseBftCertificate({ ...certificate, signatures: new Array(1025).fill(sig) }))).toBe('TOO_LARGE');
    expect(codeOf(() => parseBftHeader({ ...header, height: -1 }))).toBe('BAD_INTEGER');
    expect(codeOf(() => parseBftHeader({ ...header, parentHash: '0x1234' }))).toBe('BAD_LENGTH');
    expect(codeOf(() => parseBftHeader({ ...header, chainId: 'eip155:1' }))).toBe('INVALID_INPUT');
  });

  it('a set with a repeated id or key is rejected (one signer must not count twice)', () => {
    const v = set.validators[0]!;
    expect(codeOf(() => parseBftValidatorSet({ validators: [v, { ...set.validators[1]!, id: v.id }] }))).toBe('INVALID_INPUT');
    expect(codeOf(() => parseBftValidatorSet({ validators: [v, { ...v, id: 'other' }] }))).toBe('INVALID_INPUT');
  });

  it('a public key that is not a curve point fails (BAD_PUBLIC_KEY)', () => {
    const wire = JSON.parse(JSON.stringify(set));
    wire.validators[1].publicKey = `0x05${'00'.repeat(32)}`;
    const bad = parseBftValidatorSet(wire);
    const h = makeHeader(bad);
    const cert = signCertificate(h, bad, signers); // v1's signature is made by its real key; its listed key is no point
    expect(codeOf(() => verifyQuorumCertificate(h, bad, cert))).toBe('BAD_PUBLIC_KEY');
  });
});
