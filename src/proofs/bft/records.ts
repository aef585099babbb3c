/**
 * Record inclusion in a BFT block: a record is the RFC 8785 canonical JSON of its data, a leaf of the block's RFC 9162
 * Merkle tree of `recordCount` leaves whose root is the header's `recordsRoot`, hashed with `recordsHashAlg`.
 * The proof is checked by the ledger's RFC 9162 §2.1.3.2 verifier (src/ledger/merkle.ts); there is no second one here.
 */
import { canonicalBytes } from '../../crypto/canonical.js';
import { fromHex, toHex0x } from '../../crypto/bytes.js';
import { leafHash, verifyInclusion } from '../../ledger/merkle.js';
import { bftHash } from './encoding.js';
import type { BftHeader, BftRecordProof } from './format.js';

/** Verify that `record` is leaf `record.index` of the header's records tree; returns the `0x` hex leaf hash. */
export function verifyRecordInclusion(header: BftHeader, record: BftRecordProof): string {
  const h = bftHash(header.recordsHashAlg);
  // RFC 9162 §2.1.1: the leaf hash is H(0x00 ‖ leaf); the leaf is the record's canonical JSON bytes.
  const leaf = leafHash(h, canonicalBytes(record.data));
  const proof = record.proof.map((p, i) => fromHex(p, `record.proof[${i}]`, 32));
  verifyInclusion(h, record.index, header.recordCount, leaf, proof, fromHex(header.recordsRoot, 'header.recordsRoot', 32));
  return toHex0x(leaf);
}
