/**
 * The registration state machine. Every operation is an ordered list of named steps; the ledger event is appended
 * (durably) before the store changes, and the store re-checks its own preconditions in a transaction.
 *
 *   submit(jws)   partner JWS verified → version above every stored one → partner = partner of the last approved
 *                 version → event `submitted` → stored `pending` (older pending versions become `superseded`)
 *   rotate(jws)   as submit, for a chain with an active version, changing endpoints or trust anchor → event `rotated`
 *   approve(jws)  admin JWS verified → admin in the configured set → version exists, is pending, digest matches →
 *                 not yet approved by this admin → event `approved` → when THRESHOLD distinct admins of the current
 *                 set approved that digest: event `activated` (its ledger index is kept; `jwsDigest` binds the exact
 *                 partner JWS verified at submission, under the ledger's hash) → `active`, the previous active version
 *                 `superseded`. Until then the previous version stays active.
 *   disable(chainId, jws)  one admin suffices (fail-safe direction) → event `disabled` → every pending or active
 *                 version up to the order's version is `disabled`; a later version needs fresh approval.
 *   unfreeze(chainId, jws, apply)  admin unfreeze JWS verified → admin in the configured set → order names this chain
 *                 → `apply(decision, attest)` (the relay's TrustBook checks the chain is frozen, attests through
 *                 `attest` = event `unfrozen`, then stores the thawed light-client state). One admin's order suffices,
 *                 as for disabling: the decision is attested with the evidence summary and the signed order.
 */
import { fail } from '../../src/errors.js';
import type { JwtVerifier } from '../../did/jwt.js';
import { canonicalJson } from '../../src/crypto/canonical.js';
import { hashSuite, type HashSuite } from '../../src/crypto/hash.js';
import type { AdminDecision } from '../../src/proofs/lightclient/types.js';
import { registrationJwsDigest } from './evidence.js';
import { verifyAdminJws, verifyRegistrationJws, verifyUnfreezeJws, type VerifiedRegistration } from './jws.js';
import type { RegistrationStore } from './store.js';
import {
  REGISTRATION_EVENT_TYPE,
  type ApprovalRecord, type RegistrationEventName, type RegistrationEventSink, type RegistrationRecord,
} from './types.js';

/** Configuration of the service. */
export interface RegistrationServiceOptions {
  readonly store: RegistrationStore;
  /** Where events go: the judicial ledger (its `append`, and its `meta.hashAlg` for the activation's `jwsDigest`). */
  readonly sink: RegistrationEventSink;
  /** Verifies DID-signed JWS (did/jwt.ts over the DID resolver). */
  readonly verifier: JwtVerifier;
  /** Consortium administrator DIDs. */
  readonly admins: readonly string[];
  /** Distinct admin approvals needed (1 … admins.length). */
  readonly threshold: number;
  /** Clock, Unix seconds. */
  readonly now?: () => number;
}

/** Outcome of an approval. */
export interface ApprovalOutcome {
  readonly record: RegistrationRecord;
  readonly approvals: readonly ApprovalRecord[];
  readonly activated: boolean;
}

/** What an evidence bundle carries about the registration a record came through. */
export interface RegistrationEvidence {
  readonly chainId: string;
  readonly version: number;
  readonly digest: string;
  /** The partner's JWS (contains the document). */
  readonly registrationJws: string;
  readonly approvals: readonly { readonly admin: string; readonly jws: string; readonly ledgerIndex: number }[];
  readonly submittedIndex: number;
  /** Ledger index of the `activated` event: prove its inclusion with `Ledger.proveInclusion`. */
  readonly activationIndex: number;
}

const MAX_ADMINS = 256;

/** Registration submission, approval, rotation and disabling. */
export class RegistrationService {
  private readonly admins: ReadonlySet<string>;
  private readonly now: () => number;
  /** The ledger's hash suite: `activated` binds the registration JWS under it (adapters/registration/evidence.ts step 3). */
  private readonly hash: HashSuite;
  private queue: Promise<unknown> = Promise.resolve();

