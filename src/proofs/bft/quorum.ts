/**
 * Verification of a BFT quorum certificate (docs/bft-format.md §Validity), as an ordered list of named steps:
 *
 *   1. the validator set is the one the header names   (VALIDATOR_SET_MISMATCH)
 *   2. the certificate is for this header               (HEADER_HASH_MISMATCH)
 *   3. every signer is a member of the set              (SIGNER_NOT_IN_SET)
 *   4. no member signs twice — checked before counting  (DUPLICATE_SIGNER)
 *   5. the signers carry MORE than 2/3 of the weight:   3·signed > 2·total, integers only (QUORUM_NOT_REACHED)
 *   6. every signature verifies over the signing bytes  (SIGNATURE_INVALID / BAD_SIGNATURE_ENCODING / BAD_PUBLIC_KEY)
 *
 * Step 5 runs before step 6 so that a certificate that cannot reach quorum costs no signature verification; a valid
 * certificate passes all six either way. Every signature is verified, not only enough of them: a certificate with
 * one bad signature is a malformed certificate and is rejected.
 */
import { fromHex } from '../../crypto/bytes.js';
import { verifySignature } from '../../crypto/signature.js';
import { fail } from '../../errors.js';
import { bftHeaderHash, bftValidatorSetHash, headerSigningBytes } from './encoding.js';
import type { BftCertificate, BftHeader, BftValidatorSet } from './format.js';

/** What a valid certificate establishes. */
export interface QuorumResult {
  /** `0x` hex hash of the certified header. */
  readonly headerHash: string;
  /** Ids of the signers, in certificate order. */
  readonly signers: readonly string[];
  /** Sum of the signers' weights. */
  readonly signedWeight: number;
  /** Total weight of the set. */
  readonly totalWeight: number;
}

/** True iff `signed` is MORE than two thirds of `total` (BFT quorum; exactly 2/3 is not enough). */
export function isQuorum(signed: number, total: number): boolean {
  return 3 * signed > 2 * total;
}

/** Verify that `certificate` proves `header` final under `set`; throws a coded error otherwise. */
export function verifyQuorumCertificate(header: BftHeader, set: BftValidatorSet, certificate: BftCertificate): QuorumResult {
  // Step 1: the set is the one the header commits to.
  const setHash = bftValidatorSetHash(set, header.recordsHashAlg);
  if (setHash !== header.validatorSetHash) fail('VALIDATOR_SET_MISMATCH', { expected: header.validatorSetHash, actual: setHash });

  // Step 2: the certificate names this header.
  const headerHash = bftHeaderHash(header);
  if (certificate.headerHash !== headerHash) fail('HEADER_HASH_MISMATCH', { claimed: certificate.headerHash, actual: headerHash });

  // Steps 3–4: resolve every signer to a member index; unknown or repeated signers fail before any counting.
  const byId = new Map(set.validators.map((v, i) => [v.id, i] as const));
  const seen = new Set<number>();
  const members: number[] = [];
  for (const sig of certificate.signatures) {
    const index = typeof sig.validator === 'string' ? byId.get(sig.validator) : sig.validator < set.validators.length ? sig.validator : undefined;
    if (index === undefined) fail('SIGNER_NOT_IN_SET', { signer: String(sig.validator) });
    if (seen.has(index)) fail('DUPLICATE_SIGNER', { signer: set.validators[index]!.id });
    seen.add(index);
    members.push(index);
  }

  // Step 5: strictly more than 2/3 of the total weight (weights are bounded so 3·total is a safe integer).
  let total = 0;
  for (const v of set.validators) total += v.weight;
  let signed = 0;
  for (const i of members) signed += set.validators[i]!.weight;
  if (!isQuorum(signed, total)) fail('QUORUM_NOT_REACHED', { signed, total });

  // Step 6: every signature verifies over the signing bytes (a malformed key: BAD_PUBLIC_KEY). One-shot verifies:
  // a precomputed verifier costs more than it saves for a single SM2 signature.
  const message = headerSigningBytes(header);
  certificate.signatures.forEach((sig, k) => {
    const v = set.validators[members[k]!]!;
    const publicKey = fromHex(v.publicKey, `validators[${members[k]}].publicKey`);
    const signature = fromHex(sig.signature, `signatures[${k}].signature`, 64);
    if (!verifySignature(v.alg, publicKey, message, signature)) fail('SIGNATURE_INVALID', { alg: v.alg, signer: v.id });
  });

  return { headerHash, signers: members.map((i) => set.validators[i]!.id), signedWeight: signed, totalWeight: total };
}
