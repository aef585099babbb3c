/**
 * Which IP addresses the hub may open an outbound connection to on behalf of someone else: the server-side request
 * forgery guard shared by webhook delivery (relay/webhooks: the URL is chosen by a court member) and did:web
 * resolution (did/web.ts: the DID comes from a presentation, a token's `iss` or a registration). Without it the hub
 * could be made to reach its own network (`10.0.0.5`, the cloud metadata service at `169.254.169.254`, `127.0.0.1`).
 * Used on IP-literal hosts before a request and on every address a host name resolves to at connect time
 * (./lookup.ts, `guardedLookup`).
 *
 * Refused ranges are taken from the IANA special-purpose address registries (RFC 6890, updated by RFC 8190):
 * https://www.iana.org/assignments/iana-ipv4-special-registry and …/iana-ipv6-special-registry, plus multicast
 * (IPv4 224.0.0.0/4, RFC 5771; IPv6 ff00::/8, RFC 4291 §2.7) and IPv6 site-local fec0::/10 (deprecated, RFC 3879).
 * Registry entries marked globally reachable (AS112 and AMT in IPv4) stay allowed; inside 2001::/23 the few global
 * anycast entries (PCP, TURN) are refused with their covering block, as no webhook receiver or DID host lives there.
 *
 * Addresses that embed an IPv4 address are judged as that IPv4 address: IPv4-mapped `::ffff:a.b.c.d` (RFC 4291
 * §2.5.5.2), the NAT64 well-known prefix `64:ff9b::/96` (RFC 6052 §2.1) and 6to4 `2002:AABB:CCDD::/48` (RFC 3056 §2).
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

/** Why an address is refused. */
export type AddressKind = 'loopback' | 'unspecified' | 'private' | 'link-local' | 'shared' | 'multicast' | 'reserved' | 'documentation' | 'benchmarking';

type Row = readonly [net: string, prefix: number, kind: AddressKind];

/** IANA IPv4 special-purpose registry (RFC 6890 §2.2.2) entries not globally reachable, plus multicast. */
const V4: readonly Row[] = [
  ['0.0.0.0', 8, 'unspecified'], // "this network", RFC 791
  ['10.0.0.0', 8, 'private'], // RFC 1918
  ['100.64.0.0', 10, 'shared'], // carrier-grade NAT, RFC 6598
  ['127.0.0.0', 8, 'loopback'], // RFC 1122 §3.2.1.3
  ['169.254.0.0', 16, 'link-local'], // RFC 3927 (cloud metadata services live here)
  ['172.16.0.0', 12, 'private'], // RFC 1918
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments, RFC 6890 §2.1
  ['192.0.2.0', 24, 'documentation'], // TEST-NET-1, RFC 5737
  ['192.88.99.0', 24, 'reserved'], // deprecated 6to4 relay anycast, RFC 7526
  ['192.168.0.0', 16, 'private'], // RFC 1918
  ['198.18.0.0', 15, 'benchmarking'], // RFC 2544
  ['198.51.100.0', 24, 'documentation'], // TEST-NET-2, RFC 5737
  ['203.0.113.0', 24, 'documentation'], // TEST-NET-3, RFC 5737
  ['224.0.0.0', 4, 'multicast'], // RFC 5771
  ['240.0.0.0', 4, 'reserved'], // RFC 1112 §4; includes limited broadcast 255.255.255.255/32 (RFC 919)
];

/** IANA IPv6 special-purpose registry (RFC 6890 §2.2.3) entries not globally reachable, plus multicast and site-local. */
const V6: readonly Row[] = [
  ['::', 128, 'unspecified'], // RFC 4291 §2.5.2
  ['::1', 128, 'loopback'], // RFC 4291 §2.5.3
  ['::', 96, 'reserved'], // deprecated IPv4-compatible addresses, RFC 4291 §2.5.5.1
  ['64:ff9b:1::', 48, 'private'], // local-use IPv4/IPv6 translation, RFC 8215
  ['100::', 64, 'reserved'], // discard-only, RFC 6666
  ['2001::', 23, 'reserved'], // IETF protocol assignments (Teredo, ORCHID, benchmarking 2001:2::/48), RFC 2928
  ['2001:db8::', 32, 'documentation'], // RFC 3849
  ['fc00::', 7, 'private'], // unique local, RFC 4193
  ['fe80::', 10, 'link-local'], // RFC 4291 §2.5.6
  ['fec0::', 10, 'private'], // site-local, deprecated by RFC 3879
  ['ff00::', 8, 'multicast'], // RFC 4291 §2.7
];

/** One BlockList per row, most specific first, so that `::1` is `loopback` and not `reserved` (::/96). */
const LISTS: ReadonlyArray<readonly [AddressKind, BlockList]> = [...V4.map((r) => [...r, 'ipv4'] as const), ...V6.map((r) => [...r, 'ipv6'] as const)]
  .sort((a, b) => b[1] - a[1])
  .map(([net, prefix, kind, family]) => {
    const l = new BlockList();
    l.addSubnet(net, prefix, family);
    return [kind, l] as const;
  });

/** The 16 bytes of a valid IPv6 literal (no brackets, no zone). */
function ipv6Bytes(ip: string): Uint8Array {
  let s = ip.toLowerCase();
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (isIPv4(s.slice(lastColon + 1))) {
    for (const p of s.slice(lastColon + 1).split('.')) tail.push(Number(p));
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const groups = (x: string) => (x === '' ? [] : x.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? h : [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  const out = new Uint8Array(16);
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  if (tail.length === 4) out.set(tail, 12);
  return out;
}

const v4 = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
const zeros = (b: Uint8Array, from: number, to: number) => b.subarray(from, to).every((x) => x === 0);

/**
 * The IPv4 address an IPv6 address stands for, if any: IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16.
 */
export function embeddedIPv4(ip: string): string | undefined {
  if (isIP(ip) !== 6) return undefined;
  const b = ipv6Bytes(ip);
  if (zeros(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(b, 12);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(b, 4, 12)) return v4(b, 12);
  if (b[0] === 0x20 && b[1] === 0x02) return v4(b, 2);
  return undefined;
}

/** Strip the brackets of a URL's IPv6 host (`[::1]` → `::1`). */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The kind of special-purpose range `ip` falls in, or undefined for a globally reachable unicast address.
 * `ip` must be an IP literal (net.isIP ≠ 0); anything else is `reserved` (refused), never silently allowed.
 */
export function addressKind(ip: string): AddressKind | undefined {
  const family = isIP(ip);
  if (family === 0) return 'reserved';
  const inner = embeddedIPv4(ip);
  if (inner !== undefined) return addressKind(inner);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of LISTS) if (list.check(ip, type)) return kind;
  return undefined;
}

/** Policy of `refusedAddress`. */
export interface AddressPolicy {
  /** Allow loopback addresses (set from `allowHttpLocalhost` of the webhook URL policy or did:web: tests, local dev). */
  allowLoopback?: boolean;
}

/** Why the hub may not connect to `ip` under `policy`, or undefined when it may. */
export function refusedAddress(ip: string, policy: AddressPolicy = {}): AddressKind | undefined {
  const kind = addressKind(ip);
  return kind === 'loopback' && policy.allowLoopback === true ? undefined : kind;
}
