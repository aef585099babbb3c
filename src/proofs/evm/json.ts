/**
 * Strict parsing of Ethereum JSON-RPC value encodings (execution-apis "QUANTITY" and "DATA"): quantities are
 * `0x`-prefixed hex without leading zeros (`0x0` for zero), data is `0x`-prefixed hex of whole bytes.
 */
import { fail } from '../../errors.js';

const QUANTITY_RE = /^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/;
const DATA_RE = /^0x([0-9a-fA-F]{2})*$/;

/** Parse a canonical QUANTITY of at most 256 bits, naming `field` on failure (BAD_INTEGER). */
export function quantity(value: unknown, field: string): bigint {
  if (typeof value !== 'string' || value.length > 66 || !QUANTITY_RE.test(value)) fail('BAD_INTEGER', { field });
  return BigInt(value);
}

/** Parse a canonical QUANTITY that must fit a JS safe integer. */
export function safeQuantity(value: unknown, field: string): number {
  const q = quantity(value, field);
  if (q > BigInt(Number.MAX_SAFE_INTEGER)) fail('BAD_INTEGER', { field });
  return Number(q);
}

/**
 * Parse DATA (`0x` + whole bytes), with an optional exact length, naming `field` on failure (BAD_HEX / BAD_LENGTH).
 * Fast path for the lower-case hex nodes send: a body that Buffer's hex codec re-encodes to itself is made of hex
 * digits only and has an even length, so the regex is run only on other inputs (upper case, or invalid). This is
 * proof nodes' hot path (a 532-byte node: ~2.5 µs instead of ~18 µs for regex + fromHex).
 */
export function data(value: unknown, field: string, length?: number): Uint8Array {
  if (typeof value !== 'string' || !value.startsWith('0x')) return fail('BAD_HEX', { field });
  const body = value.slice(2);
  const buf = Buffer.from(body, 'hex');
  if (buf.toString('hex') !== body && !DATA_RE.test(value)) fail('BAD_HEX', { field });
  if (length !== undefined && buf.length !== length) fail('BAD_LENGTH', { field, expected: length, actual: buf.length });
  return new Uint8Array(buf);
}

/** Expect a JSON object (not null, not an array), naming `field` on failure. */
export function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('INVALID_INPUT', { field, reason: 'must be an object' });
  }
  return value as Record<string, unknown>;
}

/** Expect a JSON array of at most `max` entries (TOO_LARGE beyond), naming `field` on failure. */
export function array(value: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(value)) fail('INVALID_INPUT', { field, reason: 'must be an array' });
  if (value.length > max) fail('TOO_LARGE', { field, limit: max });
  return value;
}

/** Parse a 20-byte address (any hex case), returning lower-case `0x` hex. */
export function address(value: unknown, field: string): string {
  return `0x${Buffer.from(data(value, field, 20)).toString('hex')}`;
}
