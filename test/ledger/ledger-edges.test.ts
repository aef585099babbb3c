/**
 * Edges of the ledger service on a real SQLite file: the post-order node key, the one-call leaf hash against
 * merkle.ts, failed and contested commits (nothing acknowledged is lost, no gaps), schema versions, audit findings
 * for missing/extra rows and forged cosignatures, and the master-key file rules.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../src/crypto/bytes.js';
import { HASHES } from '../../src/crypto/hash.js';
import { assertAuditClean } from '../../src/ledger/audit.js';
import { cosignatureLine } from '../../src/ledger/checkpoint.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { resolveMasterKey } from '../../src/ledger/master-key.js';
import { CompactRange, leafHash } from '../../src/ledger/merkle.js';
import { generateNoteKey, parseNote, parseSignerKey } from '../../src/ledger/note.js';
import { openSqliteStore, type SqliteLedgerStore } from '../../src/ledger/store/sqlite.js';
import { nodeHome, nodesCompletedBy, type LedgerStore } from '../../src/ledger/store/types.js';
import { rejectsWith, TEST_MASTER_KEY } from './store-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-ledger-edges-'));
let n = 0;
const freshPath = (): string => join(dir, `l${n++}.db`);
const init = async (path = freshPath()): Promise<Ledger> => Ledger.init(await openSqliteStore(path), { origin: 'court.test/edges', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
const raw = (l: Ledger) => (l.store as SqliteLedgerStore).database;
const entry = (i: number): Uint8Array => utf8(`{"seq":${i}}`);

/** Overwrite node (level, index) in its home leaf row with raw SQL. */
export function patchNode(db: SqliteLedgerStore['database'], level: number, index: number, hash: Uint8Array): void {
  const { leaf, offset } = nodeHome(level, index);
  const blob = Buffer.from(db.prepare('SELECT nodes FROM leaves WHERE idx = ?').pluck().get(leaf) as Buffer);
  blob.set(hash, offset);
  db.prepare('UPDATE leaves SET nodes = ? WHERE idx = ?').run(blob, leaf);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('node keys and hashing', () => {
  it('nodeHome puts every node CompactRange creates into the row of the leaf whose append created it', () => {
    const r = new CompactRange(HASHES.sha256);
    for (let i = 0; i < 3000; i++) {
      const created = r.append(new Uint8Array(32));
      expect(created.length - 1).toBe(nodesCompletedBy(i));
      created.slice(1).forEach((c, j) => expect(nodeHome(c.id.level, c.id.index)).toEqual({ leaf: i, offset: 32 * j }));
    }
  });

  it('the one-shot leafHash fast path equals H(0x00 || entry) for SHA-256, SM3 and entries above the scratch size', () => {
    const slow = (h: typeof HASHES.sha256, d: Uint8Array) => h.digest(new Uint8Array([0]), d);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom(HASHES.sha256, HASHES.sm3), (data, h) => {
      expect(Buffer.from(leafHash(h, data)).equals(Buffer.from(slow(h, data)))).toBe(true);
    }), { numRuns: 200 });
    const big = new Uint8Array(70_000).fill(9);
    expect(Buffer.from(leafHash(HASHES.sha256, big)).equals(Buffer.from(slow(HASHES.sha256, big)))).toBe(true);
    // Results are independent buffers: a later hash does not overwrite an earlier one.
    const a = leafHash(HASHES.sha256, entry(1));
    const copy = Uint8Array.from(a);
    leafHash(HASHES.sha256, entry(2));
    expect(a).toEqual(copy);
  });
});

