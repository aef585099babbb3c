/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme). Attestations, registrations and bundles are hashed and
 * signed over this form, so the same value always yields the same bytes on any machine.
 *
 * Serialisation is the `canonicalize` package (by an RFC 8785 author); this wrapper adds the I-JSON (RFC 7493)
 * checks RFC 8785 §3.1 requires and that the package leaves out: no lone surrogates, no non-finite numbers,
 * no values JSON cannot represent.
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

/** RFC 8785 canonical JSON text of `value`. */
export function canonicalJson(value: unknown): string {
  check(value, '$', 0);
  const out = canonicalizeImpl(value);
  if (out === undefined) fail('INVALID_INPUT', { field: '$', reason: 'not representable in JSON' });
  return out;
}

/** UTF-8 bytes of the RFC 8785 canonical JSON of `value`: what gets hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}
