/** The court's attestation query: relay attestation leaves indexed from the ledger, subjects hashed as at ingest. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectRef } from '../../src/ids/subject.js';
import { operatorUscc } from '../adapters/registration/fixtures.js';
import { SALT, apiWorld, type ApiWorld } from './fixtures.js';

let w: ApiWorld;
const USCC = operatorUscc();
const CASE = '（2024）京0105执123号';
const leaf = (i: number, over: { chainId?: string; schema?: string; issuedAt?: string; refs?: string[] } = {}) => ({
  attestation: {
    type: 'courtbridge.attestation/v1', id: `0x${String(i).padStart(64, '0')}`,
    source: { chainId: over.chainId ?? 'eip155:1337', recordType: 'dishonest-debtor', keyRef: subjectRef('text', `key-${i}`, SALT), blockHeight: 100 + i, blockHash: `0x${'ab'.repeat(32)}` },
    record: { schemaId: over.schema ?? 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor/v1', digest: `0x${'cd'.repeat(32)}` },
    evidence: { kind: 'evm-storage', digest: `0x${'ef'.repeat(32)}` },
    subjects: (over.refs ?? []).map((ref) => ({ pointer: '/x', kind: 'uscc', ref })),
    relay: 'did:key:z6Mk', issuedAt: over.issuedAt ?? '2026-03-01T00:00:00.000Z',
  },
  jws: 'x..y',
});

beforeAll(async () => {
  w = await apiWorld();
  await w.ledger.append(leaf(1, { refs: [subjectRef('uscc', USCC, SALT), subjectRef('case-number', CASE, SALT)] }));
  await w.ledger.append(leaf(2, { refs: [subjectRef('uscc', USCC, SALT)], issuedAt: '2026-05-01T00:00:00.000Z' }));
  await w.ledger.append(leaf(3, { chainId: 'bft:market-sup', schema: 'https://courtbridge.example/schemas/domain/market/enterprise-basic-info/v1', refs: [] }));
});
afterAll(async () => { await w.close(); });

const q = async (qs: string) => {
  const r = await w.app.inject({ method: 'GET', url: `/api/v1/court/attestations?${qs}`, headers: { authorization: `Bearer ${await w.token('court')}` } });
  return { status: r.statusCode, body: r.json() };
};
const ids = (b: { attestations: { blockHeight: number }[] }) => b.attestations.map((a) => a.blockHeight - 100);

describe('GET /api/v1/court/attestations', () => {
  it('by subject (raw USCC in, salted ref matched), case number, chain, domain, time range, with paging', async () => {
    expect(ids((await q(`subjectKind=uscc&subject=${USCC}`)).body)).toEqual([1, 2]);
    expect(ids((await q(`subjectKind=uscc&subject=${USCC.toLowerCase()}`)).body)).toEqual([1, 2]);
    expect(ids((await q(`caseNumber=${encodeURIComponent(CASE)}`)).body)).toEqual([1]);
    expect(ids((await q('chainId=bft:market-sup')).body)).toEqual([3]);
    expect(ids((await q('domain=credit')).body)).toEqual([1, 2]);
    expect(ids((await q('from=2026-04-01T00:00:00Z&to=2026-06-01T00:00:00Z')).body)).toEqual([2]);
    expect(ids((await q('subjectKind=text&subject=key-3')).body)).toEqual([3]);
    const p1 = (await q('limit=2')).body;
    expect([ids(p1), p1.next]).toEqual([[1, 2], p1.attestations[1].ledgerIndex]);
    expect(ids((await q(`limit=2&after=${p1.next}`)).body)).toEqual([3]);
    // Paging a subject query (driven by the subject index) and combining it with other filters.
    const s1 = (await q(`subjectKind=uscc&subject=${USCC}&limit=1`)).body;
    expect(ids(s1)).toEqual([1]);
    expect(ids((await q(`subjectKind=uscc&subject=${USCC}&limit=1&after=${s1.next}`)).body)).toEqual([2]);
    expect(ids((await q(`subjectKind=uscc&subject=${USCC}&from=2026-04-01T00:00:00Z`)).body)).toEqual([2]);
    expect(ids((await q(`subjectKind=uscc&subject=${USCC}&caseNumber=${encodeURIComponent(CASE)}`)).body)).toEqual([1]);
  });
  it('an invalid identifier is a coded 422; a half subject, a bad time → 400; other roles 403', async () => {
    expect([(await q('subjectKind=uscc&subject=123')).status, (await q('subjectKind=uscc&subject=123')).body.code]).toEqual([422, 'USCC_INVALID']);
    expect((await q('subject=abc')).body.code).toBe('INVALID_INPUT');
    expect((await q('from=yesterday')).body.code).toBe('INVALID_INPUT');
    // A leap second passes the date-time format but no Date holds it: a coded 400, not a 500.
    expect([(await q('from=2026-06-30T23:59:60Z')).status, (await q('to=2026-06-30T23:59:60Z')).body.code]).toEqual([400, 'INVALID_INPUT']);
    const r = await w.app.inject({ method: 'GET', url: '/api/v1/court/attestations', headers: { authorization: `Bearer ${await w.token('partner')}` } });
    expect(r.json().code).toBe('AUTH_FORBIDDEN');
  });
});
