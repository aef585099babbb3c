/**
 * Finality of Besu QBFT / IBFT 2.0 blocks from their committed seals (read from hyperledger/besu
 * consensus/common/.../BftBlockHashing.java, BftHelpers.java, BftCommitSealsValidationRule.java; not copied).
 *
 * - seal digest   = keccak256(RLP(header with extraData encoded without seals))            (calculateDataHashForCommittedSeal)
 * - on-chain hash = keccak256(RLP(header with extraData without seals and round))          (calculateHashOfBftBlockOnChain)
 *   — this is the `hash` a Besu node reports. The genesis block (number 0) hashes its extraData unchanged.
 * - keccak256(RLP(full header)) is also exposed (`fullHeaderHash`): it covers the seals, e.g. for evidence digests.
 *
 * Steps of `verifyBftFinality`: parse header → decode extraData → check the on-chain hash → recover every seal →
 * reject duplicate signers → reject non-members → count against the quorum.
 *
 * DIFF FROM BESU: the default quorum is MORE than 2/3 (floor(2n/3) + 1). Besu accepts ceil(2n/3), which equals
 * exactly 2/3 when 3 divides n; `quorum: 'besu'` selects Besu's rule.
 */
import { fail } from '../../errors.js';
import { keccak256 } from '../../crypto/hash.js';
import { bytesEqual, toHex0x } from '../../crypto/bytes.js';
import { encodeHeader, parseHeader, type EvmHeader } from './header.js';
import { decodeBftExtraData, encodeBftExtraData, type BftExtraData, type BftVariant } from './bft-extra-data.js';
import { recoverSealer } from './seal.js';
import { address, array } from './json.js';

/** mixHash of every Besu BFT block: "ctical byzantine fault tolerance" (BftHelpers.EXPECTED_MIX_HASH). */
export const BFT_MIX_HASH = new Uint8Array(Buffer.from('63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365', 'hex'));

/** Quorum rule: strictly more than 2/3 (default) or Besu's ceil(2n/3). */
export type QuorumRule = 'more-than-two-thirds' | 'besu';

/** Seals required for `n` validators under `rule`. */
export function bftQuorum(n: number, rule: QuorumRule = 'more-than-two-thirds'): number {
  return rule === 'besu' ? Math.ceil((2 * n) / 3) : Math.floor((2 * n) / 3) + 1;
}

/** The digest validators sign as committed seals. */
export function bftSealDigest(h: EvmHeader, x: BftExtraData, variant: BftVariant): Uint8Array {
  return keccak256(encodeHeader(h, h.number === 0n ? h.extraData : encodeBftExtraData(x, variant, 'without-seals')));
}

/** The block hash a Besu BFT chain reports (excludes seals and round). */
export function bftBlockHash(h: EvmHeader, x: BftExtraData, variant: BftVariant): Uint8Array {
  return keccak256(encodeHeader(h, h.number === 0n ? h.extraData : encodeBftExtraData(x, variant, 'without-seals-and-round')));
}

/** keccak256 of the header exactly as carried (seals included). */
export function fullHeaderHash(h: EvmHeader): Uint8Array {
  return keccak256(encodeHeader(h));
}

/** What a verified final BFT header yields (for the light client). */
export interface BftFinality {
  number: number;
  /** BFT on-chain hash (0x hex), equal to the JSON `hash`. */
  hash: string;
  stateRoot: string;
  timestamp: number;
  /** Validators listed in this header's extraData (lower-case 0x hex), in order. */
  validators: string[];
  /** Distinct recovered signers (lower-case), in seal order. */
  signers: string[];
  round: number;
  variant: BftVariant;
}

/** Options of `verifyBftFinality`. */
export interface BftOptions {
  quorum?: QuorumRule;
}

/** Parse a trusted validator list: addresses, no duplicates, 1..MAX entries. */
export function parseValidatorSet(validators: unknown, field = 'validators'): string[] {
  const list = array(validators, field, 1024).map((v, i) => address(v, `${field}[${i}]`));
  if (list.length === 0) fail('INVALID_INPUT', { field, reason: 'must not be empty' });
  if (new Set(list).size !== list.length) fail('INVALID_INPUT', { field, reason: 'duplicate validator' });
  return list;
}

/** Verify that a QBFT / IBFT 2.0 header (eth_getBlock JSON) is final under the trusted `validators`. */
export function verifyBftFinality(headerJson: unknown, validators: unknown, variant: BftVariant, opts: BftOptions = {}): BftFinality {
  // Step 1: parse the header, the trusted set and the extraData.
  const h = parseHeader(headerJson);
  const trusted = parseValidatorSet(validators);
  if (!bytesEqual(h.mixHash, BFT_MIX_HASH)) fail('BFT_EXTRA_DATA_INVALID', { reason: 'mixHash is not the BFT constant' });
  const x = decodeBftExtraData(h.extraData, variant);
  // Step 2: the reported hash is the BFT on-chain hash.
  const hash = bftBlockHash(h, x, variant);
  if (h.claimedHash === undefined) fail('INVALID_INPUT', { field: 'header.hash', reason: 'is required' });
  if (!bytesEqual(hash, h.claimedHash)) fail('BLOCK_HASH_MISMATCH', { claimed: toHex0x(h.claimedHash), actual: toHex0x(hash) });
  // Step 3: recover every committed seal over the seal digest. More seals than trusted validators cannot all be
  // distinct members, so such headers are refused before any (costly) recovery.
  if (x.seals.length > trusted.length) fail('TOO_LARGE', { field: 'extraData.seals', limit: trusted.length });
  const digest = bftSealDigest(h, x, variant);
  const signers = x.seals.map((s, i) => recoverSealer(digest, s, `extraData.seals[${i}]`));
  // Step 4: duplicates are rejected before anything is counted.
  const seen = new Set<string>();
  for (const s of signers) {
    if (seen.has(s)) fail('DUPLICATE_SIGNER', { signer: s });
    seen.add(s);
  }
  // Step 5: every signer is a member of the trusted set.
  const members = new Set(trusted);
  for (const s of signers) if (!members.has(s)) fail('SIGNER_NOT_IN_SET', { signer: s });
  // Step 6: quorum.
  const need = bftQuorum(trusted.length, opts.quorum);
  if (signers.length < need) fail('QUORUM_NOT_REACHED', { signed: signers.length, total: trusted.length });
  if (h.number > BigInt(Number.MAX_SAFE_INTEGER) || h.timestamp > BigInt(Number.MAX_SAFE_INTEGER)) fail('BAD_INTEGER', { field: 'header.number' });
  return {
    number: Number(h.number),
    hash: toHex0x(hash),
    stateRoot: toHex0x(h.stateRoot),
    timestamp: Number(h.timestamp),
    validators: x.validators.map(toHex0x),
    signers,
    round: x.round,
    variant,
  };
}
