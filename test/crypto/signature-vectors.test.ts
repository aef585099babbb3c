/**
 * Known-answer tests for Ed25519, ES256 (P-256) and ES256K (secp256k1), each citing its source.
 */
import { describe, expect, it } from 'vitest';
import { keyPairFromPrivate, sign, signatureVerifier, verifySignature } from '../../src/crypto/signature.js';
import { derToRaw, rawToDer, SECP256K1_N, bigIntToBytes, bytesToBigInt } from '../../src/crypto/ecdsa-der.js';
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';

const h = (s: string): Uint8Array => fromHex(s.replace(/\s+/g, ''), 'test');

describe('Ed25519 — RFC 8032 §7.1', () => {
  const tests = [
    {
      name: 'TEST 1 (empty message)',
      secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      message: '',
      signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    },
    {
      name: 'TEST 2 (one byte)',
      secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      message: '72',
      signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    },
    {
      name: 'TEST 3 (two bytes)',
      secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
      public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
      message: 'af82',
      signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
    },
  ];
  for (const t of tests) {
    it(`${t.name}: public key, deterministic signature, verify`, () => {
      const kp = keyPairFromPrivate('Ed25519', h(t.secret));
      expect(toHex(kp.publicKey)).toBe(t.public);
      expect(toHex(sign(kp, h(t.message)))).toBe(t.signature);
      expect(verifySignature('Ed25519', h(t.public), h(t.message), h(t.signature))).toBe(true);
      expect(signatureVerifier('Ed25519', h(t.public))(h(t.message), h(t.signature))).toBe(true);
      expect(verifySignature('Ed25519', h(t.public), utf8('other'), h(t.signature))).toBe(false);
    });
  }
});

