import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DidWebHost } from '../../did/web-host.js';
import { MemorySink } from '../../did/attestation.js';
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier, keyPairSigner, signJwt } from '../../did/jwt.js';
import { generateKeyPair } from '../../src/crypto/signature.js';

let server: Server;
let host: DidWebHost;
let clock = 1_800_000_000;
const sink = new MemorySink();

beforeAll(async () => {
  server = createServer((req, res) => {
    const r = host.handle(req.url ?? '/');
    res.writeHead(r.status, { 'content-type': 'application/did+json' });
    res.end(r.body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  host = new DidWebHost(`localhost%3A${(server.address() as AddressInfo).port}`, sink, () => clock);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
});

describe('hub-hosted did:web documents with rotation history', () => {
  it('hub and member documents resolve over HTTP; rotation changes the key; history keeps the old one', async () => {
    const hubKey = generateKeyPair('Ed25519');
    const hubDid = host.didFor([]);
    await host.publish([], [{ fragment: 'key-1', alg: 'Ed25519', publicKey: hubKey.publicKey, purposes: ['authentication', 'assertionMethod'] }]);
    const k1 = generateKeyPair('SM2');
    const member = host.didFor(['members', 'copyright-chain']);
    await host.publish(['members', 'copyright-chain'], [{ fragment: 'key-1', alg: 'SM2', publicKey: k1.publicKey, purposes: ['authentication'] }]);

    const resolver = new DidResolver({ allowHttpLocalhost: true });
    const jwt = new JwtVerifier(resolver);
    expect((await resolver.resolveDocument(hubDid)).id).toBe(hubDid);
    const t1 = await signJwt({ iss: member }, keyPairSigner(k1, `${member}#key-1`));
    expect((await jwt.verify(t1, { purpose: 'authentication' })).issuer).toBe(member);
    await expect(jwt.verify(t1, { purpose: 'assertionMethod' })).rejects.toMatchObject({ code: 'JWT_KID_UNKNOWN' });

    clock += 1000;
    const k2 = generateKeyPair('ES256');
    const v2 = await host.publish(['members', 'copyright-chain'], [{ fragment: 'key-2', alg: 'ES256', publicKey: k2.publicKey, purposes: ['authentication'] }]);
    expect(v2.versionId).toBe(2);
    resolver.invalidate(member);
    await expect(jwt.verify(t1, { purpose: 'authentication' })).rejects.toMatchObject({ code: 'JWT_KID_UNKNOWN' });
    expect((await jwt.verify(await signJwt({ iss: member }, keyPairSigner(k2, `${member}#key-2`)), { purpose: 'authentication' })).issuer).toBe(member);
    // history: the key valid before the rotation is still on record
    expect(JSON.stringify(host.document(member, { versionTime: clock - 1 }))).toContain('"crv":"SM2"');
    expect(host.document(member, { versionId: 2 }).verificationMethod![0]!.id).toBe(`${member}#key-2`);
    expect(host.history(member)).toHaveLength(2);
    expect(sink.entries.filter((e) => (e as { type: string }).type === 'courtbridge.did.web-document')).toHaveLength(3);
  });

  it('unknown paths are 404 / DID_NOT_FOUND; bad segments and keys are refused', async () => {
    expect(host.handle('/nobody/did.json').status).toBe(404);
    expect(host.handle('/../did.json').status).toBe(404);
    expect(host.handle('/a/b').status).toBe(404);
    expect(() => host.document('did:web:elsewhere')).toThrowError(expect.objectContaining({ code: 'DID_NOT_FOUND' }));
    expect(() => host.didFor(['..'])).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    await expect(host.publish(['x'], [])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(host.publish(['x'], [{ fragment: 'k', alg: 'ES256', publicKey: new Uint8Array(33), purposes: ['authentication'] }])).rejects.toMatchObject({ code: 'BAD_PUBLIC_KEY' });
    expect(() => new DidWebHost('Not A Host', sink)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
