/** Turning a proof plan plus fetched node hashes into proof hashes (or a root, with rootPlan). */
import type { HashSuite } from '../crypto/hash.js';
import { fail } from '../errors.js';
import { checkNode, emptyRoot, nodeHash } from './merkle-hash.js';
import type { NodeId } from './merkle-plan.js';

/**
 * One hash per plan entry: the entry's complete nodes folded from the right. `get` may return undefined for a node
 * the store does not hold → MERKLE_NODE_MISSING; a node that is not 32 bytes → BAD_LENGTH. An empty entry is the
 * empty tree's root.
 */
export function assemble(h: HashSuite, plan: readonly (readonly NodeId[])[], get: (id: NodeId) => Uint8Array | undefined): Uint8Array[] {
  return plan.map((entry) => {
    if (entry.length === 0) return emptyRoot(h);
    let acc: Uint8Array | undefined;
    for (let i = entry.length - 1; i >= 0; i--) {
      const id = entry[i]!;
      const got = get(id);
      if (got === undefined || got === null) fail('MERKLE_NODE_MISSING', { level: id.level, index: id.index });
      const node = checkNode(got, `node ${id.level}/${id.index}`);
      acc = acc === undefined ? node : nodeHash(h, node, acc);
    }
    return Uint8Array.from(acc!);
  });
}
