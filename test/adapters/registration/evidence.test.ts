/**
 * The activation entry binds the exact registration JWS (`jwsDigest`, under the ledger's hash), so that no byte of a
 * proven registration goes unchecked — notably the header and signature of a did:web partner's JWS, which an offline
 * verifier cannot check against the partner's key (adapters/registration/evidence.ts step 3).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signApproval, signRegistration } from '../../../adapters/registration/jws.js';
import { registrationDigest } from '../../../adapters/registration/parse.js';
import { proveRegistration, verifyProvenRegistration, type ProvenRegistration } from '../../../adapters/registration/evidence.js';
import { toBase64, toBase64Url, toHex, utf8 } from '../../../src/crypto/bytes.js';
import { canonicalBytes } from '../../../src/crypto/canonical.js';
import { sha256, sm3 } from '../../../src/crypto/hash.js';
import type { RegistrationDocument } from '../../../adapters/registration/types.js';
import { codeOf as codeSync, errOf } from '../../helpers/codes.js';
import { bftDocument, evmDocument, identity, webIdentity, world, type Identity } from './fixtures.js';

type World = Awaited<ReturnType<typeof world>>;
let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** Submit `doc` signed by `partner`, approve by 2 of 3 admins; the proven registration and the activation entry. */
async function activate(x: World, doc: RegistrationDocument, partner: Identity) {
  const jws = await signRegistration(doc, partner.signer, x.now());
  await x.service.submit(jws);
  const digest = registrationDigest(doc);
  for (const a of x.admins.slice(0, 2)) await x.service.approve(await signApproval({ admin: a.did, chainId: doc.chainId, version: doc.version, digest }, a.signer, x.now()));
  const proven = await proveRegistration(await x.service.evidence(doc.chainId), x.ledger);
  const entry = JSON.parse(Buffer.from((await x.ledger.get(proven.activationIndex)).data).toString('utf8')) as Record<string, unknown>;
  return { jws, proven, entry };
}

const b64url = (v: unknown): string => toBase64Url(utf8(JSON.stringify(v)));
const withJws = (p: ProvenRegistration, registrationJws: string): ProvenRegistration => ({ ...p, registrationJws });

describe('the activation entry binds the registration JWS (jwsDigest)', () => {
  it('did:web partner: the untouched JWS verifies; another signature or header over the same payload is REGISTRATION_INVALID', async () => {
    const partner = webIdentity('partner.example');
    w = await world(1_800_000_000, { documents: [partner.doc] });
    const doc = evmDocument(partner.did);
    const { jws, proven, entry } = await activate(w, doc, partner);
    expect(entry).toMatchObject({ event: 'activated', digest: registrationDigest(doc), jwsDigest: toHex(sha256(utf8(jws))) });
    expect(verifyProvenRegistration(JSON.parse(JSON.stringify(proven)) as ProvenRegistration)).toEqual(doc);

    const [h, p, s] = jws.split('.') as [string, string, string];
    // (a) the signature segment replaced: a well-formed signature by another key over the same header and payload
    const mallory = identity('Ed25519');
    const forged = toBase64Url(await mallory.signer.sign(utf8(`${h}.${p}`)));
    expect(forged).not.toBe(s);
    expect(errOf(() => verifyProvenRegistration(withJws(proven, `${h}.${p}.${forged}`)))).toMatchObject({ code: 'REGISTRATION_INVALID', details: { field: 'registrationJws' } });
    expect(codeSync(() => verifyProvenRegistration(withJws(proven, `${h}.${p}.`)))).toBe('REGISTRATION_INVALID');
    // (b) the header changed (another key id, and an extra member), payload and signature kept
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(codeSync(() => verifyProvenRegistration(withJws(proven, `${b64url({ ...header, kid: `${partner.did}#key-2` })}.${p}.${s}`)))).toBe('REGISTRATION_INVALID');
    expect(codeSync(() => verifyProvenRegistration(withJws(proven, `${b64url({ ...header, x: 1 })}.${p}.${s}`)))).toBe('REGISTRATION_INVALID');
  });

  it('an included activation entry without jwsDigest (the old form) is REGISTRATION_INVALID', async () => {
    const partner = webIdentity('partner.example');
    w = await world(1_800_000_000, { documents: [partner.doc] });
    const { proven, entry } = await activate(w, evmDocument(partner.did), partner);
    // The same activation without the binding, appended and proven in the same ledger: inclusion holds, the binding does not.
    const { jwsDigest: _bound, ...old } = entry;
    const { index } = await w.ledger.append(old);
    const p = await w.ledger.proveInclusion(index);
    const unbound: ProvenRegistration = {
      ...proven, activationIndex: index,
      activation: { hashAlg: 'sha256', entry: toBase64(canonicalBytes(old)), treeSize: p.treeSize, proof: p.proof.map(toHex), root: toHex(p.root) },
    };
    expect(errOf(() => verifyProvenRegistration(unbound))).toMatchObject({ code: 'REGISTRATION_INVALID', details: { field: 'activation.entry' } });
    // A jwsDigest that is not the digest of these bytes (here: the document digest) is refused the same way.
    const wrong = { ...entry, jwsDigest: entry.digest };
    const j = await w.ledger.append(wrong);
    const q = await w.ledger.proveInclusion(j.index);
    const misbound: ProvenRegistration = {
      ...proven, activationIndex: j.index,
      activation: { hashAlg: 'sha256', entry: toBase64(canonicalBytes(wrong)), treeSize: q.treeSize, proof: q.proof.map(toHex), root: toHex(q.root) },
    };
    expect(codeSync(() => verifyProvenRegistration(misbound))).toBe('REGISTRATION_INVALID');
    // The real activation, proven in the grown tree, still verifies.
    expect(verifyProvenRegistration(await proveRegistration(await w.service.evidence(proven.chainId), w.ledger))).toMatchObject({ partner: partner.did });
  });

  it('an SM3 ledger binds the JWS with SM3; a did:key partner verifies and a changed signature is refused', async () => {
    const partner = identity('SM2');
    w = await world(1_800_000_000, { hashAlg: 'sm3' });
    const doc = bftDocument(partner.did);
    const { jws, proven, entry } = await activate(w, doc, partner);
    expect(proven.activation.hashAlg).toBe('sm3');
    expect(entry.jwsDigest).toBe(toHex(sm3(utf8(jws))));
    expect(entry.jwsDigest).not.toBe(toHex(sha256(utf8(jws))));
    expect(verifyProvenRegistration(proven)).toEqual(doc);
    const [h, p] = jws.split('.') as [string, string, string];
    const other = toBase64Url(await partner.signer.sign(utf8(`${h}.${p}`))); // SM2 signatures are randomised: same key, other bytes
    expect(codeSync(() => verifyProvenRegistration(withJws(proven, `${h}.${p}.${other}`)))).toBe('REGISTRATION_INVALID');
  });
});
