/**
 * The GRANDPA justification wire format (sc-consensus-grandpa `GrandpaJustification<Block>`, SCALE):
 *   round u64 ++ Commit { target_hash [32], target_number u32,
 *                         precommits: Vec<SignedPrecommit { precommit: Precommit { target_hash [32], target_number u32 },
 *                                                           signature [64], id [32] }> }
 *   ++ votes_ancestries: Vec<Header>
 * Block numbers inside the commit are plain u32 LE; inside headers they are compact (see header.ts).
 */
import { ScaleReader, ScaleWriter, decodeAll } from './scale.js';
import { type SubstrateHeader, readHeader } from './header.js';

/** Most precommits accepted (two per voter at most: one equivocation each). */
export const MAX_PRECOMMITS = 20_000;
/** Most ancestry headers accepted. */
export const MAX_ANCESTRY = 4_096;
const SIGNED_PRECOMMIT_BYTES = 32 + 4 + 64 + 32;
const MIN_HEADER_BYTES = 32 + 1 + 32 + 32 + 1;

/** One signed precommit. */
export interface SignedPrecommit {
  targetHash: Uint8Array;
  targetNumber: number;
  signature: Uint8Array;
  id: Uint8Array;
}

/** A decoded GRANDPA justification. */
export interface GrandpaJustification {
  round: bigint;
  targetHash: Uint8Array;
  targetNumber: number;
  precommits: SignedPrecommit[];
  votesAncestries: SubstrateHeader[];
}

/** Decode a SCALE-encoded justification strictly (SCALE_INVALID on truncation, bad lengths, trailing bytes). */
export function decodeJustification(bytes: Uint8Array, field = 'justification'): GrandpaJustification {
  return decodeAll(bytes, field, (r: ScaleReader) => {
    const round = r.u64('round');
    const targetHash = r.bytes(32, 'commit.target_hash');
    const targetNumber = r.u32('commit.target_number');
    const precommits = r.vec('commit.precommits', MAX_PRECOMMITS, SIGNED_PRECOMMIT_BYTES, (rr, i) => ({
      targetHash: rr.bytes(32, `commit.precommits[${i}].target_hash`),
      targetNumber: rr.u32(`commit.precommits[${i}].target_number`),
      signature: rr.bytes(64, `commit.precommits[${i}].signature`),
      id: rr.bytes(32, `commit.precommits[${i}].id`),
    }));
    const votesAncestries = r.vec('votes_ancestries', MAX_ANCESTRY, MIN_HEADER_BYTES, (rr, i) => readHeader(rr, `votes_ancestries[${i}]`));
    return { round, targetHash, targetNumber, precommits, votesAncestries };
  });
}

/** Encode a justification (tests and fixtures; headers are written from their exact encodings). */
export function encodeJustification(j: GrandpaJustification): Uint8Array {
  const w = new ScaleWriter().u64(j.round).bytes(j.targetHash).u32(j.targetNumber).compact(j.precommits.length);
  for (const p of j.precommits) w.bytes(p.targetHash).u32(p.targetNumber).bytes(p.signature).bytes(p.id);
  w.compact(j.votesAncestries.length);
  for (const h of j.votesAncestries) w.bytes(h.encoded);
  return w.finish();
}

/**
 * The exact bytes a voter signs for a precommit: sp-consensus-grandpa `localized_payload(round, set_id, message)` =
 * SCALE((Message::Precommit(Precommit { target_hash, target_number }), round, set_id)) — enum index 1 (Prevote 0,
 * Precommit 1, PrimaryPropose 2), hash, u32 LE number, u64 LE round, u64 LE set id: 53 bytes.
 */
export function precommitPayload(targetHash: Uint8Array, targetNumber: number, round: bigint, setId: bigint): Uint8Array {
  return new ScaleWriter().u8(1).bytes(targetHash).u32(targetNumber).u64(round).u64(setId).finish();
}
