/**
 * Trusted-issuer registry: which DID may issue which credential types for which jurisdiction, when.
 *
 * Accreditations are delegated from configured roots (e.g. the Ministry of Justice → a provincial bureau of justice →
 * a city bureau). A delegation never exceeds its delegator: its types are a subset, its jurisdiction lies inside
 * (GB/T 2260 division codes: `100000` national, `XX0000` province, `XXYY00` prefecture, else one county), and its
 * validity window lies inside, of ONE accreditation the delegator holds at the time of delegation. Delegation chains
 * must end at a root; a chain that returns to a DID already on it is a cycle (DELEGATION_CYCLE). Revocations are
 * recorded with their time, never deleted, so `isAccredited(…, at)` answers for any past date. Every change is
 * written to the injected `AttestationSink` (the ledger) before it takes effect.
 */
import { fail } from '../src/errors.js';
import type { AttestationSink } from './attestation.js';

/** What an accreditation grants. Times are seconds since the epoch; the window is [validFrom, validUntil). */
export interface AccreditationInput {
  issuer: string;
  credentialTypes: string[];
  jurisdiction: string;
  validFrom: number;
  validUntil: number;
  /** The delegating DID (a root, or an accredited issuer). */
  delegatedBy: string;
}

/** A stored accreditation with its ledger index and revocation time. */
export interface Accreditation extends AccreditationInput {
  id: number;
  /** Ledger index of the attestation that created it. */
  ledgerIndex: number;
  revokedAt?: number;
}

const DID_RE = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]{1,2000}$/;
const DIVISION_RE = /^\d{6}$/;
const MAX_DEPTH = 16;

/** True when GB/T 2260 division `inner` lies inside `outer` (100000 = the whole country). */
export function jurisdictionWithin(inner: string, outer: string): boolean {
  if (outer === '100000') return true;
  if (inner === '100000') return false;
  if (outer.endsWith('0000')) return inner.slice(0, 2) === outer.slice(0, 2);
  if (outer.endsWith('00')) return inner.slice(0, 4) === outer.slice(0, 4);
  return inner === outer;
}

function checkInput(a: AccreditationInput): void {
  const bad = (reason: string): never => fail('ACCREDITATION_INVALID', { reason });
  if (typeof a.issuer !== 'string' || !DID_RE.test(a.issuer)) bad('issuer must be a DID');
  if (typeof a.delegatedBy !== 'string' || !DID_RE.test(a.delegatedBy)) bad('delegatedBy must be a DID');
  if (!Array.isArray(a.credentialTypes) || a.credentialTypes.length === 0 || a.credentialTypes.length > 32) bad('credentialTypes must list 1–32 types');
  if (new Set(a.credentialTypes).size !== a.credentialTypes.length) bad('credentialTypes has duplicates');
  for (const t of a.credentialTypes) if (typeof t !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(t)) bad('credential type names are identifiers');
  if (typeof a.jurisdiction !== 'string' || !DIVISION_RE.test(a.jurisdiction)) bad('jurisdiction must be a 6-digit GB/T 2260 code');
  for (const k of ['validFrom', 'validUntil'] as const) if (!Number.isSafeInteger(a[k]) || a[k] < 0) bad(`${k} must be a non-negative integer`);
  if (a.validUntil <= a.validFrom) bad('validUntil must be after validFrom');
}

/** The registry over an attestation sink. */
export class IssuerRegistry {
  private readonly byIssuer = new Map<string, Accreditation[]>();
  private readonly all: Accreditation[] = [];

