/**
 * Credentials issued through the hub: status-list entries reserved for an issuer, the signed credentials registered
 * against them, and their revocation / suspension by the issuer (or a delegator above it).
 *
 * DECISION (issue 6): the hub never holds an issuer's signing key. A judicial administration bureau keeps its own key
 * (the CLI signs with `vc issue --issuer-kid` from the bureau's own key store file), so issuing is two steps:
 *   1. reserve   the hub allocates one status index for the caller in both of its lists (revocation, suspension;
 *                the same index in each, as `vc issue --status-index N --suspension-list` writes them) — attested;
 *   2. register  the caller signs the VC JWT carrying exactly those entries and hands it in; the hub checks the
 *                signature is the caller's (`iss` = caller, assertionMethod key), the schema of its type
 *                (schemas/credentials/*), that the caller was accredited for the type and the credential's
 *                jurisdiction at its issuance date, that the entries are the caller's unused reservation — attested.
 * Status changes go through `StatusListRegistry.setStatus` (attested exactly as `vc revoke|suspend|reinstate` does);
 * only the issuer or a delegator above it (did/issuers.ts `oversees`) may make them; revocation is final.
 *
 * The registry is a pure function of the ledger (`replay` of `courtbridge.did.credential`); the ledger holds no
 * credential content beyond id, issuer, type, index, validity and the SHA-256 of the JWT (the claims are personal data).
 */
import { fail } from '../src/errors.js';
import { sha256 } from '../src/crypto/hash.js';
import { toHex, utf8 } from '../src/crypto/bytes.js';
import type { AttestationSink } from './attestation.js';
import type { IssuerRegistry } from './issuers.js';
import type { JwtVerifier } from './jwt.js';
import { MIN_STATUS_LIST_BITS, type BitstringStatusListEntry, type StatusListRegistry } from './status-list.js';
import { verifyCredentialJwt } from './credentials/vc.js';
import type { CredentialType } from './credentials/types.js';

/** Ledger attestation type of reservations and registrations. */
export const CREDENTIAL_EVENT_TYPE = 'courtbridge.did.credential';

/** Status entries reserved for one issuer (one index, both lists). */
export interface StatusReservation {
  index: number;
  issuer: string;
  entries: BitstringStatusListEntry[];
  at: number;
  ledgerIndex: number;
  /** Id of the credential that used it. */
  usedBy?: string;
}

/** A credential registered with the hub. */
export interface IssuedCredential {
  id: string;
  issuer: string;
  type: CredentialType;
  index: number;
  entries: BitstringStatusListEntry[];
  validFrom: number;
  validUntil: number;
  jwtSha256: string;
  issuedAt: number;
  ledgerIndex: number;
}

/** Live status of a registered credential. */
export interface CredentialStatusView {
  id: string;
  issuer: string;
  type: CredentialType;
  statusListIndex: number;
  revoked: boolean;
  suspended: boolean;
}

/** A status change requested of an issued credential. */
export type CredentialAction = 'revoke' | 'suspend' | 'reinstate';

/** Options of the registry. */
export interface IssuedCredentialsOptions {
  status: StatusListRegistry;
  issuers: IssuerRegistry;
  /** Verifies the issuer's VC JWT (assertionMethod key of `iss`). */
  jwt: JwtVerifier;
  sink: AttestationSink;
  /** Names of the hub's lists (default `credentials-revocation`, `credentials-suspension`). */
  lists?: { revocation: string; suspension: string };
  now?: () => number;
}

const jwtDigest = (jwt: string): string => toHex(sha256(utf8(jwt)));
const sameEntry = (a: BitstringStatusListEntry, b: BitstringStatusListEntry): boolean =>
  a.id === b.id && a.type === b.type && a.statusPurpose === b.statusPurpose && a.statusListIndex === b.statusListIndex && a.statusListCredential === b.statusListCredential;

