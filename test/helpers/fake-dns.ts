/**
 * A node:dns stand-in for `vi.mock('node:dns', …)`: a few invented `.test` names (RFC 6761: never resolvable for real)
 * answer what a hostile DNS server would; every other name goes to the real resolver. Used by the SSRF guard tests
 * (test/net, test/did/web-ssrf.test.ts).
 */
import type * as Dns from 'node:dns';

/** Hostile answers: name → addresses, in the order dns.lookup would return them. */
export const FAKE_DNS: Record<string, Array<{ address: string; family: number }>> = {
  'loopback.test': [{ address: '127.0.0.1', family: 4 }],
  'private.test': [{ address: '10.0.0.5', family: 4 }],
  'mixed.test': [{ address: '8.8.8.8', family: 4 }, { address: '127.0.0.1', family: 4 }],
  'metadata.test': [{ address: '::ffff:169.254.169.254', family: 6 }],
  'public.test': [{ address: '8.8.8.8', family: 4 }, { address: '2001:4860:4860::8888', family: 6 }],
};

/** A name that does not exist (answers ENOTFOUND, as getaddrinfo would). */
export const NXDOMAIN = 'nxdomain.test';

/** The module `real` with `lookup` answering FAKE_DNS names and NXDOMAIN itself (`all` and single-address shapes). */
export function fakeDns(real: typeof Dns): typeof Dns {
  const lookup = ((host: string, opts: unknown, cb: (...a: unknown[]) => void) => {
    if (host === NXDOMAIN) return process.nextTick(() => cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host })));
    const fake = FAKE_DNS[host];
    if (fake === undefined) return (real.lookup as (...a: unknown[]) => void)(host, opts, cb);
    const all = typeof opts === 'object' && opts !== null && (opts as { all?: boolean }).all === true;
    process.nextTick(() => (all ? cb(null, fake) : cb(null, fake[0]!.address, fake[0]!.family)));
  }) as typeof real.lookup;
  return { ...real, default: { ...real, lookup }, lookup } as typeof Dns;
}
