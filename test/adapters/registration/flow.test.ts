/**
 * The registration flow end to end with did:key partners and administrators (Ed25519 and SM2), the real judicial
 * ledger and the registration store in one SQLite file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signApproval, signDisable, signRegistration } from '../../../adapters/registration/jws.js';
import { registrationDigest } from '../../../adapters/registration/parse.js';
import { RegistrationService } from '../../../adapters/registration/service.js';
import { openRegistrationStore } from '../../../adapters/registration/store.js';
import { proveRegistration, verifyProvenRegistration } from '../../../adapters/registration/evidence.js';
import { signJwt } from '../../../did/jwt.js';
import { toBase64Url, utf8 } from '../../../src/crypto/bytes.js';
import { leafHash, verifyInclusion } from '../../../src/ledger/merkle.js';
import { bftDocument, evmDocument, identity, world } from './fixtures.js';

type World = Awaited<ReturnType<typeof world>>;
let w: World;
beforeEach(async () => { w = await world(1_800_000_000); });
afterEach(async () => { await w.close(); });

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'OK';
};
const approve = (admin: ReturnType<typeof identity>, chainId: string, version: number, digest: string) =>
  signApproval({ admin: admin.did, chainId, version, digest }, admin.signer, w.now());
const entries = async () => {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < (await w.ledger.size()); i++) out.push(JSON.parse(Buffer.from((await w.ledger.get(i)).data).toString('utf8')));
  return out;
};

describe('registration flow (SQLite + judicial ledger)', () => {
  it('submit → 2 of 3 distinct admins approve → active; every event in the ledger with a verifiable inclusion proof', async () => {
    const partner = identity('SM2');
    const doc = bftDocument(partner.did);
    const digest = registrationDigest(doc);
    const jws = await signRegistration(doc, partner.signer, w.now());
    const rec = await w.service.submit(jws);
    expect([rec.status, rec.version, rec.digest, rec.submittedIndex]).toEqual(['pending', 1, digest, 0]);
    expect(await w.service.listActive()).toEqual([]);

    const [a0, a1, a2] = w.admins as [typeof w.admins[0], typeof w.admins[0], typeof w.admins[0]];
    const first = await w.service.approve(await approve(a0, doc.chainId, 1, digest));
    expect(first.activated).toBe(false);
    // duplicate approval by the same admin (even a freshly signed one) is rejected before counting
    w.tick();
    expect(await codeOf(w.service.approve(await approve(a0, doc.chainId, 1, digest)))).toBe('APPROVAL_DUPLICATE');
    // a non-admin's approval does not count
    expect(await codeOf(w.service.approve(await approve(identity(), doc.chainId, 1, digest)))).toBe('APPROVER_NOT_ADMIN');
    expect(await w.service.listActive()).toEqual([]);
    // the SM2 admin makes it 2 of 3
    const second = await w.service.approve(await approve(a1, doc.chainId, 1, digest));
    expect(second.activated).toBe(true);
    expect(second.approvals.map((x) => x.admin)).toEqual([a0.did, a1.did]);
    const active = await w.service.listActive();
    expect(active.map((r) => [r.chainId, r.version, r.status])).toEqual([[doc.chainId, 1, 'active']]);
    expect(active[0]!.document).toEqual(doc);
    // a third approval of an active version is a state error
    expect(await codeOf(w.service.approve(await approve(a2, doc.chainId, 1, digest)))).toBe('REGISTRATION_STATE_INVALID');

    // ledger: submitted, approved, approved, activated — each provably included
    const log = await entries();
    expect(log.map((e) => [e.type, e.event])).toEqual([
      ['courtbridge.registration', 'submitted'], ['courtbridge.registration', 'approved'], ['courtbridge.registration', 'approved'], ['courtbridge.registration', 'activated'],
    ]);
    expect(log[0]).toMatchObject({ chainId: doc.chainId, version: 1, digest, partner: partner.did, jws });
    expect(log[3]).toMatchObject({ digest, threshold: 2, approvals: [{ admin: a0.did, ledgerIndex: 1 }, { admin: a1.did, ledgerIndex: 2 }] });
    const size = await w.ledger.size();
    for (let i = 0; i < size; i++) {
      const p = await w.ledger.proveInclusion(i);
      const leaf = leafHash(w.ledger.h, (await w.ledger.get(i)).data);
      expect(() => verifyInclusion(w.ledger.h, i, size, leaf, p.proof, p.root)).not.toThrow();
    }
    // evidence for a bundle: the partner's JWS, the approvals and the activation event's index
    const ev = await w.service.evidence(doc.chainId);
    expect(ev).toMatchObject({ version: 1, digest, registrationJws: jws, submittedIndex: 0, activationIndex: 3 });
    expect(ev.approvals.map((x) => x.ledgerIndex)).toEqual([1, 2]);
    expect(log[ev.activationIndex]).toMatchObject({ event: 'activated', digest });

    // the bundle part: activation entry + RFC 9162 inclusion proof, verified offline
    const proven = await proveRegistration(ev, w.ledger);
    expect(verifyProvenRegistration(JSON.parse(JSON.stringify(proven)))).toEqual(doc);
    const other = await signRegistration({ ...doc, name: 'other' }, partner.signer, w.now());
    const codeSync = (f: () => unknown) => { try { f(); } catch (e) { return (e as { code: string }).code; } return 'OK'; };
    expect(codeSync(() => verifyProvenRegistration({ ...proven, registrationJws: other }))).toBe('REGISTRATION_DIGEST_MISMATCH');
    expect(codeSync(() => verifyProvenRegistration({ ...proven, activation: { ...proven.activation, root: '00'.repeat(32) } }))).toBe('INCLUSION_PROOF_INVALID');
    const approvedEntry = Buffer.from((await w.ledger.get(1)).data).toString('base64');
    expect(codeSync(() => verifyProvenRegistration({ ...proven, activation: { ...proven.activation, entry: approvedEntry } }))).toBe('REGISTRATION_INVALID');
  });

  it('forged, mistyped and mis-issued JWS are REGISTRATION_SIGNATURE_INVALID', async () => {
    const partner = identity();
    const doc = evmDocument(partner.did);
    const jws = await signRegistration(doc, partner.signer, w.now());
    const [h, , s] = jws.split('.');
    // payload changed after signing
    const tampered = `${h}.${toBase64Url(utf8(JSON.stringify({ iss: partner.did, iat: w.now(), version: 1, registration: { ...doc, endpoints: ['https://evil.example/'] } })))}.${s}`;
    expect(await codeOf(w.service.submit(tampered))).toBe('REGISTRATION_SIGNATURE_INVALID');
    // signed by another key under the partner's kid
    const mallory = identity();
    expect(await codeOf(w.service.submit(await signRegistration(doc, { ...mallory.signer, kid: partner.kid }, w.now())))).toBe('REGISTRATION_SIGNATURE_INVALID');
    // signed by mallory as herself for partner's document
    expect(await codeOf(w.service.submit(await signJwt({ iss: mallory.did, iat: w.now(), version: 1, registration: doc }, mallory.signer, 'courtbridge-registration+jwt')))).toBe('REGISTRATION_SIGNATURE_INVALID');
    // version claim differs from the document
    expect(await codeOf(w.service.submit(await signJwt({ iss: partner.did, iat: w.now(), version: 2, registration: doc }, partner.signer, 'courtbridge-registration+jwt')))).toBe('REGISTRATION_SIGNATURE_INVALID');
    // an approval token passed off as a registration (typ)
    const a = w.admins[0]!;
    expect(await codeOf(w.service.submit(await approve(a, doc.chainId, 1, registrationDigest(doc))))).toBe('REGISTRATION_SIGNATURE_INVALID');
    // no iat
    expect(await codeOf(w.service.submit(await signJwt({ iss: partner.did, version: 1, registration: doc }, partner.signer, 'courtbridge-registration+jwt')))).toBe('REGISTRATION_SIGNATURE_INVALID');
    // garbage
    expect(await codeOf(w.service.submit('not.a.jws'))).toBe('REGISTRATION_SIGNATURE_INVALID');
    // an invalid document with a valid signature is REGISTRATION_INVALID
    expect(await codeOf(w.service.submit(await signRegistration({ ...doc, chainId: 'eip155:0' }, partner.signer, w.now())))).toBe('REGISTRATION_INVALID');
    // a forged approval (admin's kid, other key)
    await w.service.submit(jws);
    expect(await codeOf(w.service.approve(await signApproval({ admin: a.did, chainId: doc.chainId, version: 1, digest: registrationDigest(doc) }, { ...mallory.signer, kid: a.kid }, w.now())))).toBe('REGISTRATION_SIGNATURE_INVALID');
    expect(await w.ledger.size()).toBe(1); // nothing but the one good submission reached the ledger
  });

  it('versions: stale rejected; an update keeps the old version active until approved; wrong digest; partner pinned', async () => {
    const partner = identity();
    const [a0, a1, a2] = w.admins as [typeof w.admins[0], typeof w.admins[0], typeof w.admins[0]];
    const v1 = evmDocument(partner.did);
    await w.service.submit(await signRegistration(v1, partner.signer, w.now()));
    await w.service.approve(await approve(a0, v1.chainId, 1, registrationDigest(v1)));
    await w.service.approve(await approve(a2, v1.chainId, 1, registrationDigest(v1)));
    // the same version again, or a lower one: stale
    expect(await codeOf(w.service.submit(await signRegistration(v1, partner.signer, w.now())))).toBe('REGISTRATION_VERSION_STALE');
    // v3 (versions may skip) rotates the endpoints
    const v3 = evmDocument(partner.did, { version: 3, endpoints: ['https://evm2.credit.example/rpc', 'https://evm3.credit.example/rpc'], trustAnchor: v1.trustAnchor });
    const r3 = await w.service.rotate(await signRegistration(v3, partner.signer, w.now()));
    expect(r3.status).toBe('pending');
    expect((await w.service.active(v1.chainId))!.version).toBe(1);
    // approval of another digest for v3
    expect(await codeOf(w.service.approve(await approve(a0, v1.chainId, 3, registrationDigest(v1))))).toBe('REGISTRATION_DIGEST_MISMATCH');
    expect(await codeOf(w.service.approve(await approve(a0, v1.chainId, 4, registrationDigest(v3))))).toBe('REGISTRATION_NOT_FOUND');
    expect((await w.service.approve(await approve(a1, v1.chainId, 3, registrationDigest(v3)))).activated).toBe(false);
    expect((await w.service.active(v1.chainId))!.version).toBe(1); // still the old one
    expect((await w.service.approve(await approve(a0, v1.chainId, 3, registrationDigest(v3)))).activated).toBe(true);
    expect((await w.service.active(v1.chainId))!.version).toBe(3);
    expect((await w.service.list()).map((r) => [r.version, r.status])).toEqual([[1, 'superseded'], [3, 'active']]);
    // someone else cannot take over the chain
    const mallory = identity();
    expect(await codeOf(w.service.submit(await signRegistration(evmDocument(mallory.did, { version: 9 }), mallory.signer, w.now())))).toBe('REGISTRATION_PARTNER_MISMATCH');
    // a rotation that rotates nothing
    expect(await codeOf(w.service.rotate(await signRegistration({ ...v3, version: 4 }, partner.signer, w.now())))).toBe('REGISTRATION_INVALID');
    // a pending version superseded by a newer submission can no longer be approved
    await w.service.submit(await signRegistration({ ...v3, version: 5, name: 'renamed chain' }, partner.signer, w.now()));
    await w.service.submit(await signRegistration({ ...v3, version: 6, name: 'renamed again' }, partner.signer, w.now()));
    expect(await codeOf(w.service.approve(await approve(a0, v1.chainId, 5, registrationDigest({ ...v3, version: 5, name: 'renamed chain' }))))).toBe('REGISTRATION_VERSION_STALE');
    const events = (await entries()).map((e) => e.event);
    expect(events).toEqual(['submitted', 'approved', 'approved', 'activated', 'rotated', 'approved', 'approved', 'activated', 'submitted', 'submitted']);
    expect((await entries())[4]).toMatchObject({ previousVersion: 1, changed: ['endpoints'] });
    expect((await w.service.evidence(v1.chainId, 1)).activationIndex).toBe(3);
  });

  it('disable: one admin order; no longer active; pending versions too; replays and non-admins refused; re-activation needs approval', async () => {
    const partner = identity('SM2');
    const [a0, a1] = w.admins as [typeof w.admins[0], typeof w.admins[0]];
    const v1 = bftDocument(partner.did);
    await w.service.submit(await signRegistration(v1, partner.signer, w.now()));
    await w.service.approve(await approve(a0, v1.chainId, 1, registrationDigest(v1)));
    await w.service.approve(await approve(a1, v1.chainId, 1, registrationDigest(v1)));
    const v2 = { ...v1, version: 2, name: 'v2' };
    await w.service.submit(await signRegistration(v2, partner.signer, w.now()));
    const order = await signDisable({ admin: a1.did, chainId: v1.chainId, version: 2, reason: '备案已注销 filing withdrawn' }, a1.signer, w.now());
    expect(await codeOf(w.service.disable('bft:other', order))).toBe('REGISTRATION_SIGNATURE_INVALID');
    const outsider = identity();
    expect(await codeOf(w.service.disable(v1.chainId, await signDisable({ admin: outsider.did, chainId: v1.chainId, version: 2, reason: 'x' }, outsider.signer, w.now())))).toBe('APPROVER_NOT_ADMIN');
    expect(await codeOf(w.service.disable(v1.chainId, await signDisable({ admin: a0.did, chainId: v1.chainId, version: 7, reason: 'x' }, a0.signer, w.now())))).toBe('REGISTRATION_NOT_FOUND');
    expect(await w.service.disable(v1.chainId, order)).toBe(2);
    expect(await w.service.listActive()).toEqual([]);
    expect(await w.service.active(v1.chainId)).toBeUndefined();
    expect(await codeOf(w.service.disable(v1.chainId, order))).toBe('REGISTRATION_DISABLED'); // replay
    expect(await codeOf(w.service.approve(await approve(a0, v1.chainId, 2, registrationDigest(v2))))).toBe('REGISTRATION_DISABLED');
    // a new version after the order needs fresh approval
    const v3 = { ...v1, version: 3, name: 'v3' };
    await w.service.submit(await signRegistration(v3, partner.signer, w.now()));
    expect(await w.service.listActive()).toEqual([]);
    expect(await codeOf(w.service.disable(v1.chainId, order))).toBe('REGISTRATION_DISABLED'); // the old order cannot touch v3
    await w.service.approve(await approve(a0, v1.chainId, 3, registrationDigest(v3)));
    await w.service.approve(await approve(a1, v1.chainId, 3, registrationDigest(v3)));
    expect((await w.service.listActive()).map((r) => r.version)).toEqual([3]);
    const disabled = (await entries()).find((e) => e.event === 'disabled');
    expect(disabled).toMatchObject({ chainId: v1.chainId, version: 2, admin: a1.did, versions: [1, 2], jws: order });
  });

  it('state survives a restart: a new service over the same file continues counting approvals', async () => {
    const partner = identity();
    const v1 = evmDocument(partner.did);
    await w.service.submit(await signRegistration(v1, partner.signer, w.now()));
    await w.service.approve(await approve(w.admins[0]!, v1.chainId, 1, registrationDigest(v1)));
    const store2 = await openRegistrationStore({ kind: 'sqlite', path: w.path });
    try {
      const again = new RegistrationService({ store: store2, sink: w.ledger, verifier: w.verifier, admins: w.admins.map((a) => a.did), threshold: 2, now: w.now });
      expect(await codeOf(again.approve(await approve(w.admins[0]!, v1.chainId, 1, registrationDigest(v1))))).toBe('APPROVAL_DUPLICATE');
      expect((await again.approve(await approve(w.admins[2]!, v1.chainId, 1, registrationDigest(v1)))).activated).toBe(true);
    } finally {
      await store2.close();
    }
  });

  it('configuration is checked: threshold within the admin set, distinct admins', () => {
    const base = { store: w.store, sink: w.ledger, verifier: w.verifier };
    const admins = w.admins.map((a) => a.did);
    expect(() => new RegistrationService({ ...base, admins, threshold: 4 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => new RegistrationService({ ...base, admins, threshold: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => new RegistrationService({ ...base, admins: [admins[0]!, admins[0]!], threshold: 1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => new RegistrationService({ ...base, admins: [], threshold: 1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
