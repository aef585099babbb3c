/**
 * The bytes the BFT format hashes and signs (docs/bft-format.md §Encoding):
 *
 *   signingBytes(header)   = UTF-8("courtbridge-bft-header-v1\n")        ‖ RFC 8785 JSON of the header
 *   headerHash             = H(signingBytes(header))
 *   validatorSetHash       = H(UTF-8("courtbridge-bft-validator-set-v1\n") ‖ RFC 8785 JSON of {validators})
 *   record leaf            = RFC 8785 JSON of the record, hashed as an RFC 9162 §2.1.1 leaf: H(0x00 ‖ leaf)
 *
 * H is the header's `recordsHashAlg` (SHA-256 or SM3): one suite per chain for records, headers and sets.
 * Validators sign `signingBytes(header)` itself (Ed25519 per RFC 8032; ES256K hashes it with SHA-256; SM2 with SM3
 * and Z_A of the default user ID '1234567812345678', GB/T 32918.2). The prefixes separate these messages from every
 * other thing a validator key might sign.
 */
import { canonicalBytes } from '../../crypto/canonical.js';
import { concatBytes, toHex0x, utf8 } from '../../crypto/bytes.js';
import { HASHES, type HashSuite } from '../../crypto/hash.js';
import type { BftHashAlg, BftHeader, BftValidatorSet } from './format.js';

/** Domain-separation prefix of header signing bytes. */
export const HEADER_PREFIX = 'courtbridge-bft-header-v1\n';
/** Domain-separation prefix of the validator-set hash input. */
export const VALIDATOR_SET_PREFIX = 'courtbridge-bft-validator-set-v1\n';

const HEADER_PREFIX_BYTES = utf8(HEADER_PREFIX);
const SET_PREFIX_BYTES = utf8(VALIDATOR_SET_PREFIX);

/** The chain's hash suite. */
export function bftHash(alg: BftHashAlg): HashSuite {
  return HASHES[alg];
}

/** The exact bytes every validator signs for `header`. */
export function headerSigningBytes(header: BftHeader): Uint8Array {
  return concatBytes(HEADER_PREFIX_BYTES, canonicalBytes(header));
}

/** `0x` hex header hash: H(signing bytes). */
export function bftHeaderHash(header: BftHeader): string {
  return toHex0x(bftHash(header.recordsHashAlg).digest(headerSigningBytes(header)));
}

/** `0x` hex validator-set hash under hash suite `alg`. */
export function bftValidatorSetHash(set: BftValidatorSet, alg: BftHashAlg): string {
  return toHex0x(bftHash(alg).digest(SET_PREFIX_BYTES, canonicalBytes({ validators: set.validators })));
}
