/**
 * SM2 (GB/T 32918.2-2016) known answers.
 *
 * Two published examples, both as used in openssl/openssl test/sm2_internal_test.c (sm2_sig_test):
 *  1. GB/T 32918.2-2016 Annex A / GM/T 0003.2-2012 Annex A (= draft-shen-sm2-ecdsa-02): it runs on a 256-bit *test*
 *     curve (p = 8542D69E…), not on the recommended curve, so our production code (fixed to the recommended curve)
 *     cannot take it end to end. We check our Z_A and e computation on it and the signature with a small generic
 *     reference implementation below (affine arithmetic, written from GB/T 32918.1 §3.2.3 / Part 2 §6–7).
 *  2. GM/T 0003.5-2012 Annex A (GB/T 32918.5 recommended curve, default ID "1234567812345678"): checked end to end
 *     through sign-with-fixed-k, verifySignature, signatureVerifier and sm-crypto-v2 — and shown to FAIL through
 *     node:crypto (Node 20, OpenSSL 3.0): a key imported with the SM2 OID verifies nothing, and node's own "SM2"
 *     keys (ec, namedCurve SM2) make plain ECDSA over the SM2 curve with e = SM3(M), with no Z_A at all.
 */
import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sm2 as smc } from 'sm-crypto-v2';
import { keyPairFromPrivate, sign, signatureVerifier, verifySignature } from '../../src/crypto/signature.js';
import { sm2E, sm2SignWithK, sm2Z, SM2_RECOMMENDED_CURVE, type Sm2ZCurve } from '../../src/crypto/sm2.js';
import { rawToDer, SM2_N } from '../../src/crypto/ecdsa-der.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/crypto/bytes.js';
import { sm3 } from '../../src/crypto/hash.js';

const big = (s: string): bigint => BigInt(`0x${s}`);
const hex32 = (v: bigint): string => v.toString(16).padStart(64, '0');

// ── generic reference SM2 over any short-Weierstrass prime curve (slow, affine, test-only) ────────────────────────
interface Curve extends Sm2ZCurve {
  p: bigint;
  n: bigint;
}
type Pt = { x: bigint; y: bigint } | null;
const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;
function inv(a: bigint, m: bigint): bigint {
  let [r0, r1, t0, t1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return mod(t0, m);
}
function add(c: Curve, P: Pt, Q: Pt): Pt {
  if (P === null) return Q;
  if (Q === null) return P;
  if (P.x === Q.x && mod(P.y + Q.y, c.p) === 0n) return null;
  const l = P.x === Q.x ? mod((3n * P.x * P.x + c.a) * inv(2n * P.y, c.p), c.p) : mod((Q.y - P.y) * inv(Q.x - P.x, c.p), c.p);
  const x = mod(l * l - P.x - Q.x, c.p);
  return { x, y: mod(l * (P.x - x) - P.y, c.p) };
}
function mul(c: Curve, k: bigint, P: Pt): Pt {
  let R: Pt = null;
  let A = P;
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) R = add(c, R, A);
    A = add(c, A, A);
  }
  return R;
}
function refSign(c: Curve, d: bigint, e: bigint, k: bigint): { r: bigint; s: bigint } {
  const x1 = mul(c, k, { x: c.gx, y: c.gy })!.x;
  const r = mod(e + x1, c.n);
  const s = mod(inv(1n + d, c.n) * (k - r * d), c.n);
  return { r, s };
}
function refVerify(c: Curve, P: Pt, e: bigint, r: bigint, s: bigint): boolean {
  if (r < 1n || r >= c.n || s < 1n || s >= c.n) return false;
  const t = mod(r + s, c.n);
  if (t === 0n) return false;
  const X = add(c, mul(c, s, { x: c.gx, y: c.gy }), mul(c, t, P));
  return X !== null && mod(e + X.x, c.n) === r;
}

