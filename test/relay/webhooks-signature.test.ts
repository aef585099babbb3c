/**
 * The delivery signature (relay/webhooks/signature.ts) and the URL policy (url.ts): one adversarial case per check
 * of `verifyDelivery`, and the coded refusals of bad webhook URLs.
 */
import { describe, expect, it } from 'vitest';
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier, keyPairSigner } from '../../did/jwt.js';
import { deliveryIdOf, signDelivery, verifyDelivery, webhookBody } from '../../relay/webhooks/signature.js';
import { checkWebhookUrl } from '../../relay/webhooks/url.js';
import { isCourtBridgeError } from '../../src/errors.js';
import { identity } from '../did/fixtures.js';
import { codeOf } from '../helpers/codes.js';

const hub = identity();
const court = identity('ES256');
const verifier = new JwtVerifier(new DidResolver());
const URL_ = 'https://court.example/hooks/cb';
const id = deliveryIdOf('wh_' + '0'.repeat(32), '0x' + '11'.repeat(32));
const body = webhookBody({ deliveryId: id, attestationId: '0x' + '11'.repeat(32), ledgerIndex: 7, treeSize: 8, chainId: 'eip155:1', recordType: 'enterprise', keyRef: 'hmac-sha256:' + '00'.repeat(32), blockHeight: 9 });
const now = Math.floor(Date.now() / 1000);
const sign = (o: Partial<Parameters<typeof signDelivery>[1]> = {}, b = body) =>
  signDelivery(b, { signer: hub.signer, issuer: hub.did, audience: court.did, url: URL_, deliveryId: id, nowSec: now, ...o });
const check = async (token: string, b: string = body, o: { url?: string; issuers?: string[]; audience?: string; nowSec?: number } = {}) => {
  try {
    await verifyDelivery(verifier, token, b, { audience: o.audience ?? court.did, issuers: o.issuers ?? [hub.did], url: o.url ?? URL_, nowSec: o.nowSec });
    return 'OK';
  } catch (e) {
    if (isCourtBridgeError(e)) return e.code;
    throw e;
  }
};

describe('delivery signature', () => {
  it('verifies, and returns the delivery id', async () => {
    const r = await verifyDelivery(verifier, await sign(), body, { audience: court.did, issuers: [hub.did], url: URL_ });
    expect(r.deliveryId).toBe(id);
    expect(r.jwt.header.typ).toBe('courtbridge-webhook+jwt');
  });
  it('refuses: no header, tampered body, other endpoint, other court, other issuer, expired, key not in the issuer document, body id ≠ jti', async () => {
    const t = await sign();
    expect(await check(undefined as unknown as string)).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await check(t, body.replace('"ledgerIndex":7', '"ledgerIndex":6'))).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await check(t, body, { url: 'https://evil.example/hook' })).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await check(t, body, { audience: identity().did })).toBe('JWT_AUDIENCE_MISMATCH');
    expect(await check(t, body, { issuers: [identity().did] })).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await check(t, body, { nowSec: now + 3600 })).toBe('JWT_EXPIRED');
    const stranger = identity();
    expect(await check(await sign({ signer: keyPairSigner(stranger.kp, hub.kid) }))).toBe('JWT_SIGNATURE_INVALID');
    expect(await check(await sign({ signer: stranger.signer }))).toBe('JWT_KID_UNKNOWN');
    const otherBody = body.replace(id, deliveryIdOf('wh_' + '1'.repeat(32), '0x' + '11'.repeat(32)));
    expect(await check(await sign({}, otherBody), otherBody)).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await check(t.slice(0, -4) + 'AAAA')).toBe('JWT_SIGNATURE_INVALID');
  });
});

describe('webhook URL policy', () => {
  it('accepts https, and http to loopback only when allowed', () => {
    expect(checkWebhookUrl('https://court.example:8443/hooks?x=1')).toBe('https://court.example:8443/hooks?x=1');
    expect(checkWebhookUrl('http://127.0.0.1:9/hook', { allowHttpLocalhost: true })).toBe('http://127.0.0.1:9/hook');
    expect(checkWebhookUrl('http://localhost/hook', { allowHttpLocalhost: true })).toBe('http://localhost/hook');
    expect(checkWebhookUrl('http://[::1]:8080/', { allowHttpLocalhost: true })).toBe('http://[::1]:8080/');
  });
  it.each([
    ['http://court.example/hook', {}], ['http://127.0.0.1/hook', {}], ['http://court.example/hook', { allowHttpLocalhost: true }],
    ['http://localhost.evil.example/hook', { allowHttpLocalhost: true }], ['ftp://court.example/x', {}], ['file:///etc/passwd', {}],
    ['/relative', {}], ['https://user:pw@court.example/', {}], ['https://court.example/#frag', {}], [`https://court.example/${'a'.repeat(2100)}`, {}], ['', {}],
  ])('refuses %s with WEBHOOK_URL_INVALID', (url, policy) => {
    expect(codeOf(() => checkWebhookUrl(url, policy))).toBe('WEBHOOK_URL_INVALID');
  });
});