  /** Check the admin set and threshold (CONFIG_INVALID otherwise). */
  constructor(private readonly o: RegistrationServiceOptions) {
    if (!Array.isArray(o.admins) || o.admins.length === 0 || o.admins.length > MAX_ADMINS) fail('CONFIG_INVALID', { field: 'admins', reason: `1–${MAX_ADMINS} administrator DIDs` });
    for (const a of o.admins) if (typeof a !== 'string' || !a.startsWith('did:')) fail('CONFIG_INVALID', { field: 'admins', reason: 'every administrator is a DID' });
    this.admins = new Set(o.admins);
    if (this.admins.size !== o.admins.length) fail('CONFIG_INVALID', { field: 'admins', reason: 'duplicate administrator' });
    if (!Number.isSafeInteger(o.threshold) || o.threshold < 1 || o.threshold > this.admins.size) fail('CONFIG_INVALID', { field: 'threshold', reason: `must be 1–${this.admins.size}` });
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
    this.hash = hashSuite(o.sink.meta.hashAlg);
  }

  /** Run state changes one at a time in this process (the store's transactions guard across processes). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private event(event: RegistrationEventName, body: Record<string, unknown>, at: number): Promise<{ index: number }> {
    return this.o.sink.append({ type: REGISTRATION_EVENT_TYPE, event, ...body, at });
  }

  /** Submit a new registration or a new version of one (partner's JWS). */
  submit(jws: string): Promise<RegistrationRecord> {
    return this.serial(() => this.submitInner(jws, 'submitted'));
  }

  /** Submit a new version of an active registration with new endpoints and/or trust anchor (keys). */
  rotate(jws: string): Promise<RegistrationRecord> {
    return this.serial(() => this.submitInner(jws, 'rotated'));
  }

  private async submitInner(jws: string, event: 'submitted' | 'rotated'): Promise<RegistrationRecord> {
    const at = this.now();
    // Step 1: signature by the partner DID, document valid.
    const v = await verifyRegistrationJws(this.o.verifier, jws, at);
    const { chainId, version } = v.document;
    // Step 2: versions strictly increase per chain.
    const versions = await this.o.store.versions(chainId);
    const current = versions.at(-1)?.version ?? 0;
    if (version <= current) fail('REGISTRATION_VERSION_STALE', { chainId, version, current });
    // Step 3: once a partner's registration was approved, only that partner may submit versions of the chain.
    const approved = [...versions].reverse().find((r) => r.activationIndex !== undefined);
    if (approved && approved.partner !== v.partner) fail('REGISTRATION_PARTNER_MISMATCH', { did: v.partner, chainId });
    // Step 4 (rotate): there is an active version, and endpoints or the trust anchor change.
    let extra: Record<string, unknown> = {};
    if (event === 'rotated') extra = rotation(versions, v);
    // Step 5: ledger event, then the store (which re-checks the version in its transaction).
    const { index } = await this.event(event, { chainId, version, digest: v.digest, partner: v.partner, jws, ...extra }, at);
    const rec: RegistrationRecord = {
      chainId, version, partner: v.partner, digest: v.digest, document: v.document, jws, status: 'pending', submittedAt: at, submittedIndex: index,
    };
    const out = await this.o.store.insert(rec);
    if (!out.ok) fail('REGISTRATION_VERSION_STALE', { chainId, version, current: out.current });
    return rec;
  }

