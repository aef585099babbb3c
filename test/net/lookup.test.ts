/**
 * The connect-time half of the shared SSRF guard (src/net/lookup.ts): `guardedLookup` refuses a name when ANY address
 * it resolves to is refused, with the error its caller chose, and otherwise answers in the shape net asks for;
 * `refusedLiteral` covers the IP-literal hosts node never looks up. node:dns is faked for a few `.test` names
 * (test/helpers/fake-dns.ts).
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:dns', async (importOriginal) => (await import('../helpers/fake-dns.js')).fakeDns(await importOriginal()));

const { guardedLookup, refusedLiteral } = await import('../../src/net/lookup.js');
type Refusal = import('../../src/net/lookup.js').Refusal;

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super('refused');
  }
}

const lookupResult = (policy: { allowLoopback?: boolean }, host: string, all: boolean) =>
  new Promise<{ err: Error | null; address: unknown }>((resolve) =>
    guardedLookup(policy, (r) => new Refused(r))(host, { all }, (err, address) => resolve({ err, address })));

describe('guardedLookup', () => {
  it('refuses a name if ANY resolved address is refused, with the caller\'s error naming host, address and range', async () => {
    const { err } = await lookupResult({}, 'mixed.test', true);
    expect(err).toBeInstanceOf(Refused);
    expect((err as Refused).refusal).toEqual({ host: 'mixed.test', address: '127.0.0.1', kind: 'loopback' });
    expect(((await lookupResult({ allowLoopback: true }, 'metadata.test', true)).err as Refused).refusal.kind).toBe('link-local');
    expect(((await lookupResult({ allowLoopback: true }, 'private.test', false)).err as Refused).refusal).toEqual({ host: 'private.test', address: '10.0.0.5', kind: 'private' });
  });

  it('answers in the shape net asks for otherwise', async () => {
    expect((await lookupResult({ allowLoopback: true }, 'mixed.test', false)).err).toBeNull();
    expect(await lookupResult({ allowLoopback: true }, 'loopback.test', true)).toEqual({ err: null, address: [{ address: '127.0.0.1', family: 4 }] });
    expect(await lookupResult({ allowLoopback: true }, 'loopback.test', false)).toEqual({ err: null, address: '127.0.0.1' });
    expect(await lookupResult({}, 'public.test', true)).toEqual({ err: null, address: [{ address: '8.8.8.8', family: 4 }, { address: '2001:4860:4860::8888', family: 6 }] });
  });

  it('passes DNS failures through unchanged', async () => {
    const { err } = await lookupResult({}, 'nxdomain.test', true);
    expect(err).not.toBeInstanceOf(Refused);
    expect((err as NodeJS.ErrnoException | null)?.code).toBe('ENOTFOUND');
  });
});

describe('refusedLiteral', () => {
  it('checks IP-literal URL hosts (bracketed IPv6 too) and ignores names', () => {
    expect(refusedLiteral('10.0.0.5', {})).toEqual({ host: '10.0.0.5', address: '10.0.0.5', kind: 'private' });
    expect(refusedLiteral('[::ffff:169.254.169.254]', { allowLoopback: true })?.kind).toBe('link-local');
    expect(refusedLiteral('127.0.0.1', {})?.kind).toBe('loopback');
    expect(refusedLiteral('127.0.0.1', { allowLoopback: true })).toBeUndefined();
    expect(refusedLiteral('[2001:4860:4860::8888]', {})).toBeUndefined();
    expect(refusedLiteral('loopback.test', {})).toBeUndefined(); // names are the lookup's job
  });
});
