/**
 * RFC 8785 JSON Canonicalization Scheme for values parsed from JSON (strings, finite numbers, booleans, null,
 * arrays, plain objects): object members sorted by the UTF-16 code units of their names (§3.2.3), strings escaped as
 * ECMAScript JSON.stringify does (§3.2.2.2), numbers in the ECMAScript Number-to-String form (§3.2.2.3).
 */
import { fail } from '../../src/errors.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 128;

function str(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) fail('INVALID_INPUT', { field: path, reason: 'lone surrogate (RFC 8785 §3.1)' });
  return JSON.stringify(s);
}

function walk(value: unknown, path: string, depth: number): string {
  if (depth > MAX_DEPTH) fail('INVALID_INPUT', { field: path, reason: `nested deeper than ${MAX_DEPTH} levels` });
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return str(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) fail('INVALID_INPUT', { field: path, reason: 'non-finite number' });
      return JSON.stringify(value); // ECMAScript Number::toString, as §3.2.2.3 requires (-0 → "0")
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => walk(v, `${path}[${i}]`, depth + 1)).join(',')}]`;
      const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
      keys.sort(); // default sort compares UTF-16 code units: exactly §3.2.3
      return `{${keys.map((k) => `${str(k, path)}:${walk((value as Record<string, unknown>)[k], `${path}.${k}`, depth + 1)}`).join(',')}}`;
    }
    default:
      return fail('INVALID_INPUT', { field: path, reason: `${typeof value} is not representable in JSON` });
  }
}

/** RFC 8785 canonical JSON text of a JSON value. */
export function canonicalize(value: unknown): string {
  return walk(value, '$', 0);
}
