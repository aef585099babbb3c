import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DidResolver } from '../../did/resolver.js';
import { didWebUrl } from '../../did/web.js';
import { TtlLru } from '../../did/lru.js';
import { didKeyFromPublicKey } from '../../did/key.js';
import { generateKeyPair } from '../../src/crypto/signature.js';

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

let server: Server;
let port = 0;
let hits = 0;
const hanging = new Set<import('node:http').ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    const host = `did:web:localhost%3A${port}`;
    const send = (doc: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/did+json' });
      res.end(JSON.stringify(doc));
    };
    switch (req.url) {
      case '/.well-known/did.json':
        return send({ id: host, verificationMethod: [] });
      case '/members/court-1/did.json':
        return send({ id: `${host}:members:court-1` });
      case '/wrong-id/did.json':
        return send({ id: 'did:web:example.com' });
      case '/big/did.json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"id":"${host}:big","pad":"`);
        res.end(`${'x'.repeat(200_000)}"}`);
        return;
      case '/notjson/did.json':
        res.writeHead(200);
        res.end('<html>');
        return;
      case '/hang/did.json':
        hanging.add(res); // never answers
        return;
      case '/redirect/did.json':
        res.writeHead(302, { location: '/.well-known/did.json' });
        res.end();
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const r of hanging) r.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('did:web URL rules (did:web spec §3.2)', () => {
  it('maps domain, port and path', () => {
    expect(didWebUrl('did:web:w3c-ccg.github.io')).toBe('https://w3c-ccg.github.io/.well-known/did.json');
    expect(didWebUrl('did:web:w3c-ccg.github.io:user:alice')).toBe('https://w3c-ccg.github.io/user/alice/did.json');
    expect(didWebUrl('did:web:example.com%3A3000:user:alice')).toBe('https://example.com:3000/user/alice/did.json');
    expect(didWebUrl('did:web:localhost%3A8443')).toBe('https://localhost:8443/.well-known/did.json');
    expect(didWebUrl('did:web:localhost%3A8443', true)).toBe('http://127.0.0.1:8443/.well-known/did.json');
    expect(didWebUrl('did:web:court.example', true)).toBe('https://court.example/.well-known/did.json'); // HTTP only for localhost
  });
  it('rejects IP literals, dot segments, empty segments, bad ports', () => {
    for (const bad of ['did:web:127.0.0.1', 'did:web:example.com:..:x', 'did:web:example.com::x', 'did:web:example.com%3A99999', 'did:web:Exa mple.com', 'did:web:example.com:a%2Fb', 'did:web:']) {
      expect(() => didWebUrl(bad), bad).toThrowError(expect.objectContaining({ code: 'DID_INVALID' }));
    }
  });
});