  /** `roots`: DIDs trusted for every type, nationwide, forever (configuration, e.g. the Ministry of Justice). */
  constructor(
    private readonly roots: readonly string[],
    private readonly sink: AttestationSink,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** Add an accreditation granted by `input.delegatedBy` (the caller has authenticated that DID). */
  async accredit(input: AccreditationInput): Promise<Accreditation> {
    const at = this.now();
    const copy = this.check(input, at);
    const { index } = await this.sink.append({ type: 'courtbridge.did.accreditation', action: 'accredit', accreditation: copy, at });
    return this.add(copy, index);
  }

  /**
   * Re-apply one attestation read back from the ledger (`courtbridge.did.accreditation`) without attesting it again,
   * re-checking delegation at its own time: the registry is a pure function of the ledger. False for other types.
   */
  replay(attestation: unknown, ledgerIndex: number): boolean {
    const a = attestation as { type?: unknown; action?: unknown; accreditation?: unknown; id?: unknown; at?: unknown };
    if (typeof a !== 'object' || a === null || a.type !== 'courtbridge.did.accreditation') return false;
    if (!Number.isSafeInteger(a.at)) fail('ACCREDITATION_INVALID', { reason: `ledger entry ${ledgerIndex} has no time` });
    if (a.action === 'accredit') {
      // This registry's own accreditations come back when its ledger is replayed (did/ledger-registries.ts): no-op.
      if (this.all.some((x) => x.ledgerIndex === ledgerIndex)) return true;
      this.add(this.check(a.accreditation as AccreditationInput, a.at as number), ledgerIndex);
    } else if (a.action === 'revoke') {
      const acc = (Number.isSafeInteger(a.id) ? this.all[a.id as number] : undefined) ?? fail('ACCREDITATION_INVALID', { reason: `ledger entry ${ledgerIndex} revokes an unknown accreditation` });
      acc.revokedAt ??= a.at as number;
    } else {
      fail('ACCREDITATION_INVALID', { reason: `ledger entry ${ledgerIndex} has an unknown action` });
    }
    return true;
  }

  /** Validate `input` as a delegation made at time `at`; returns a defensive copy. */
  private check(input: AccreditationInput, at: number): AccreditationInput {
    checkInput(input);
    if (input.issuer === input.delegatedBy || this.chainContains(input.delegatedBy, input.issuer)) fail('DELEGATION_CYCLE', { issuer: input.issuer });
    if (this.roots.includes(input.issuer)) fail('DELEGATION_CYCLE', { issuer: input.issuer }); // a root is never delegated to
    if (!this.roots.includes(input.delegatedBy)) {
      const reasons: string[] = [];
      const cover = this.live(input.delegatedBy, at).find((d) => {
        const why = exceeds(input, d);
        if (why) reasons.push(why);
        return why === undefined && this.chainValid(d, at, new Set([input.issuer]));
      });
      if (!cover) fail('ACCREDITATION_EXCEEDS_DELEGATOR', { issuer: input.issuer, delegator: input.delegatedBy, reason: reasons[0] ?? 'delegator holds no live accreditation' });
    }
    return { issuer: input.issuer, credentialTypes: [...input.credentialTypes], jurisdiction: input.jurisdiction, validFrom: input.validFrom, validUntil: input.validUntil, delegatedBy: input.delegatedBy };
  }

  private add(copy: AccreditationInput, ledgerIndex: number): Accreditation {
    const acc: Accreditation = { ...copy, id: this.all.length, ledgerIndex };
    this.all.push(acc);
    const list = this.byIssuer.get(acc.issuer) ?? [];
    list.push(acc);
    this.byIssuer.set(acc.issuer, list);
    return acc;
  }

  /** Revoke accreditation `id` from now on (by its delegator or a root); attested first. */
  async revoke(id: number, by: string): Promise<void> {
    const acc = this.all[id] ?? fail('ACCREDITATION_INVALID', { reason: `no accreditation ${id}` });
    if (by !== acc.delegatedBy && !this.roots.includes(by)) fail('ACCREDITATION_INVALID', { reason: 'only the delegator or a root may revoke' });
    if (acc.revokedAt !== undefined) return;
    const at = this.now();
    await this.sink.append({ type: 'courtbridge.did.accreditation', action: 'revoke', id, ledgerIndex: acc.ledgerIndex, by, at });
    acc.revokedAt = at;
  }

  /** Was `issuer` accredited for `type` in `jurisdiction` at time `at` (seconds), along a valid chain to a root? */
  isAccredited(issuer: string, type: string, jurisdiction: string, at: number): boolean {
    if (this.roots.includes(issuer)) return true;
    return this.live(issuer, at).some((a) => a.credentialTypes.includes(type) && jurisdictionWithin(jurisdiction, a.jurisdiction) && this.chainValid(a, at, new Set([issuer])));
  }

  /** Is `did` a configured root? */
  isRoot(did: string): boolean {
    return this.roots.includes(did);
  }

  /**
   * May `by` act on what `issuer` issued: it is the issuer, a root, or a delegator anywhere above the issuer (one who
   * granted it an accreditation, directly or through intermediate bureaus; revoked grants count: the history stays).
   */
  oversees(by: string, issuer: string): boolean {
    return by === issuer || this.roots.includes(by) || (this.byIssuer.get(issuer) ?? []).some((a) => this.chainContains(a.delegatedBy, by));
  }

  /** Does `did` hold any live accreditation at `at` (or is it a root)? */
  mayIssueAt(did: string, at: number): boolean {
    return this.roots.includes(did) || this.live(did, at).length > 0;
  }

  /** Every accreditation ever granted to `issuer` (revoked ones included). */
  history(issuer: string): readonly Accreditation[] {
    return this.byIssuer.get(issuer) ?? [];
  }

  private live(issuer: string, at: number): Accreditation[] {
    return (this.byIssuer.get(issuer) ?? []).filter((a) => a.validFrom <= at && at < a.validUntil && (a.revokedAt === undefined || at < a.revokedAt));
  }

  /** The delegator of `a` held, at `at`, an accreditation covering `a`, recursively up to a root. */
  private chainValid(a: Accreditation, at: number, seen: Set<string>): boolean {
    if (this.roots.includes(a.delegatedBy)) return true;
    if (seen.has(a.delegatedBy) || seen.size > MAX_DEPTH) return false;
    const next = new Set(seen).add(a.delegatedBy);
    return this.live(a.delegatedBy, at).some((d) => exceeds(a, d) === undefined && this.chainValid(d, at, next));
  }

  /** True when `target` appears on any delegation path upwards from `from`. */
  private chainContains(from: string, target: string): boolean {
    const stack = [from];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (d === target) return true;
      if (seen.has(d) || seen.size > 10_000) continue;
      seen.add(d);
      for (const a of this.byIssuer.get(d) ?? []) stack.push(a.delegatedBy);
    }
    return false;
  }
}

/** Why `a` exceeds delegator accreditation `d`, or undefined when it fits inside. */
function exceeds(a: AccreditationInput, d: AccreditationInput): string | undefined {
  const extra = a.credentialTypes.find((t) => !d.credentialTypes.includes(t));
  if (extra) return `type ${extra} is not delegated to the delegator`;
  if (!jurisdictionWithin(a.jurisdiction, d.jurisdiction)) return `jurisdiction ${a.jurisdiction} is outside ${d.jurisdiction}`;
  if (a.validFrom < d.validFrom || a.validUntil > d.validUntil) return 'validity window exceeds the delegator';
  return undefined;
}
