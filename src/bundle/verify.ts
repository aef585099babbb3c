/**
 * `verifyEvidenceBundle`: PURE and OFFLINE (DESIGN.md principle 1) — no network, no database, no clock (the
 * attestation's own `issuedAt` is the light client's clock, see source.ts). An ordered list of named steps, each
 * `passed` / `failed` / `skipped` with a code; the verdict is 一致 (consistent) iff every step passed:
 *   1. schema                 the bundle against schemas/evidence-bundle.json (version 1)
 *   2. attestation-signature  the canonical attestation and its detached JWS by the hub's did:key (no resolution)
 *   3. attestation-binding    record digest, evidence digest and the attestation id re-derived from the evidence
 *   4. source-evidence        verifySourceEvidence against the trust rebuilt from the registration's anchor (or
 *                             `trustAnchors`, which must then match it) plus the validator-set chain
 *   5. record-schema          the record against the registered record type's JSON Schema
 *   6. ledger-inclusion       leaf hash of the entry = the attestation; RFC 9162 §2.1.3.2 inclusion to the root
 *   7. checkpoint-signature   the signed note (C2SP) by every listed ledger key, witness cosignatures, size + root;
 *                             keys from `trustAnchors` when given, else the bundle's own (passed, `SELF_ASSERTED`)
 *   8. registration           partner JWS (did:key) + activation entry included in the same tree
 *   9. court-facts            the facts re-derived (facts.ts) equal the bundle's
 * Steps that need a part an earlier step could not read are skipped (`SKIPPED`), never passed.
 */
import { bytesEqual, utf8 } from '../crypto/bytes.js';
import { canonicalJson } from '../crypto/canonical.js';
import { asCourtBridgeError, fail } from '../errors.js';
import { checkRecord } from '../schema/index.js';
import type { Attestation } from '../../relay/attestation.js';
import { Context, Skip, STEPS, cachedVerifierKey } from './steps.js';
import { BUNDLE_SCHEMA_ID, BUNDLE_STEPS, type BundleStep, type BundleStepName, type BundleVerification, type EvidenceBundle, type TrustAnchors } from './types.js';

export { jwsHeader } from './steps.js';

/** Options of `verifyEvidenceBundle`. */
export interface VerifyBundleOptions {
  /** Published trust anchors; when given, the ledger keys, hub DIDs and chain anchors come from here. */
  trustAnchors?: TrustAnchors;
}

/** Parse `--trust anchors.json` content (BUNDLE_MALFORMED when it is not a trust-anchors object). */
export function parseTrustAnchors(value: unknown): TrustAnchors {
  const v = value as Partial<TrustAnchors> | null;
  if (typeof v !== 'object' || v === null || v.type !== 'courtbridge-trust-anchors') return fail('BUNDLE_MALFORMED', { reason: 'trust anchors: type must be courtbridge-trust-anchors' });
  if (typeof v.ledger !== 'object' || v.ledger === null || !Array.isArray(v.ledger.verifierKeys) || v.ledger.verifierKeys.length === 0 || v.ledger.verifierKeys.length > 16) {
    return fail('BUNDLE_MALFORMED', { reason: 'trust anchors: ledger.verifierKeys must list 1–16 keys' });
  }
  v.ledger.verifierKeys.forEach((k) => cachedVerifierKey(k));
  if (typeof v.chains !== 'object' || v.chains === null || Array.isArray(v.chains)) return fail('BUNDLE_MALFORMED', { reason: 'trust anchors: chains must be an object' });
  if (v.hubDids !== undefined && (!Array.isArray(v.hubDids) || v.hubDids.some((d) => typeof d !== 'string'))) return fail('BUNDLE_MALFORMED', { reason: 'trust anchors: hubDids must be strings' });
  return v as TrustAnchors;
}


/** Verify a parsed bundle offline; never throws for a wrong bundle (the verdict says why). */
export function verifyEvidenceBundle(bundle: unknown, opts: VerifyBundleOptions = {}): BundleVerification {
  const steps: BundleStep[] = [];
  const schema = checkRecord(BUNDLE_SCHEMA_ID, bundle);
  if (!schema.ok) {
    const f = schema.failures[0];
    steps.push({ name: 'schema', status: 'failed', code: 'SCHEMA_INVALID', detail: f ? `${f.pointer || '/'} ${f.keyword}` : undefined });
    for (const name of BUNDLE_STEPS.slice(1)) steps.push({ name, status: 'skipped', code: 'SKIPPED', detail: 'the bundle does not match its schema' });
    return verdict(steps, undefined);
  }
  steps.push({ name: 'schema', status: 'passed', code: 'OK', detail: `bundleVersion 1` });
  const c = new Context(bundle as EvidenceBundle, opts.trustAnchors);
  for (const name of BUNDLE_STEPS.slice(1) as Exclude<BundleStepName, 'schema'>[]) {
    try {
      const r = STEPS[name](c) ?? {};
      steps.push({ name, status: 'passed', code: r.code ?? 'OK', ...(r.detail === undefined ? {} : { detail: r.detail }) });
    } catch (e) {
      if (e instanceof Skip) steps.push({ name, status: 'skipped', code: e.code, detail: e.detail });
      else {
        const err = asCourtBridgeError(e);
        steps.push({ name, status: 'failed', code: err.code, detail: err.message });
      }
    }
  }
  return verdict(steps, c.att);
}

