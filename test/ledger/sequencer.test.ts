/**
 * The sequencer lease (src/ledger/sequencer.ts, store `acquireLease` / `renewLease` / `releaseLease`, fenced
 * `appendBatch`) on SQLite and on PostgreSQL (`COURTBRIDGE_TEST_PG`, own schema, dropped afterwards): acquisition,
 * expiry takeover with a higher token, renewal by a non-holder refused, a stale token's append refused with
 * SEQUENCER_FENCED and nothing written; and two Ledgers on one store, where only the holder appends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fail } from '../../src/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openPostgresStore } from '../../src/ledger/store/postgres.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import type { LeafRow, LedgerStore } from '../../src/ledger/store/types.js';
import { codeOf } from '../helpers/codes.js';
import { pgSchemas, TEST_PG as PG } from '../helpers/pg.js';

const MASTER = 'sequencer-test-master-key-0123456789';
const schemas = pgSchemas('cbseq');
const dirs: string[] = [];

/** The code a promise rejects with, `OK` when it resolves. */
const codeOfAsync = (p: Promise<unknown>): Promise<string> => p.then(() => 'OK', (e: unknown) => codeOf(() => { throw e; }));

/** A one-leaf batch at `index` (hash and nodes are not checked by appendBatch; the audit is not run on these). */
const leaf = (index: number): LeafRow => ({ index, leafHash: new Uint8Array(32).fill(index + 1), data: Uint8Array.of(index), nodes: new Uint8Array(0) });

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Wait (bounded) until the lease row has expired by the store's clock. */
async function untilExpired(store: LedgerStore, name: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await store.lease(name))?.live === false) return;
    await sleep(20);
  }
  fail('INTERNAL', { reason: 'lease never expired' });
}

type Opener = { fresh(): Promise<LedgerStore>; again(): Promise<LedgerStore> };

function sqliteOpener(): Opener {
  let path = '';
  return {
    fresh: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cb-seq-'));
      dirs.push(dir);
      path = join(dir, 'ledger.db');
      return openSqliteStore(path);
    },
    again: () => openSqliteStore(path),
  };
}

function pgOpener(): Opener {
  let schema = '';
  return {
    fresh: () => {
      schema = schemas.next();
      return openPostgresStore(PG!, { schema, createSchema: true });
    },
    again: () => openPostgresStore(PG!, { schema }),
  };
}

