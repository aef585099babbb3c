/**
 * Verifiable presentations (W3C VC Data Model v1.1 §6.3.1, JWT encoding: `iss` = holder, `vp` claim) bound to the
 * verifying court: `aud` = the court's DID and `nonce` = the court's challenge.
 *
 * `PresentationVerifier.verify` is an ordered list of named steps; each has its own error codes and the report lists
 * every step (ok / failed with code / skipped after a failure):
 *  1. holder-signature   VP_SIGNATURE_INVALID (cause: the JWT code), JWT_CLAIM_INVALID (vp claim shape)
 *  2. nonce-audience     VP_AUDIENCE_MISMATCH, VP_NONCE_MISMATCH, VP_REPLAYED (nonce cache), JWT_LIFETIME_TOO_LONG
 *  3. credentials        VC_SIGNATURE_INVALID, VC_SCHEMA_INVALID — every embedded VC (did-jwt-vc does not do this)
 *  4. issuer-accredited  ISSUER_NOT_ACCREDITED — for the type and jurisdiction, at the issuance date
 *  5. status             VC_REVOKED, VC_SUSPENDED (Bitstring Status List), STATUS_LIST_INVALID
 *  6. validity-period    VC_EXPIRED (incl. the licence's annual registration), VC_NOT_YET_VALID
 *  7. subject-is-holder  VC_SUBJECT_NOT_HOLDER
 * I/O failures (DID resolution) are reported with their own code on the step where they happen.
 */
import { randomUUID } from 'node:crypto';
import { CourtBridgeError, asCourtBridgeError, fail, type ErrorCode } from '../../src/errors.js';
import type { AttestationSink } from '../attestation.js';
import { numericDate, signJwt, type JwsSigner, type JwtVerifier, type VerifiedJwt } from '../jwt.js';
import { TtlLru } from '../lru.js';
import type { StatusChecker } from '../status-credential.js';
import { VC_CONTEXT_V1 } from './types.js';
import { verifyCredentialJwtNow, type VerifiedCredential } from './vc.js';

/** Steps of presentation verification, in order. */
export const PRESENTATION_STEPS = ['holder-signature', 'nonce-audience', 'credentials', 'issuer-accredited', 'status', 'validity-period', 'subject-is-holder'] as const;
/** A step name. */
export type PresentationStep = (typeof PRESENTATION_STEPS)[number];

/** One line of the report. */
export interface StepReport {
  step: PresentationStep;
  status: 'ok' | 'failed' | 'skipped';
  code?: ErrorCode;
  /** The underlying code when the step wraps one (e.g. JWT_ALG_NONE under VP_SIGNATURE_INVALID). */
  cause?: string;
  credential?: string;
}

/** The outcome: ok, the per-step report, and (when ok) the verified credentials. */
export interface PresentationReport {
  ok: boolean;
  holder?: string;
  steps: StepReport[];
  credentials: VerifiedCredential[];
  error?: CourtBridgeError;
}

/** Build a VP JWT from the holder's authentication key. */
export async function createPresentation(i: { holder: string; signer: JwsSigner; credentials: string[]; audience: string; nonce: string; now?: number; ttlSec?: number }): Promise<string> {
  const iat = i.now ?? Math.floor(Date.now() / 1000);
  const vp = { '@context': [VC_CONTEXT_V1], type: ['VerifiablePresentation'], verifiableCredential: i.credentials };
  return signJwt({ iss: i.holder, aud: i.audience, nonce: i.nonce, jti: `urn:uuid:${randomUUID()}`, iat, nbf: iat, exp: iat + (i.ttlSec ?? 300), vp }, i.signer);
}

/** Who is accredited (the trusted-issuer registry satisfies this). */
export interface AccreditationCheck {
  isAccredited(issuer: string, type: string, jurisdiction: string, at: number): boolean;
}

/** Options of a court's presentation verifier. */
export interface PresentationVerifierOptions {
  jwt: JwtVerifier;
  issuers: AccreditationCheck;
  status: StatusChecker;
  /** The verifying court's DID (`aud`). */
  audience: string;
  now?: () => number;
  /** Longest VP lifetime and how long used nonces are remembered (default 600 s). */
  nonceTtlSec?: number;
  /** Most embedded credentials (default 16). */
  maxCredentials?: number;
  skewSec?: number;
  /** Reuse signature checks of identical credential tokens while the issuer document is unchanged (default true). */
  memoCredentials?: boolean;
  /** Audit sink: every verification writes {court, credential ids, result, time}. */
  audit?: AttestationSink;
}

class StepFailure {
  constructor(
    readonly error: CourtBridgeError,
    readonly credential?: string,
  ) {}
}

/** Verifies lawyers' presentations for one court. */
export class PresentationVerifier {
  private readonly used: TtlLru<string, true>;
  private readonly now: () => number;

