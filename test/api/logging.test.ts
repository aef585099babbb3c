/** The API logger's scrubbing (src/api/logging.ts): secret and personal keys at depth 0–2 never reach a line. */
import { describe, expect, it } from 'vitest';
import { apiLogger, scrub } from '../../src/api/logging.js';
import { LogCapture } from './fixtures.js';

const lines = (logs: LogCapture) => logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('API log scrubbing', () => {
  it('replaces secret and personal keys at depths 0, 1 and 2 (as pino paths f, *.f, *.*.f), in objects and arrays; deeper keys stay', () => {
    const logs = new LogCapture();
    const log = apiLogger({ level: 'info', stream: logs });
    const input = {
      token: 'T0', ok: 1,
      nested: { password: 'P1', keep: 'k', deeper: { uscc: 'U2', deepest: { name: 'N3' } } },
      list: [{ jwt: 'J2' }, 'plain'],
      bytes: new Uint8Array([1, 2]),
    };
    const before = JSON.stringify(input);
    log.info(input, 'line');
    const [line] = lines(logs);
    expect(line).toMatchObject({
      token: '[redacted]', ok: 1,
      nested: { password: '[redacted]', keep: 'k', deeper: { uscc: '[redacted]', deepest: { name: 'N3' } } },
      list: [{ jwt: '[redacted]' }, 'plain'], msg: 'line',
    });
    expect(JSON.stringify(input)).toBe(before); // the caller's object is not changed
  });

  it('scrubs child bindings, serialised errors (with their own fields) and request headers', () => {
    const logs = new LogCapture();
    const log = apiLogger({ level: 'info', stream: logs });
    log.child({ reqId: 'r1', apiKey: 'K' }).warn('bound');
    const err = Object.assign(new Error('boom'), { details: { secret: 'S', field: 'f' }, token: 'T' });
    log.error({ err }, 'failed');
    log.info({ headers: { authorization: 'Bearer X', 'x-api-key': 'Y', accept: 'json' } }, 'hdrs');
    const [bound, failed, hdrs] = lines(logs);
    expect(bound).toMatchObject({ reqId: 'r1', apiKey: '[redacted]' });
    expect(failed!.err).toMatchObject({ message: 'boom', token: '[redacted]', details: { secret: '[redacted]', field: 'f' } });
    expect(hdrs!.headers).toEqual({ authorization: '[redacted]', 'x-api-key': '[redacted]', accept: 'json' });
    expect(logs.lines.join('\n')).not.toMatch(/Bearer X|"S"|"T"|"K"|"Y"/);
  });

  it('returns the very same object when nothing is scrubbed, and stops at depth 2 on cycles', () => {
    const clean = { a: { b: { c: 1 } }, l: [1, { x: 2 }] };
    expect(scrub(clean)).toBe(clean);
    const cyclic: Record<string, unknown> = { token: 't' };
    cyclic.self = cyclic;
    const out = scrub(cyclic) as Record<string, unknown>;
    expect(out.token).toBe('[redacted]');
    expect((out.self as Record<string, unknown>).token).toBe('[redacted]');
  });
});
