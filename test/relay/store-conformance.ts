/**
 * One conformance suite for every RelayStore backend (SQLite file, PostgreSQL schema): idempotent enqueue, claims
 * with leases (no double claim, expired leases reclaimable), stamping, outcomes in one transaction, dead at max
 * attempts, receipts, scan cursor, trust-state compare-and-set, subscriptions, anchors, counts.
 */
import { describe, expect, it } from 'vitest';
import type { JobOutcome, JobRequest, RelayStore } from '../../relay/jobs/types.js';

/** Factory: a fresh, migrated store and its cleanup. */
export type StoreFactory = () => Promise<{ store: RelayStore; close: () => Promise<void> }>;

const req = (key: string, blockHeight = 7, maxAttempts = 3): JobRequest => ({ chainId: 'eip155:31337', recordType: 'enterprise', key, blockHeight, maxAttempts });
const receipt = (id: string, jobId: number, idx: number) => ({ attestationId: id, jobId, ledgerIndex: idx, leafHash: 'ab'.repeat(32), treeSize: idx + 1, createdAt: 1 });

/** Register the suite. */
export function relayStoreConformance(name: string, make: StoreFactory): void {
  const withStore = (fn: (s: RelayStore) => Promise<void>) => async () => {
    const { store, close } = await make();
    try {
      await fn(store);
    } finally {
      await close();
    }
  };

  describe(`RelayStore conformance: ${name}`, () => {
    it('migrate is idempotent and enqueue is idempotent per (chain, type, key, block)', withStore(async (s) => {
      await s.migrate();
      const a = await s.enqueue(req('k1'), 1000);
      const b = await s.enqueue(req('k1'), 2000);
      const c = await s.enqueue(req('k1', 8), 2000);
      expect(a.created).toBe(true);
      expect(b.created).toBe(false);
      expect(b.job.id).toBe(a.job.id);
      expect(c.job.id).not.toBe(a.job.id);
      expect(a.job).toMatchObject({ state: 'queued', attempts: 0, nextRunAt: 1000, key: 'k1', blockHeight: 7 });
    }));

    it('enqueueMany inserts in one transaction, keeps existing keys and returns jobs in request order', withStore(async (s) => {
      const existing = (await s.enqueue(req('b'), 5)).job;
      const jobs = await s.enqueueMany([req('a'), req('b'), req('c'), req('a')], 9);
      expect(jobs.map((j) => j.key)).toEqual(['a', 'b', 'c', 'a']);
      expect(jobs[1]!.id).toBe(existing.id);
      expect(jobs[3]!.id).toBe(jobs[0]!.id);
      expect(jobs[0]).toMatchObject({ state: 'queued', nextRunAt: 9 });
      expect(await s.enqueueMany([], 1)).toEqual([]);
      expect((await s.counts()).queued).toBe(3);
    }));

    it('claims each runnable job once; an expired lease makes it claimable again', withStore(async (s) => {
      for (const k of ['a', 'b', 'c']) await s.enqueue(req(k), 0);
      const first = await s.claim('w1', 2, 10, 1000);
      const second = await s.claim('w2', 5, 10, 1000);
      expect(first.map((j) => j.key)).toEqual(['a', 'b']);
      expect(second.map((j) => j.key)).toEqual(['c']);
      expect(first[0]).toMatchObject({ state: 'running', attempts: 1, leaseOwner: 'w1', leaseUntil: 1010 });
      expect(await s.claim('w3', 5, 500, 1000)).toEqual([]);
      const again = await s.claim('w3', 5, 1011, 1000);
      expect(again.map((j) => j.key).sort()).toEqual(['a', 'b', 'c']);
      expect(again[0]!.attempts).toBe(2);
    }));

    it('concurrent claims never hand out one job twice', withStore(async (s) => {
      for (let i = 0; i < 20; i++) await s.enqueue(req(`k${i}`), 0);
      const got = await Promise.all(Array.from({ length: 6 }, (_, i) => s.claim(`w${i}`, 5, 1, 60_000)));
      const ids = got.flat().map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(20);
    }));

    it('stamp keeps the first attestation id and issue time', withStore(async (s) => {
      const { job } = await s.enqueue(req('k'), 0);
      const m1 = await s.stamp([{ jobId: job.id, attestationId: '0x01', issuedAt: '2026-01-01T00:00:00.000Z' }], 1);
      const m2 = await s.stamp([{ jobId: job.id, attestationId: '0x02', issuedAt: '2027-01-01T00:00:00.000Z' }], 2);
      expect(m1.get(job.id)).toBe('2026-01-01T00:00:00.000Z');
      expect(m2.get(job.id)).toBe('2026-01-01T00:00:00.000Z');
      expect((await s.job(job.id))!.attestationId).toBe('0x01');
    }));

    it('finish stores receipts with done jobs, retries failures and kills at max attempts or when permanent', withStore(async (s) => {
      const a = (await s.enqueue(req('a', 7, 2), 0)).job;
      const b = (await s.enqueue(req('b', 7, 2), 0)).job;
      const c = (await s.enqueue(req('c', 7, 5), 0)).job;
      await s.claim('w', 10, 0, 100);
      const outcomes: JobOutcome[] = [
        { kind: 'done', jobId: a.id, receipt: receipt('0xaa', a.id, 0) },
        { kind: 'failed', jobId: b.id, code: 'STORE_UNAVAILABLE', detail: 'x', retryAt: 50, permanent: false },
        { kind: 'failed', jobId: c.id, code: 'SCHEMA_INVALID', detail: 'y', retryAt: 50, permanent: true },
      ];
      await s.finish(outcomes, 'w', 10);
      expect(await s.job(a.id)).toMatchObject({ state: 'done', ledgerIndex: 0, leaseOwner: null });
      expect(await s.job(b.id)).toMatchObject({ state: 'failed', nextRunAt: 50, lastError: 'STORE_UNAVAILABLE' });
      expect(await s.job(c.id)).toMatchObject({ state: 'dead', lastError: 'SCHEMA_INVALID' });
      expect(await s.receipt('0xaa')).toMatchObject({ ledgerIndex: 0, jobId: a.id });
      expect(await s.claim('w', 10, 49, 100)).toEqual([]);
      const [b2] = await s.claim('w', 10, 50, 100);
      expect(b2).toMatchObject({ id: b.id, attempts: 2 });
      await s.finish([{ kind: 'failed', jobId: b.id, code: 'RELAY_TIMEOUT', detail: '', retryAt: 60, permanent: false }], 'w', 55);
      expect(await s.job(b.id)).toMatchObject({ state: 'dead', attempts: 2, lastError: 'RELAY_TIMEOUT' });
      expect(await s.counts()).toEqual({ queued: 0, running: 0, done: 1, failed: 0, dead: 2 });
    }));

    it('a worker that lost its lease cannot record a failure over its successor', withStore(async (s) => {
      const { job } = await s.enqueue(req('k'), 0);
      await s.claim('old', 1, 0, 10);
      await s.claim('new', 1, 20, 1000);
      await s.finish([{ kind: 'failed', jobId: job.id, code: 'RELAY_TIMEOUT', detail: '', retryAt: 0, permanent: true }], 'old', 21);
      expect(await s.job(job.id)).toMatchObject({ state: 'running', leaseOwner: 'new' });
    }));

    it('receipts are unique per attestation id and per ledger index; the scan cursor only advances', withStore(async (s) => {
      await s.putReceipts([receipt('0x01', 0, 0), receipt('0x02', 0, 1)]);
      await s.putReceipts([receipt('0x01', 0, 0)]);
      expect(await s.receipt('0x02')).toMatchObject({ ledgerIndex: 1 });
      expect(await s.receipt('0x03')).toBeUndefined();
      await expect(s.putReceipts([receipt('0x04', 0, 1)])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(await s.scanCursor()).toBe(0);
      await s.setScanCursor(5);
      await s.setScanCursor(3);
      expect(await s.scanCursor()).toBe(5);
    }));

    it('trust state is compare-and-set on its version', withStore(async (s) => {
      expect(await s.trustState('eip155:1')).toBeUndefined();
      expect(await s.putTrustState('eip155:1', '{"a":1}', 0, 1)).toBe(true);
      expect(await s.putTrustState('eip155:1', '{"a":2}', 0, 1)).toBe(false);
      expect(await s.putTrustState('eip155:1', '{"a":3}', 1, 2)).toBe(true);
      expect(await s.putTrustState('eip155:1', '{"a":4}', 1, 2)).toBe(false);
      expect(await s.trustState('eip155:1')).toEqual({ json: '{"a":3}', version: 2 });
    }));

    it('evidence rows (schema v2): upsert keyed by attestation id, batches in one write, the retry rewrites its row', withStore(async (s) => {
      const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
      const row = (n: number, text: string, at = 1) => ({ attestationId: id(n), evidence: text, evidenceDigest: `0x${'cd'.repeat(32)}`, createdAt: at });
      expect(await s.evidence(id(1))).toBeUndefined();
      await s.putEvidence([]);
      const big = JSON.stringify({ kind: 'evm-storage', proof: 'ab'.repeat(20_000), note: '中文 ✓' });
      await s.putEvidence([row(1, '{"a":1}'), row(2, big)]);
      expect(await s.evidence(id(1))).toEqual(row(1, '{"a":1}'));
      expect(await s.evidence(id(2))).toEqual(row(2, big));
      await s.putEvidence([row(1, '{"a":2}', 5)]);
      expect(await s.evidence(id(1))).toEqual(row(1, '{"a":2}', 5));
      // The same id twice in one batch: the last row wins, no error.
      await s.putEvidence([row(3, '{"x":1}'), row(3, '{"x":2}')]);
      expect((await s.evidence(id(3)))?.evidence).toBe('{"x":2}');
      expect(await s.evidence(id(4))).toBeUndefined();
      await s.migrate();
      expect((await s.evidence(id(2)))?.evidence).toBe(big);
      // Evidence rows given to `stamp` are written in its transaction.
      const job = (await s.enqueue(req('ev'), 1)).job;
      const stamped = await s.stamp([{ jobId: job.id, attestationId: id(5), issuedAt: '2026-01-01T00:00:00.000Z' }], 2, [row(5, '{"s":1}', 2), row(1, '{"a":3}', 2)]);
      expect(stamped.get(job.id)).toBe('2026-01-01T00:00:00.000Z');
      expect(await s.evidence(id(5))).toEqual(row(5, '{"s":1}', 2));
      expect((await s.evidence(id(1)))?.evidence).toBe('{"a":3}');
      await s.stamp([], 3, [row(6, '{"t":1}', 3)]);
      expect((await s.evidence(id(6)))?.evidence).toBe('{"t":1}');
    }));

    it('subscriptions and anchors round-trip', withStore(async (s) => {
      const sub = { id: 'eip155:1/debtor', chainId: 'eip155:1', recordType: 'debtor', cursor: '5', enabled: true, updatedAt: 1 };
      await s.putSubscription(sub);
      await s.putSubscription({ ...sub, cursor: '9', updatedAt: 2 });
      expect(await s.subscriptions()).toEqual([{ ...sub, cursor: '9', updatedAt: 2 }]);
      const anchor = { treeSize: 3, rootHash: '0x01', noteHash: '0x02', chainId: 'eip155:1', contract: '0x03', txHash: '0x04', blockNumber: 9, blockHash: '0x05', receiptProof: '{}', createdAt: 1 };
      await s.putAnchor(anchor);
      await s.putAnchor({ ...anchor, txHash: '0x99' });
      expect(await s.anchors()).toEqual([anchor]);
    }));
  });
}
