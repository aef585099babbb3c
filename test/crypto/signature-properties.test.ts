/**
 * Property tests (fast-check) for the four signature suites: sign/verify round trips, single-bit flips of the
 * signature, message and public key never verify, DER ↔ raw equivalence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCourtBridgeError } from '../../src/errors.js';
import { generateKeyPair, SIG_ALGS, sign, signatureVerifier, verifySignature, type KeyPair, type SigAlg } from '../../src/crypto/signature.js';
import { derToRaw, rawToDer } from '../../src/crypto/ecdsa-der.js';
import { utf8 } from '../../src/crypto/bytes.js';

function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** Verify, mapping a coded error to 'error' (anything uncoded is rethrown and fails the test). */
function outcome(f: () => boolean): boolean | 'error' {
  try {
    return f();
  } catch (e) {
    if (isCourtBridgeError(e)) return 'error';
    throw e;
  }
}

const keys = new Map<SigAlg, KeyPair>(SIG_ALGS.map((alg) => [alg, generateKeyPair(alg)]));

describe.each(SIG_ALGS)('%s properties', (alg) => {
  it('sign → verify round-trips for random keys and messages (and a user ID for SM2)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 40 }), (message, userId) => {
        const kp = generateKeyPair(alg);
        const opts = alg === 'SM2' ? { userId } : {};
        const sig = sign(kp, message, opts);
        expect(sig.length).toBe(64);
        expect(verifySignature(alg, kp.publicKey, message, sig, opts)).toBe(true);
        expect(signatureVerifier(alg, kp.publicKey, opts)(message, sig)).toBe(true);
      }),
      { numRuns: alg === 'SM2' ? 15 : 40 },
    );
  });

  it('every single-bit flip of the signature and of the message fails (exhaustive, one key)', () => {
    const kp = keys.get(alg)!;
    const message = utf8('CourtBridge attestation 0001');
    const sig = sign(kp, message);
    const verify = signatureVerifier(alg, kp.publicKey);
    expect(verify(message, sig)).toBe(true);
    for (let bit = 0; bit < sig.length * 8; bit++) expect(outcome(() => verify(message, flip(sig, bit))), `sig bit ${bit}`).not.toBe(true);
    for (let bit = 0; bit < message.length * 8; bit++) expect(verify(flip(message, bit), sig), `msg bit ${bit}`).toBe(false);
  });

  it('the offloaded check (thread pool) answers as the direct one: good, every flipped signature bit, a flipped message, a bad length', async () => {
    const kp = keys.get(alg)!;
    const message = utf8('CourtBridge attestation 0003');
    const sig = sign(kp, message);
    const verify = signatureVerifier(alg, kp.publicKey);
    const offloaded = async (m: Uint8Array, s: Uint8Array): Promise<boolean | 'error'> => {
      try {
        return await verify.offloaded(m, s);
      } catch (e) {
        if (isCourtBridgeError(e)) return 'error';
        throw e;
      }
    };
    expect(await offloaded(message, sig)).toBe(true);
    const flips = await Promise.all(Array.from({ length: sig.length * 8 }, (_, bit) => offloaded(message, flip(sig, bit))));
    flips.forEach((r, bit) => expect(r, `sig bit ${bit}`).toBe(outcome(() => verify(message, flip(sig, bit)))));
    expect(flips).not.toContain(true);
    expect(await offloaded(flip(message, 3), sig)).toBe(false);
    expect(await offloaded(message, sig.subarray(0, 63))).toBe('error');
  });

  it('every single-bit flip of the public key fails or throws a coded error (exhaustive, one key)', () => {
    const kp = keys.get(alg)!;
    const message = utf8('CourtBridge attestation 0002');
    const sig = sign(kp, message);
    for (let bit = 0; bit < kp.publicKey.length * 8; bit++) {
      expect(outcome(() => verifySignature(alg, flip(kp.publicKey, bit), message, sig)), `key bit ${bit}`).not.toBe(true);
    }
  });

  it('random single-bit flips over random keys and messages never verify', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.constantFrom('sig', 'msg', 'key'), (message, n, where) => {
        const kp = generateKeyPair(alg);
        const sig = sign(kp, message);
        const r =
          where === 'sig'
            ? outcome(() => verifySignature(alg, kp.publicKey, message, flip(sig, n % 512)))
            : where === 'msg'
              ? outcome(() => verifySignature(alg, kp.publicKey, flip(message, n % (message.length * 8)), sig))
              : outcome(() => verifySignature(alg, flip(kp.publicKey, n % (kp.publicKey.length * 8)), message, sig));
        expect(r).not.toBe(true);
      }),
      { numRuns: alg === 'SM2' ? 10 : 30 },
    );
  });

  it('a private key rewritten in place signs with the new key, not with material derived from the old bytes', () => {
    const a = generateKeyPair(alg);
    const b = generateKeyPair(alg);
    const held = { alg, privateKey: Uint8Array.from(a.privateKey), publicKey: a.publicKey };
    const m = utf8('signed twice with one array');
    expect(verifySignature(alg, a.publicKey, m, sign(held, m))).toBe(true);
    held.privateKey.set(b.privateKey); // e.g. a rotated key loaded into the same buffer
    const second = sign(held, m);
    expect(verifySignature(alg, b.publicKey, m, second)).toBe(true);
    expect(verifySignature(alg, a.publicKey, m, second)).toBe(false);
    held.privateKey.fill(0); // zeroised: no signature from memory of either key
    if (alg === 'Ed25519') expect(verifySignature(alg, b.publicKey, m, sign(held, m))).toBe(false); // the zero seed is a key
    else expect(() => sign(held, m)).toThrowError(expect.objectContaining({ code: 'BAD_PRIVATE_KEY' }) as unknown as Error);
  });

  if (alg !== 'Ed25519') {
    it('DER and raw encodings of the same signature give the same answer', () => {
      const kp = keys.get(alg)!;
      const verify = signatureVerifier(alg, kp.publicKey);
      const verifyDer = signatureVerifier(alg, kp.publicKey, { encoding: 'der' });
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), (message, tamper) => {
          const sig = sign(kp, message);
          const raw = tamper ? flip(sig, 7) : sig;
          expect(verifyDer(message, rawToDer(raw))).toBe(verify(message, raw));
        }),
        { numRuns: alg === 'SM2' ? 10 : 30 },
      );
    });
  }
});

