/**
 * Portable RFC 9162 proof files, as `courtbridge ledger prove` / `ledger consistency` print them and
 * `courtbridge proof verify` checks them offline (verifiers: src/ledger/verify-file.ts):
 *   {"type":"rfc9162-inclusion","hashAlg","origin","leafIndex","treeSize","leafHash","proof":[hex],"root"}
 *   {"type":"rfc9162-consistency","hashAlg","origin","size1","size2","root1","root2","proof":[hex]}
 */
import { toHex } from '../crypto/bytes.js';
import type { ConsistencyProof, InclusionProof } from './ledger.js';

/** The JSON of an inclusion proof file. */
export function inclusionProofFile(origin: string, hashAlg: string, p: InclusionProof): Record<string, unknown> {
  return {
    type: 'rfc9162-inclusion', hashAlg, origin, leafIndex: p.index, treeSize: p.treeSize,
    leafHash: toHex(p.leafHash), proof: p.proof.map(toHex), root: toHex(p.root),
  };
}

/** The JSON of a consistency proof file. */
export function consistencyProofFile(origin: string, hashAlg: string, p: ConsistencyProof): Record<string, unknown> {
  return {
    type: 'rfc9162-consistency', hashAlg, origin, size1: p.size1, size2: p.size2,
    root1: toHex(p.root1), root2: toHex(p.root2), proof: p.proof.map(toHex),
  };
}