function verdict(steps: BundleStep[], att: Attestation | undefined): BundleVerification {
  const failed = steps.find((s) => s.status === 'failed');
  const consistent = steps.every((s) => s.status === 'passed');
  const summary = att === undefined ? {} : { attestationId: att.id, chainId: att.source.chainId, recordType: att.source.recordType, blockHeight: att.source.blockHeight, issuedAt: att.issuedAt };
  const anchored = consistent && !steps.some((s) => s.status === 'passed' && s.code === 'SELF_ASSERTED');
  return {
    consistent, anchored, steps, summary,
    ...(consistent ? {} : { reason: failed ? { step: failed.name, code: failed.code, ...(failed.detail === undefined ? {} : { detail: failed.detail }) } : { step: steps.find((s) => s.status !== 'passed')!.name, code: 'SKIPPED' } }),
  };
}

/**
 * Whether `text` is one of the serializations bundle exporters write of `value`: `courtbridge bundle export` and the
 * demo (`JSON.stringify(b, null, 2)` and a newline), the API (compact `JSON.stringify`), RFC 8785. Nothing else is
 * accepted, so that no byte of a bundle file goes unchecked: JSON whitespace carries no content, hence no digest or
 * signature covers it, and without this a changed space or line break would still verify 一致 (issue 7, evidence
 * mutation: every byte flip of an exported bundle must be rejected).
 */
export function isExportedForm(text: string, value: unknown): boolean {
  const pretty = JSON.stringify(value, null, 2);
  if (text === `${pretty}\n` || text === pretty || text === JSON.stringify(value)) return true;
  try {
    return text === canonicalJson(value);
  } catch {
    return false; // not representable in RFC 8785 (a lone surrogate, too deep): so not that form either
  }
}

/** Options of `parseBundleText`. */
export interface ParseBundleTextOptions {
  /** Require an exported serialization (`isExportedForm`; default true). False for hand-written JSON such as trust anchors. */
  exportedForm?: boolean;
}

/**
 * Parse bundle text (size-bounded): BUNDLE_MALFORMED / MALFORMED_JSON when it cannot be read, BUNDLE_MALFORMED when
 * it is not byte for byte an exported serialization of its content (`isExportedForm`).
 */
export function parseBundleText(text: string | Uint8Array, opts: ParseBundleTextOptions = {}): unknown {
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  if (s.length > 32 * 1024 * 1024) fail('TOO_LARGE', { field: 'bundle', limit: 32 * 1024 * 1024 });
  if (typeof text !== 'string' && !bytesEqual(utf8(s), text)) fail('BUNDLE_MALFORMED', { reason: 'not valid UTF-8' });
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    return fail('MALFORMED_JSON', { field: 'bundle', reason: (e as Error).message }, e);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('BUNDLE_MALFORMED', { reason: 'top level must be an object' });
  if (opts.exportedForm !== false) requireExportedForm(s, v);
  return v;
}

/** BUNDLE_MALFORMED unless `text` is an exported serialization of `value` (`isExportedForm`). */
function requireExportedForm(text: string, value: unknown): void {
  if (!isExportedForm(text, value)) {
    fail('BUNDLE_MALFORMED', { reason: 'the text is not an exported serialization of its content (whitespace or escapes were changed); verify the file as exported' });
  }
}

/**
 * `courtbridge proof verify` type `evidence-bundle`: returns when 一致, throws BUNDLE_INCONSISTENT otherwise. `text` is
 * the file `input` was parsed from: it must be an exported serialization, exactly as `courtbridge verify` requires.
 */
export function verifyEvidenceBundleFile(input: Record<string, unknown>, text: string): void {
  requireExportedForm(text, input);
  const v = verifyEvidenceBundle(input);
  if (!v.consistent) fail('BUNDLE_INCONSISTENT', { step: v.reason!.step, code: v.reason!.code });
}