describe('DidResolver', () => {
  const mk = (opts: ConstructorParameters<typeof DidResolver>[0] = {}): DidResolver => new DidResolver({ allowHttpLocalhost: true, timeoutMs: 1500, ...opts });

  it('resolves did:key locally, including SM2', async () => {
    const did = didKeyFromPublicKey('SM2', generateKeyPair('SM2').publicKey);
    const doc = await mk().resolveDocument(`${did}#frag`);
    expect(doc.id).toBe(did);
    expect(doc.verificationMethod).toHaveLength(1);
  });

  it('resolves did:web from a local HTTP server (hub root and member path)', async () => {
    const r = mk();
    expect((await r.resolveDocument(`did:web:localhost%3A${port}`)).id).toBe(`did:web:localhost%3A${port}`);
    expect((await r.resolveDocument(`did:web:localhost%3A${port}:members:court-1`)).id).toBe(`did:web:localhost%3A${port}:members:court-1`);
  });

  it('caches with TTL and a bound on entries', async () => {
    let now = 1_000_000;
    const r = mk({ cacheTtlMs: 1000, now: () => now });
    const did = `did:web:localhost%3A${port}`;
    const before = hits;
    await r.resolveDocument(did);
    await r.resolveDocument(did);
    expect(hits - before).toBe(1);
    now += 1001;
    await r.resolveDocument(did);
    expect(hits - before).toBe(2);
    r.invalidate(did);
    await r.resolveDocument(did);
    expect(hits - before).toBe(3);
  });

  it('coded errors: unknown method, bad syntax, not found, wrong id, oversized, not JSON, redirect, loopback refused', async () => {
    const r = mk({ maxDocumentBytes: 10_000 });
    expect(await codeOf(r.resolveDocument('did:example:123'))).toBe('DID_METHOD_UNSUPPORTED');
    expect(await codeOf(r.resolveDocument('did:ethr:0x1234567890123456789012345678901234567890'))).toBe('DID_METHOD_UNSUPPORTED'); // no network configured
    expect(await codeOf(r.resolveDocument('not a did'))).toBe('DID_INVALID');
    expect(await codeOf(r.resolveDocument('did:key:z6Mk'))).toBe('UNSUPPORTED_ALGORITHM'); // too short for any multicodec prefix
    expect(await codeOf(r.resolveDocument(`did:web:localhost%3A${port}:nobody`))).toBe('DID_NOT_FOUND');
    expect(await codeOf(r.resolveDocument(`did:web:localhost%3A${port}:wrong-id`))).toBe('DID_DOCUMENT_INVALID');
    expect(await codeOf(r.resolveDocument(`did:web:localhost%3A${port}:big`))).toBe('TOO_LARGE');
    expect(await codeOf(r.resolveDocument(`did:web:localhost%3A${port}:notjson`))).toBe('DID_DOCUMENT_INVALID');
    expect(await codeOf(r.resolveDocument(`did:web:localhost%3A${port}:redirect`))).toBe('DID_RESOLUTION_FAILED');
    // Without allowHttpLocalhost, localhost is a loopback address like any other (SSRF guard): refused, not fetched.
    const before = hits;
    expect(await codeOf(new DidResolver({ timeoutMs: 1500 }).resolveDocument(`did:web:localhost%3A${port}`))).toBe('DID_ADDRESS_FORBIDDEN');
    expect(hits).toBe(before);
  });

  it('a did:web allow-list refuses other hosts before connecting', async () => {
    const before = hits;
    const r = mk({ webAllowedHosts: ['court.example'] });
    expect(await codeOf(r.resolveDocument(`did:web:localhost%3A${port}`))).toBe('DID_RESOLUTION_FAILED');
    expect(hits).toBe(before);
    expect((await mk({ webAllowedHosts: [`localhost%3A${port}`] }).resolveDocument(`did:web:localhost%3A${port}`)).id).toBe(`did:web:localhost%3A${port}`);
  });

  it('a hanging host fails with DID_RESOLUTION_TIMEOUT within the bound', async () => {
    const t0 = Date.now();
    expect(await codeOf(mk({ timeoutMs: 300 }).resolveDocument(`did:web:localhost%3A${port}:hang`))).toBe('DID_RESOLUTION_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('an unreachable host (closed port) fails with a coded error, quickly', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    expect(await codeOf(mk({ timeoutMs: 1000 }).resolveDocument(`did:web:localhost%3A${closedPort}`))).toBe('DID_RESOLUTION_FAILED');
  });

  it('did-resolver Resolvable view reports errors the did-resolver way', async () => {
    const r = mk();
    expect((await r.resolve('did:example:1')).didResolutionMetadata.error).toBe('unsupportedDidMethod');
    expect((await r.resolve(`did:web:localhost%3A${port}`)).didDocument?.id).toBe(`did:web:localhost%3A${port}`);
  });
});

describe('TtlLru', () => {
  it('evicts the least recently used entry and expires by TTL', () => {
    let now = 0;
    const c = new TtlLru<string, number>(2, 100, () => now);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now most recent
    c.set('c', 3); // evicts b
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    now = 100;
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(1);
  });
});