describe('commits that fail or lose a race', () => {
  it('a failed transaction rejects its whole batch (nothing acknowledged) and later appends stay dense', async () => {
    const ledger = await init();
    try {
      await ledger.append(entry(0));
      const store = ledger.store as LedgerStore;
      const real = store.appendBatch.bind(store);
      let failures = 1;
      store.appendBatch = async (...args) => {
        if (failures-- > 0) throw new Error('disk full (simulated)');
        return real(...args);
      };
      const lost = await Promise.allSettled([1, 2, 3].map((i) => ledger.append(entry(i))));
      expect(lost.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(((lost[0] as PromiseRejectedResult).reason as { code: string }).code).toBe('STORE_UNAVAILABLE');
      const next = await ledger.append(entry(4));
      expect(next.index).toBe(1);
      expect((await ledger.audit()).ok).toBe(true);
    } finally {
      await ledger.close();
    }
  });

  it('a writer that never wins the head lock gives up with LEDGER_CONFLICT', async () => {
    const ledger = await init();
    try {
      const store = ledger.store as LedgerStore;
      store.appendBatch = async () => ({ ok: false, currentSize: 0 });
      await rejectsWith(() => ledger.append(entry(0)), 'LEDGER_CONFLICT');
    } finally {
      await ledger.close();
    }
  });

  it('a store written by a newer schema version is refused with STORE_SCHEMA_NEWER', async () => {
    const path = freshPath();
    const s = await openSqliteStore(path);
    s.database.prepare('INSERT INTO schema_version (version, applied_at) VALUES (99, ?)').run(new Date().toISOString());
    await s.close();
    await rejectsWith(() => openSqliteStore(path), 'STORE_SCHEMA_NEWER');
  });
});

describe('audit findings', () => {
  it('reports a missing node, a leaf beyond the head, a forged cosignature; assertAuditClean throws LEDGER_TAMPERED', async () => {
    const ledger = await init();
    try {
      await Promise.all(Array.from({ length: 16 }, (_, i) => ledger.append(entry(i))));
      const cp = await ledger.checkpoint();
      const witness = generateNoteKey('witness.test/w', 'cosignature-ed25519');
      await ledger.attachCosignature(16, { verifierKey: witness.verifierKey, signature: cosignatureLine(parseNote(cp.note).text, parseSignerKey(witness.signerKey), 1_700_000_000) });
      assertAuditClean(await ledger.audit());

      const db = raw(ledger);
      db.prepare('UPDATE leaves SET nodes = ? WHERE idx = 5').run(new Uint8Array(0)); // node 1/2 lives in leaf 5's row
      db.prepare('INSERT INTO leaves (idx, leaf_hash, data, nodes) VALUES (16, ?, ?, ?)').run(leafHash(HASHES.sha256, entry(16)), entry(16), new Uint8Array(0));
      const other = generateNoteKey('witness.test/w', 'cosignature-ed25519');
      const forged = cosignatureLine(parseNote(cp.note).text, parseSignerKey(other.signerKey), 1_700_000_000);
      db.prepare('UPDATE cosignatures SET signature_line = ? WHERE tree_size = 16').run(forged);

      const report = await ledger.audit();
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'node', level: 1, index: 2, problem: 'node is missing' }));
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'head', index: 16 }));
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'cosignature', index: 16 }));
      // The missing node's parent is still checked (against the recomputed child) and passes.
      expect(report.findings.filter((f) => f.kind === 'node')).toHaveLength(1);
      expect(() => assertAuditClean(report)).toThrowError(expect.objectContaining({ code: 'LEDGER_TAMPERED' }) as unknown as Error);
    } finally {
      await ledger.close();
    }
  });

  it('a checkpoint whose root the stored tree cannot reproduce is reported, and a new checkpoint refuses to sign', async () => {
    const ledger = await init();
    try {
      await Promise.all(Array.from({ length: 8 }, (_, i) => ledger.append(entry(i))));
      await ledger.checkpoint();
      // Rewrite the whole path consistently (leaf bytes, leaf hash, ancestors): only the signed root still tells.
      const h = HASHES.sha256;
      const db = raw(ledger);
      const forged = entry(99);
      db.prepare('UPDATE leaves SET data = ?, leaf_hash = ? WHERE idx = 7').run(forged, leafHash(h, forged));
      const all = new CompactRange(h);
      const created = [];
      for (let i = 0; i < 8; i++) created.push(...all.append(leafHash(h, i === 7 ? forged : entry(i))));
      for (const c of created) if (c.id.level > 0) patchNode(db, c.id.level, c.id.index, c.hash);
      const report = await ledger.audit();
      expect(report.findings.map((f) => f.kind)).toEqual(['checkpoint']);
      await rejectsWith(() => ledger.checkpoint(), 'LEDGER_TAMPERED'); // frontier in memory disagrees with the stored root
    } finally {
      await ledger.close();
    }
  });
});

