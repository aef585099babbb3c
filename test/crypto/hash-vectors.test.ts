/**
 * Known-answer tests for the hash suites, each vector with its published source.
 */
import { describe, expect, it } from 'vitest';
import { blake2b256, hashSuite, HASHES, keccak256, sha256, sm3 } from '../../src/crypto/hash.js';
import { toHex, utf8 } from '../../src/crypto/bytes.js';

describe('hash known answers', () => {
  it('SHA-256("abc") — FIPS 180-2 Appendix B.1', () => {
    expect(toHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('SM3("abc") — GB/T 32905-2016 Annex A, example 1', () => {
    expect(toHex(sm3(utf8('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('SM3("abcd" × 16, 64 bytes) — GB/T 32905-2016 Annex A, example 2', () => {
    expect(toHex(sm3(utf8('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('Keccak-256("") — Ethereum Yellow Paper KEC(()) = EIP-1052 empty code hash', () => {
    expect(toHex(keccak256(new Uint8Array(0)))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });

  it('Keccak-256("abc") — Keccak team KAT, also ziglang/zig lib/std/crypto/sha3.zig testKeccak256Single', () => {
    expect(toHex(keccak256(utf8('abc')))).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('BLAKE2b-256 of "" and "abc" — stellar/stellar-core src/crypto/test/CryptoTests.cpp blake2TestVectors', () => {
    expect(toHex(blake2b256(new Uint8Array(0)))).toBe('0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
    expect(toHex(blake2b256(utf8('abc')))).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  });

  it('digest(...parts) equals the digest of the concatenation for every suite', () => {
    for (const suite of Object.values(HASHES)) {
      expect(toHex(suite.digest(utf8('ab'), utf8(''), utf8('c')))).toBe(toHex(suite.digest(utf8('abc'))));
    }
  });

  it('hashSuite rejects unknown names with UNSUPPORTED_ALGORITHM', () => {
    expect(hashSuite('sm3').alg).toBe('sm3');
    for (const bad of ['sha3-256', 'SHA256', '__proto__', 42, undefined]) {
      expect(() => hashSuite(bad)).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
    }
  });
});
