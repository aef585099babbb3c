import { describe, expect, it } from 'vitest';
import { CourtBridgeError, ERRORS, fail, asCourtBridgeError } from '../../src/errors.js';

describe('error table', () => {
  it('every code has a status, a category and a template', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
      expect(spec.message.length).toBeGreaterThan(0);
    }
  });

  it('fills message templates from details and keeps the code', () => {
    const e = new CourtBridgeError('BAD_LENGTH', { field: 'proof[0]', expected: 32, actual: 31 });
    expect(e.code).toBe('BAD_LENGTH');
    expect(e.status).toBe(400);
    expect(e.message).toBe('proof[0] must be 32 bytes, got 31');
    expect(JSON.stringify(e)).not.toContain('stack');
  });

  it('fail throws and asCourtBridgeError wraps foreign errors with a cause', () => {
    expect(() => fail('BAD_HEX', { field: 'root' })).toThrowError(CourtBridgeError);
    const wrapped = asCourtBridgeError(new TypeError('boom'), 'STORE_UNAVAILABLE', { reason: 'x' });
    expect(wrapped.code).toBe('STORE_UNAVAILABLE');
    expect((wrapped.cause as Error).message).toBe('boom');
  });
});
