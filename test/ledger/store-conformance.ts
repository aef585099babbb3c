/**
 * The one conformance suite every LedgerStore backend must pass (run by store-sqlite.test.ts and
 * store-postgres.test.ts). Proofs are checked with the RFC 9162 verifiers of src/ledger/merkle.ts and roots against
 * an independent recursive Merkle Tree Hash written here from RFC 9162 §2.1.1.
 */
import { expect, it } from 'vitest';
import { bytesEqual, toHex, utf8 } from '../../src/crypto/bytes.js';
import { HASHES, type HashSuite } from '../../src/crypto/hash.js';
import { CourtBridgeError } from '../../src/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/merkle.js';
import type { LedgerStore } from '../../src/ledger/store/types.js';
import { cosignatureLine } from '../../src/ledger/checkpoint.js';
import { generateNoteKey, openNote, parseNote, parseSignerKey, parseVerifierKey } from '../../src/ledger/note.js';

/** What a backend provides to the suite. */
export interface StoreHarness {
  /** A fresh, empty store (its own file / schema). */
  fresh(): Promise<LedgerStore>;
  /** Open the most recent fresh store again (a new connection / handle), as after a restart. */
  reopen(): Promise<LedgerStore>;
  /** Raw tampering with the most recent fresh store, bypassing the store interface. */
  tamper: {
    leafData(store: LedgerStore, index: number, data: Uint8Array): Promise<void>;
    nodeHash(store: LedgerStore, level: number, index: number, hash: Uint8Array): Promise<void>;
    checkpointNote(store: LedgerStore, treeSize: number, note: string): Promise<void>;
  };
}

/** Passphrase used by every test ledger. */
export const TEST_MASTER_KEY = 'test-master-passphrase-0123456789';

/** RFC 9162 §2.1.1 MTH, recursively (reference for roots). */
export function referenceRoot(h: HashSuite, leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return h.digest();
  if (leaves.length === 1) return h.digest(Uint8Array.of(0), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h.digest(Uint8Array.of(1), referenceRoot(h, leaves.slice(0, k)), referenceRoot(h, leaves.slice(k)));
}

/** Assert that `fn` rejects with a CourtBridgeError of `code`. */
export async function rejectsWith(fn: () => Promise<unknown>, code: string): Promise<CourtBridgeError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CourtBridgeError);
    expect((e as CourtBridgeError).code).toBe(code);
    return e as CourtBridgeError;
  }
  throw new Error(`expected rejection with ${code}`);
}

const entry = (i: number): Uint8Array => utf8(JSON.stringify({ kind: 'attestation', seq: i, pad: 'x'.repeat(Math.abs(i) % 17) }));

