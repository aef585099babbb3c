/**
 * RFC 9162 (Certificate Transparency v2) Merkle trees for the judicial ledger, one hash suite per ledger (SHA-256
 * by default, SM3 selectable): hashing, the compact range a store appends through, proof plans a store fetches in
 * one query, assembly of proofs from fetched nodes, and the verifiers. This module is the public face; the parts
 * live in merkle-hash.ts, merkle-plan.ts, merkle-assemble.ts, compact-range.ts and merkle-verify.ts.
 */
export { NODE_SIZE, leafHash, nodeHash, emptyRoot, rootFromPeaks } from './merkle-hash.js';
export { type NodeId, rootPlan, inclusionPlan, consistencyPlan, planNodes, rangeNodes } from './merkle-plan.js';
export { assemble } from './merkle-assemble.js';
export { CompactRange, type CreatedNode } from './compact-range.js';
export { MAX_PROOF_NODES, verifyInclusion, verifyConsistency, inclusionProofLength, consistencyProofLength } from './merkle-verify.js';
