/**
 * Adversarial inputs for the signature suites: one or more cases per error code and the documented "returns false"
 * cases (r or s = 0 or ≥ n). Tests assert codes, never messages.
 */
import { ECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sm2 as smc } from 'sm-crypto-v2';
import { generateKeyPair, keyPairFromPrivate, parseSigAlg, sign, signatureVerifier, verifySignature, type SigAlg } from '../../src/crypto/signature.js';
import { bigIntToBytes, derToRaw, P256_N, rawToDer, SECP256K1_N, SM2_N } from '../../src/crypto/ecdsa-der.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';

const code = (c: string) => expect.objectContaining({ code: c });
const msg = utf8('m');
const EC: { alg: SigAlg; n: bigint }[] = [
  { alg: 'ES256', n: P256_N },
  { alg: 'ES256K', n: SECP256K1_N },
  { alg: 'SM2', n: SM2_N },
];

describe('UNSUPPORTED_ALGORITHM', () => {
  it('parseSigAlg accepts exactly the four names', () => {
    expect(parseSigAlg('SM2')).toBe('SM2');
    for (const bad of ['EdDSA', 'es256', 'ES384', 'RS256', '', null, 1, '__proto__']) {
      expect(() => parseSigAlg(bad)).toThrowError(code('UNSUPPORTED_ALGORITHM'));
    }
    expect(() => verifySignature('RS256' as SigAlg, new Uint8Array(32), msg, new Uint8Array(64))).toThrowError(code('UNSUPPORTED_ALGORITHM'));
  });
});

describe('BAD_PUBLIC_KEY', () => {
  const sig = new Uint8Array(64).fill(1);

  it('wrong lengths and prefixes', () => {
    for (const len of [0, 31, 33, 64, 4_000_000]) {
      expect(() => verifySignature('Ed25519', new Uint8Array(len), msg, sig)).toThrowError(code('BAD_PUBLIC_KEY'));
      expect(() => verifySignature('SM2', new Uint8Array(len), msg, sig)).toThrowError(code('BAD_PUBLIC_KEY'));
    }
    for (const { alg } of EC) {
      const good = generateKeyPair(alg).publicKey;
      for (const bad of [good.subarray(0, 32), concatBytes(good, Uint8Array.of(0)), new Uint8Array(65), Uint8Array.of(0), concatBytes(Uint8Array.of(0x04), good.subarray(1))]) {
        expect(() => verifySignature(alg, bad, msg, sig), alg).toThrowError(code('BAD_PUBLIC_KEY'));
      }
      // Hybrid encoding (06/07, X9.62 §4.3.6) is refused even for a real point.
      const hybrid = Uint8Array.from(smUncompressed(alg, good));
      hybrid[0] = 0x06 | (hybrid[64]! & 1);
      expect(() => verifySignature(alg, hybrid, msg, sig), alg).toThrowError(code('BAD_PUBLIC_KEY'));
    }
  });

  it('EC points that are not on the curve (uncompressed y changed; compressed x with no square root)', () => {
    for (const { alg } of EC) {
      const unc = Uint8Array.from(smUncompressed(alg, generateKeyPair(alg).publicKey));
      unc[64]! ^= 1;
      expect(() => verifySignature(alg, unc, msg, sig), alg).toThrowError(code('BAD_PUBLIC_KEY'));
      expect(() => signatureVerifier(alg, unc), alg).toThrowError(code('BAD_PUBLIC_KEY'));
      // Search a compressed x that is not on the curve (half of all x are not).
      let found = false;
      for (let x = 1; x < 64 && !found; x++) {
        const cand = new Uint8Array(33);
        cand[0] = 2;
        cand[32] = x;
        try {
          verifySignature(alg, cand, msg, sig);
        } catch (e) {
          expect(e).toEqual(code('BAD_PUBLIC_KEY'));
          found = true;
        }
      }
      expect(found, alg).toBe(true);
    }
  });

  it('Ed25519 encodings that are not points (RFC 8032 §5.1.3): no square root, y ≥ p, x = 0 with sign bit', () => {
    const noRoot = new Uint8Array(32);
    noRoot[0] = 2; // y = 2: (y²−1)/(dy²+1) is not a square mod p
    const yIsP = fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'p');
    const negZero = new Uint8Array(32);
    negZero[0] = 1; // y = 1 ⇒ x = 0 …
    negZero[31] = 0x80; // … with the sign bit set
    for (const bad of [noRoot, yIsP, negZero]) {
      expect(() => verifySignature('Ed25519', bad, msg, sig)).toThrowError(code('BAD_PUBLIC_KEY'));
    }
  });
});