  /** Record an administrator's approval; activates the version once the threshold is reached. */
  approve(jws: string): Promise<ApprovalOutcome> {
    return this.serial(async () => {
      const at = this.now();
      // Step 1: signature and claims.
      const a = await verifyAdminJws(this.o.verifier, jws, 'approval', at);
      // Step 2: the signer is a configured administrator.
      if (!this.admins.has(a.admin)) fail('APPROVER_NOT_ADMIN', { did: a.admin });
      // Step 3: the version exists and is waiting for approval.
      const rec = (await this.o.store.get(a.chainId, a.version)) ?? fail('REGISTRATION_NOT_FOUND', { chainId: a.chainId, version: a.version });
      await this.assertPending(rec);
      // Step 4: the approval is for exactly this document.
      if (a.digest !== rec.digest) fail('REGISTRATION_DIGEST_MISMATCH', { claimed: a.digest!, actual: rec.digest });
      // Step 5: duplicates are rejected before counting.
      const before = await this.o.store.approvals(rec.chainId, rec.version);
      if (before.some((x) => x.admin === a.admin)) fail('APPROVAL_DUPLICATE', { admin: a.admin, chainId: rec.chainId, version: rec.version });
      // Step 6: ledger event, then the store.
      const { index } = await this.event('approved', { chainId: rec.chainId, version: rec.version, digest: rec.digest, admin: a.admin, jws }, at);
      const approval: ApprovalRecord = { chainId: rec.chainId, version: rec.version, admin: a.admin, digest: rec.digest, jws, approvedAt: at, ledgerIndex: index };
      if (!(await this.o.store.addApproval(approval))) fail('APPROVAL_DUPLICATE', { admin: a.admin, chainId: rec.chainId, version: rec.version });
      // Step 7: count distinct approvals of this digest by CURRENT administrators.
      const approvals = (await this.o.store.approvals(rec.chainId, rec.version)).filter((x) => x.digest === rec.digest && this.admins.has(x.admin));
      const distinct = [...new Set(approvals.map((x) => x.admin))];
      if (distinct.length < this.o.threshold) return { record: rec, approvals, activated: false };
      // Step 8: activation. `digest` covers the document only; `jwsDigest` binds every byte of the partner's JWS that
      // was verified at submission (header and signature too), so an evidence bundle cannot carry other bytes for it.
      const previous = (await this.o.store.list('active')).find((r) => r.chainId === rec.chainId);
      const act = await this.event('activated', {
        chainId: rec.chainId, version: rec.version, digest: rec.digest, jwsDigest: registrationJwsDigest(this.hash, rec.jws), partner: rec.partner, threshold: this.o.threshold,
        approvals: approvals.map((x) => ({ admin: x.admin, ledgerIndex: x.ledgerIndex })), submittedIndex: rec.submittedIndex,
        ...(previous ? { supersedes: previous.version } : {}),
      }, at);
      if (!(await this.o.store.activate(rec.chainId, rec.version, at, act.index))) fail('REGISTRATION_STATE_INVALID', { chainId: rec.chainId, version: rec.version, status: 'no longer pending' });
      return { record: { ...rec, status: 'active', activatedAt: at, activationIndex: act.index }, approvals, activated: true };
    });
  }

  private async assertPending(rec: RegistrationRecord): Promise<void> {
    switch (rec.status) {
      case 'pending':
        return;
      case 'disabled':
        return fail('REGISTRATION_DISABLED', { chainId: rec.chainId, version: rec.version });
      case 'superseded': {
        const current = (await this.o.store.versions(rec.chainId)).at(-1)?.version ?? rec.version;
        return fail('REGISTRATION_VERSION_STALE', { chainId: rec.chainId, version: rec.version, current });
      }
      case 'active':
        return fail('REGISTRATION_STATE_INVALID', { chainId: rec.chainId, version: rec.version, status: rec.status });
      default: {
        const never: never = rec.status;
        return fail('INTERNAL', { reason: `status ${String(never)}` });
      }
    }
  }

  /** Disable `chainId` by an administrator's order: every pending or active version up to the order's version. */
  disable(chainId: string, jws: string): Promise<number> {
    return this.serial(async () => {
      const at = this.now();
      const d = await verifyAdminJws(this.o.verifier, jws, 'disable', at);
      if (d.chainId !== chainId) fail('REGISTRATION_SIGNATURE_INVALID', { what: 'disable', reason: 'the order names another chain' });
      if (!this.admins.has(d.admin)) fail('APPROVER_NOT_ADMIN', { did: d.admin });
      const versions = await this.o.store.versions(chainId);
      if (versions.length === 0 || d.version > versions.at(-1)!.version) fail('REGISTRATION_NOT_FOUND', { chainId, version: d.version });
      const affected = versions.filter((r) => r.version <= d.version && (r.status === 'pending' || r.status === 'active'));
      // A replayed (or late) order that changes nothing is refused rather than logged again.
      if (affected.length === 0) fail('REGISTRATION_DISABLED', { chainId, version: d.version });
      const { index } = await this.event('disabled', { chainId, version: d.version, admin: d.admin, reason: d.reason!, jws, versions: affected.map((r) => r.version) }, at);
      return this.o.store.disable(chainId, d.version, at, index);
    });
  }

