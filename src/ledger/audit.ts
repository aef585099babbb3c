/**
 * Audit of a stored ledger: everything the store holds is re-derived from what it was derived from, and every
 * discrepancy is reported with where it is and what is wrong (nothing stops at the first finding):
 *  1. head — the committed size matches the leaves present (no gaps, nothing beyond it);
 *  2. leaves — each leaf hash is H(0x00 ‖ bytes) of its stored bytes (RFC 9162 §2.1.1);
 *  3. nodes — each complete subtree of level ≥ 1 is present and is H(0x01 ‖ left ‖ right) of its stored children;
 *     no node exists that the tree size does not imply;
 *  4. checkpoints — each note verifies under both ledger keys, its body names this origin, its size and root match
 *     the row, and the root equals the root recomputed from stored nodes; each witness cosignature verifies;
 *  5. consistency — an RFC 9162 consistency proof between each pair of successive checkpoints, built from stored
 *     nodes, verifies against the two signed roots.
 * Leaves (with the nodes their appends completed) are streamed in pages; memory is O(page + log n).
 */
import { bytesEqual, toHex } from '../crypto/bytes.js';
import { hashSuite, type HashSuite } from '../crypto/hash.js';
import { asCourtBridgeError, fail } from '../errors.js';
import { assemble, consistencyPlan, leafHash, nodeHash, planNodes, rootFromPeaks, rootPlan, verifyConsistency, type NodeId } from './merkle.js';
import type { LedgerKeyring } from './ledger-keys.js';
import { nodeFromRow, nodeKeyString, nodesCompletedBy, type LedgerMeta, type LedgerStore } from './store/types.js';

/** What kind of stored object a finding is about. */
export type FindingKind = 'head' | 'leaf' | 'node' | 'checkpoint' | 'cosignature' | 'consistency';

/** One discrepancy. */
export interface AuditFinding {
  kind: FindingKind;
  /** Leaf index, node index, or checkpoint tree size. */
  index: number;
  /** Node level (node findings only). */
  level?: number;
  /** What is wrong, e.g. `leaf hash does not match the stored bytes`. */
  problem: string;
}

/** Result of an audit. */
export interface AuditReport {
  ok: boolean;
  treeSize: number;
  leavesChecked: number;
  nodesChecked: number;
  checkpointsChecked: number;
  findings: AuditFinding[];
}

const PAGE = 10_000;
/** Findings beyond this are counted but not listed, so a wrecked store cannot exhaust memory. */
const MAX_FINDINGS = 1000;

/** Throw LEDGER_TAMPERED naming the findings unless the report is clean. */
export function assertAuditClean(report: AuditReport): void {
  if (report.ok) return;
  const first = report.findings.slice(0, 5).map(describeFinding).join('; ');
  fail('LEDGER_TAMPERED', { reason: `${report.findings.length} finding(s): ${first}`, findings: report.findings.length });
}

/** One line naming a finding: `leaf 5: leaf hash does not match the stored bytes`. */
export function describeFinding(f: AuditFinding): string {
  return f.kind === 'node' ? `node ${f.level}/${f.index}: ${f.problem}` : `${f.kind} ${f.index}: ${f.problem}`;
}

