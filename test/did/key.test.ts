import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Resolver } from 'did-resolver';
import { getResolver as keyDidResolver } from 'key-did-resolver';
import { decodeDidKey, didKeyDocument, didKeyFromPublicKey, fromMultibase, normalizePublicKey, toMultibase, uncompressedPoint } from '../../did/key.js';
import { jwkToPublicKey, publicKeyToJwk } from '../../did/jwk.js';
import { base58Decode, base58Encode } from '../../did/base58.js';
import { verifyDidKeyFile } from '../../did/verify-file.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import { generateKeyPair, keyPairFromPrivate, type SigAlg } from '../../src/crypto/signature.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

// Known answers: w3c-ccg/did-method-key test-vectors/ed25519-x25519.json, secp256k1.json, nist-curves.json.
const ED_SEED0 = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';
const K1 = { seed: '9085d2bef69286a6cbb51623c8fa258629945cd55ca705cc4e66700396894e0c', did: 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', b58: '23o6Sau8NxxzXcgSc3PLcNxrzrZpbLeBn1izfv3jbKhuv' };
const P256 = {
  did: 'did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv',
  jwk: { kty: 'EC', crv: 'P-256', x: 'igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns', y: 'efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM' },
  d: 'gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc',
};

describe('did:key known answers (w3c-ccg/did-method-key test-vectors)', () => {
  it('Ed25519 seed 0 → z6MkiTBz… and its publicKeyBase58', () => {
    const kp = keyPairFromPrivate('Ed25519', new Uint8Array(32));
    expect(didKeyFromPublicKey('Ed25519', kp.publicKey)).toBe(ED_SEED0);
    expect(base58Encode(decodeDidKey(ED_SEED0).bytes)).toBe('4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS');
  });
  it('secp256k1 seed → zQ3shokF… (compressed key)', () => {
    const kp = keyPairFromPrivate('ES256K', fromHex(K1.seed, 'seed'));
    expect(didKeyFromPublicKey('ES256K', kp.publicKey)).toBe(K1.did);
    expect(base58Encode(decodeDidKey(K1.did).bytes)).toBe(K1.b58);
  });
  it('P-256 JWK ↔ zDnaerx9… in both directions, and d derives the same key', () => {
    const key = decodeDidKey(P256.did);
    expect(key.alg).toBe('ES256');
    expect(publicKeyToJwk(key)).toEqual(P256.jwk);
    expect(didKeyFromPublicKey('ES256', jwkToPublicKey(P256.jwk).bytes)).toBe(P256.did);
    const kp = keyPairFromPrivate('ES256', new Uint8Array(Buffer.from(P256.d, 'base64url')));
    expect(toHex(kp.publicKey)).toBe(toHex(key.bytes));
  });
  it('document: one verification method in every relationship, Multikey and JsonWebKey2020', () => {
    const doc = didKeyDocument(P256.did);
    const id = `${P256.did}#${P256.did.slice(8)}`;
    expect(doc.verificationMethod).toEqual([{ id, type: 'Multikey', controller: P256.did, publicKeyMultibase: P256.did.slice(8) }]);
    expect(doc.assertionMethod).toEqual([id]);
    expect(doc.authentication).toEqual([id]);
    expect(didKeyDocument(P256.did, 'JsonWebKey2020').verificationMethod[0]!.publicKeyJwk).toEqual(P256.jwk);
  });
});

describe('did:key cross-check against key-did-resolver (independent implementation)', () => {
  const ref = new Resolver(keyDidResolver());
  const refKey = async (did: string): Promise<Uint8Array> => {
    const vm = (await ref.resolve(did)).didDocument!.verificationMethod![0]!;
    if (vm.publicKeyBase58) return base58Decode(vm.publicKeyBase58, 'ref');
    // key-did-resolver 4.0.0 strips leading zero bytes from P-256 JWK coordinates (RFC 7518 §6.2.1.2 requires the
    // full 32 bytes; our jwkToPublicKey refuses the short form), so re-pad before comparing points.
    const pad = (v: string): Buffer => Buffer.concat([Buffer.alloc(32), Buffer.from(v, 'base64url')]).subarray(-32);
    return Uint8Array.from(Buffer.concat([Buffer.of(4), pad(vm.publicKeyJwk!.x!), pad(vm.publicKeyJwk!.y!)]));
  };
  it('documents the upstream short-coordinate bug on a key whose x starts with 0x00 (and that we refuse such a JWK)', async () => {
    const did = didKeyFromPublicKey('ES256', fromHex('0300d20f40af6f39971d0e5916fe74b95f5e2b1ca828ae3b2c8e083566ca20860b', 'k'));
    const jwk = (await ref.resolve(did)).didDocument!.verificationMethod![0]!.publicKeyJwk!;
    expect(Buffer.from(jwk.x!, 'base64url').length).toBe(31);
    expect(code(() => jwkToPublicKey(jwk))).toBe('BAD_LENGTH');
    expect(Buffer.from(publicKeyToJwk(decodeDidKey(did)).x, 'base64url').length).toBe(32);
    expect(toHex(await refKey(did))).toBe(toHex(uncompressedPoint(decodeDidKey(did))));
  });
  it('random keys of the three registered types resolve to the same key there', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<SigAlg>('Ed25519', 'ES256K', 'ES256'), async (alg) => {
        const kp = generateKeyPair(alg);
        const did = didKeyFromPublicKey(alg, kp.publicKey);
        const theirs = await refKey(did);
        const ours = decodeDidKey(did);
        expect(toHex(alg === 'ES256' ? uncompressedPoint(ours) : ours.bytes)).toBe(toHex(theirs));
      }),
      { numRuns: 30 },
    );
  });
});

