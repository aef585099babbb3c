/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme). Attestations, registrations and bundles are hashed and
 * signed over this form, so the same value always yields the same bytes on any machine.
 *
 * Serialisation is that of the `canonicalize` package (by an RFC 8785 author): plain objects and arrays are walked
 * here, anything else is handed to the package, and test/crypto/canonical-equivalence.test.ts checks the text is the
 * package's. This wrapper adds the I-JSON (RFC 7493) checks RFC 8785 §3.1 requires and that the package leaves out:
 * no lone surrogates, no non-finite numbers, no values JSON cannot represent.
 */
import canonicalizeImpl from 'canonicalize';
import { fail } from '../errors.js';
import { utf8 } from './bytes.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function check(value: unknown, path: string, depth: number): void {
  if (depth > 128) fail('INVALID_INPUT', { field: path, reason: 'nested deeper than 128 levels' });
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) fail('INVALID_INPUT', { field: path, reason: 'lone surrogate (RFC 8785 §3.1)' });
      return;
    case 'number':
      if (!Number.isFinite(value)) fail('INVALID_INPUT', { field: path, reason: 'non-finite number' });
      return;
    case 'boolean':
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) {
        value.forEach((v, i) => check(v, `${path}[${i}]`, depth + 1));
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        if (LONE_SURROGATE.test(k)) fail('INVALID_INPUT', { field: path, reason: 'lone surrogate in a key' });
        if (v !== undefined) check(v, `${path}.${k}`, depth + 1);
      }
      return;
    default:
      fail('INVALID_INPUT', { field: path, reason: `${typeof value} is not representable in JSON` });
  }
}

/**
 * Serialise a value `check` accepted, exactly as the package does: JSON.stringify for primitives (ES number and
 * string serialisation, RFC 8785 §3.2.2), keys sorted by UTF-16 code units (§3.2.3), undefined members left out.
 * Plain objects and arrays are walked here — the package's per-character lone-surrogate scan repeats what `check`
 * did and doubled the cost of hashing large evidence; anything else (toJSON, class instances) goes to the package.
 */
function serialize(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== Array.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalizeImpl(value);
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  const o = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(o).sort()) if (o[k] !== undefined) parts.push(`${JSON.stringify(k)}:${serialize(o[k])}`);
  return `{${parts.join(',')}}`;
}

/**
 * `check` without building a field path per member: true only where `check` passes (same conditions, holes and
 * anything unusual answer false); on false, `check` runs and names the field. Paths cost more than the checks.
 */
function passes(value: unknown, depth: number): boolean {
  if (depth > 128) return false;
  switch (typeof value) {
    case 'string':
      return !LONE_SURROGATE.test(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!passes(value[i], depth + 1)) return false;
        return true;
      }
      for (const [k, v] of Object.entries(value)) if (LONE_SURROGATE.test(k) || (v !== undefined && !passes(v, depth + 1))) return false;
      return true;
    default:
      return false;
  }
}

/** RFC 8785 canonical JSON text of `value`. */
export function canonicalJson(value: unknown): string {
  if (!passes(value, 0)) check(value, '$', 0);
  const out = serialize(value);
  if (out === undefined) fail('INVALID_INPUT', { field: '$', reason: 'not representable in JSON' });
  return out;
}

/** UTF-8 bytes of the RFC 8785 canonical JSON of `value`: what gets hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}