/** Register the conformance tests (call inside a describe). `proofSizes`: largest tree for the all-pairs proofs. */
export function storeConformance(harness: StoreHarness, opts: { proofSizes: number } = { proofSizes: 40 }): void {
  it('init creates meta, head 0 and two sealed keys; a second init fails with LEDGER_EXISTS', async () => {
    const store = await harness.fresh();
    try {
      await rejectsWith(() => Ledger.open(store), 'LEDGER_NOT_INITIALIZED');
      const ledger = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
      expect(await store.schemaVersion()).toBe(3);
      expect((await store.meta())!.origin).toBe('court.test/ledger');
      expect(await store.size()).toBe(0);
      const keys = await store.keys();
      expect(keys.map((k) => k.alg).sort()).toEqual(['Ed25519', 'SM2']);
      for (const k of keys) expect(k.sealedPrivate.startsWith('cbsealed1.')).toBe(true);
      expect((await ledger.head()).verifierKeys).toHaveLength(2);
      await rejectsWith(() => Ledger.init(store, { origin: 'other', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY }), 'LEDGER_EXISTS');
      await rejectsWith(() => store.init((ledger.meta), []), 'LEDGER_EXISTS');
    } finally {
      await store.close();
    }
  });

  it(`append/get/prove/consistency verify for every tree size ≤ ${opts.proofSizes} (all pairs)`, async () => {
    const store = await harness.fresh();
    const ledger = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    const h = HASHES.sha256;
    try {
      const data: Uint8Array[] = [];
      const roots: Uint8Array[] = [referenceRoot(h, [])];
      // Uneven batch sizes exercise batch boundaries at every alignment.
      let i = 0;
      for (const batch of [1, 2, 3, 1, 5, 8, 1, 13, 2, 7, 30]) {
        const recs = await Promise.all(Array.from({ length: batch }, () => { const d = entry(i++); data.push(d); return ledger.append(d); }));
        recs.forEach((r, j) => expect(r.index).toBe(data.length - batch + j));
        for (let n = roots.length; n <= data.length; n++) roots.push(referenceRoot(h, data.slice(0, n)));
      }
      expect(await ledger.size()).toBe(data.length);
      for (let n = 0; n <= opts.proofSizes && n <= data.length; n++) {
        expect(toHex(await ledger.rootAt(n))).toBe(toHex(roots[n]!));
        for (let m = 0; m < n; m++) {
          const p = await ledger.proveInclusion(m, n);
          verifyInclusion(h, m, n, h.digest(Uint8Array.of(0), data[m]!), p.proof, roots[n]!);
          if (m > 0) {
            const c = await ledger.proveConsistency(m, n);
            verifyConsistency(h, m, n, roots[m]!, roots[n]!, c.proof);
          }
        }
      }
      const g = await ledger.get(5);
      expect(bytesEqual(g.data, data[5]!)).toBe(true);
      expect(g.leafHash).toBe(toHex(h.digest(Uint8Array.of(0), data[5]!)));
      const last = await ledger.proveInclusion(data.length - 1);
      expect(last.treeSize).toBe(data.length);
    } finally {
      await ledger.close();
    }
  });

  it('objects are appended as RFC 8785 canonical JSON', async () => {
    const store = await harness.fresh();
    const ledger = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    try {
      const r = await ledger.append({ b: [3, 1], a: 'é', c: 1.5e3 });
      expect(Buffer.from((await ledger.get(r.index)).data).toString('utf8')).toBe('{"a":"é","b":[3,1],"c":1500}');
      await rejectsWith(() => ledger.append({ bad: Number.NaN }), 'INVALID_INPUT');
      await rejectsWith(() => ledger.append(new Uint8Array(1024 * 1024 + 1)), 'TOO_LARGE');
    } finally {
      await ledger.close();
    }
  });

  it('group commit: 1,000 concurrent appends → one transaction, all acked, indices dense and unique', async () => {
    const store = await harness.fresh();
    const ledger = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    try {
      await ledger.append(entry(-1));
      const before = ledger.transactions;
      const recs = await Promise.all(Array.from({ length: 1000 }, (_, i) => ledger.append(entry(i))));
      expect(ledger.transactions - before).toBeLessThanOrEqual(2);
      expect(recs.map((r) => r.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect(new Set(recs.map((r) => r.treeSize)).size).toBeLessThanOrEqual(2);
      expect(recs.at(-1)!.treeSize).toBe(1001);
      for (const k of [0, 499, 999]) expect(bytesEqual((await ledger.get(k + 1)).data, entry(k))).toBe(true);
      expect((await ledger.audit()).ok).toBe(true);
    } finally {
      await ledger.close();
    }
  });

  it('reopen resumes the compact range from stored peaks; config mismatch is refused', async () => {
    const h = HASHES.sm3;
    const first = await harness.fresh();
    const l1 = await Ledger.init(first, { origin: 'court.test/sm3', hashAlg: 'sm3', masterKey: TEST_MASTER_KEY });
    const data = Array.from({ length: 23 }, (_, i) => entry(i));
    await Promise.all(data.slice(0, 11).map((d) => l1.append(d)));
    await l1.close();
    const again = await harness.reopen();
    await rejectsWith(() => Ledger.open(again, { expect: { origin: 'court.test/other' } }), 'LEDGER_CONFIG_MISMATCH');
    await rejectsWith(() => Ledger.open(again, { expect: { hashAlg: 'sha256' } }), 'LEDGER_CONFIG_MISMATCH');
    const l2 = await Ledger.open(again, { expect: { origin: 'court.test/sm3', hashAlg: 'sm3' }, masterKey: TEST_MASTER_KEY });
    try {
      const recs = await Promise.all(data.slice(11).map((d) => l2.append(d)));
      expect(recs[0]!.index).toBe(11);
      const root = referenceRoot(h, data);
      expect(toHex(await l2.rootAt(23))).toBe(toHex(root));
      const p = await l2.proveInclusion(17);
      verifyInclusion(h, 17, 23, h.digest(Uint8Array.of(0), data[17]!), p.proof, root);
      const cp = await l2.checkpoint();
      expect(cp.treeSize).toBe(23);
      expect(bytesEqual(cp.root, root)).toBe(true);
    } finally {
      await l2.close();
    }
  });

  it('bad requests fail with LEAF_NOT_FOUND, LEDGER_SIZE_EXCEEDED, BAD_INTEGER, PROOF_SIZE_INVALID', async () => {
    const store = await harness.fresh();
    const ledger = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    try {
      await Promise.all([0, 1, 2].map((i) => ledger.append(entry(i))));
      await rejectsWith(() => ledger.get(3), 'LEAF_NOT_FOUND');
      await rejectsWith(() => ledger.proveInclusion(3), 'LEAF_NOT_FOUND');
      await rejectsWith(() => ledger.proveInclusion(2, 2), 'LEAF_NOT_FOUND');
      await rejectsWith(() => ledger.proveInclusion(0, 4), 'LEDGER_SIZE_EXCEEDED');
      await rejectsWith(() => ledger.proveConsistency(1, 4), 'LEDGER_SIZE_EXCEEDED');
      await rejectsWith(() => ledger.proveConsistency(0, 3), 'PROOF_SIZE_INVALID');
      await rejectsWith(() => ledger.proveConsistency(3, 2), 'PROOF_SIZE_INVALID');
      await rejectsWith(() => ledger.get(-1), 'BAD_INTEGER');
      await rejectsWith(() => ledger.get(1.5), 'BAD_INTEGER');
      await rejectsWith(() => ledger.checkpointNote(7), 'CHECKPOINT_NOT_FOUND');
    } finally {
      await ledger.close();
    }
  });

  it('two writers on one store never fork the tree (head lock + re-hash on conflict)', async () => {
    const store = await harness.fresh();
    const a = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    const otherStore = await harness.reopen();
    const b = await Ledger.open(otherStore, { masterKey: TEST_MASTER_KEY });
    try {
      const recs = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).append(entry(i))));
      const idx = recs.map((r) => r.index).sort((x, y) => x - y);
      expect(idx).toEqual(Array.from({ length: 60 }, (_, i) => i));
      const data = await Promise.all(idx.map(async (i) => (await a.get(i)).data));
      expect(toHex(await b.rootAt(60))).toBe(toHex(referenceRoot(HASHES.sha256, data)));
      expect((await a.audit()).ok).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('idempotency keys: a committed key resolves with the existing receipt and appends nothing', async () => {
    const store = await harness.fresh();
    const ledger = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    try {
      const first = await ledger.append(entry(1), { key: 'att:1' });
      expect(first.existing).toBeUndefined();
      await ledger.append(entry(2));
      // Different bytes, same key: the key decides, the stored leaf is the receipt.
      const again = await ledger.append(entry(99), { key: 'att:1' });
      expect(again).toMatchObject({ index: first.index, leafHash: first.leafHash, existing: true });
      expect(again.treeSize).toBe(2);
      expect(await store.size()).toBe(2);
      expect((await ledger.keyed('att:1'))?.index).toBe(first.index);
      expect(await ledger.keyed('att:none')).toBeUndefined();
      await rejectsWith(() => ledger.append(entry(3), { key: '' }), 'INVALID_INPUT');
      await rejectsWith(() => ledger.append(entry(3), { key: 'has space' }), 'INVALID_INPUT');
      await rejectsWith(() => ledger.append(entry(3), { key: 'k'.repeat(257) }), 'INVALID_INPUT');
      expect((await ledger.audit()).ok).toBe(true);
    } finally {
      await ledger.close();
    }
  });

  it('idempotency keys in one batch: repeats give one leaf and one receipt; a stored key does not abort the batch', async () => {
    const store = await harness.fresh();
    const ledger = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    try {
      const old = await ledger.append(entry(0), { key: 'old' });
      const tx0 = ledger.transactions;
      const recs = await Promise.all([
        ledger.append(entry(1), { key: 'a' }), ledger.append(entry(2)), ledger.append(entry(3), { key: 'a' }),
        ledger.append(entry(4), { key: 'old' }), ledger.append(entry(5), { key: 'b' }), ledger.append(entry(6), { key: 'a' }),
      ]);
      expect(recs[0]).toEqual(recs[2]);
      expect(recs[0]).toEqual(recs[5]);
      expect(recs[3]).toMatchObject({ index: old.index, leafHash: old.leafHash, existing: true });
      const fresh = [recs[0]!, recs[1]!, recs[4]!].map((r) => r.index).sort();
      expect(fresh).toEqual([1, 2, 3]);
      expect(ledger.transactions - tx0).toBe(1); // the stored key cost a re-check, not a second commit
      expect(await store.size()).toBe(4);
      expect(new TextDecoder().decode((await ledger.get(recs[0]!.index)).data)).toBe(new TextDecoder().decode(entry(1)));
      expect((await ledger.audit()).ok).toBe(true);
    } finally {
      await ledger.close();
    }
  });

  it('idempotency keys across two stores appending the same keys concurrently: one leaf per key', async () => {
    const store = await harness.fresh();
    const a = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    const b = await Ledger.open(await harness.reopen(), { masterKey: TEST_MASTER_KEY });
    try {
      // Both writers race on the same 40 keys (each also adds key-less leaves); the head lock orders the batches
      // and the key check in the loser's transaction turns its duplicates into the winner's receipts.
      const rounds = Array.from({ length: 40 }, (_, i) => i);
      const ra = rounds.map((i) => a.append(entry(i), { key: `k${i}` }));
      const rb = rounds.map((i) => b.append(entry(1000 + i), { key: `k${i}` }));
      const extra = [a.append(entry(-1)), b.append(entry(-2))];
      const [xa, xb] = [await Promise.all(ra), await Promise.all(rb)];
      await Promise.all(extra);
      expect(await store.size()).toBe(42);
      for (const i of rounds) {
        expect(xa[i]!.index).toBe(xb[i]!.index);
        expect(xa[i]!.leafHash).toBe(xb[i]!.leafHash);
      }
      expect(new Set(xa.map((r) => r.index)).size).toBe(40);
      expect((await a.audit()).ok).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('checkpoints: signed by both keys, recomputed from stored nodes, consistent, cosignable; audit clean', async () => {
    const store = await harness.fresh();
    const ledger = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    try {
      const empty = await ledger.checkpoint();
      expect(empty.treeSize).toBe(0);
      await Promise.all(Array.from({ length: 9 }, (_, i) => ledger.append(entry(i))));
      const c9 = await ledger.checkpoint();
      expect(c9.note.startsWith(`court.test/ledger\n9\n${Buffer.from(c9.root).toString('base64')}\n\n`)).toBe(true);
      expect(c9.note.split('\n').filter((l) => l.startsWith('— court.test/ledger '))).toHaveLength(2);
      expect((await ledger.checkpoint()).note).toBe(c9.note); // idempotent at the same size
      await Promise.all(Array.from({ length: 4 }, (_, i) => ledger.append(entry(100 + i))));
      await ledger.checkpoint();
      expect((await ledger.checkpoints()).map((c) => c.treeSize)).toEqual([0, 9, 13]);
      // A witness cosigns the latest checkpoint (c2sp.org/tlog-cosignature); a forged line is refused.
      const witness = generateNoteKey('witness.test/w1', 'cosignature-ed25519');
      const c13 = (await ledger.checkpoints()).at(-1)!;
      const line = cosignatureLine(parseNote(c13.note).text, parseSignerKey(witness.signerKey), 1_764_000_000);
      await rejectsWith(() => ledger.attachCosignature(13, { verifierKey: witness.verifierKey, signature: cosignatureLine(parseNote(c9.note).text, parseSignerKey(witness.signerKey), 1) }), 'NOTE_SIGNATURE_INVALID');
      await ledger.attachCosignature(13, { verifierKey: witness.verifierKey, signature: line });
      await rejectsWith(() => ledger.attachCosignature(14, { verifierKey: witness.verifierKey, signature: line }), 'CHECKPOINT_NOT_FOUND');
      const head = await ledger.head();
      expect(head.checkpoint!.note).toBe(c13.note + line);
      expect(openNote(head.checkpoint!.note, [parseVerifierKey(witness.verifierKey)]).sigs).toHaveLength(1);
      expect(openNote(head.checkpoint!.note, head.verifierKeys.map(parseVerifierKey)).sigs).toHaveLength(2);
      expect(head.treeSize).toBe(13);
      expect(head.checkpoint!.treeSize).toBe(13);
      const report = await ledger.audit();
      expect(report.findings).toEqual([]);
      expect(report.checkpointsChecked).toBe(3);
      // Without the master key a ledger verifies but cannot sign.
      const ro = await Ledger.open(await harness.reopen());
      await ro.append(entry(999));
      await rejectsWith(() => ro.checkpoint(), 'CONFIG_INVALID');
      await ro.close();
    } finally {
      await ledger.close();
    }
  });

  it('tampering with a leaf, a node and a checkpoint is reported by audit, each with its kind', async () => {
    const store = await harness.fresh();
    const ledger = await Ledger.init(store, { origin: 'court.test/ledger', hashAlg: 'sha256', masterKey: TEST_MASTER_KEY });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.append(entry(i))));
      await ledger.checkpoint();
      await Promise.all(Array.from({ length: 12 }, (_, i) => ledger.append(entry(50 + i))));
      const cp32 = await ledger.checkpoint();
      expect((await ledger.audit()).ok).toBe(true);

      await harness.tamper.leafData(store, 5, utf8('{"forged":true}'));
      await harness.tamper.nodeHash(store, 2, 3, new Uint8Array(32).fill(7));
      await harness.tamper.checkpointNote(store, 32, cp32.note.replace('\n32\n', '\n31\n'));
      const report = await ledger.audit();
      expect(report.ok).toBe(false);
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'leaf', index: 5 }));
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'node', level: 2, index: 3, problem: 'node hash does not match its children' }));
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'checkpoint', index: 32 }));
      // The parent of the forged node no longer matches its children either; nothing else is reported.
      expect(report.findings.filter((f) => f.kind === 'node').map((f) => `${f.level}/${f.index}`).sort()).toEqual(['2/3', '3/1']);
      await rejectsWith(() => ledger.proveInclusion(9, 32), 'LEDGER_TAMPERED'); // node 2/3 is on leaf 9's path
    } finally {
      await ledger.close();
    }
  });
}
