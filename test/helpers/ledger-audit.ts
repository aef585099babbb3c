/** Test helper: the after-crash check of a ledger's tree, shared by the ledger and reliability crash tests. */
import { expect } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { verifyConsistency } from '../../src/ledger/merkle.js';

/** Assert the tree is consistent with every non-empty checkpoint `seen` before, and the full audit is clean at the final size. */
export async function expectSoundTree(ledger: Ledger, seen: readonly { size: number; root: Uint8Array }[]): Promise<void> {
  const final = await ledger.checkpoint();
  for (const c of seen) {
    if (c.size === 0) continue;
    const p = await ledger.proveConsistency(c.size, final.treeSize);
    verifyConsistency(ledger.h, c.size, final.treeSize, c.root, final.root, p.proof);
  }
  const report = await ledger.audit();
  expect(report.findings).toEqual([]);
  expect(report.treeSize).toBe(final.treeSize);
}