describe('node hashes a checked proof has read', () => {
  it('are not read from the store again, while a checkpoint still recomputes its root from the store alone', async () => {
    const ledger = await init();
    try {
      await Promise.all(Array.from({ length: 64 }, (_, i) => ledger.append(entry(i))));
      await ledger.checkpoint();
      const store = ledger.store as SqliteLedgerStore;
      const asked: number[] = [];
      const nodes = store.nodes.bind(store);
      store.nodes = async (keys) => {
        asked.push(keys.length);
        return nodes(keys);
      };
      const first = await ledger.proveInclusion(5, 64);
      expect(asked).toHaveLength(1);
      expect(await ledger.proveInclusion(5, 64)).toEqual(first); // every node known and checked: no query
      expect(asked).toHaveLength(1);
      await ledger.proveInclusion(6, 64); // new: leaves 6 and 7 and node 1/2 (leaves 4–5); levels 2–5 are shared with 5's
      expect(asked).toEqual([asked[0], 3]);
      // The root node (6/0, the only peak at size 64) was read by the first proof; damage it in the store. Proofs keep
      // serving the checked value; a new checkpoint recomputes from the store and refuses to sign.
      patchNode(raw(ledger), 6, 0, new Uint8Array(32).fill(7));
      expect((await ledger.proveInclusion(5, 64)).root).toEqual(first.root);
      await ledger.append(entry(64));
      await rejectsWith(() => ledger.checkpoint(), 'LEDGER_TAMPERED');
    } finally {
      await ledger.close();
    }
  });
});

describe('two ledger handles on one store (as two processes)', () => {
  it('each reads and proves what the other appended, and refuses sizes beyond the committed tree', async () => {
    const path = freshPath();
    const a = await init(path);
    const b = await Ledger.open(await openSqliteStore(path), { masterKey: TEST_MASTER_KEY });
    try {
      await a.append(entry(0));
      expect((await b.get(0)).data).toEqual(entry(0));
      await a.append(entry(1)); // b has seen size 1 at most: reading leaf 1 or proving at size 2 must ask the store
      expect((await b.get(1)).data).toEqual(entry(1));
      expect((await b.proveInclusion(1, 2)).treeSize).toBe(2);
      await b.append(entry(2));
      expect((await a.proveInclusion(2, 3)).index).toBe(2);
      expect((await a.get(2)).data).toEqual(entry(2));
      await rejectsWith(() => a.get(3), 'LEAF_NOT_FOUND');
      await rejectsWith(() => b.proveInclusion(0, 4), 'LEDGER_SIZE_EXCEEDED');
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('a damaged frontier', () => {
  it('a ledger whose peak node is gone still opens and audits; appends fail with LEDGER_TAMPERED', async () => {
    const path = freshPath();
    const first = await init(path);
    await Promise.all(Array.from({ length: 8 }, (_, i) => first.append(entry(i))));
    await first.close();
    const s = await openSqliteStore(path);
    s.database.prepare('UPDATE leaves SET nodes = ? WHERE idx = 7').run(new Uint8Array(64)); // drops node 3/0, the only peak
    const ledger = await Ledger.open(s);
    try {
      const report = await ledger.audit();
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'node', level: 3, index: 0, problem: 'node is missing' }));
      await rejectsWith(() => ledger.append(entry(8)), 'LEDGER_TAMPERED');
      await rejectsWith(() => ledger.proveInclusion(0), 'LEDGER_TAMPERED');
    } finally {
      await ledger.close();
    }
  });
});

describe('master key file', () => {
  it('warns about a group-readable key file, refuses a short one and a missing one when creation is off', () => {
    const p = join(dir, 'mk');
    writeFileSync(p, 'a-long-enough-master-passphrase\n');
    chmodSync(p, 0o644);
    const notices: string[] = [];
    expect(resolveMasterKey({ kind: 'file', path: p }, (l) => notices.push(l))).toBe('a-long-enough-master-passphrase');
    expect(notices.join('\n')).toContain('readable by group or others');
    writeFileSync(p, 'short\n');
    expect(() => resolveMasterKey({ kind: 'file', path: p }, () => undefined)).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }) as unknown as Error);
    expect(() => resolveMasterKey({ kind: 'file', path: join(dir, 'none') }, () => undefined, false)).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }) as unknown as Error);
    expect(resolveMasterKey({ kind: 'env', passphrase: 'from-the-environment-123' }, () => undefined)).toBe('from-the-environment-123');
  });
});