describe('did:key round trips and strict decoding', () => {
  it('every algorithm incl. SM2 (consortium multicodec 0x301200) round-trips through DID and JWK', () => {
    fc.assert(
      fc.property(fc.constantFrom<SigAlg>('Ed25519', 'ES256K', 'ES256', 'SM2'), (alg) => {
        const kp = generateKeyPair(alg);
        const did = didKeyFromPublicKey(alg, kp.publicKey);
        const key = decodeDidKey(did);
        expect(key.alg).toBe(alg);
        expect(toHex(key.bytes)).toBe(toHex(kp.publicKey));
        expect(toHex(jwkToPublicKey(publicKeyToJwk(key)).bytes)).toBe(toHex(kp.publicKey));
        if (alg !== 'Ed25519') expect(didKeyFromPublicKey(alg, uncompressedPoint(key))).toBe(did);
      }),
      { numRuns: 40 },
    );
    const sm2 = generateKeyPair('SM2');
    expect(publicKeyToJwk(decodeDidKey(didKeyFromPublicKey('SM2', sm2.publicKey)))).toMatchObject({ kty: 'EC', crv: 'SM2' });
    expect(didKeyFromPublicKey('SM2', sm2.publicKey).startsWith('did:key:z')).toBe(true);
  });
  it('bad input → coded errors', () => {
    expect(code(() => decodeDidKey('did:key:'))).toBe('DID_INVALID');
    expect(code(() => decodeDidKey('did:key:f' + 'ab'.repeat(34)))).toBe('DID_INVALID'); // multibase other than z
    expect(code(() => decodeDidKey(`${ED_SEED0}#frag`))).toBe('DID_INVALID');
    expect(code(() => decodeDidKey(ED_SEED0.replace('z6Mk', 'z0Mk')))).toBe('DID_INVALID'); // 0 is not base58
    expect(code(() => decodeDidKey(42))).toBe('DID_INVALID');
    // unknown multicodec (x25519-pub 0xec)
    expect(code(() => decodeDidKey(`did:key:z${base58Encode(Uint8Array.of(0xec, 0x01, ...new Uint8Array(32)))}`))).toBe('UNSUPPORTED_ALGORITHM');
    // uncompressed P-256 inside the DID is refused (compressed only), as is a truncated key
    const p = uncompressedPoint(decodeDidKey(P256.did));
    expect(code(() => decodeDidKey(`did:key:z${base58Encode(Uint8Array.of(0x80, 0x24, ...p))}`))).toBe('BAD_PUBLIC_KEY');
    expect(code(() => decodeDidKey(`did:key:z${base58Encode(Uint8Array.of(0xed, 0x01, ...new Uint8Array(31)))}`))).toBe('BAD_PUBLIC_KEY');
    // x = 5 is not on secp256k1 with either parity? use an x with no square root: all-0xff is ≥ p
    expect(code(() => decodeDidKey(`did:key:z${base58Encode(Uint8Array.of(0xe7, 0x01, 0x02, ...new Uint8Array(32).fill(0xff)))}`))).toBe('BAD_PUBLIC_KEY');
    expect(code(() => fromMultibase('z' + '1'.repeat(2000), 'x'))).toBe('TOO_LARGE');
    expect(code(() => normalizePublicKey('ES256', new Uint8Array(64)))).toBe('BAD_PUBLIC_KEY');
    expect(code(() => jwkToPublicKey({ ...P256.jwk, d: P256.d }))).toBe('INVALID_INPUT');
    expect(code(() => jwkToPublicKey({ ...P256.jwk, crv: 'P-384' }))).toBe('UNSUPPORTED_ALGORITHM');
    expect(code(() => jwkToPublicKey({ ...P256.jwk, x: 'AA' }))).toBe('BAD_LENGTH');
    expect(code(() => jwkToPublicKey({ kty: 'RSA' }))).toBe('UNSUPPORTED_ALGORITHM');
    expect(toMultibase(decodeDidKey(K1.did))).toBe(K1.did.slice(8));
  });
});

