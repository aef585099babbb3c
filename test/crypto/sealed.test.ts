/**
 * Secrets at rest: AES-256-GCM envelope, associated-data binding, scrypt key derivation, and the error codes
 * SEALED_SECRET_MALFORMED / SEALED_SECRET_INVALID (which must never carry the secret).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveMasterKey, openSecret, sealSecret, SEALED_MAX_BYTES, SEALED_VERSION } from '../../src/crypto/sealed.js';
import { fromBase64Url, toBase64Url, toHex, utf8 } from '../../src/crypto/bytes.js';
import { isCourtBridgeError } from '../../src/errors.js';

const code = (c: string) => expect.objectContaining({ code: c });
const key = new Uint8Array(32).fill(7);
const otherKey = new Uint8Array(32).fill(8);
const secret = utf8('ed25519 seed: 9d61b19deffd5a60ba844af492ec2cc4');
const FAST = { N: 2 ** 10, r: 8, p: 1 };

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('sealSecret / openSecret', () => {
  it('round-trips arbitrary bytes with and without associated data (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (pt, ad) => {
        expect(openSecret(sealSecret(pt, key, ad), key, ad)).toEqual(pt);
      }),
      { numRuns: 200 },
    );
  });

  it('has the versioned self-describing format cbsealed1.<nonce 12 B>.<ciphertext ‖ 16 B tag>, fresh nonce each time', () => {
    const a = sealSecret(secret, key);
    const b = sealSecret(secret, key);
    expect(a).not.toBe(b);
    const [v, n, body] = a.split('.');
    expect(v).toBe(SEALED_VERSION);
    expect(fromBase64Url(n, 'n').length).toBe(12);
    expect(fromBase64Url(body, 'b').length).toBe(secret.length + 16);
    expect(a).not.toContain(toHex(secret));
  });

  it('wrong master key → SEALED_SECRET_INVALID (auth), message and details free of the secret', () => {
    const e = thrown(() => openSecret(sealSecret(secret, key), otherKey));
    expect(e).toEqual(code('SEALED_SECRET_INVALID'));
    expect(isCourtBridgeError(e) && e.category).toBe('auth');
    const text = JSON.stringify(e) + String((e as Error).message) + String((e as Error).cause ?? '');
    expect(text).not.toContain('ed25519 seed');
    expect(text).not.toContain(toHex(key));
  });

  it('associated data binds a blob to its row: a different or missing AD fails', () => {
    const sealed = sealSecret(secret, key, 'key:hub-ledger-1');
    expect(openSecret(sealed, key, 'key:hub-ledger-1')).toEqual(secret);
    expect(() => openSecret(sealed, key, 'key:hub-ledger-2')).toThrowError(code('SEALED_SECRET_INVALID'));
    expect(() => openSecret(sealed, key)).toThrowError(code('SEALED_SECRET_INVALID'));
    expect(() => openSecret(sealSecret(secret, key), key, 'key:hub-ledger-1')).toThrowError(code('SEALED_SECRET_INVALID'));
    // Uint8Array and string AD of the same bytes are the same AD.
    expect(openSecret(sealed, key, utf8('key:hub-ledger-1'))).toEqual(secret);
  });

  it('every single-bit flip of nonce, ciphertext or tag → SEALED_SECRET_INVALID', () => {
    const sealed = sealSecret(utf8('short'), key);
    const [v, n, b] = sealed.split('.') as [string, string, string];
    for (const part of ['n', 'b'] as const) {
      const bytes = fromBase64Url(part === 'n' ? n : b, part);
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const t = Uint8Array.from(bytes);
        t[bit >> 3]! ^= 1 << (bit & 7);
        const s = part === 'n' ? `${v}.${toBase64Url(t)}.${b}` : `${v}.${n}.${toBase64Url(t)}`;
        expect(() => openSecret(s, key), `${part} bit ${bit}`).toThrowError(code('SEALED_SECRET_INVALID'));
      }
    }
  });

  it('malformed envelopes → SEALED_SECRET_MALFORMED (input)', () => {
    const sealed = sealSecret(secret, key);
    const [, n, b] = sealed.split('.') as [string, string, string];
    const bad = [
      '',
      'cbsealed1',
      `cbsealed2.${n}.${b}`, // unknown version
      `cbsealed1.${n}`,
      `cbsealed1.${n}.${b}.extra`,
      `cbsealed1.${n}=.${b}`, // padding is not base64url
      `cbsealed1.${n}.${b}+`,
      `cbsealed1.${toBase64Url(new Uint8Array(11))}.${b}`, // short nonce
      `cbsealed1.${n}.${toBase64Url(new Uint8Array(15))}`, // shorter than a tag
    ];
    for (const s of bad) expect(() => openSecret(s, key), s).toThrowError(code('SEALED_SECRET_MALFORMED'));
    expect(() => openSecret(42 as unknown as string, key)).toThrowError(code('SEALED_SECRET_MALFORMED'));
  });

  it('master keys must be 32 bytes (BAD_LENGTH); oversized plaintext and envelopes → TOO_LARGE', () => {
    expect(() => sealSecret(secret, new Uint8Array(16))).toThrowError(code('BAD_LENGTH'));
    expect(() => openSecret(sealSecret(secret, key), new Uint8Array(31))).toThrowError(code('BAD_LENGTH'));
    expect(() => sealSecret(new Uint8Array(SEALED_MAX_BYTES + 1), key)).toThrowError(code('TOO_LARGE'));
    expect(() => openSecret('x'.repeat(2 * SEALED_MAX_BYTES + 1), key)).toThrowError(code('TOO_LARGE'));
  });
});

describe('deriveMasterKey (scrypt, RFC 7914)', () => {
  it('is deterministic in (passphrase, salt, cost), NFC-normalises the passphrase, and differs per salt', () => {
    const salt = new Uint8Array(16).fill(1);
    const a = deriveMasterKey('caf\u00e9 passphrase', salt, FAST);
    expect(deriveMasterKey('cafe\u0301 passphrase', salt, FAST)).toEqual(a); // NFD input, same key
    expect(deriveMasterKey('caf\u00e9 passphrase', new Uint8Array(16).fill(2), FAST)).not.toEqual(a);
    expect(openSecret(sealSecret(secret, a), deriveMasterKey('caf\u00e9 passphrase', salt, FAST))).toEqual(secret);
  });

  it('runs with the default cost (N = 2^15, r = 8, p = 1) within its memory limit', () => {
    expect(deriveMasterKey('correct horse battery staple', new Uint8Array(16).fill(3)).length).toBe(32);
  });

  it('rejects empty passphrases, short salts and unsafe cost parameters (INVALID_INPUT)', () => {
    const salt = new Uint8Array(16);
    expect(() => deriveMasterKey('', salt, FAST)).toThrowError(code('INVALID_INPUT'));
    expect(() => deriveMasterKey('pw', new Uint8Array(15), FAST)).toThrowError(code('INVALID_INPUT'));
    expect(() => deriveMasterKey('pw', utf8('NaCl'), FAST)).toThrowError(code('INVALID_INPUT')); // RFC 7914's 4-byte demo salt is too short here
    for (const cost of [{ N: 1000, r: 8, p: 1 }, { N: 2 ** 21, r: 8, p: 1 }, { N: 1024, r: 0, p: 1 }, { N: 1024, r: 8, p: 17 }, { N: 2 ** 20, r: 32, p: 1 }]) {
      expect(() => deriveMasterKey('pw', salt, cost)).toThrowError(code('INVALID_INPUT'));
    }
  });
});