const TEST_CURVE: Curve = {
  p: big('8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3'),
  a: big('787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498'),
  b: big('63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A'),
  gx: big('421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D'),
  gy: big('0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2'),
  n: big('8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7'),
};
const RECOMMENDED: Curve = { ...SM2_RECOMMENDED_CURVE, p: big('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF'), n: SM2_N };

describe('SM2 GB/T 32918.2-2016 Annex A (test curve Fp-256)', () => {
  const d = big('128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263');
  const px = '0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A';
  const py = '7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857';
  const id = utf8('ALICE123@YAHOO.COM');
  const key = { x: fromHex(px, 'px'), y: fromHex(py, 'py') };

  it('public key = [d]G (reference arithmetic)', () => {
    const P = mul(TEST_CURVE, d, { x: TEST_CURVE.gx, y: TEST_CURVE.gy })!;
    expect(hex32(P.x)).toBe(px.toLowerCase());
    expect(hex32(P.y)).toBe(py.toLowerCase());
  });

  it('Z_A and e match the standard (our sm2Z / sm2E with the test curve)', () => {
    const z = sm2Z(key, id, TEST_CURVE);
    expect(toHex(z)).toBe('f4a38489e32b45b6f876e3ac2168ca392362dc8f23459c1d1146fc3dbfb7bc9a');
    expect(hex32(sm2E(z, utf8('message digest')))).toBe('b524f552cd82b8b028476e005c377fb19a87e6fc682d48bb5d42e3d9b9effe76');
  });

  it('signature (r, s) with the standard k, and it verifies (reference arithmetic)', () => {
    const e = sm2E(sm2Z(key, id, TEST_CURVE), utf8('message digest'));
    const { r, s } = refSign(TEST_CURVE, d, e, big('6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F'));
    expect(hex32(r)).toBe('40f1ec59f793d9f49e09dcef49130d4194f79fb1eed2caa55bacdb49c4e755d1');
    expect(hex32(s)).toBe('6fc6dac32c5d5cf10c77dfb20f7c2eb667a457872fb09ec56327a67ec7deebe7');
    expect(refVerify(TEST_CURVE, { x: big(px), y: big(py) }, e, r, s)).toBe(true);
    expect(refVerify(TEST_CURVE, { x: big(px), y: big(py) }, e + 1n, r, s)).toBe(false);
  });
});