/** The hub's issued-credential registry (see the file comment). */
export class IssuedCredentials {
  private readonly revocationUrl: string;
  private readonly suspensionUrl: string;
  private readonly reservations = new Map<number, StatusReservation>();
  private readonly credentials = new Map<string, IssuedCredential>();
  /** Ledger indexes already applied (own appends and replays), so a replay of our own entries is a no-op. */
  private readonly applied = new Set<number>();
  private next = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  /** Creates the two lists in the status registry (idempotent). */
  constructor(private readonly o: IssuedCredentialsOptions) {
    this.revocationUrl = o.status.ensureList(o.lists?.revocation ?? 'credentials-revocation', 'revocation');
    this.suspensionUrl = o.status.ensureList(o.lists?.suspension ?? 'credentials-suspension', 'suspension');
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Changes run one at a time (allocation and registration read, attest, then apply). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private entriesAt(index: number): BitstringStatusListEntry[] {
    const s = String(index);
    return [
      { id: `${this.revocationUrl}#${s}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: s, statusListCredential: this.revocationUrl },
      { id: `${this.suspensionUrl}#${s}`, type: 'BitstringStatusListEntry', statusPurpose: 'suspension', statusListIndex: s, statusListCredential: this.suspensionUrl },
    ];
  }

  /** Step 1: reserve the next status index for `issuer` (a root or an issuer holding a live accreditation). */
  reserve(issuer: string): Promise<StatusReservation> {
    return this.serial(async () => {
      const at = this.now();
      if (!this.o.issuers.mayIssueAt(issuer, at)) fail('ISSUER_NOT_ACCREDITED', { issuer, type: 'any credential type', jurisdiction: 'any', at });
      const index = this.next;
      if (index >= MIN_STATUS_LIST_BITS) fail('STATUS_INDEX_OUT_OF_RANGE', { index: String(index), size: MIN_STATUS_LIST_BITS });
      const entries = this.entriesAt(index);
      const { index: ledgerIndex } = await this.o.sink.append({ type: CREDENTIAL_EVENT_TYPE, action: 'reserve', issuer, index, lists: [this.revocationUrl, this.suspensionUrl], at });
      this.applied.add(ledgerIndex);
      const r: StatusReservation = { index, issuer, entries, at, ledgerIndex };
      this.reservations.set(index, r);
      this.next = index + 1;
      return r;
    });
  }

  /** Step 2: register the VC JWT `jwt` signed by `caller` over its reservation. Idempotent for the identical JWT. */
  register(jwt: string, caller: string): Promise<{ credential: IssuedCredential; created: boolean }> {
    return this.serial(async () => {
      // Signature by the issuer's assertionMethod key and the type's schema (VC_SIGNATURE_INVALID / VC_SCHEMA_INVALID).
      const vc = await verifyCredentialJwt(jwt, this.o.jwt, 0, false);
      if (vc.issuer !== caller) fail('CREDENTIAL_NOT_OWNED', { did: caller, id: vc.id });
      const digest = jwtDigest(jwt);
      const known = this.credentials.get(vc.id);
      if (known) return known.jwtSha256 === digest ? { credential: known, created: false } : fail('CREDENTIAL_EXISTS', { id: vc.id });
      const jurisdiction = String(vc.claims.jurisdiction);
      // Accredited for this type and jurisdiction at the issuance date, as presentation verification will check.
      if (!this.o.issuers.isAccredited(caller, vc.type, jurisdiction, vc.validFrom)) fail('ISSUER_NOT_ACCREDITED', { issuer: caller, type: vc.type, jurisdiction, at: vc.validFrom });
      // …and now: an issuer whose accreditation was revoked cannot register a credential backdated into its old window.
      const at = this.now();
      if (!this.o.issuers.isAccredited(caller, vc.type, jurisdiction, at)) fail('ISSUER_NOT_ACCREDITED', { issuer: caller, type: vc.type, jurisdiction, at });
      const rev = vc.status.find((e) => e.statusPurpose === 'revocation') ?? fail('STATUS_LIST_INVALID', { id: vc.id, reason: 'credential has no revocation entry' });
      const index = Number(rev.statusListIndex);
      const r = this.reservations.get(index);
      if (!r || r.issuer !== caller) fail('STATUS_LIST_INVALID', { id: vc.id, reason: `index ${rev.statusListIndex} of ${rev.statusListCredential} is not reserved for the issuer` });
      if (r.usedBy !== undefined) fail('STATUS_LIST_INVALID', { id: vc.id, reason: `index ${index} is used by ${r.usedBy}` });
      // Exactly the reserved entries (both, or the revocation entry alone), nothing else.
      if (!vc.status.every((e) => r.entries.some((x) => sameEntry(e, x))) || new Set(vc.status.map((e) => e.statusPurpose)).size !== vc.status.length) {
        fail('STATUS_LIST_INVALID', { id: vc.id, reason: 'credentialStatus must be the entries the hub reserved' });
      }
      const event = { type: CREDENTIAL_EVENT_TYPE, action: 'issue', id: vc.id, issuer: caller, credentialType: vc.type, index, purposes: vc.status.map((e) => e.statusPurpose), validFrom: vc.validFrom, validUntil: vc.validUntil, jwtSha256: digest, at };
      const { index: ledgerIndex } = await this.o.sink.append(event);
      this.applied.add(ledgerIndex);
      const credential: IssuedCredential = { id: vc.id, issuer: caller, type: vc.type, index, entries: vc.status.map((e) => ({ ...e })), validFrom: vc.validFrom, validUntil: vc.validUntil, jwtSha256: digest, issuedAt: at, ledgerIndex };
      this.credentials.set(vc.id, credential);
      r.usedBy = vc.id;
      return { credential, created: true };
    });
  }

  /** The live status of credential `id`. */
  view(id: string): CredentialStatusView {
    const c = this.credentials.get(id) ?? fail('CREDENTIAL_NOT_FOUND', { id: id.slice(0, 200) });
    const bit = (purpose: 'revocation' | 'suspension') => {
      const e = c.entries.find((x) => x.statusPurpose === purpose);
      return e !== undefined && this.o.status.status(e);
    };
    return { id: c.id, issuer: c.issuer, type: c.type, statusListIndex: c.index, revoked: bit('revocation'), suspended: bit('suspension') };
  }

  /**
   * Revoke, suspend or reinstate credential `id` as `by` (the issuer or a delegator above it), through
   * `StatusListRegistry.setStatus` (attested before it applies). Suspending a suspended credential, or reinstating one
   * that is not suspended, changes nothing and attests nothing. A revoked credential accepts no change.
   */
  changeStatus(id: string, action: CredentialAction, by: string, reason?: string): Promise<CredentialStatusView & { changed: boolean; ledgerIndex?: number }> {
    return this.serial(async () => {
      const c = this.credentials.get(id) ?? fail('CREDENTIAL_NOT_FOUND', { id: id.slice(0, 200) });
      if (!this.o.issuers.oversees(by, c.issuer)) fail('CREDENTIAL_NOT_OWNED', { did: by, id });
      const before = this.view(id);
      if (before.revoked) fail('CREDENTIAL_REVOKED_FINAL', { id });
      const purpose = action === 'revoke' ? 'revocation' : 'suspension';
      const value = action !== 'reinstate';
      const entry = c.entries.find((e) => e.statusPurpose === purpose) ?? fail('STATUS_LIST_INVALID', { id, reason: 'the credential carries no suspension entry' });
      if (this.o.status.status(entry) === value) return { ...before, changed: false };
      const receipt = await this.o.status.setStatus(entry, value, by, reason);
      return { ...this.view(id), changed: true, ledgerIndex: receipt.index };
    });
  }

  /**
   * Re-apply one attestation read back from the ledger (`courtbridge.did.credential`) without attesting it again;
   * entries this registry appended itself are skipped. False for other attestation types.
   */
  replay(attestation: unknown, ledgerIndex: number): boolean {
    const a = attestation as { type?: unknown; action?: unknown; issuer?: unknown; index?: unknown; id?: unknown; at?: unknown; credentialType?: unknown; purposes?: unknown; validFrom?: unknown; validUntil?: unknown; jwtSha256?: unknown };
    if (typeof a !== 'object' || a === null || a.type !== CREDENTIAL_EVENT_TYPE) return false;
    if (this.applied.has(ledgerIndex)) return true;
    const bad = (reason: string): never => fail('STATUS_LIST_INVALID', { id: `ledger entry ${ledgerIndex}`, reason });
    if (typeof a.issuer !== 'string' || !Number.isSafeInteger(a.index) || (a.index as number) < 0 || !Number.isSafeInteger(a.at)) bad('malformed credential attestation');
    const index = a.index as number;
    if (a.action === 'reserve') {
      this.reservations.set(index, { index, issuer: a.issuer as string, entries: this.entriesAt(index), at: a.at as number, ledgerIndex });
      this.next = Math.max(this.next, index + 1);
    } else if (a.action === 'issue') {
      if (typeof a.id !== 'string' || typeof a.jwtSha256 !== 'string' || !Array.isArray(a.purposes)) bad('malformed issue attestation');
      const entries = this.entriesAt(index).filter((e) => (a.purposes as unknown[]).includes(e.statusPurpose));
      this.credentials.set(a.id as string, {
        id: a.id as string, issuer: a.issuer as string, type: a.credentialType as CredentialType, index, entries,
        validFrom: a.validFrom as number, validUntil: a.validUntil as number, jwtSha256: a.jwtSha256 as string, issuedAt: a.at as number, ledgerIndex,
      });
      const r = this.reservations.get(index);
      if (r) r.usedBy = a.id as string;
    } else {
      bad('unknown action');
    }
    this.applied.add(ledgerIndex);
    return true;
  }
}