describe('proof type did-key', () => {
  const k1Pub = toHex(decodeDidKey(K1.did).bytes);
  it('valid in every form given: JWK, compressed hex, uncompressed hex, raw Ed25519 hex', () => {
    expect(() => verifyDidKeyFile({ did: P256.did, publicKeyJwk: P256.jwk })).not.toThrow();
    expect(() => verifyDidKeyFile({ did: K1.did, publicKeyHex: k1Pub })).not.toThrow();
    expect(() => verifyDidKeyFile({ did: K1.did, publicKeyHex: toHex(uncompressedPoint(decodeDidKey(K1.did))), publicKeyJwk: publicKeyToJwk(decodeDidKey(K1.did)) })).not.toThrow();
    expect(() => verifyDidKeyFile({ did: ED_SEED0, publicKeyHex: toHex(decodeDidKey(ED_SEED0).bytes) })).not.toThrow();
  });
  it('mismatches are DID_KEY_MISMATCH: other key, other curve for the same bytes, one bad form among good ones', () => {
    const other = generateKeyPair('ES256K');
    expect(code(() => verifyDidKeyFile({ did: K1.did, publicKeyHex: toHex(other.publicKey) }))).toBe('DID_KEY_MISMATCH');
    // the same x/y labelled as another curve: off-curve there or a different key type
    expect(code(() => verifyDidKeyFile({ did: P256.did, publicKeyJwk: { ...publicKeyToJwk(decodeDidKey(K1.did)), crv: 'secp256k1' } }))).toBe('DID_KEY_MISMATCH');
    expect(code(() => verifyDidKeyFile({ did: K1.did, publicKeyJwk: publicKeyToJwk(decodeDidKey(K1.did)), publicKeyHex: toHex(other.publicKey) }))).toBe('DID_KEY_MISMATCH');
    // a 33-byte EC key given for an Ed25519 DID
    expect(code(() => verifyDidKeyFile({ did: ED_SEED0, publicKeyHex: k1Pub }))).toBe('DID_KEY_MISMATCH');
    expect(code(() => verifyDidKeyFile({ did: 'did:key:zzz', publicKeyHex: k1Pub }))).toBe('DID_KEY_MISMATCH');
    expect(code(() => verifyDidKeyFile({ did: K1.did }))).toBe('INVALID_INPUT');
    expect(code(() => verifyDidKeyFile({ did: K1.did, publicKeyHex: 'xyz' }))).toBe('BAD_HEX');
  });
  it('through the CLI: valid / invalid lines and exit codes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'didkey-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(good, JSON.stringify({ type: 'did-key', did: P256.did, publicKeyJwk: P256.jwk }));
    writeFileSync(bad, JSON.stringify({ type: 'did-key', did: K1.did, publicKeyJwk: P256.jwk }));
    const io = memoryIo();
    expect(await main(['proof', 'verify', good], io)).toBe(0);
    expect(io.stdout[0]).toBe(`${good}\tvalid`);
    const io2 = memoryIo();
    expect(await main(['proof', 'verify', bad], io2)).not.toBe(0);
    expect(io2.stdout.join('\n')).toContain('invalid\tDID_KEY_MISMATCH');
  });
});
