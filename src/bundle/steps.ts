/**
 * The named steps of `verifyEvidenceBundle` (verify.ts has the list and the rules): each a pure function of the
 * bundle and the trust anchors that returns a qualified pass or throws the coded error of its failure; a step that
 * needs a part an earlier step could not read throws `Skip`.
 */
import { bytesEqual, fromBase64Url, fromHex, toHex } from '../crypto/bytes.js';
import { canonicalBytes, canonicalJson } from '../crypto/canonical.js';
import { hashSuite } from '../crypto/hash.js';
import { verifySignature } from '../crypto/signature.js';
import { asCourtBridgeError, fail } from '../errors.js';
import { openCheckpoint, verifyCosignature } from '../ledger/checkpoint.js';
import { leafHash, verifyInclusion } from '../ledger/merkle.js';
import { formatVerifierKey, parseNote, parseVerifierKey, type NoteVerifier } from '../ledger/note.js';
import { validateRecord } from '../schema/index.js';
import { decodeJwt, JWS_ALG } from '../../did/jwt.js';
import { decodeDidKey } from '../../did/key.js';
import { parseRegistration } from '../../adapters/registration/parse.js';
import { verifyProvenRegistration } from '../../adapters/registration/evidence.js';
import type { RegistrationDocument } from '../../adapters/registration/types.js';
import { ATTESTATION_SCHEMA_ID, attestationId, jsonDigest, verifySignedAttestation, type Attestation } from '../../relay/attestation.js';
import { deriveFacts } from './facts.js';
import { recordTypeOf, verifyBundleSource } from './source.js';
import type { BundleStepName, EvidenceBundle, TrustAnchors } from './types.js';

/** Thrown inside a step to mark it skipped (a prerequisite could not be read). */
export class Skip {
  constructor(readonly code: string, readonly detail: string) {}
}

/** Parsed note verifiers by key text: an SM2 verifier precomputes a comb table (~25 ms), so repeat bundles reuse it. */
const VERIFIER_CACHE = new Map<string, NoteVerifier>();
const VERIFIER_CACHE_MAX = 64;

/** `parseVerifierKey`, memoised by key text (bounded, first in first out). */
export function cachedVerifierKey(s: string): NoteVerifier {
  let v = VERIFIER_CACHE.get(s);
  if (v === undefined) {
    v = parseVerifierKey(s);
    if (VERIFIER_CACHE.size >= VERIFIER_CACHE_MAX) VERIFIER_CACHE.delete(VERIFIER_CACHE.keys().next().value!);
    VERIFIER_CACHE.set(s, v);
  }
  return v;
}

/** A verifier key string that must be in its one canonical spelling (so that no byte of it goes unchecked). */
function strictVerifierKey(s: string, field: string): NoteVerifier {
  const v = cachedVerifierKey(s);
  if (formatVerifierKey(v) !== s) fail('BUNDLE_MISMATCH', { field, reason: 'verifier key is not in canonical form' });
  return v;
}

/** The protected header of a compact JWS (ATTESTATION_INVALID when it is not base64url JSON). */
export function jwsHeader(jws: string): { alg?: unknown; kid?: unknown } {
  try {
    const h = JSON.parse(Buffer.from(fromBase64Url(jws.split('.')[0], 'jws.header')).toString('utf8')) as unknown;
    if (typeof h !== 'object' || h === null || Array.isArray(h)) return fail('ATTESTATION_INVALID', { reason: 'jws header is not a JSON object' });
    return h as { alg?: unknown; kid?: unknown };
  } catch (e) {
    return fail('ATTESTATION_INVALID', { reason: 'jws header is not base64url JSON' }, e);
  }
}

/** The verification context: parts read once, shared by the steps. */
export class Context {
  att?: Attestation;
  doc?: RegistrationDocument;
  docError?: string;
  /** The source evidence is the one the signed attestation commits to (its facts may be derived). */
  evidenceBound = false;
  constructor(readonly b: EvidenceBundle, readonly anchors: TrustAnchors | undefined) {}

  attestation(): Attestation {
    if (this.att === undefined) throw new Skip('SKIPPED', 'the attestation could not be read');
    return this.att;
  }