describe('Ed25519 — malleability (RFC 8032 §5.1.7 step 1: S must be < L)', () => {
  it('TEST 1 with S + L (same value mod L) is rejected', () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const sig = h('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
    const sLe = sig.subarray(32);
    const S = bytesToBigInt(Uint8Array.from(sLe).reverse());
    const bumped = Uint8Array.from(bigIntToBytes(S + L, 32)).reverse();
    const pub = h('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(verifySignature('Ed25519', pub, new Uint8Array(0), sig)).toBe(true);
    expect(verifySignature('Ed25519', pub, new Uint8Array(0), new Uint8Array([...sig.subarray(0, 32), ...bumped]))).toBe(false);
  });
});

describe('ES256 — RFC 6979 Appendix A.2.5 (P-256, SHA-256)', () => {
  const x = 'C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721';
  const ux = '60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6';
  const uy = '7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299';
  const vectors = [
    { message: 'sample', r: 'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716', s: 'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8' },
    { message: 'test', r: 'F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367', s: '019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083' },
  ];

  it('derives U from x (compressed SEC1 returned)', () => {
    const kp = keyPairFromPrivate('ES256', h(x));
    // Uy is odd → prefix 03.
    expect(toHex(kp.publicKey)).toBe(`03${ux.toLowerCase()}`);
  });

  for (const v of vectors) {
    it(`verifies the "${v.message}" signature: raw, DER, compressed and uncompressed key`, () => {
      const raw = h(v.r + v.s);
      const uncompressed = h(`04${ux}${uy}`);
      const compressed = keyPairFromPrivate('ES256', h(x)).publicKey;
      expect(verifySignature('ES256', uncompressed, utf8(v.message), raw)).toBe(true);
      expect(verifySignature('ES256', compressed, utf8(v.message), raw)).toBe(true);
      expect(verifySignature('ES256', compressed, utf8(v.message), rawToDer(raw), { encoding: 'der' })).toBe(true);
      expect(verifySignature('ES256', compressed, utf8(`${v.message}!`), raw)).toBe(false);
    });
  }

  it('ES256 accepts high S (RFC 7518 §3.4 has no low-S rule) unless lowS is asked for', () => {
    const v = vectors[1]!;
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const s = bytesToBigInt(h(v.s));
    const flipped = h(v.r + toHex(bigIntToBytes(n - s, 32)));
    const pub = h(`04${ux}${uy}`);
    // s is small here, so n − s is the high form of the same signature.
    expect(verifySignature('ES256', pub, utf8(v.message), flipped)).toBe(true);
    expect(verifySignature('ES256', pub, utf8(v.message), flipped, { lowS: true })).toBe(false);
  });
});

describe('ES256K — deterministic secp256k1 vectors (bitcointalk topic 285142 msg 3299061, reused by bitcoinjs-lib and bitcoin-s)', () => {
  // SHA-256 of the message; signatures published in DER, low-S normalised.
  const vectors = [
    { d: '0000000000000000000000000000000000000000000000000000000000000001', m: 'Satoshi Nakamoto', der: '3045022100934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d802202442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5' },
    { d: '0000000000000000000000000000000000000000000000000000000000000001', m: 'Everything should be made as simple as possible, but not simpler.', der: '3044022033a69cd2065432a30f3d1ce4eb0d59b8ab58c74f27c41a7fdb5696ad4e6108c902206f807982866f785d3f6418d24163ddae117b7db4d5fdf0071de069fa54342262' },
    { d: 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140', m: 'Satoshi Nakamoto', der: '3045022100fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d002206b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5' },
    { d: 'f8b8af8ce3c7cca5e300d33939540c10d45ce001b8f252bfbc57ba0342904181', m: 'Alan Turing', der: '304402207063ae83e7f62bbb171798131b4a0564b956930092b33b07b395615d9ec7e15c022058dfcc1e00a35e1572f366ffe34ba0fc47db1e7189759b9fb233c5b05ab388ea' },
  ];

  it('private key 1 gives the generator G (SEC 2 §2.4.1) as the compressed public key', () => {
    expect(toHex(keyPairFromPrivate('ES256K', h(vectors[0]!.d)).publicKey)).toBe('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
  });

  for (const v of vectors) {
    it(`verifies "${v.m.slice(0, 24)}…" in DER and raw form`, () => {
      const pub = keyPairFromPrivate('ES256K', h(v.d)).publicKey;
      const raw = derToRaw(h(v.der), 'ES256K')!;
      expect(verifySignature('ES256K', pub, utf8(v.m), h(v.der), { encoding: 'der' })).toBe(true);
      expect(verifySignature('ES256K', pub, utf8(v.m), raw)).toBe(true);
      expect(verifySignature('ES256K', pub, utf8(v.m), raw, { lowS: true })).toBe(true);
      expect(toHex(rawToDer(raw))).toBe(v.der);
    });
  }

  it('the high-S twin of a low-S signature verifies by default (RFC 8812 §3.2 / RFC 7518 §3.4) and fails with lowS', () => {
    const v = vectors[0]!;
    const pub = keyPairFromPrivate('ES256K', h(v.d)).publicKey;
    const raw = derToRaw(h(v.der), 'ES256K')!;
    const high = Uint8Array.from(raw);
    high.set(bigIntToBytes(SECP256K1_N - bytesToBigInt(raw.subarray(32)), 32), 32);
    expect(verifySignature('ES256K', pub, utf8(v.m), high)).toBe(true);
    expect(verifySignature('ES256K', pub, utf8(v.m), high, { lowS: true })).toBe(false);
  });

  it('our ES256K signatures are always low-S', () => {
    const kp = keyPairFromPrivate('ES256K', h(vectors[3]!.d));
    for (let i = 0; i < 16; i++) {
      const sig = sign(kp, utf8(`m${i}`));
      expect(bytesToBigInt(sig.subarray(32)) <= SECP256K1_N >> 1n).toBe(true);
      expect(verifySignature('ES256K', kp.publicKey, utf8(`m${i}`), sig, { lowS: true })).toBe(true);
    }
  });
});
