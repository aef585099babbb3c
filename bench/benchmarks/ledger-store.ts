/**
 * Ledger store benchmarks (issue 2):
 *  - ledger.append.sqlite (target 0.3): durable group-committed appends (1,000 concurrent appends per batch, awaited)
 *    vs a bare better-sqlite3 insert of the same attestation bytes, 1,000 rows per transaction, same pragmas.
 *  - ledger.append.postgres (report): the same against PostgreSQL vs a bare pg insert of the same rows per
 *    transaction (unnest); skipped with a printed line when COURTBRIDGE_TEST_PG is unset.
 *  - ledger.prove.1m (report): inclusion proof of a random leaf of a 1,000,000-leaf SQLite ledger vs a bare indexed
 *    SELECT of one leaf row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { canonicalBytes } from '../../src/crypto/canonical.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openPostgresStore } from '../../src/ledger/store/postgres.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { BenchSkipped, type Benchmark } from '../harness.js';

const BATCH = 1000;
const MASTER = 'bench-master-passphrase-0123456789';

/** A realistic attestation (~400 bytes of canonical JSON), distinct per sequence number. */
function attestation(seq: number): Uint8Array {
  return canonicalBytes({
    type: 'courtbridge/attestation/v1',
    source: { chain: 'eip155:31337', block: 1_000_000 + seq, record: `0x${seq.toString(16).padStart(64, '0')}` },
    schema: 'https://schemas.courtbridge.example/market-supervision/enterprise-registration/v1',
    evidenceDigest: `sha256:${(seq * 2654435761 >>> 0).toString(16).padStart(64, 'a')}`,
    subjects: [`sha256:${(seq * 40503 >>> 0).toString(16).padStart(64, 'b')}`],
    relay: 'did:web:relay.courtbridge.example',
    time: '2026-11-26T12:00:00Z',
  });
}

function pool(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => attestation(i));
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cb-bench-ledger-'));
}

const appendSqlite: Benchmark = {
  name: 'ledger.append.sqlite',
  target: 0.3,
  async setup() {
    const dir = tempDir();
    const rows = pool(BATCH);
    const ledger = await Ledger.init(await openSqliteStore(join(dir, 'ledger.db')), { origin: 'bench/ledger', hashAlg: 'sha256', masterKey: MASTER, groupCommitMax: BATCH });
    const bare = new Database(join(dir, 'bare.db'));
    bare.pragma('journal_mode = WAL');
    bare.pragma('synchronous = FULL');
    bare.exec('CREATE TABLE leaves (idx INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    const ins = bare.prepare('INSERT INTO leaves (idx, data) VALUES (?, ?)');
    let next = 0;
    const insertBatch = bare.transaction(() => {
      for (const r of rows) ins.run(next++, r);
    });
    return {
      subject: { label: 'ledger.append ×1000 concurrent (group commit)', batch: BATCH, run: () => Promise.all(rows.map((r) => ledger.append(r))) },
      baseline: { label: 'bare better-sqlite3 insert, 1000 rows/tx, WAL+FULL', batch: BATCH, run: () => insertBatch() },
      notes: () => ({ transactions: ledger.transactions, treeSize: ledger.transactions * BATCH }),
      teardown: async () => {
        await ledger.close();
        bare.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const appendPostgres: Benchmark = {
  name: 'ledger.append.postgres',
  async setup() {
    const url = process.env.COURTBRIDGE_TEST_PG;
    if (!url) throw new BenchSkipped('no PostgreSQL (set COURTBRIDGE_TEST_PG)');
    const schema = `cbbench_${process.pid}`;
    const rows = pool(BATCH);
    const ledger = await Ledger.init(await openPostgresStore(url, { schema, createSchema: true }), { origin: 'bench/ledger', hashAlg: 'sha256', masterKey: MASTER, groupCommitMax: BATCH });
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    await client.query('CREATE TABLE bare_leaves (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL)');
    const datas = rows.map((r) => Buffer.from(r));
    let next = 0;
    return {
      subject: { label: 'ledger.append ×1000 concurrent (group commit)', batch: BATCH, run: () => Promise.all(rows.map((r) => ledger.append(r))) },
      baseline: {
        label: 'bare pg insert (unnest), 1000 rows/tx',
        batch: BATCH,
        run: async () => {
          const idx = rows.map(() => next++);
          await client.query('BEGIN');
          await client.query('INSERT INTO bare_leaves (idx, data) SELECT * FROM unnest($1::bigint[], $2::bytea[])', [idx, datas]);
          await client.query('COMMIT');
        },
      },
      teardown: async () => {
        await ledger.close();
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
        await client.end();
      },
    };
  },
};

const prove1m: Benchmark = {
  name: 'ledger.prove.1m',
  async setup() {
    const N = 1_000_000;
    const dir = tempDir();
    const store = await openSqliteStore(join(dir, 'ledger.db'));
    const ledger = await Ledger.init(store, { origin: 'bench/ledger', hashAlg: 'sha256', masterKey: MASTER, groupCommitMax: 50_000 });
    const t0 = Date.now();
    for (let base = 0; base < N; base += 50_000) {
      await Promise.all(Array.from({ length: 50_000 }, (_, i) => ledger.append(attestation(base + i))));
    }
    const buildMs = Date.now() - t0;
    const select = store.database.prepare('SELECT idx, leaf_hash, data FROM leaves WHERE idx = ?');
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % N;
    };
    return {
      subject: { label: 'proveInclusion(random leaf, 1M tree)', run: () => ledger.proveInclusion(rnd(), N) },
      baseline: { label: 'bare indexed SELECT of one leaf row', run: () => select.get(rnd()) },
      notes: () => ({ buildSeconds: Math.round(buildMs / 100) / 10 }),
      teardown: async () => {
        await ledger.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** The ledger store benchmarks. */
export const ledgerStoreBenchmarks: Benchmark[] = [appendSqlite, appendPostgres, prove1m];