describe('SM2 signing keeps Z_A per user ID', () => {
  it('one key signing under several IDs in turn: each signature verifies under its own ID only', () => {
    const kp = generateKeyPair('SM2');
    const message = utf8('CourtBridge checkpoint');
    for (const userId of [undefined, 'alice@court.example', '', undefined, 'alice@court.example', 'bob']) {
      const sig = sign(kp, message, userId === undefined ? {} : { userId });
      expect(verifySignature('SM2', kp.publicKey, message, sig, userId === undefined ? {} : { userId })).toBe(true);
      const other = userId === 'bob' ? {} : { userId: 'bob' };
      expect(verifySignature('SM2', kp.publicKey, message, sig, other)).toBe(false);
    }
    expect(outcome(() => sign(kp, message, { userId: 'x'.repeat(8192) }).length > 0)).toBe('error');
  });
});

describe('DER codec', () => {
  it('rawToDer ∘ derToRaw is the identity on 64-byte r‖s, including short and high-bit integers', () => {
    const scalar = fc.oneof(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 1, maxLength: 31 }).map((b) => {
        const out = new Uint8Array(32);
        out.set(b, 32 - b.length);
        return out;
      }),
    );
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        const raw = new Uint8Array(64);
        raw.set(r, 0);
        raw.set(s, 32);
        const der = rawToDer(raw);
        expect(der.length).toBeLessThanOrEqual(72);
        expect(derToRaw(der, 'ES256')).toEqual(raw);
      }),
      { numRuns: 300 },
    );
  });

  it('derToRaw never throws anything but a coded error on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          derToRaw(bytes, 'ES256');
        } catch (e) {
          expect(isCourtBridgeError(e) && e.code === 'BAD_SIGNATURE_ENCODING').toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
