/**
 * The light client's FinalityVerifier for `bft-qc` chains. Evidence is `{header, certificate, nextValidatorSet?}`
 * in the format of docs/bft-format.md; the validator set comes from the trust state, never from the evidence.
 *
 * Hand-over (docs/bft-format.md §Hand-over): a certified header whose `nextValidatorSetHash` differs from its
 * `validatorSetHash` hands finality to the set with that hash from `height + 1`; the evidence must reveal that set,
 * and the revealed set must hash to the certified value (VALIDATOR_SET_UNCERTIFIED otherwise).
 */
import { fail } from '../../errors.js';
import type { FinalityVerifier, FinalizedHeader, JsonValue, ValidatorSet, VerifyContext } from '../lightclient/types.js';
import { makeValidatorSet } from '../lightclient/validator-set.js';
import { bftValidatorSetHash } from './encoding.js';
import { objectWith, parseBftCertificate, parseBftHeader, parseBftValidatorSet, safeInt, type BftHeader, type BftSigAlg, type BftValidatorSet } from './format.js';
import { verifyQuorumCertificate } from './quorum.js';

/** A trusted light-client set in the wire form the BFT hash commits to. */
export function toBftValidatorSet(set: ValidatorSet): BftValidatorSet {
  if (set.kind !== 'bft-qc') fail('VALIDATOR_SET_MISMATCH', { expected: 'a bft-qc set', actual: set.kind });
  return {
    validators: set.members.map((m) => {
      if (m.alg === undefined || m.publicKey === undefined) return fail('TRUST_STATE_INVALID', { reason: `member ${m.id} has no key` });
      return { id: m.id, alg: m.alg as BftSigAlg, publicKey: m.publicKey, weight: m.weight };
    }),
  };
}

/** A BFT wire set as a light-client set. */
export function fromBftValidatorSet(set: BftValidatorSet): ValidatorSet {
  return makeValidatorSet('bft-qc', set.validators.map((v) => ({ id: v.id, weight: v.weight, alg: v.alg, publicKey: v.publicKey })));
}

/** Verify `{header, certificate, nextValidatorSet?}` under `set`; returns the parsed header and the finalized view. */
export function verifyBftEvidence(evidence: unknown, set: ValidatorSet, ctx: VerifyContext): { header: BftHeader; finalized: FinalizedHeader } {
  const o = objectWith(evidence, 'evidence', ['header', 'certificate'], ['nextValidatorSet']);
  const header = parseBftHeader(o.header, 'evidence.header');
  const certificate = parseBftCertificate(o.certificate, 'evidence.certificate');
  if (header.chainId !== ctx.chainId) fail('CHAIN_ID_MISMATCH', { expected: ctx.chainId, actual: header.chainId });
  const quorum = verifyQuorumCertificate(header, toBftValidatorSet(set), certificate);

  // Hand-over: only a set committed to by the certified header is accepted.
  let next: ValidatorSet | undefined;
  const revealed = o.nextValidatorSet === undefined ? undefined : parseBftValidatorSet(o.nextValidatorSet, 'evidence.nextValidatorSet');
  const committed = header.nextValidatorSetHash;
  if (revealed !== undefined) {
    const actual = bftValidatorSetHash(revealed, header.recordsHashAlg);
    if (committed === undefined) fail('VALIDATOR_SET_UNCERTIFIED', { setId: actual, reason: 'the header commits to no next validator set' });
    if (actual !== committed) fail('VALIDATOR_SET_UNCERTIFIED', { setId: actual, reason: `the header commits to ${committed}` });
    if (committed !== header.validatorSetHash) next = fromBftValidatorSet(revealed);
  } else if (committed !== undefined && committed !== header.validatorSetHash) {
    fail('VALIDATOR_SET_UNCERTIFIED', { setId: committed, reason: 'the header hands over to a set the evidence does not reveal' });
  }

  const finalized: FinalizedHeader = {
    chainId: header.chainId,
    kind: 'bft-qc',
    height: header.height,
    hash: quorum.headerHash,
    parentHash: header.parentHash,
    stateRoot: header.recordsRoot,
    timestamp: header.timestamp,
    ...(next === undefined ? {} : { nextValidatorSet: { fromHeight: header.height + 1, set: next } }),
  };
  return { header, finalized };
}

/** FinalityVerifier of the `bft-qc` kind. */
export const bftFinalityVerifier: FinalityVerifier = {
  kind: 'bft-qc',
  heightOf(evidence: JsonValue): number {
    const o = objectWith(evidence, 'evidence', ['header', 'certificate'], ['nextValidatorSet']);
    return safeInt(parseBftHeader(o.header, 'evidence.header').height, 'evidence.header.height');
  },
  verify(evidence: JsonValue, set: ValidatorSet, ctx: VerifyContext): FinalizedHeader {
    return verifyBftEvidence(evidence, set, ctx).finalized;
  },
};
