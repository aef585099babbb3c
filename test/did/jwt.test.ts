import { describe, expect, it } from 'vitest';
import { createJWT, verifyJWT, EdDSASigner, ES256KSigner, ES256Signer } from 'did-jwt';
import { DidResolver } from '../../did/resolver.js';
import { didKeyFromPublicKey } from '../../did/key.js';
import { JwtVerifier, decodeJwt, keyPairSigner, signJwt, JWS_ALG } from '../../did/jwt.js';
import type { DidDocument } from '../../did/verification-method.js';
import { toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { generateKeyPair, type KeyPair, type SigAlg } from '../../src/crypto/signature.js';

export const codeOf = async (p: Promise<unknown> | (() => unknown)): Promise<string | undefined> => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

/** A did:key identity: key pair, DID, kid and signer. */
export function identity(alg: SigAlg): { kp: KeyPair; did: string; kid: string; signer: ReturnType<typeof keyPairSigner> } {
  const kp = generateKeyPair(alg);
  const did = didKeyFromPublicKey(alg, kp.publicKey);
  const kid = `${did}#${did.slice(8)}`;
  return { kp, did, kid, signer: keyPairSigner(kp, kid) };
}

const resolver = new DidResolver();
const verifier = new JwtVerifier(resolver);
const now = Math.floor(Date.now() / 1000);
const b64 = (o: unknown): string => toBase64Url(utf8(JSON.stringify(o)));

describe('JWT sign/verify', () => {
  for (const alg of ['Ed25519', 'ES256K', 'ES256', 'SM2'] as SigAlg[]) {
    it(`${JWS_ALG[alg]} round trip through a did:key`, async () => {
      const id = identity(alg);
      const token = await signJwt({ iss: id.did, aud: 'did:web:hub.example', iat: now, exp: now + 60 }, id.signer);
      const v = await verifier.verify(token, { purpose: 'authentication', audience: 'did:web:hub.example' });
      expect(v.issuer).toBe(id.did);
      expect(v.header.alg).toBe(JWS_ALG[alg]);
    });
  }
});

describe('offloaded signature checks (JwtVerifier `offload`, the API bearer-token path)', () => {
  for (const alg of ['Ed25519', 'ES256K', 'ES256', 'SM2'] as SigAlg[]) {
    it(`${JWS_ALG[alg]}: a good token verifies, a flipped signature, another key's signature and a changed payload do not`, async () => {
      const id = identity(alg);
      const o = { purpose: 'authentication' as const, audience: 'did:web:hub.example', offload: true };
      const token = await signJwt({ iss: id.did, aud: 'did:web:hub.example', iat: now, exp: now + 60 }, id.signer);
      const pending = verifier.verify(token, o);
      expect(pending).toBeInstanceOf(Promise);
      expect((await pending).issuer).toBe(id.did);
      const [h, p, s] = token.split('.') as [string, string, string];
      const sig = Buffer.from(s, 'base64url');
      sig[5] = sig[5]! ^ 0x10;
      expect(await codeOf(verifier.verify(`${h}.${p}.${toBase64Url(sig)}`, o))).toBe('JWT_SIGNATURE_INVALID');
      expect(await codeOf(verifier.verify(`${h}.${p}.${toBase64Url(sig.subarray(0, 40))}`, o))).toBe('JWT_SIGNATURE_INVALID');
      const other = identity(alg);
      expect(await codeOf(verifier.verify(await signJwt({ iss: id.did, aud: 'did:web:hub.example' }, { ...other.signer, kid: id.kid }), o))).toBe('JWT_SIGNATURE_INVALID');
      expect(await codeOf(verifier.verify(`${h}.${b64({ iss: id.did, aud: 'did:web:hub.example', exp: now + 600 })}.${s}`, o))).toBe('JWT_SIGNATURE_INVALID');
      expect(await codeOf(verifier.verify(await signJwt({ iss: id.did, aud: 'did:web:hub.example', exp: now - 600 }, id.signer), o))).toBe('JWT_EXPIRED');
    });
  }
});

describe('interop with did-jwt 8.0.18 (independent implementation)', () => {
  const signers = {
    Ed25519: (kp: KeyPair) => EdDSASigner(kp.privateKey),
    ES256K: (kp: KeyPair) => ES256KSigner(kp.privateKey),
    ES256: (kp: KeyPair) => ES256Signer(kp.privateKey),
  } as const;
  for (const alg of ['Ed25519', 'ES256K', 'ES256'] as const) {
    it(`${alg}: did-jwt-signed verifies here, ours verifies in did-jwt`, async () => {
      const id = identity(alg);
      const theirs = await createJWT({ aud: 'did:web:hub.example', exp: now + 60 }, { issuer: id.did, signer: signers[alg](id.kp), alg: JWS_ALG[alg] }, { kid: id.kid });
      expect((await verifier.verify(theirs, { purpose: 'assertionMethod', audience: 'did:web:hub.example' })).issuer).toBe(id.did);
      const ours = await signJwt({ iss: id.did, aud: 'did:web:hub.example', iat: now, exp: now + 60 }, id.signer);
      const r = await verifyJWT(ours, { resolver, audience: 'did:web:hub.example' });
      expect(r.issuer).toBe(id.did);
      expect(r.signer.id).toBe(id.kid);
    });
  }
});

describe('adversarial tokens → coded errors', () => {
  const ed = identity('Ed25519');
  const k1 = identity('ES256K');
  const good = async (payload: Record<string, unknown> = {}): Promise<string> => signJwt({ iss: ed.did, iat: now, exp: now + 60, ...payload }, ed.signer);
  const v = (t: unknown, extra: Partial<Parameters<JwtVerifier['verify']>[1]> = {}) => verifier.verify(t, { purpose: 'authentication', ...extra });

  it('malformed: not a string, wrong part count, bad base64url, header not JSON, payload an array', async () => {
    const t = await good();
    const [h, p, s] = t.split('.') as [string, string, string];
    expect(await codeOf(v(42))).toBe('JWT_MALFORMED');
    expect(await codeOf(v(`${h}.${p}`))).toBe('JWT_MALFORMED');
    expect(await codeOf(v(`${h}.${p}.${s}.x`))).toBe('JWT_MALFORMED');
    expect(await codeOf(v(`${h}.${p}.${s}=`))).toBe('JWT_MALFORMED');
    expect(await codeOf(v(`${b64('x').slice(0, -1)}x.${p}.${s}`))).toBe('JWT_MALFORMED');
    expect(await codeOf(v(`${toBase64Url(utf8('{nope'))}.${p}.${s}`))).toBe('JWT_MALFORMED');
    expect(await codeOf(v(`${h}.${b64([1])}.${s}`))).toBe('JWT_MALFORMED');
    expect(await codeOf(v(`${b64({ alg: 'EdDSA' })}.${p}.${s}`))).toBe('JWT_MALFORMED'); // no kid
    expect(await codeOf(v(`${b64({ alg: 'EdDSA', kid: ed.kid, crit: ['exp'] })}.${p}.${s}`))).toBe('JWT_MALFORMED');
    expect(await codeOf(v(`${b64({ alg: 'EdDSA', kid: ed.kid, jwk: {} })}.${p}.${s}`))).toBe('JWT_MALFORMED');
  });
  it('alg none (any case) and unknown algorithms', async () => {
    const p = b64({ iss: ed.did });
    expect(await codeOf(v(`${b64({ alg: 'none', kid: ed.kid })}.${p}.`))).toBe('JWT_ALG_NONE');
    expect(await codeOf(v(`${b64({ alg: 'NoNe', kid: ed.kid })}.${p}.`))).toBe('JWT_ALG_NONE');
    expect(await codeOf(v(`${b64({ alg: 'HS256', kid: ed.kid })}.${p}.${b64('x')}`))).toBe('UNSUPPORTED_ALGORITHM');
  });
  it('oversized token rejected before parsing', async () => {
    expect(await codeOf(v('a'.repeat(70_000)))).toBe('TOO_LARGE');
  });
  it('algorithm confusion: ES256K header over an Ed25519 key, ES256 over a secp256k1 key', async () => {
    const t = await good();
    const [, p, s] = t.split('.');
    expect(await codeOf(v(`${b64({ alg: 'ES256K', kid: ed.kid })}.${p}.${s}`))).toBe('JWT_ALG_MISMATCH');
    const t2 = await signJwt({ iss: k1.did }, k1.signer);
    const [, p2, s2] = t2.split('.');
    expect(await codeOf(v(`${b64({ alg: 'ES256', kid: k1.kid })}.${p2}.${s2}`))).toBe('JWT_ALG_MISMATCH');
  });
  it('kid of another DID, kid not in the document, kid not under the purpose', async () => {
    expect(await codeOf(v(await signJwt({ iss: ed.did }, { ...ed.signer, kid: k1.kid })))).toBe('JWT_KID_UNKNOWN');
    expect(await codeOf(v(await signJwt({ iss: ed.did }, { ...ed.signer, kid: `${ed.did}#other` })))).toBe('JWT_KID_UNKNOWN');
    const docs: Record<string, DidDocument> = {
      'did:web:only-auth.example': {
        id: 'did:web:only-auth.example',
        verificationMethod: [{ id: 'did:web:only-auth.example#k', type: 'Multikey', controller: 'did:web:only-auth.example', publicKeyMultibase: ed.did.slice(8) }],
        authentication: ['#k'],
      },
    };
    const local = new JwtVerifier({ resolveDocument: async (d) => docs[d]! });
    const t = await signJwt({ iss: 'did:web:only-auth.example' }, { ...ed.signer, kid: 'did:web:only-auth.example#k' });
    expect((await local.verify(t, { purpose: 'authentication' })).kid).toBe('did:web:only-auth.example#k');
    expect(await codeOf(local.verify(t, { purpose: 'assertionMethod' }))).toBe('JWT_KID_UNKNOWN');
  });
  it('bad signatures: flipped bit, other key, wrong length', async () => {
    const t = await good();
    const [h, p, s] = t.split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    sig[0] = sig[0]! ^ 1;
    expect(await codeOf(v(`${h}.${p}.${toBase64Url(sig)}`))).toBe('JWT_SIGNATURE_INVALID');
    expect(await codeOf(v(`${h}.${p}.${toBase64Url(sig.subarray(0, 63))}`))).toBe('JWT_SIGNATURE_INVALID');
    const other = identity('Ed25519');
    expect(await codeOf(v(await signJwt({ iss: ed.did }, { ...other.signer, kid: ed.kid })))).toBe('JWT_SIGNATURE_INVALID');
    expect(await codeOf(v(`${h}.${b64({ iss: ed.did, extra: 1 })}.${s}`))).toBe('JWT_SIGNATURE_INVALID');
  });
  it('time and audience claims', async () => {
    expect(await codeOf(v(await good({ exp: now - 120 })))).toBe('JWT_EXPIRED');
    expect(await codeOf(v(await good({ nbf: now + 600 })))).toBe('JWT_NOT_YET_VALID');
    expect(await codeOf(v(await good({ exp: 'tomorrow' })))).toBe('JWT_CLAIM_INVALID');
    expect(await codeOf(v(await good({ aud: 'did:web:other' }), { audience: 'did:web:hub' }))).toBe('JWT_AUDIENCE_MISMATCH');
    expect(await codeOf(v(await good({ iss: 'https://not-a-did' })))).toBe('JWT_CLAIM_INVALID');
    expect(await codeOf(v(await good({ iss: 'did:example:1' }), {}))).toBe('JWT_KID_UNKNOWN');
    expect(decodeJwt(await good()).header.alg).toBe('EdDSA');
  });
});

describe('verified-token memo (opt-in, tied to the resolved document object)', () => {
  it('a memoised token stops verifying once the issuer document is refreshed with another key', async () => {
    const a = identity('Ed25519');
    const b = identity('Ed25519');
    const did = 'did:web:issuer.example';
    const docWith = (multibase: string): DidDocument => ({
      id: did,
      verificationMethod: [{ id: `${did}#k`, type: 'Multikey', controller: did, publicKeyMultibase: multibase }],
      assertionMethod: [`${did}#k`],
    });
    let doc = docWith(a.did.slice(8));
    const v = new JwtVerifier({ resolveDocument: async () => doc });
    const t = await signJwt({ iss: did, exp: now + 60 }, { ...a.signer, kid: `${did}#k` });
    expect((await v.verify(t, { purpose: 'assertionMethod', memo: true })).issuer).toBe(did);
    expect((await v.verify(t, { purpose: 'assertionMethod', memo: true })).issuer).toBe(did); // memo hit
    expect(await codeOf(v.verify(t, { purpose: 'assertionMethod', memo: true, now: now + 3600 }))).toBe('JWT_EXPIRED'); // claims re-checked
    doc = docWith(b.did.slice(8)); // rotation: new document object
    expect(await codeOf(v.verify(t, { purpose: 'assertionMethod', memo: true }))).toBe('JWT_SIGNATURE_INVALID');
  });
});

describe('kept parsed tokens and the synchronous path (issue 4 performance)', () => {
  const rotating = () => {
    const a = identity('Ed25519');
    const b = identity('Ed25519');
    const did = 'did:web:kept.example';
    const docWith = (multibase: string): DidDocument => ({
      id: did,
      verificationMethod: [{ id: `${did}#k`, type: 'Multikey', controller: did, publicKeyMultibase: multibase }],
      assertionMethod: [`${did}#k`],
    });
    const state = { doc: docWith(a.did.slice(8)) };
    return { a, did, state, rotate: () => void (state.doc = docWith(b.did.slice(8))) };
  };

  it('a kept token still has its signature checked on every call: after a rotation it fails, memo or not', async () => {
    const r = rotating();
    const v = new JwtVerifier({ resolveDocument: async () => r.state.doc, cachedDocument: () => r.state.doc });
    const t = await signJwt({ iss: r.did, exp: now + 60 }, { ...r.a.signer, kid: `${r.did}#k` });
    const first = v.verifyNow(t, { purpose: 'assertionMethod', keepParsed: true });
    expect(first).not.toBeInstanceOf(Promise); // document cached: no await anywhere
    expect(v.verifyNow(t, { purpose: 'assertionMethod', keepParsed: true })).toBe(first); // kept: the same frozen result
    expect(Object.isFrozen((first as { payload: object }).payload)).toBe(true);
    r.rotate();
    expect(await codeOf(() => v.verifyNow(t, { purpose: 'assertionMethod', keepParsed: true }))).toBe('JWT_SIGNATURE_INVALID');
    expect(await codeOf(() => v.verifyNow(t, { purpose: 'assertionMethod', memo: true }))).toBe('JWT_SIGNATURE_INVALID');
  });

  it('a memo hit needs the same purpose: a token checked for assertionMethod is checked again for authentication', async () => {
    const r = rotating();
    const v = new JwtVerifier({ resolveDocument: async () => r.state.doc });
    const t = await signJwt({ iss: r.did, exp: now + 60 }, { ...r.a.signer, kid: `${r.did}#k` });
    expect((await v.verify(t, { purpose: 'assertionMethod', memo: true })).issuer).toBe(r.did);
    expect(await codeOf(v.verify(t, { purpose: 'authentication', memo: true }))).toBe('JWT_KID_UNKNOWN'); // not listed there
  });

  it('non-canonical base64url (unused bits set in the last character) is malformed, in every part', async () => {
    const id = identity('Ed25519');
    const t = await signJwt({ iss: id.did, iat: now, exp: now + 60 }, id.signer);
    const [h, p, s] = t.split('.') as [string, string, string];
    // A 64-byte signature is 86 characters, the last carrying 2 unused bits; header and payload lengths vary.
    const flip = (x: string): string => {
      const tail = x.length % 4;
      if (tail === 0) return x; // no unused bits to set (such a part is skipped below)
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(x.at(-1)!);
      return x.slice(0, -1) + alphabet[last | 1];
    };
    expect(s.length % 4).toBe(2);
    expect(await codeOf(verifier.verify(`${h}.${p}.${flip(s)}`, { purpose: 'authentication' }))).toBe('JWT_MALFORMED');
    for (const [part, bad] of [[h, `${flip(h)}.${p}.${s}`], [p, `${h}.${flip(p)}.${s}`]] as const) {
      if (part.length % 4 === 0) continue;
      expect(await codeOf(verifier.verify(bad, { purpose: 'authentication' }))).toBe('JWT_MALFORMED');
    }
    expect(await codeOf(verifier.verify(`${h}.${p}.${s.slice(0, -1)}+`, { purpose: 'authentication' }))).toBe('JWT_MALFORMED'); // base64, not base64url
  });
});

describe('property: hostile tokens only ever produce coded errors', () => {
  it('random mutations of a valid token (byte flips, truncation, junk) never verify and never throw uncoded', async () => {
    const { ERRORS } = await import('../../src/errors.js');
    const fc = (await import('fast-check')).default;
    const id = identity('Ed25519');
    const token = await signJwt({ iss: id.did, iat: now, exp: now + 600 }, id.signer);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(fc.nat(token.length - 1), fc.constantFrom(...'AZaz09-_.=+/ \u0000é')).map(([i, c]) => token.slice(0, i) + c + token.slice(i + 1)),
          fc.nat(token.length - 1).map((n) => token.slice(0, n)),
          fc.string({ maxLength: 300 }),
          fc.array(fc.string({ maxLength: 60 }), { maxLength: 5 }).map((a) => a.join('.')),
        ),
        async (t) => {
          if (t === token) return;
          try {
            await verifier.verify(t, { purpose: 'authentication' });
          } catch (e) {
            expect(Object.keys(ERRORS)).toContain((e as { code?: string }).code);
            return;
          }
          throw new Error(`mutated token verified: ${t}`);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('random strings as did:key never crash the decoder', async () => {
    const { ERRORS } = await import('../../src/errors.js');
    const fc = (await import('fast-check')).default;
    const { decodeDidKey } = await import('../../did/key.js');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ maxLength: 60 }).map((s) => `did:key:z${s}`), fc.stringMatching(/^did:key:z[1-9A-HJ-NP-Za-km-z]{1,70}$/)), (s) => {
        try {
          decodeDidKey(s);
        } catch (e) {
          expect(Object.keys(ERRORS)).toContain((e as { code?: string }).code);
        }
      }),
      { numRuns: 400 },
    );
  });
});
