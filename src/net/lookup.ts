/**
 * The connect-time half of the SSRF guard (./address.ts holds the rule): a `lookup` for node:http / node:https /
 * node:net requests that resolves the host name itself (dns.lookup, all addresses) and refuses the connection when
 * ANY resolved address is refused; otherwise it hands the checked addresses to the socket. The socket connects to
 * exactly the addresses that were checked, with no second resolution, so a DNS answer that changes between check and
 * connect (DNS rebinding) cannot slip through.
 *
 * node does not call `lookup` for an IP-literal host, so callers check a literal with `refusedLiteral` before the
 * request (./request.ts does both). The error raised is the caller's (WEBHOOK_ADDRESS_FORBIDDEN for webhooks,
 * DID_ADDRESS_FORBIDDEN for did:web): the guard itself has no opinion on how a refusal is reported.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { refusedAddress, unbracket, type AddressKind, type AddressPolicy } from './address.js';

/** One refused address: the host name asked for, the address it resolved to, and the range that address is in. */
export interface Refusal {
  host: string;
  address: string;
  kind: AddressKind;
}

/** A `net` lookup that resolves with dns.lookup (all addresses) and fails with `refuse(…)` if any address is refused. */
export function guardedLookup(policy: AddressPolicy, refuse: (r: Refusal) => Error): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, []);
      for (const a of addresses) {
        const kind = refusedAddress(a.address, policy);
        if (kind !== undefined) return callback(refuse({ host: hostname, address: a.address, kind }), []);
      }
      if (options.all === true) return callback(null, addresses);
      const first = addresses[0];
      if (first === undefined) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** The refusal of a URL's host when it is an IP literal (`[::1]` unbracketed) in a refused range; else undefined. */
export function refusedLiteral(urlHostname: string, policy: AddressPolicy): Refusal | undefined {
  const ip = unbracket(urlHostname);
  const kind = isIP(ip) === 0 ? undefined : refusedAddress(ip, policy);
  return kind === undefined ? undefined : { host: ip, address: ip, kind };
}