function leaseSuite(open: Opener): void {
  it('acquire: the first holder gets token 1; another holder is refused while it is live', async () => {
    const s = await open.fresh();
    try {
      await Ledger.init(s, { origin: 'test/seq', hashAlg: 'sha256', masterKey: MASTER });
      expect(await s.acquireLease('ledger', 'A', 10_000)).toEqual({ token: 1 });
      expect(await s.acquireLease('ledger', 'B', 10_000)).toBeUndefined();
      expect(await s.lease('ledger')).toMatchObject({ holder: 'A', token: 1, live: true });
    } finally {
      await s.close();
    }
  });

  it('renew: only the holder with its token renews; a non-holder or a stale token is refused', async () => {
    const s = await open.fresh();
    try {
      await Ledger.init(s, { origin: 'test/seq', hashAlg: 'sha256', masterKey: MASTER });
      const a = (await s.acquireLease('ledger', 'A', 10_000))!;
      expect(await s.renewLease('ledger', 'B', a.token, 10_000)).toBe(false);
      expect(await s.renewLease('ledger', 'A', a.token + 1, 10_000)).toBe(false);
      expect(await s.renewLease('ledger', 'A', a.token, 10_000)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('expiry: another holder takes over with a higher token; the old holder cannot renew, its appends are refused', async () => {
    const s = await open.fresh();
    try {
      await Ledger.init(s, { origin: 'test/seq', hashAlg: 'sha256', masterKey: MASTER });
      const a = (await s.acquireLease('ledger', 'A', 150))!;
      expect(await s.appendBatch(0, [leaf(0)], { name: 'ledger', token: a.token })).toEqual({ ok: true });
      await untilExpired(s, 'ledger');
      // Expired and not yet taken over: still refused (the store's clock says the lease ran out).
      expect(await codeOfAsync(s.appendBatch(1, [leaf(1)], { name: 'ledger', token: a.token }))).toBe('SEQUENCER_FENCED');
      const b = (await s.acquireLease('ledger', 'B', 10_000))!;
      expect(b.token).toBeGreaterThan(a.token);
      expect(await s.renewLease('ledger', 'A', a.token, 10_000)).toBe(false);
      expect(await codeOfAsync(s.appendBatch(1, [leaf(1)], { name: 'ledger', token: a.token }))).toBe('SEQUENCER_FENCED');
      expect(await s.size()).toBe(1);
      expect(await s.leaf(1)).toBeUndefined();
      expect(await s.appendBatch(1, [leaf(1)], { name: 'ledger', token: b.token })).toEqual({ ok: true });
      expect(await s.size()).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('release: a standby acquires at once with a higher token; a fence without any lease is refused', async () => {
    const s = await open.fresh();
    try {
      await Ledger.init(s, { origin: 'test/seq', hashAlg: 'sha256', masterKey: MASTER });
      expect(await codeOfAsync(s.appendBatch(0, [leaf(0)], { name: 'ledger', token: 1 }))).toBe('SEQUENCER_FENCED');
      const a = (await s.acquireLease('ledger', 'A', 60_000))!;
      await s.releaseLease('ledger', 'B', a.token); // not B's: nothing happens
      expect(await s.acquireLease('ledger', 'B', 60_000)).toBeUndefined();
      await s.releaseLease('ledger', 'A', a.token);
      const b = (await s.acquireLease('ledger', 'B', 60_000))!;
      expect(b.token).toBe(a.token + 1);
      expect(await codeOfAsync(s.appendBatch(0, [leaf(0)], { name: 'ledger', token: a.token }))).toBe('SEQUENCER_FENCED');
      expect(await s.size()).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('a stale fence is refused before the head and key checks: a deposed holder gets no moved-head or existing-key outcome', async () => {
    const s = await open.fresh();
    try {
      await Ledger.init(s, { origin: 'test/seq', hashAlg: 'sha256', masterKey: MASTER });
      const a = (await s.acquireLease('ledger', 'A', 60_000))!;
      expect(await s.appendBatch(0, [{ ...leaf(0), key: 'k0' }], { name: 'ledger', token: a.token })).toEqual({ ok: true });
      await s.releaseLease('ledger', 'A', a.token);
      const b = (await s.acquireLease('ledger', 'B', 60_000))!;
      const stale = { name: 'ledger', token: a.token };
      expect(await codeOfAsync(s.appendBatch(0, [leaf(0)], stale))).toBe('SEQUENCER_FENCED'); // head is at 1, not 0
      expect(await codeOfAsync(s.appendBatch(1, [{ ...leaf(1), key: 'k0' }], stale))).toBe('SEQUENCER_FENCED'); // k0 is stored
      expect(await s.size()).toBe(1);
      // The holder's fence passes and reaches the key check.
      expect(await s.appendBatch(1, [{ ...leaf(1), key: 'k0' }], { name: 'ledger', token: b.token })).toMatchObject({ ok: false, currentSize: 1, existing: [{ key: 'k0', index: 0 }] });
    } finally {
      await s.close();
    }
  });

  it('two Ledgers with sequencers on one store: only the holder appends; a cut-off holder is deposed and writes nothing', async () => {
    const sa = await open.fresh();
    await Ledger.init(sa, { origin: 'test/seq', hashAlg: 'sha256', masterKey: MASTER }).then((l) => l.flush());
    const sb = await open.again();
    const linesA: string[] = [];
    const a = await Ledger.open(sa, { sequencer: { holder: 'A', ttlMs: 300, notice: (l) => linesA.push(l) } });
    const b = await Ledger.open(sb, { sequencer: { holder: 'B', ttlMs: 300 } });
    try {
      expect((await a.append({ n: 0 })).index).toBe(0);
      expect(linesA).toContain('sequencer\tacquired\t1');
      expect(await codeOfAsync(b.append({ n: 1 }))).toBe('SEQUENCER_FENCED');
      // A is cut off from the store: its renewals fail; the lease runs out and B takes over.
      const renew = sa.renewLease.bind(sa);
      sa.renewLease = async () => fail('STORE_UNAVAILABLE', { reason: 'cut off (test)' });
      await untilExpired(sb, 'ledger');
      expect((await b.append({ n: 1 })).index).toBe(1);
      expect((await sb.lease('ledger'))).toMatchObject({ holder: 'B', token: 2 });
      expect(await codeOfAsync(a.append({ n: 2 }))).toBe('SEQUENCER_FENCED');
      expect(await sa.size()).toBe(2);
      // Reconnected: A's next renewal is refused (token 1 is stale), A learns it was deposed.
      sa.renewLease = renew;
      for (let i = 0; i < 100 && !linesA.includes('sequencer\tdeposed\t1'); i++) await sleep(20);
      expect(linesA).toContain('sequencer\tdeposed\t1');
      expect((await b.audit()).ok).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
}

describe('sequencer lease: SQLite', () => {
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  leaseSuite(sqliteOpener());
});

describe.skipIf(!PG)(`sequencer lease: PostgreSQL${PG ? ' (own schema per store)' : ' — skipped: no PostgreSQL (set COURTBRIDGE_TEST_PG)'}`, () => {
  afterAll(() => schemas.drop());
  leaseSuite(pgOpener());
});
