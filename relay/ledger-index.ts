/**
 * The attestation-id → ledger-index index (`relay_attestations`), repaired from the ledger itself.
 *
 * The ledger append and the receipt write are two transactions (the ledger's group committer owns its own), so a
 * process may die after a leaf is durable and before its receipt is. Exactly-once no longer rests on this index:
 * the pipeline appends with the attestation id as the ledger's idempotency key (ledger schema v2 `leaf_keys`), so a
 * retry — in this process or another — gets the existing leaf back from the database itself.
 *
 * What remains is a fallback, run once at every engine start: the leaves above the scan cursor are read in bounded
 * pages and every attestation found is indexed. It covers attestations appended WITHOUT a key (before ledger v2) and
 * fills receipt rows (the court's attestation-id lookups) for leaves whose process died before its receipt. The
 * cursor only moves forward, so each leaf is scanned once.
 */
import { toHex } from '../src/crypto/bytes.js';
import type { Ledger } from '../src/ledger/ledger.js';
import { attestationIdOfLeaf } from './attestation.js';
import type { AttestationReceiptRow, RelayStore } from './jobs/types.js';

/** Leaves read per query while scanning. */
export const SCAN_PAGE = 512;

/** Index every attestation in leaves [cursor, size); returns the number of leaves scanned. */
export async function repairIndex(ledger: Ledger, store: RelayStore, now: number = Date.now()): Promise<number> {
  const from = await store.scanCursor();
  const size = await ledger.size();
  for (let i = from; i < size; i += SCAN_PAGE) {
    const to = Math.min(size, i + SCAN_PAGE);
    const rows: AttestationReceiptRow[] = [];
    for (const leaf of await ledger.store.leaves(i, to)) {
      const id = attestationIdOfLeaf(leaf.data);
      // A repaired receipt names the smallest tree holding the leaf; any larger size proves inclusion as well.
      if (id !== undefined) rows.push({ attestationId: id, jobId: null, ledgerIndex: leaf.index, leafHash: toHex(leaf.leafHash), treeSize: leaf.index + 1, createdAt: now });
    }
    await store.putReceipts(rows);
    await store.setScanCursor(to);
  }
  return size - from;
}
