/**
 * The registration part of an evidence bundle: the partner's signed registration, the administrators' approvals, and
 * the ledger entry of the activation event with its RFC 9162 inclusion proof (RFC 9162 §2.1.3). The bundle's
 * checkpoint (signed note over the same tree size) is attached by whoever assembles the bundle; verification here is
 * pure and offline, as an ordered list of steps:
 *   1. the activation entry is a `courtbridge.registration` `activated` event for this chain, version and digest
 *   2. the registration JWS payload's document hashes to that digest (SHA-256 over RFC 8785 canonical JSON)
 *   3. the registration JWS is, byte for byte, the one the hub verified: the entry's `jwsDigest` is the digest of its
 *      UTF-8 bytes under the ledger's hash (`activation.hashAlg`); a missing or different one is REGISTRATION_INVALID
 *   4. the entry's leaf hash, index and audit path lead to `root` (INCLUSION_PROOF_INVALID otherwise)
 * Signatures of the JWS are NOT re-checked here (that needs the partner's and admins' DID documents); the ledger
 * entry proves the hub checked them when it activated the registration, and step 3 binds the checked header and
 * signature bytes (the document digest alone covers only the payload).
 */
import { bytesEqual, fromBase64, fromHex, toBase64, toHex, utf8 } from '../../src/crypto/bytes.js';
import { canonicalBytes } from '../../src/crypto/canonical.js';
import { hashSuite, type HashSuite } from '../../src/crypto/hash.js';
import { fail } from '../../src/errors.js';
import { decodeJwt } from '../../did/jwt.js';
import { leafHash, verifyInclusion } from '../../src/ledger/merkle.js';
import type { InclusionProof, LedgerEntry } from '../../src/ledger/ledger.js';
import { registrationDigest } from './parse.js';
import type { RegistrationEvidence } from './service.js';
import { REGISTRATION_EVENT_TYPE, type RegistrationDocument } from './types.js';

/** Registration evidence with the activation entry and its inclusion proof (JSON-safe). */
export interface ProvenRegistration extends RegistrationEvidence {
  readonly activation: {
    readonly hashAlg: string;
    /** Base64 of the ledger entry's bytes (RFC 8785 JSON of the `activated` event). */
    readonly entry: string;
    readonly treeSize: number;
    readonly proof: readonly string[];
    readonly root: string;
  };
}

/** The `jwsDigest` of an `activated` entry: lower-case hex digest of the compact JWS's UTF-8 bytes under the ledger's hash. */
export function registrationJwsDigest(h: HashSuite, jws: string): string {
  return toHex(h.digest(utf8(jws)));
}

/** What `proveRegistration` needs from the ledger (`Ledger` satisfies it). */
export interface LedgerReader {
  readonly meta: { readonly hashAlg: string };
  get(index: number): Promise<LedgerEntry>;
  proveInclusion(index: number, size?: number): Promise<InclusionProof>;
}

/** Attach the activation entry and its inclusion proof in the tree of `treeSize` leaves (default: the current size). */
export async function proveRegistration(ev: RegistrationEvidence, ledger: LedgerReader, treeSize?: number): Promise<ProvenRegistration> {
  const entry = await ledger.get(ev.activationIndex);
  const p = await ledger.proveInclusion(ev.activationIndex, treeSize);
  return { ...ev, activation: { hashAlg: ledger.meta.hashAlg, entry: toBase64(entry.data), treeSize: p.treeSize, proof: p.proof.map(toHex), root: toHex(p.root) } };
}

/** Verify a proven registration offline (steps 1–4); returns the registration document. */
export function verifyProvenRegistration(b: ProvenRegistration): RegistrationDocument {
  const h = hashSuite(b.activation.hashAlg);
  const data = fromBase64(b.activation.entry, 'activation.entry');
  // Step 1: the entry is the activation of this version and digest.
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    return fail('REGISTRATION_INVALID', { field: 'activation.entry', reason: 'not JSON' }, e);
  }
  if (!bytesEqual(canonicalBytes(event), data)) fail('REGISTRATION_INVALID', { field: 'activation.entry', reason: 'not RFC 8785 canonical JSON' });
  if (event.type !== REGISTRATION_EVENT_TYPE || event.event !== 'activated' || event.chainId !== b.chainId || event.version !== b.version || event.digest !== b.digest) {
    fail('REGISTRATION_INVALID', { field: 'activation.entry', reason: 'not the activation of this registration' });
  }
  // Step 2: the signed document is the activated one.
  const payload = decodeJwt(b.registrationJws, 1024 * 1024).payload;
  const doc = payload.registration as RegistrationDocument;
  if (registrationDigest(doc) !== b.digest) fail('REGISTRATION_DIGEST_MISMATCH', { claimed: b.digest, actual: registrationDigest(doc) });
  // Step 3: the JWS is the one the hub verified and the administrators' approvals activated (every byte of it).
  if (typeof event.jwsDigest !== 'string') fail('REGISTRATION_INVALID', { field: 'activation.entry', reason: 'no jwsDigest binding the registration JWS' });
  if (event.jwsDigest !== registrationJwsDigest(h, b.registrationJws)) {
    fail('REGISTRATION_INVALID', { field: 'registrationJws', reason: 'not the JWS the activation entry binds (jwsDigest differs)' });
  }
  // Step 4: RFC 9162 inclusion of the entry.
  const proof = b.activation.proof.map((x, i) => fromHex(x, `activation.proof[${i}]`, 32));
  verifyInclusion(h, b.activationIndex, b.activation.treeSize, leafHash(h, data), proof, fromHex(b.activation.root, 'activation.root', 32));
  return doc;
}