  registration(): RegistrationDocument {
    if (this.doc !== undefined) return this.doc;
    if (this.docError !== undefined) throw new Skip('SKIPPED', 'the registration could not be read');
    try {
      const payload = decodeJwt(this.b.registration.registrationJws, 1024 * 1024).payload;
      this.doc = parseRegistration(payload.registration);
      return this.doc;
    } catch (e) {
      this.docError = asCourtBridgeError(e).code;
      throw new Skip('SKIPPED', 'the registration could not be read');
    }
  }

  issuedAtSec(): number {
    return Math.floor(Date.parse(this.attestation().issuedAt) / 1000);
  }
}

/** One step: a qualified pass (code, detail) or a thrown failure. */
export type StepFn = (c: Context) => { code?: string; detail?: string } | void;

/** The steps after `schema`, by name. */
export const STEPS: Readonly<Record<Exclude<BundleStepName, 'schema'>, StepFn>> = {
  'attestation-signature': (c) => {
    const text = c.b.attestation.canonical;
    let att: Attestation;
    try {
      att = JSON.parse(text) as Attestation;
    } catch (e) {
      return fail('BUNDLE_MISMATCH', { field: 'attestation.canonical', reason: 'not JSON' }, e);
    }
    if (canonicalJson(att) !== text) fail('BUNDLE_MISMATCH', { field: 'attestation.canonical', reason: 'not RFC 8785 canonical JSON' });
    validateRecord(ATTESTATION_SCHEMA_ID, { attestation: att, jws: c.b.attestation.jws });
    // The hub's key is in its did:key itself (no resolution); the JWS header must name that DID's key.
    const key = decodeDidKey(att.relay);
    if (c.anchors?.hubDids !== undefined && !c.anchors.hubDids.includes(att.relay)) fail('BUNDLE_TRUST_MISMATCH', { reason: `hub ${att.relay} is not among the trusted hub DIDs` });
    const header = jwsHeader(c.b.attestation.jws);
    if (typeof header.kid !== 'string' || !header.kid.startsWith(`${att.relay}#`)) fail('ATTESTATION_INVALID', { reason: 'jws kid is not a key of the relay DID' });
    verifySignedAttestation({ attestation: att, jws: c.b.attestation.jws }, { alg: key.alg, kid: header.kid, publicKey: key.bytes });
    c.att = att;
    return { detail: `${JWS_ALG[key.alg]} ${att.relay}` };
  },

  'attestation-binding': (c) => {
    const att = c.attestation();
    const ev = c.b.sourceEvidence;
    if (jsonDigest(ev) !== att.evidence.digest) fail('BUNDLE_MISMATCH', { field: 'sourceEvidence', reason: 'its digest is not the attested evidence.digest' });
    if (ev.kind !== att.evidence.kind || ev.chainId !== att.source.chainId || ev.recordType !== att.source.recordType) {
      fail('BUNDLE_MISMATCH', { field: 'sourceEvidence', reason: 'kind, chain or record type differ from the attestation' });
    }
    c.evidenceBound = true;
    if (jsonDigest(c.b.record) !== att.record.digest) fail('BUNDLE_MISMATCH', { field: 'record', reason: 'its digest is not the attested record.digest' });
    const id = attestationId(att.source.chainId, att.source.recordType, ev.key, att.source.blockHash, att.record.digest);
    if (id !== att.id) fail('ATTESTATION_INVALID', { reason: 'id does not match its content' });
  },

  'source-evidence': (c) => {
    const att = c.attestation();
    const doc = c.registration();
    if (doc.chainId !== att.source.chainId) fail('BUNDLE_MISMATCH', { field: 'registration.chainId', reason: 'not the attested chain' });
    if (c.anchors !== undefined) {
      const given = Object.hasOwn(c.anchors.chains, doc.chainId) ? c.anchors.chains[doc.chainId] : undefined;
      if (given === undefined) fail('BUNDLE_TRUST_MISMATCH', { reason: `no trust anchor for ${doc.chainId}` });
      if (canonicalJson(given) !== canonicalJson(doc.trustAnchor ?? null)) fail('BUNDLE_TRUST_MISMATCH', { reason: `the trust anchor of ${doc.chainId} differs from the registration's` });
    }
    const { verified, trust } = verifyBundleSource(doc, c.b.sourceEvidence, c.b.validatorSetChain, c.issuedAtSec());
    if (verified.height !== att.source.blockHeight || verified.blockHash !== att.source.blockHash) fail('BUNDLE_MISMATCH', { field: 'sourceEvidence', reason: 'proven block is not the attested block' });
    if (verified.recordDigest !== att.record.digest) fail('BUNDLE_MISMATCH', { field: 'sourceEvidence', reason: 'proven record is not the attested record' });
    return trust === 'rpc-depth'
      ? { code: 'RPC_DEPTH', detail: `${verified.finality.confirmations ?? 0} confirmations` }
      : { detail: `validator set ${verified.finality.validatorSetId ?? '-'}, ${c.b.validatorSetChain.length} hand-over(s)` };
  },

  'record-schema': (c) => {
    const att = c.attestation();
    const rt = recordTypeOf(c.registration(), att.source.recordType);
    if (rt.schemaId !== att.record.schemaId) fail('BUNDLE_MISMATCH', { field: 'attestation.record.schemaId', reason: 'not the registered schema of the record type' });
    validateRecord(att.record.schemaId, c.b.record);
    return { detail: att.record.schemaId };
  },

  'ledger-inclusion': (c) => {
    const att = c.attestation();
    const l = c.b.ledger;
    const h = hashSuite(l.hashAlg);
    const leaf = leafHash(h, canonicalBytes({ attestation: att, jws: c.b.attestation.jws }));
    if (toHex(leaf) !== l.leafHash) fail('BUNDLE_MISMATCH', { field: 'ledger.leafHash', reason: 'not the leaf hash of the attestation entry' });
    verifyInclusion(h, l.index, l.treeSize, leaf, l.proof.map((p, i) => fromHex(p, `ledger.proof[${i}]`, 32)), fromHex(l.root, 'ledger.root', 32));
    return { detail: `index ${l.index} of ${l.treeSize}` };
  },

  'checkpoint-signature': (c) => {
    const l = c.b.ledger;
    const keys = l.verifierKeys.map((k, i) => strictVerifierKey(k, `ledger.verifierKeys[${i}]`));
    const witnesses = l.witnessKeys.map((k, i) => strictVerifierKey(k, `ledger.witnessKeys[${i}]`));
    const id = (v: { name: string; keyId: number }) => `${v.name}+${v.keyId}`;
    const listed = new Set([...keys, ...witnesses].map(id));
    if (listed.size !== keys.length + witnesses.length) fail('BUNDLE_MISMATCH', { field: 'ledger.verifierKeys', reason: 'a key is listed twice' });
    // Every signature line must be by a listed key, and every listed key must have signed: no unchecked bytes.
    const parsed = parseNote(l.checkpoint);
    const signers = new Set(parsed.signatures.map(id));
    for (const s of parsed.signatures) if (!listed.has(id(s))) fail('BUNDLE_MISMATCH', { field: 'ledger.checkpoint', reason: `signature by unlisted key ${s.name}` });
    for (const k of [...keys, ...witnesses]) if (!signers.has(id(k))) fail('BUNDLE_MISMATCH', { field: 'ledger.checkpoint', reason: `listed key ${k.name} did not sign` });
    const opened = openCheckpoint(l.checkpoint, keys, l.origin);
    for (const w of witnesses) verifyCosignature(opened.text, parsed.signatures.find((s) => id(s) === id(w))!.line, w);
    const cp = opened.checkpoint;
    if (cp.treeSize !== l.treeSize || !bytesEqual(cp.root, fromHex(l.root, 'ledger.root', 32))) fail('BUNDLE_MISMATCH', { field: 'ledger.checkpoint', reason: 'tree size or root differ from the inclusion proof' });
    if (c.anchors === undefined) return { code: 'SELF_ASSERTED', detail: `${keys.length} ledger key(s) from the bundle itself, ${witnesses.length} witness(es)` };
    if (c.anchors.ledger.origin !== undefined && c.anchors.ledger.origin !== l.origin) fail('BUNDLE_TRUST_MISMATCH', { reason: 'ledger origin differs from the trusted origin' });
    const trusted = c.anchors.ledger.verifierKeys.map(cachedVerifierKey);
    const byTrusted = openCheckpoint(l.checkpoint, trusted, l.origin);
    return { detail: `${byTrusted.sigs.length} signature(s) by trusted ledger keys, ${witnesses.length} witness(es)` };
  },

  registration: (c) => {
    const att = c.attestation();
    const r = c.b.registration;
    const l = c.b.ledger;
    if (r.chainId !== att.source.chainId) fail('BUNDLE_MISMATCH', { field: 'registration.chainId', reason: 'not the attested chain' });
    if (r.activation.hashAlg !== l.hashAlg || r.activation.treeSize !== l.treeSize || r.activation.root !== l.root) {
      fail('BUNDLE_MISMATCH', { field: 'registration.activation', reason: 'not proven in the same tree as the attestation' });
    }
    // The registration must have been active before the record was attested through it.
    if (r.activationIndex >= l.index) fail('BUNDLE_MISMATCH', { field: 'registration.activationIndex', reason: 'activated after the attestation' });
    let doc: RegistrationDocument;
    try {
      doc = c.registration();
    } catch (e) {
      if (e instanceof Skip) return fail('REGISTRATION_INVALID', { field: 'registrationJws', reason: c.docError ?? 'unreadable' });
      throw e;
    }
    // Also binds every byte of `registrationJws` (header, payload, signature) to the activation entry's `jwsDigest`.
    verifyProvenRegistration({ ...r, approvals: [], submittedIndex: 0 });
    // The partner's signature: offline for did:key; other methods need resolution, so the hub's check is what the
    // included activation entry attests, and its `jwsDigest` (checked above) pins the JWS bytes the hub checked.
    const jwt = decodeJwt(r.registrationJws, 1024 * 1024);
    if (jwt.payload.iss !== doc.partner) fail('REGISTRATION_SIGNATURE_INVALID', { what: 'registration', reason: 'iss is not the document partner' });
    if (!doc.partner.startsWith('did:key:')) {
      return { code: 'PARTNER_SIGNATURE_BY_HUB', detail: `${doc.partner} needs DID resolution; the hub's signature check is attested by the activation entry, which binds the JWS bytes by digest (jwsDigest)` };
    }
    const key = decodeDidKey(doc.partner);
    if (!jwt.header.kid.startsWith(`${doc.partner}#`) || jwt.header.alg !== JWS_ALG[key.alg]) fail('REGISTRATION_SIGNATURE_INVALID', { what: 'registration', reason: 'header does not name the partner key' });
    if (!verifySignature(key.alg, key.bytes, jwt.signingInput, jwt.signature)) fail('REGISTRATION_SIGNATURE_INVALID', { what: 'registration', reason: 'signature does not verify' });
    return { detail: `${doc.chainId} v${doc.version}, activation entry ${r.activationIndex}` };
  },

  'court-facts': (c) => {
    const att = c.attestation();
    if (!c.evidenceBound) throw new Skip('SKIPPED', 'the source evidence is not the attested one');
    const doc = c.registration();
    const l = c.b.ledger;
    const jwsAlg = String(jwsHeader(c.b.attestation.jws).alg);
    const facts = deriveFacts({
      doc, evidence: c.b.sourceEvidence, attestation: att, jwsAlg, validatorSetChain: c.b.validatorSetChain,
      ledger: { hashAlg: l.hashAlg, verifierKeys: l.verifierKeys, treeSize: l.treeSize }, court: { caseParties: c.b.facts.interest.caseParties },
    });
    for (const k of Object.keys(facts) as (keyof typeof facts)[]) {
      if (canonicalJson(facts[k]) !== canonicalJson(c.b.facts[k])) fail('BUNDLE_MISMATCH', { field: `facts.${k}`, reason: 'differs from what the registration, evidence and ledger state' });
    }
    const interest = facts.interest.operatorIsParty === null ? '利害关系未判断 / interest not determined' : facts.interest.operatorIsParty ? '运营者为案件当事人 / operator IS a party' : '运营者非案件当事人 / operator is not a party';
    return { detail: `${facts.sourcePlatform.filingNumber}; ${interest}` };
  },
};
