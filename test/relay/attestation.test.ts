/**
 * Attestation unit tests: deterministic ids (length-prefixed parts), detached-JWS round trip (RFC 7515 App. F),
 * one adversarial case per way ATTESTATION_INVALID can arise, no personal data in the entry; plus the backoff and
 * token-bucket helpers (property tests with fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/crypto/canonical.js';
import { CourtBridgeError } from '../../src/errors.js';
import { utf8 } from '../../src/crypto/bytes.js';
import type { VerifiedRecord } from '../../adapters/types.js';
import {
  attestationId, attestationIdOfLeaf, buildAttestation, jsonDigest, signAttestation, verifySignedAttestation, ATTESTATION_SCHEMA_ID,
} from '../../relay/attestation.js';
import { backoffDelay } from '../../relay/jobs/backoff.js';
import { TokenBucket } from '../../relay/rate-limit.js';
import { validateRecord } from '../../src/schema/index.js';
import { ENTERPRISE_SCHEMA, SALT, enterprise, hubKey, uscc } from './helpers.js';

const H = `0x${'ab'.repeat(32)}`;
const D = `0x${'cd'.repeat(32)}`;
const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'OK';
  } catch (e) {
    if (e instanceof CourtBridgeError) return e.code;
    throw e;
  }
};

function verified(i = 0): VerifiedRecord {
  const record = enterprise(i);
  return {
    chainId: 'eip155:31337', recordType: 'enterprise', key: uscc(i), height: 42, blockHash: H, record,
    recordDigest: jsonDigest(record), evidenceDigest: D, finality: { rule: 'depth', trust: 'rpc-depth', confirmations: 2 },
  };
}
const ctx = { schemaId: ENTERPRISE_SCHEMA, evidenceKind: 'evm-storage', relayDid: 'did:key:z6Mktest', issuedAt: '2026-11-26T18:00:00.000Z', salt: SALT };

describe('attestation id', () => {
  it('is deterministic and length-prefixed (no ambiguity between parts)', () => {
    expect(attestationId('eip155:1', 'ab', 'c', H, D)).toBe(attestationId('eip155:1', 'ab', 'c', H, D));
    expect(attestationId('eip155:1', 'ab', 'c', H, D)).not.toBe(attestationId('eip155:1', 'a', 'bc', H, D));
    expect(attestationId('eip155:1', 'ab', 'c', H, D)).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('changes when any part changes (property)', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (a, b, c, d) => {
      fc.pre(a !== b);
      expect(attestationId(a, c, d, H, D)).not.toBe(attestationId(b, c, d, H, D));
      expect(attestationId(c, a, d, H, D)).not.toBe(attestationId(c, b, d, H, D));
      expect(attestationId(c, d, a, H, D)).not.toBe(attestationId(c, d, b, H, D));
    }), { numRuns: 200 });
  });

  it('rejects block hashes and digests that are not 32 bytes', () => {
    expect(code(() => attestationId('c', 't', 'k', '0x1234', D))).toBe('BAD_LENGTH');
    expect(code(() => attestationId('c', 't', 'k', H, 'zz'))).toBe('BAD_HEX');
  });
});

describe('build, sign, verify', () => {
  const hub = hubKey();
  const key = { alg: 'Ed25519' as const, kid: hub.kid, publicKey: hub.kp.publicKey };

  it('round-trips, validates against schemas/attestation.json and re-derives identically (retries are idempotent)', async () => {
    const a = buildAttestation(verified(), ctx);
    const s1 = await signAttestation(a, hub.signer);
    const s2 = await signAttestation(buildAttestation(verified(), ctx), hub.signer);
    expect(canonicalJson(s1)).toBe(canonicalJson(s2));
    validateRecord(ATTESTATION_SCHEMA_ID, JSON.parse(JSON.stringify(s1)));
    expect(verifySignedAttestation(s1, key, uscc(0)).id).toBe(a.id);
    expect(attestationIdOfLeaf(utf8(canonicalJson(s1)))).toBe(a.id);
  });

  it('holds no personal identifier or name in the clear (DESIGN principle 4)', () => {
    const text = canonicalJson(buildAttestation(verified(3), ctx));
    for (const v of [uscc(3), enterprise(3).legalRepresentative!]) expect(text).not.toContain(v);
  });

  it('ATTESTATION_INVALID: tampered content, wrong key, foreign kid, malformed jws, wrong record key, not an entry', async () => {
    const s = await signAttestation(buildAttestation(verified(), ctx), hub.signer);
    const tampered = { ...s, attestation: { ...s.attestation, issuedAt: '2027-01-01T00:00:00.000Z' } };
    expect(code(() => verifySignedAttestation(tampered, key))).toBe('ATTESTATION_INVALID');
    const other = hubKey();
    expect(code(() => verifySignedAttestation(s, { ...key, publicKey: other.kp.publicKey }))).toBe('ATTESTATION_INVALID');
    expect(code(() => verifySignedAttestation(s, { ...key, kid: other.kid }))).toBe('ATTESTATION_INVALID');
    expect(code(() => verifySignedAttestation({ ...s, jws: s.jws.replace('..', '.eyJ9.') }, key))).toBe('ATTESTATION_INVALID');
    expect(code(() => verifySignedAttestation({ ...s, jws: `${s.jws}!` }, key))).toBe('ATTESTATION_INVALID');
    expect(code(() => verifySignedAttestation(s, key, uscc(1)))).toBe('ATTESTATION_INVALID');
    expect(code(() => verifySignedAttestation({ attestation: null, jws: s.jws }, key))).toBe('ATTESTATION_INVALID');
    expect(code(() => verifySignedAttestation({ ...s, attestation: { ...s.attestation, type: 'other' } }, key))).toBe('ATTESTATION_INVALID');
  });

  it('ATTESTATION_INVALID when the verifier reports a record digest that does not match the record', () => {
    expect(code(() => buildAttestation({ ...verified(), recordDigest: D }, ctx))).toBe('ATTESTATION_INVALID');
  });

  it('fails closed on a bad height, a bad time and a record off its schema', () => {
    expect(code(() => buildAttestation({ ...verified(), height: -1 }, ctx))).toBe('BAD_INTEGER');
    expect(code(() => buildAttestation(verified(), { ...ctx, issuedAt: 'yesterday' }))).toBe('INVALID_INPUT');
    const bad = { ...verified(), record: { ...enterprise(0), status: 'bogus' } };
    expect(code(() => buildAttestation({ ...bad, recordDigest: jsonDigest(bad.record) }, ctx))).toBe('SCHEMA_INVALID');
  });

  it('attestationIdOfLeaf ignores leaves that are not attestations', () => {
    expect(attestationIdOfLeaf(utf8('{"note":"x"}'))).toBeUndefined();
    expect(attestationIdOfLeaf(utf8('courtbridge.attestation/v1 {not json'))).toBeUndefined();
    expect(attestationIdOfLeaf(utf8('{"attestation":{"type":"courtbridge.attestation/v1","id":"0x12"}}'))).toBeUndefined();
  });
});

describe('backoff and rate limits', () => {
  it('backoff stays within [min, min(cap, base·2^(n−1))] (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
      const d = backoffDelay(n, { baseMs: 100, capMs: 5000, minMs: 10 }, () => r);
      expect(d).toBeGreaterThanOrEqual(10);
      expect(d).toBeLessThanOrEqual(Math.min(5000, 100 * 2 ** Math.max(n - 1, 0)));
    }), { numRuns: 300 });
  });

  it('a token bucket lets `burst` through at once, then one per 1/rate seconds', async () => {
    let now = 0;
    const b = new TokenBucket(10, 3, () => now);
    for (let i = 0; i < 3; i++) await b.take();
    let taken = false;
    const p = b.take().then(() => { taken = true; });
    await new Promise((r) => setTimeout(r, 20));
    expect(taken).toBe(false);
    now = 100;
    await p;
    expect(taken).toBe(true);
  });
});