describe('SM2 GM/T 0003.5-2012 Annex A (recommended curve, default user ID)', () => {
  const d = '3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8';
  const px = '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020';
  const py = 'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13';
  const k = big('59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21');
  const r = 'F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3';
  const s = 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA';
  const msg = utf8('message digest');
  const uncompressed = fromHex(`04${px}${py}`, 'pub');
  const sig = fromHex(r + s, 'sig');

  it('keyPairFromPrivate returns the compressed public key', () => {
    expect(toHex(keyPairFromPrivate('SM2', fromHex(d, 'd')).publicKey)).toBe(`03${px.toLowerCase()}`); // y is odd
  });

  it('signing with the standard k reproduces (r, s) exactly', () => {
    const e = sm2E(sm2Z({ x: fromHex(px, 'x'), y: fromHex(py, 'y') }, utf8('1234567812345678')), msg);
    expect(toHex(sm2SignWithK(big(d), e, k)!)).toBe((r + s).toLowerCase());
    const ref = refSign(RECOMMENDED, big(d), e, k);
    expect(hex32(ref.r) + hex32(ref.s)).toBe((r + s).toLowerCase());
  });

  it('verifies through verifySignature, signatureVerifier (raw and DER), compressed and uncompressed keys', () => {
    const compressed = keyPairFromPrivate('SM2', fromHex(d, 'd')).publicKey;
    expect(verifySignature('SM2', uncompressed, msg, sig)).toBe(true);
    expect(verifySignature('SM2', compressed, msg, sig)).toBe(true);
    expect(verifySignature('SM2', compressed, msg, rawToDer(sig), { encoding: 'der' })).toBe(true);
    expect(signatureVerifier('SM2', compressed)(msg, sig)).toBe(true);
    expect(signatureVerifier('SM2', compressed, { userId: '1234567812345678' })(msg, sig)).toBe(true);
    expect(signatureVerifier('SM2', compressed, { userId: 'ALICE123@YAHOO.COM' })(msg, sig)).toBe(false);
    expect(verifySignature('SM2', compressed, utf8('message digesT'), sig)).toBe(false);
    // An empty user ID is a different ID from the default one (also through the one-shot key cache).
    expect(verifySignature('SM2', compressed, msg, sig, { userId: '' })).toBe(false);
    expect(verifySignature('SM2', compressed, msg, sig, { userId: '1234567812345678' })).toBe(true);
  });

  it('sm-crypto-v2 agrees on the vector and on our fresh signatures (interoperability)', () => {
    expect(smc.doVerifySignature(msg, (r + s).toLowerCase(), toHex(uncompressed), { hash: true })).toBe(true);
    const kp = keyPairFromPrivate('SM2', fromHex(d, 'd'));
    const ours = sign(kp, utf8('interop'), { userId: 'court@example' });
    expect(smc.doVerifySignature(utf8('interop'), toHex(ours), toHex(uncompressed), { hash: true, userId: 'court@example' })).toBe(true);
    const theirs = smc.doSignature(utf8('interop'), d.toLowerCase(), { hash: true, userId: 'court@example', publicKey: toHex(uncompressed) });
    expect(verifySignature('SM2', kp.publicKey, utf8('interop'), fromHex(theirs, 'theirs'), { userId: 'court@example' })).toBe(true);
  });

  it('node:crypto cannot do it: an imported SM2 key rejects the standard example (why SM2 never uses node:crypto)', () => {
    // SubjectPublicKeyInfo: id-ecPublicKey + SM2 curve OID 1.2.156.10197.1.301 (GM/T 0006).
    const algId = fromHex('301306072a8648ce3d020106082a811ccf5501822d', 'algId');
    const bits = concatBytes(Uint8Array.of(0x03, 0x42, 0x00), uncompressed);
    const spki = concatBytes(Uint8Array.of(0x30, algId.length + bits.length), algId, bits);
    let key;
    try {
      key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    } catch {
      return; // only if this node's OpenSSL lacks SM2 entirely (Node 20 / OpenSSL 3.0 has it): nothing to show then
    }
    expect(nodeVerify('sm3', msg, { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(false);
    expect(nodeVerify(null, msg, { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(false);
  });

  it('node:crypto "SM2" keys (ec, namedCurve SM2) make plain ECDSA over the SM2 curve, without Z_A — not SM2', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const point = spki.subarray(spki.length - 65);
    const P = { x: big(toHex(point.subarray(1, 33))), y: big(toHex(point.subarray(33))) };
    const m = utf8('judgment 2026-001');
    const nodeSig = new Uint8Array(nodeSign('sm3', m, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    const r = big(toHex(nodeSig.subarray(0, 32)));
    const s = big(toHex(nodeSig.subarray(32)));
    // ECDSA (SEC1 §4.1.4) with e = SM3(M): accepted.
    const e = big(toHex(sm3(m)));
    const w = inv(s, SM2_N);
    const X = add(RECOMMENDED, mul(RECOMMENDED, mod(e * w, SM2_N), { x: RECOMMENDED.gx, y: RECOMMENDED.gy }), mul(RECOMMENDED, mod(r * w, SM2_N), P));
    expect(X !== null && mod(X.x, SM2_N) === r).toBe(true);
    // SM2 (GB/T 32918.2 §7) with the default or an empty ID: rejected, by us and by the reference.
    expect(verifySignature('SM2', point, m, nodeSig)).toBe(false);
    expect(refVerify(RECOMMENDED, P, sm2E(sm2Z({ x: point.subarray(1, 33), y: point.subarray(33) }, new Uint8Array(0)), m), r, s)).toBe(false);
  });
});
