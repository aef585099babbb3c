/**
 * What proofs read from a ledger store, and what they may keep in memory: node hashes a checked proof accepted, and
 * roots per tree size. A leaf hash, the hash of a complete subtree and the root of a given size never change in an
 * append-only tree, so a proof reads from the store only what no earlier checked proof read (the attestation read
 * was the load test's largest SQLite cost, issue 7). Nothing is kept before the proof that read it has passed its
 * self-check (`keep`); a tampered stored node then shows as a proof that fails it.
 */
import { fail } from '../errors.js';
import type { NodeId } from './merkle.js';
import { nodeKeyString, type LedgerStore } from './store/types.js';

/** Node hashes kept after a checked proof (32 bytes and a short key each: a few MB). */
const CHECKED_NODES_MAX = 65_536;
/** Roots kept, by tree size. */
const ROOTS_MAX = 64;

/** Node hashes read for one proof: `get` one of them, `keep()` them once the proof has passed its check. */
export interface NodeReads {
  get(id: NodeId): Uint8Array;
  keep(): void;
}

/** The read caches of one ledger (oldest entries evicted first). */
export class ProofReads {
  private readonly checkedNodes = new Map<string, Uint8Array>();
  private readonly roots = new Map<number, Uint8Array>();

  /** Read over `store`. */
  constructor(private readonly store: LedgerStore) {}

  /**
   * Fetch the hashes of `ids` in one query (those a checked proof already read come from memory, unless
   * `fromStoreOnly`); a missing node means the stored tree is broken (LEDGER_TAMPERED).
   */
  async fetch(ids: readonly NodeId[], fromStoreOnly = false): Promise<NodeReads> {
    const known = fromStoreOnly ? new Map<string, Uint8Array>() : this.checkedNodes;
    const missing = ids.filter((id) => !known.has(nodeKeyString(id.level, id.index)));
    const got = missing.length === 0 ? new Map<string, Uint8Array>() : await this.store.nodes(missing);
    return {
      get: (id) => {
        const k = nodeKeyString(id.level, id.index);
        return got.get(k) ?? known.get(k) ?? fail('LEDGER_TAMPERED', { reason: `node ${id.level}/${id.index} is missing` });
      },
      keep: () => {
        if (fromStoreOnly) return;
        for (const [k, v] of got) {
          if (known.size >= CHECKED_NODES_MAX) known.delete(known.keys().next().value!);
          known.set(k, v);
        }
      },
    };
  }

  /** The root of `size` a checked proof computed, if still kept. */
  root(size: number): Uint8Array | undefined {
    return this.roots.get(size);
  }

  /** Keep the root of `size` (after the proof that computed it passed its check). */
  rememberRoot(size: number, root: Uint8Array): void {
    if (this.roots.size >= ROOTS_MAX) this.roots.delete(this.roots.keys().next().value!);
    this.roots.set(size, root);
  }
}
