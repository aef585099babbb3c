/**
 * The SSRF address rule shared by webhooks and did:web (src/net/address.ts) on a table of addresses whose ranges come
 * from the IANA special-purpose registries (RFC 6890), including IPv6 forms that embed an IPv4 address.
 */
import { describe, expect, it } from 'vitest';
import { addressKind, embeddedIPv4, refusedAddress, unbracket } from '../../src/net/address.js';

describe('address rule (IANA special-purpose registries, RFC 6890)', () => {
  it.each([
    // IPv4
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'],
    ['10.0.0.5', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'], ['100.64.0.1', 'shared'], ['100.127.255.255', 'shared'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['240.0.0.1', 'reserved'], ['255.255.255.255', 'reserved'],
    ['192.0.0.8', 'reserved'], ['198.18.0.1', 'benchmarking'], ['198.19.255.255', 'benchmarking'],
    ['192.0.2.1', 'documentation'], ['198.51.100.7', 'documentation'], ['203.0.113.9', 'documentation'],
    // IPv6
    ['::1', 'loopback'], ['::', 'unspecified'], ['fc00::1', 'private'], ['fd12:3456::1', 'private'], ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'], ['ff02::1', 'multicast'], ['2001:db8::1', 'documentation'], ['::7f00:1', 'reserved'],
    // IPv4-mapped, NAT64 and 6to4: judged as the IPv4 address inside
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['0:0:0:0:0:ffff:a00:5', 'private'],
    ['::ffff:169.254.169.254', 'link-local'], ['::ffff:a9fe:a9fe', 'link-local'], ['64:ff9b::10.0.0.5', 'private'],
    ['64:ff9b::7f00:1', 'loopback'], ['2002:a9fe:a9fe::1', 'link-local'],
    // not an IP literal: refused, never silently allowed
    ['localhost', 'reserved'],
  ])('%s is %s', (ip, kind) => {
    expect(addressKind(ip)).toBe(kind);
  });

  it.each([
    ['8.8.8.8'], ['1.1.1.1'], ['93.184.216.34'], ['172.32.0.1'], ['100.128.0.1'], ['198.20.0.1'], ['11.0.0.1'], ['223.255.255.255'],
    ['2001:4860:4860::8888'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8'], ['64:ff9b::808:808'], ['2002:808:808::1'],
  ])('%s is globally reachable: allowed', (ip) => {
    expect(addressKind(ip)).toBeUndefined();
    expect(refusedAddress(ip)).toBeUndefined();
  });

  it('loopback (and only loopback) is allowed with allowLoopback', () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '64:ff9b::127.0.0.1']) {
      expect(refusedAddress(ip)).toBe('loopback');
      expect(refusedAddress(ip, { allowLoopback: true })).toBeUndefined();
    }
    for (const ip of ['10.0.0.5', '169.254.169.254', '::ffff:192.168.0.1', 'fe80::1', '0.0.0.0', '::']) {
      expect(refusedAddress(ip, { allowLoopback: true })).toBeDefined();
    }
  });

  it('embeddedIPv4 unwraps mapped, NAT64 and 6to4 addresses only', () => {
    expect(embeddedIPv4('::ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIPv4('64:ff9b::a00:5')).toBe('10.0.0.5');
    expect(embeddedIPv4('2002:c0a8:101::')).toBe('192.168.1.1');
    expect(embeddedIPv4('2001:4860:4860::8888')).toBeUndefined();
    expect(embeddedIPv4('64:ff9b:1::a00:5')).toBeUndefined();
    expect(embeddedIPv4('10.0.0.5')).toBeUndefined();
  });
});

describe('unbracket', () => {
  it('strips the brackets of a URL IPv6 host only', () => {
    expect(unbracket('[::1]')).toBe('::1');
    expect(unbracket('::1')).toBe('::1');
    expect(unbracket('example.test')).toBe('example.test');
  });
});
