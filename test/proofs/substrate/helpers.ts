/** Test helpers: error codes, GRANDPA digest logs, and a GRANDPA voter simulator producing the real wire format. */
import { toHex0x } from '../../../src/crypto/bytes.js';
import { type KeyPair, generateKeyPair, sign } from '../../../src/crypto/signature.js';
import { ScaleWriter } from '../../../src/proofs/substrate/scale.js';
import { type SubstrateHeader, buildHeader } from '../../../src/proofs/substrate/header.js';
import type { DigestItem } from '../../../src/proofs/substrate/digest.js';
import { type GrandpaJustification, type SignedPrecommit, encodeJustification, precommitPayload } from '../../../src/proofs/substrate/justification.js';
import type { AuthoritySet } from '../../../src/proofs/substrate/grandpa.js';

/** The CourtBridgeError code `f` throws, or 'OK'. */
export { codeOf } from '../../helpers/codes.js';

const FRNK = new TextEncoder().encode('FRNK');

/** A GRANDPA ConsensusLog digest item (hex): Consensus(FRNK, payload). */
export function frnkLog(payload: Uint8Array): string {
  return toHex0x(frnkItem(payload).raw);
}

/** The same as a DigestItem. */
export function frnkItem(payload: Uint8Array): DigestItem {
  return { kind: 'Consensus', engine: 'FRNK', payload, raw: new ScaleWriter().u8(4).bytes(FRNK).byteVec(payload).finish() };
}

/** ScheduledChange(next_authorities, delay) or, with a median, ForcedChange(median, ...) payloads. */
export function changePayload(keys: Uint8Array[], delay: number, forcedMedian?: number): Uint8Array {
  const w = new ScaleWriter();
  if (forcedMedian === undefined) w.u8(1);
  else w.u8(2).u32(forcedMedian);
  w.compact(keys.length);
  for (const k of keys) w.bytes(k).u64(1);
  return w.u32(delay).finish();
}

/** A header child of `parent` (or a root at `number` when parent is null). */
export function childHeader(parent: SubstrateHeader | null, tag = 0, digest: DigestItem[] = [], number?: number): SubstrateHeader {
  const root = new Uint8Array(32).fill(tag);
  return buildHeader(parent?.hash ?? new Uint8Array(32).fill(0xee), parent ? parent.number + 1 : number ?? 1000, root, root, digest);
}

/** N authorities with fresh Ed25519 keys and weight 1. */
export function makeVoters(n: number): { keys: KeyPair[]; set: AuthoritySet } {
  const keys = Array.from({ length: n }, () => generateKeyPair('Ed25519'));
  return { keys, set: { setId: 7n, authorities: keys.map((k) => ({ publicKey: k.publicKey, weight: 1n })) } };
}

/** A signed precommit by `key` for `target`, exactly as a GRANDPA voter signs it. */
export function precommit(key: KeyPair, target: SubstrateHeader, round: bigint, setId: bigint): SignedPrecommit {
  return {
    targetHash: target.hash,
    targetNumber: target.number,
    signature: sign(key, precommitPayload(target.hash, target.number, round, setId)),
    id: key.publicKey,
  };
}

/** Build a justification: `votes` lists (voter key, voted header); commit target and ancestry as given. */
export function makeJustification(opts: { round?: bigint; setId: bigint; target: SubstrateHeader; votes: [KeyPair, SubstrateHeader][]; ancestry?: SubstrateHeader[] }): { j: GrandpaJustification; bytes: Uint8Array } {
  const round = opts.round ?? 42n;
  const j: GrandpaJustification = {
    round,
    targetHash: opts.target.hash,
    targetNumber: opts.target.number,
    precommits: opts.votes.map(([k, h]) => precommit(k, h, round, opts.setId)),
    votesAncestries: opts.ancestry ?? [],
  };
  return { j, bytes: encodeJustification(j) };
}