describe('BAD_PRIVATE_KEY', () => {
  it('zero, ≥ n, wrong length; SM2 also refuses n − 1 (GB/T 32918.1 §6.1: d ≤ n − 2)', () => {
    for (const { alg, n } of EC) {
      for (const d of [0n, n, n + 1n, 2n ** 256n - 1n]) {
        expect(() => keyPairFromPrivate(alg, bigIntToBytes(d, 32)), `${alg} ${d}`).toThrowError(code('BAD_PRIVATE_KEY'));
      }
      expect(() => keyPairFromPrivate(alg, new Uint8Array(31).fill(1))).toThrowError(code('BAD_PRIVATE_KEY'));
    }
    expect(() => keyPairFromPrivate('SM2', bigIntToBytes(SM2_N - 1n, 32))).toThrowError(code('BAD_PRIVATE_KEY'));
    expect(keyPairFromPrivate('SM2', bigIntToBytes(SM2_N - 2n, 32)).publicKey.length).toBe(33);
    expect(keyPairFromPrivate('ES256K', bigIntToBytes(SECP256K1_N - 1n, 32)).publicKey.length).toBe(33);
    expect(() => keyPairFromPrivate('Ed25519', new Uint8Array(33))).toThrowError(code('BAD_PRIVATE_KEY'));
    expect(() => sign({ alg: 'ES256', privateKey: new Uint8Array(32), publicKey: new Uint8Array(33) }, msg)).toThrowError(code('BAD_PRIVATE_KEY'));
  });
});

describe('BAD_SIGNATURE_ENCODING', () => {
  it('raw signatures that are not exactly 64 bytes', () => {
    for (const alg of ['Ed25519', 'ES256', 'ES256K', 'SM2'] as const) {
      const kp = generateKeyPair(alg);
      const sig = sign(kp, msg);
      for (const bad of [sig.subarray(0, 63), concatBytes(sig, Uint8Array.of(0)), new Uint8Array(0)]) {
        expect(() => verifySignature(alg, kp.publicKey, msg, bad), alg).toThrowError(code('BAD_SIGNATURE_ENCODING'));
      }
    }
  });

  it('DER for Ed25519, and unknown encodings', () => {
    const kp = generateKeyPair('Ed25519');
    expect(() => verifySignature('Ed25519', kp.publicKey, msg, sign(kp, msg), { encoding: 'der' })).toThrowError(code('BAD_SIGNATURE_ENCODING'));
    const ec = generateKeyPair('ES256');
    expect(() => verifySignature('ES256', ec.publicKey, msg, sign(ec, msg), { encoding: 'pem' as 'der' })).toThrowError(code('BAD_SIGNATURE_ENCODING'));
  });

  it('DER that is not strict DER: BER lengths, negative or padded integers, wrong tags, trailing bytes', () => {
    const kp = generateKeyPair('ES256');
    const der = rawToDer(sign(kp, msg));
    expect(verifySignature('ES256', kp.publicKey, msg, der, { encoding: 'der' })).toBe(true);
    const r1 = fromHex('3006020101020101', 'x'); // r = s = 1: well-formed
    expect(derToRaw(r1, 'ES256')).not.toBeNull();
    const bad = [
      concatBytes(der, Uint8Array.of(0)), // trailing byte after the SEQUENCE
      fromHex('3007020101020101' + '00', 'x').subarray(0, 8), // SEQUENCE length says 7, 6 present
      fromHex('30070201010201010a', 'x'), // trailing byte inside the SEQUENCE
      fromHex('3106020101020101', 'x'), // SET, not SEQUENCE
      fromHex('3006030101020101', 'x'), // BIT STRING, not INTEGER
      fromHex('3006020181020101', 'x'), // negative r
      fromHex('300702020001020101', 'x'), // non-minimal r (00 01)
      fromHex('3006020100020101', 'x').subarray(0, 7), // truncated
      fromHex('308106020101020101', 'x'), // long-form length
      fromHex('3005020002020101', 'x'), // zero-length INTEGER
      new Uint8Array(73).fill(0x30), // longer than any 256-bit pair
    ];
    for (const b of bad) expect(() => derToRaw(b, 'ES256')).toThrowError(code('BAD_SIGNATURE_ENCODING'));
    expect(() => verifySignature('ES256', kp.publicKey, msg, bad[0]!, { encoding: 'der' })).toThrowError(code('BAD_SIGNATURE_ENCODING'));
    expect(() => verifySignature('SM2', generateKeyPair('SM2').publicKey, msg, bad[5]!, { encoding: 'der' })).toThrowError(code('BAD_SIGNATURE_ENCODING'));
  });
});

