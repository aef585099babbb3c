/**
 * Clique proof-of-authority (EIP-225): extraData = vanity(32) ‖ [signers (checkpoint blocks)] ‖ seal(65). The signer
 * is recovered from the seal over keccak256(RLP(header with the seal removed from extraData)) and must be one of the
 * authorised signers. The block hash is the ordinary keccak256(RLP(full header)).
 */
import { fail } from '../../errors.js';
import { keccak256 } from '../../crypto/hash.js';
import { bytesEqual, toHex0x } from '../../crypto/bytes.js';
import { computeBlockHash, encodeHeader, parseHeader, type EvmHeader } from './header.js';
import { recoverSealer } from './seal.js';
import { parseValidatorSet } from './bft.js';

const VANITY = 32;
const SEAL = 65;

/** The digest a Clique signer seals (EIP-225 `sigHash`). */
export function cliqueSealDigest(h: EvmHeader): Uint8Array {
  if (h.extraData.length < VANITY + SEAL) fail('BFT_EXTRA_DATA_INVALID', { reason: 'Clique extraData shorter than vanity + seal' });
  return keccak256(encodeHeader(h, h.extraData.subarray(0, h.extraData.length - SEAL)));
}

/** Recover the Clique signer of a parsed header (lower-case address). */
export function cliqueSigner(h: EvmHeader): string {
  const digest = cliqueSealDigest(h);
  return recoverSealer(digest, h.extraData.subarray(h.extraData.length - SEAL), 'extraData.seal');
}

/** Verify a Clique header (eth_getBlock JSON): its `hash` recomputes, and the sealer is in `signers`. */
export function verifyCliqueHeader(headerJson: unknown, signers: readonly string[]): { number: bigint; hash: string; signer: string } {
  const h = parseHeader(headerJson);
  const authorised = new Set(parseValidatorSet(signers, 'signers'));
  const hash = computeBlockHash(h);
  if (h.claimedHash === undefined) fail('INVALID_INPUT', { field: 'header.hash', reason: 'is required' });
  if (!bytesEqual(hash, h.claimedHash)) fail('BLOCK_HASH_MISMATCH', { claimed: toHex0x(h.claimedHash), actual: toHex0x(hash) });
  const signer = cliqueSigner(h);
  if (!authorised.has(signer)) fail('SIGNER_NOT_IN_SET', { signer });
  return { number: h.number, hash: toHex0x(hash), signer };
}