  /** See PresentationVerifierOptions. */
  constructor(private readonly o: PresentationVerifierOptions) {
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
    this.used = new TtlLru(100_000, (o.nonceTtlSec ?? 600) * 1000, () => this.now() * 1000);
  }

  /**
   * Run every step on `vpJwt` against the challenge `nonce`; never throws for a bad presentation. Steps run
   * synchronously while everything they need is cached (DID documents, status lists) and wait only for real I/O.
   */
  async verify(vpJwt: unknown, nonce: string): Promise<PresentationReport> {
    const steps: StepReport[] = [];
    let firstError: CourtBridgeError | undefined;
    const now = this.now();
    const skew = this.o.skewSec ?? 60;
    let vp: VerifiedJwt | undefined;
    let vcs: VerifiedCredential[] = [];
    const failed = (step: PresentationStep, e: unknown): void => {
      const f = e instanceof StepFailure ? e : new StepFailure(asCourtBridgeError(e));
      const cause = f.error.cause;
      const causeCode = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
      steps.push({ step, status: 'failed', code: f.error.code, ...(causeCode ? { cause: causeCode } : {}), ...(f.credential ? { credential: f.credential } : {}) });
      firstError ??= f.error;
    };
    /** One step: reported at once when its body is synchronous, else a promise of the report line. */
    const run = (step: PresentationStep, body: () => void | Promise<void>): void | Promise<void> => {
      if (firstError) {
        steps.push({ step, status: 'skipped' });
        return;
      }
      let pending: void | Promise<void>;
      try {
        pending = body();
      } catch (e) {
        failed(step, e);
        return;
      }
      if (pending instanceof Promise) {
        return pending.then(
          () => void steps.push({ step, status: 'ok' }),
          (e: unknown) => failed(step, e),
        );
      }
      steps.push({ step, status: 'ok' });
    };
    const perVc = (v: VerifiedCredential, check: () => void): void => {
      try {
        check();
      } catch (e) {
        throw new StepFailure(asCourtBridgeError(e), v.id);
      }
    };
    let wait: void | Promise<void>;

    wait = run('holder-signature', () => {
      const vpFailure = (e: unknown): never => {
        const err = asCourtBridgeError(e);
        if (err.category === 'io') throw err;
        return fail('VP_SIGNATURE_INVALID', { holder: 'unknown', reason: err.code }, err);
      };
      const accept = (verified: VerifiedJwt): void => {
        vp = verified;
        const claim = verified.payload.vp as { type?: unknown; verifiableCredential?: unknown } | undefined;
        if (typeof claim !== 'object' || claim === null || !Array.isArray(claim.type) || !claim.type.includes('VerifiablePresentation')) fail('JWT_CLAIM_INVALID', { claim: 'vp', reason: 'not a VerifiablePresentation' });
        const list = claim.verifiableCredential;
        const max = this.o.maxCredentials ?? 16;
        if (!Array.isArray(list) || list.length === 0) fail('JWT_CLAIM_INVALID', { claim: 'vp.verifiableCredential', reason: 'must list at least one credential' });
        if (list.length > max) fail('TOO_LARGE', { field: 'vp.verifiableCredential', limit: max });
      };
      let verified: VerifiedJwt | Promise<VerifiedJwt>;
      try {
        verified = this.o.jwt.verifyNow(vpJwt, { purpose: 'authentication', now, skewSec: skew });
      } catch (e) {
        return vpFailure(e);
      }
      if (verified instanceof Promise) return verified.then(accept, vpFailure);
      accept(verified);
    });
    if (wait) await wait;

    run('nonce-audience', () => {
      const p = vp!.payload;
      const aud = typeof p.aud === 'string' ? [p.aud] : Array.isArray(p.aud) ? p.aud : [];
      if (aud.length !== 1 || aud[0] !== this.o.audience) fail('VP_AUDIENCE_MISMATCH', { aud: String(aud[0] ?? 'none').slice(0, 200), expected: this.o.audience });
      if (typeof p.nonce !== 'string' || typeof nonce !== 'string' || nonce.length < 16 || p.nonce !== nonce) fail('VP_NONCE_MISMATCH');
      const exp = numericDate(p, 'exp') ?? fail('JWT_LIFETIME_TOO_LONG', { seconds: 'unbounded', max: this.o.nonceTtlSec ?? 600 });
      const start = numericDate(p, 'iat') ?? numericDate(p, 'nbf') ?? now;
      const max = this.o.nonceTtlSec ?? 600;
      if (exp - start > max) fail('JWT_LIFETIME_TOO_LONG', { seconds: exp - start, max });
      if (this.used.get(nonce)) fail('VP_REPLAYED', { nonce: nonce.slice(0, 64) });
      this.used.set(nonce, true);
    });

    wait = run('credentials', () => {
      const list = (vp!.payload.vp as { verifiableCredential: unknown[] }).verifiableCredential;
      const out: VerifiedCredential[] = [];
      const memo = this.o.memoCredentials ?? true;
      const each = inOrder(list.length, (i) => {
        const bad = (e: unknown): never => {
          throw new StepFailure(asCourtBridgeError(e), `#${i}`);
        };
        let v: VerifiedCredential | Promise<VerifiedCredential>;
        try {
          v = verifyCredentialJwtNow(list[i], this.o.jwt, i, memo);
        } catch (e) {
          return bad(e);
        }
        if (v instanceof Promise) return v.then((c) => void out.push(c), bad);
        out.push(v);
      });
      if (each) return each.then(() => void (vcs = out));
      vcs = out;
    });
    if (wait) await wait;

    run('issuer-accredited', () => {
      for (const v of vcs) {
        perVc(v, () => {
          const j = String(v.claims.jurisdiction);
          if (!this.o.issuers.isAccredited(v.issuer, v.type, j, v.validFrom)) fail('ISSUER_NOT_ACCREDITED', { issuer: v.issuer, type: v.type, jurisdiction: j, at: v.validFrom });
        });
      }
    });

    wait = run('status', () =>
      inOrder(vcs.length, (k) => {
        const v = vcs[k]!;
        if (!v.status.some((s) => s.statusPurpose === 'revocation')) throw new StepFailure(new CourtBridgeError('STATUS_LIST_INVALID', { id: v.id, reason: 'credential has no revocation entry' }), v.id);
        const unreachable = (e: unknown): never => {
          throw new StepFailure(asCourtBridgeError(e), v.id);
        };
        const entries = inOrder(v.status.length, (j) => {
          const entry = v.status[j]!;
          const judge = (set: boolean): void => {
            if (set) throw new StepFailure(new CourtBridgeError(entry.statusPurpose === 'revocation' ? 'VC_REVOKED' : 'VC_SUSPENDED', { id: v.id }), v.id);
          };
          let set: boolean | Promise<boolean>;
          try {
            set = this.o.status.isSet(entry);
          } catch (e) {
            return unreachable(e);
          }
          if (set instanceof Promise) return set.then(judge, unreachable);
          judge(set);
        });
        const claimed = (): void =>
          perVc(v, () => {
            if (v.claims.status === 'suspended') fail('VC_SUSPENDED', { id: v.id });
            if (v.claims.status === 'cancelled') fail('VC_REVOKED', { id: v.id });
          });
        if (entries) return entries.then(claimed);
        claimed();
      }),
    );
    if (wait) await wait;

    run('validity-period', () => {
      for (const v of vcs) {
        perVc(v, () => {
          if (now + skew < v.validFrom) fail('VC_NOT_YET_VALID', { id: v.id, nbf: v.validFrom });
          if (now - skew >= v.validUntil) fail('VC_EXPIRED', { id: v.id, exp: v.validUntil });
          const annual = v.claims.annualRegistrationValidUntil;
          if (typeof annual === 'string' && now >= endOfChinaDay(annual)) fail('VC_EXPIRED', { id: v.id, exp: annual });
        });
      }
    });

    run('subject-is-holder', () => {
      for (const v of vcs) perVc(v, () => v.subject === vp!.issuer || fail('VC_SUBJECT_NOT_HOLDER', { id: v.id, subject: v.subject, holder: vp!.issuer }));
    });

    const error = firstError;
    const ok = error === undefined;
    if (this.o.audit) {
      await this.o.audit.append({ type: 'courtbridge.did.vp-verification', court: this.o.audience, credentials: vcs.map((v) => v.id), result: ok ? 'valid' : error.code, at: now });
    }
    return { ok, ...(vp ? { holder: vp.issuer } : {}), steps, credentials: ok ? vcs : [], ...(error ? { error } : {}) };
  }
}

/** Call `f(0)`, …, `f(n - 1)` in order: synchronously while every call is, through a promise from the first that is not. */
function inOrder(n: number, f: (i: number) => void | Promise<void>, from = 0): void | Promise<void> {
  for (let i = from; i < n; i++) {
    const pending = f(i);
    if (pending instanceof Promise) return pending.then(() => inOrder(n, f, i + 1));
  }
}

/** End of calendar day `day` (YYYY-MM-DD) in China (UTC+8), seconds; NaN for a malformed day (never expires it). */
function endOfChinaDay(day: string): number {
  let t = dayEnds.get(day);
  if (t === undefined) {
    // The annual registration date is a calendar day in China (UTC+8), valid through its end.
    t = Date.parse(`${day}T24:00:00+08:00`) / 1000;
    if (day.length > 32) return t; // a date is 10 characters: never cache arbitrary strings
    if (dayEnds.size >= 4096) dayEnds.clear();
    dayEnds.set(day, t);
  }
  return t;
}
const dayEnds = new Map<string, number>();