describe('well-formed but out-of-range scalars return false (never throw, never true)', () => {
  for (const { alg, n } of EC) {
    it(`${alg}: r or s = 0, = n, = 2^256 − 1`, () => {
      const kp = generateKeyPair(alg);
      const good = sign(kp, msg);
      const r = good.subarray(0, 32);
      const s = good.subarray(32);
      const cases = [
        concatBytes(new Uint8Array(32), s),
        concatBytes(r, new Uint8Array(32)),
        concatBytes(bigIntToBytes(n, 32), s),
        concatBytes(r, bigIntToBytes(n, 32)),
        concatBytes(r, new Uint8Array(32).fill(0xff)),
        new Uint8Array(64),
      ];
      const verify = signatureVerifier(alg, kp.publicKey);
      for (const c of cases) {
        expect(verifySignature(alg, kp.publicKey, msg, c)).toBe(false);
        expect(verify(msg, c)).toBe(false);
        expect(verifySignature(alg, kp.publicKey, msg, rawToDer(c), { encoding: 'der' })).toBe(false);
      }
      // r + s = n (SM2 §7.1 B5: t = 0) is rejected too.
      if (alg === 'SM2') expect(verify(msg, concatBytes(bigIntToBytes(1n, 32), bigIntToBytes(n - 1n, 32)))).toBe(false);
    });
  }

  it('DER integers ≥ 2^256 (33 significant bytes) return false', () => {
    const kp = generateKeyPair('ES256K');
    const der = fromHex(`3026022101${'00'.repeat(32)}020101`, 'x');
    expect(derToRaw(der, 'ES256K')).toBeNull();
    expect(verifySignature('ES256K', kp.publicKey, msg, der, { encoding: 'der' })).toBe(false);
  });
});

describe('TOO_LARGE', () => {
  it('an SM2 user ID longer than ENTL can describe (8191 bytes)', () => {
    const kp = generateKeyPair('SM2');
    expect(() => signatureVerifier('SM2', kp.publicKey, { userId: 'a'.repeat(8192) })).toThrowError(code('TOO_LARGE'));
    expect(() => sign(kp, msg, { userId: 'a'.repeat(8192) })).toThrowError(code('TOO_LARGE'));
    expect(() => signatureVerifier('SM2', kp.publicKey, { userId: 42 as unknown as string })).toThrowError(code('INVALID_INPUT'));
    const long = 'a'.repeat(8191);
    expect(signatureVerifier('SM2', kp.publicKey, { userId: long })(msg, sign(kp, msg, { userId: long }))).toBe(true);
  });
});

/** Uncompressed SEC1 form of a compressed public key (node's ECDH for the NIST/SEC curves, sm-crypto-v2 for SM2). */
function smUncompressed(alg: SigAlg, compressed: Uint8Array): Uint8Array {
  if (alg === 'SM2') return fromHex(smc.precomputePublicKey(toHex(compressed), 2).toHex(false), 'p');
  return new Uint8Array(ECDH.convertKey(compressed, alg === 'ES256' ? 'prime256v1' : 'secp256k1', undefined, undefined, 'uncompressed') as Buffer);
}

describe('one-shot key cache', () => {
  it('stays correct past its capacity (300 distinct keys, then the first again)', () => {
    const pairs = Array.from({ length: 300 }, () => generateKeyPair('Ed25519'));
    const sigs = pairs.map((kp) => sign(kp, msg));
    pairs.forEach((kp, i) => expect(verifySignature('Ed25519', kp.publicKey, msg, sigs[i]!)).toBe(true));
    expect(verifySignature('Ed25519', pairs[0]!.publicKey, msg, sigs[0]!)).toBe(true);
    expect(verifySignature('Ed25519', pairs[0]!.publicKey, msg, sigs[1]!)).toBe(false);
  });

  it('an SM2 key used often through verifySignature (promoted to a hot verifier) still answers correctly', () => {
    const kp = generateKeyPair('SM2');
    const good = sign(kp, msg);
    const bad = Uint8Array.from(good);
    bad[40]! ^= 1;
    for (let i = 0; i < 40; i++) {
      expect(verifySignature('SM2', kp.publicKey, msg, good), `call ${i}`).toBe(true);
      expect(verifySignature('SM2', kp.publicKey, msg, bad), `call ${i}`).toBe(false);
    }
  });
});
