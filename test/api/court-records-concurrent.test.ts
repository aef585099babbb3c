/**
 * Concurrent court-record writes (found by the load test, test/reliability/load.test.ts): each response still carries
 * a signed checkpoint that covers its own leaf and an inclusion proof that verifies against it, but concurrent writes
 * share checkpoint signings instead of each signing its own (SM2 + Ed25519), which queued without bound under load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/crypto/bytes.js';
import { hashSuite } from '../../src/crypto/hash.js';
import { verifyInclusion } from '../../src/ledger/merkle.js';
import { apiWorld, docHashes, type ApiWorld } from './fixtures.js';

const WRITES = 40;
let w: ApiWorld;

beforeAll(async () => {
  w = await apiWorld();
});
afterAll(async () => {
  await w.close();
});

describe('POST /api/v1/court/records, many at once', () => {
  it(`${WRITES} concurrent writes: all 201, each proof verifies in a checkpoint covering its leaf, fewer checkpoint signings than writes`, async () => {
    let signings = 0;
    const checkpoint = w.ledger.checkpoint.bind(w.ledger);
    w.ledger.checkpoint = () => {
      signings++;
      return checkpoint();
    };
    const tokens = await Promise.all(Array.from({ length: WRITES }, () => w.token('court')));
    const responses = await Promise.all(tokens.map((t, i) => w.app.inject({
      method: 'POST', url: '/api/v1/court/records', headers: { authorization: `Bearer ${t}` },
      payload: { kind: 'court-document', documentType: '判决书', caseNumber: `（2026）京0105民初${i + 1}号`, hashes: docHashes(`concurrent ${i}`) },
    })));
    const indexes = new Set<number>();
    for (const r of responses) {
      expect(r.statusCode, r.body).toBe(201);
      const b = r.json();
      indexes.add(b.record.ledgerIndex);
      expect(b.checkpoint.treeSize).toBeGreaterThan(b.record.ledgerIndex);
      expect(b.inclusion.treeSize).toBe(b.checkpoint.treeSize);
      // verifyInclusion throws a coded error when the proof does not lead to the root.
      expect(() => verifyInclusion(hashSuite('sha256'), b.inclusion.leafIndex, b.inclusion.treeSize, fromHex(b.inclusion.leafHash, 'leaf'), b.inclusion.proof.map((p: string) => fromHex(p, 'p')), fromHex(b.checkpoint.root, 'root'))).not.toThrow();
      expect(b.checkpoint.note).toContain(`\n${b.checkpoint.treeSize}\n`);
    }
    expect(indexes.size).toBe(WRITES);
    expect(signings).toBeGreaterThan(0);
    expect(signings).toBeLessThan(WRITES);
  });
});