  /**
   * Lift the light-client freeze of `chainId` by an administrator's signed order: verified here, applied by `apply`
   * (relay/trust.ts `TrustBook.unfreeze`), which calls `attest(facts)` to append the `unfrozen` event — with the
   * order, the decision and `facts` (the evidence summary) — before it stores the thawed state. `signedAt` is the
   * order's `iat`: an order signed before the freeze was detected does not lift it.
   */
  unfreeze<T>(chainId: string, jws: string, apply: (decision: AdminDecision, attest: (facts: Record<string, unknown>) => Promise<{ index: number }>, signedAt: number) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const at = this.now();
      const u = await verifyUnfreezeJws(this.o.verifier, jws, at);
      if (u.chainId !== chainId) fail('REGISTRATION_SIGNATURE_INVALID', { what: 'unfreeze', reason: 'the order names another chain' });
      if (!this.admins.has(u.admin)) fail('APPROVER_NOT_ADMIN', { did: u.admin });
      const decision: AdminDecision = { by: u.admin, at, reason: u.reason, ...(u.canonicalHash === undefined ? {} : { canonicalHash: u.canonicalHash }) };
      return apply(decision, (facts) => this.event('unfrozen', { chainId, admin: u.admin, reason: u.reason, canonicalHash: u.canonicalHash ?? null, jws, ...facts }, at), u.iat);
    });
  }

  /** The active version of `chainId`, if any. */
  async active(chainId: string): Promise<RegistrationRecord | undefined> {
    return (await this.o.store.versions(chainId)).find((r) => r.status === 'active');
  }

  /** Every active registration (what the relay loads), by chain id. */
  listActive(): Promise<RegistrationRecord[]> {
    return this.o.store.list('active');
  }

  /** Every stored version. */
  list(): Promise<RegistrationRecord[]> {
    return this.o.store.list();
  }

  /** Approvals of a version. */
  approvals(chainId: string, version: number): Promise<ApprovalRecord[]> {
    return this.o.store.approvals(chainId, version);
  }

  /** The registration facts an evidence bundle includes (default: the active version); REGISTRATION_NOT_FOUND otherwise. */
  async evidence(chainId: string, version?: number): Promise<RegistrationEvidence> {
    const rec = version === undefined ? await this.active(chainId) : await this.o.store.get(chainId, version);
    if (!rec || rec.activationIndex === undefined) return fail('REGISTRATION_NOT_FOUND', { chainId, version: version ?? 'active' });
    const approvals = await this.o.store.approvals(chainId, rec.version);
    return {
      chainId, version: rec.version, digest: rec.digest, registrationJws: rec.jws,
      approvals: approvals.map((a) => ({ admin: a.admin, jws: a.jws, ledgerIndex: a.ledgerIndex })),
      submittedIndex: rec.submittedIndex, activationIndex: rec.activationIndex,
    };
  }
}

/** Rotation rule: an active version exists; endpoints or the trust anchor differ from it. */
function rotation(versions: readonly RegistrationRecord[], v: VerifiedRegistration): Record<string, unknown> {
  const active = versions.find((r) => r.status === 'active') ?? fail('REGISTRATION_NOT_FOUND', { chainId: v.document.chainId, version: 'active' });
  const changed: string[] = [];
  if (canonicalJson(active.document.endpoints) !== canonicalJson(v.document.endpoints)) changed.push('endpoints');
  if (canonicalJson(active.document.trustAnchor ?? null) !== canonicalJson(v.document.trustAnchor ?? null)) changed.push('trustAnchor');
  if (changed.length === 0) fail('REGISTRATION_INVALID', { field: '/', reason: 'a rotation changes the endpoints or the trust anchor' });
  return { previousVersion: active.version, changed };
}