/** Audit the ledger in `store` (see the module comment for the steps). */
export async function auditLedger(store: LedgerStore, meta: LedgerMeta, keyring: LedgerKeyring): Promise<AuditReport> {
  const h = hashSuite(meta.hashAlg);
  const findings: AuditFinding[] = [];
  const add = (f: AuditFinding): void => {
    if (findings.length < MAX_FINDINGS) findings.push(f);
  };
  const size = await store.size();

  // Steps 1–3 in one pass in append order. A stack of STORED hashes (a compact range of what is stored) gives each
  // node its stored children: after leaf i come the t nodes its append closed (t = trailing one bits of i), kept in
  // leaf i's row. A missing node is replaced by the hash of its children so that its parent is still checked.
  const stack: Uint8Array[] = [];
  let leavesChecked = 0;
  let nodesChecked = 0;
  for (let from = 0; from < size; from += PAGE) {
    const to = Math.min(size, from + PAGE);
    const rows = await store.leaves(from, to);
    let li = 0;
    for (let i = from; i < to; i++) {
      const r = rows[li]?.index === i ? rows[li++] : undefined;
      const t = nodesCompletedBy(i);
      if (r) {
        leavesChecked++;
        if (!bytesEqual(leafHash(h, r.data), r.leafHash)) add({ kind: 'leaf', index: i, problem: 'leaf hash does not match the stored bytes' });
        if (r.nodes.length > 32 * t) add({ kind: 'leaf', index: i, problem: `row holds ${r.nodes.length} bytes of node hashes, its append completes ${t} node(s)` });
        stack.push(r.leafHash.length === 32 ? r.leafHash : leafHash(h, r.data));
      } else {
        add({ kind: 'leaf', index: i, problem: 'leaf is missing' });
        stack.push(new Uint8Array(32));
      }
      for (let level = 1, s = i; level <= t; level++, s = (s - 1) / 2) {
        const right = stack.pop()!;
        const left = stack.pop()!;
        const expected = nodeHash(h, left, right);
        const index = (s - 1) / 2;
        const stored = r && nodeFromRow(r.nodes, level);
        if (stored !== undefined) {
          nodesChecked++;
          if (!bytesEqual(stored, expected)) add({ kind: 'node', level, index, problem: 'node hash does not match its children' });
          stack.push(stored);
        } else {
          add({ kind: 'node', level, index, problem: 'node is missing' });
          stack.push(expected);
        }
      }
    }
  }
  const extraLeaves = await store.leaves(size, size + 1000);
  for (const r of extraLeaves.slice(0, 10)) add({ kind: 'head', index: r.index, problem: `leaf stored beyond the committed tree size ${size}` });

  // Steps 4–5: checkpoints, cosignatures, consistency between successive checkpoints.
  const cps = await store.checkpoints();
  let prev: { size: number; root: Uint8Array } | undefined;
  for (const cp of cps) {
    const signed = checkCheckpoint(cp.treeSize, () => keyring.openCheckpoint(cp.note), add);
    if (signed && (signed.treeSize !== cp.treeSize || !bytesEqual(signed.root, cp.root))) {
      add({ kind: 'checkpoint', index: cp.treeSize, problem: 'signed size/root differ from the stored row' });
    }
    if (cp.treeSize > size) {
      add({ kind: 'checkpoint', index: cp.treeSize, problem: `checkpoint beyond the committed tree size ${size}` });
      continue;
    }
    const root = await storedRoot(store, h, cp.treeSize).catch(() => undefined);
    const signedRoot = signed?.root ?? cp.root;
    if (!root || !bytesEqual(root, signedRoot)) {
      add({ kind: 'checkpoint', index: cp.treeSize, problem: `signed root ${toHex(signedRoot)} does not match the root recomputed from stored nodes` });
    }
    for (const c of await store.cosignatures(cp.treeSize)) {
      try {
        keyring.verifyStoredCosignature(cp, c);
      } catch (e) {
        add({ kind: 'cosignature', index: cp.treeSize, problem: `cosignature by ${c.keyName} does not verify (${asCourtBridgeError(e).code})` });
      }
    }
    if (prev && prev.size > 0 && signed) {
      try {
        const proof = await consistencyFromStore(store, h, prev.size, cp.treeSize);
        verifyConsistency(h, prev.size, cp.treeSize, prev.root, signed.root, proof);
      } catch (e) {
        add({ kind: 'consistency', index: cp.treeSize, problem: `not consistent with checkpoint ${prev.size} (${asCourtBridgeError(e).code})` });
      }
    }
    if (signed) prev = { size: cp.treeSize, root: signed.root };
  }
  return { ok: findings.length === 0, treeSize: size, leavesChecked, nodesChecked, checkpointsChecked: cps.length, findings };
}

function checkCheckpoint<T>(size: number, open: () => T, add: (f: AuditFinding) => void): T | undefined {
  try {
    return open();
  } catch (e) {
    add({ kind: 'checkpoint', index: size, problem: `signed note does not verify (${asCourtBridgeError(e).code})` });
    return undefined;
  }
}

async function fetchAll(store: LedgerStore, ids: readonly NodeId[]): Promise<(id: NodeId) => Uint8Array> {
  const got = await store.nodes(ids);
  return (id) => got.get(nodeKeyString(id.level, id.index)) ?? fail('MERKLE_NODE_MISSING', { level: id.level, index: id.index });
}

async function storedRoot(store: LedgerStore, h: HashSuite, size: number): Promise<Uint8Array> {
  const plan = rootPlan(size);
  const get = await fetchAll(store, plan);
  return rootFromPeaks(h, plan.map(get));
}

async function consistencyFromStore(store: LedgerStore, h: HashSuite, size1: number, size2: number): Promise<Uint8Array[]> {
  const plan = consistencyPlan(size1, size2);
  return assemble(h, plan, await fetchAll(store, planNodes(plan)));
}
