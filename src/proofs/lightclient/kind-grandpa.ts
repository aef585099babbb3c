/**
 * FinalityVerifier of `substrate-grandpa`: glue from the light client's interface to the Substrate engineer's
 * `verifyGrandpaJustification` and header parsing (src/proofs/substrate/).
 *
 * Evidence: `{header, justification}` — the `chain_getHeader` JSON of the finalised block and the SCALE-encoded
 * GRANDPA justification (`0x` hex, as in `chain_getBlock().justifications` under engine `FRNK`). The justification
 * must target exactly this header (hash and number). The chain id is the trust state's.
 *
 * Hand-over (Polkadot Protocol Specification §6.1.3; sc-consensus-grandpa authorities.rs): a ScheduledChange or
 * ForcedChange with delay d logged in final block n is enacted at n + d, which the current set still finalises; the
 * new set (set id + 1) finalises from n + d + 1. Pause, Resume and OnDisabled do not change the set.
 */
import { fromHex, toHex0x } from '../../crypto/bytes.js';
import { fail } from '../../errors.js';
import { objectWith } from '../bft/format.js';
import { grandpaLogs } from '../substrate/digest.js';
import { verifyGrandpaJustification, type AuthoritySet } from '../substrate/grandpa.js';
import { parseHeaderJson } from '../substrate/header.js';
import type { FinalityVerifier, FinalizedHeader, JsonValue, ValidatorHandover, ValidatorSet, VerifyContext } from './types.js';
import { makeValidatorSet } from './validator-set.js';

/** Longest justification accepted (hex characters): 20,000 precommits of 132 bytes plus ancestry. */
const MAX_JUSTIFICATION_HEX = 2 * 8 * 1024 * 1024;

function evidenceParts(evidence: unknown): { header: unknown; justification: unknown } {
  const o = objectWith(evidence, 'evidence', ['header', 'justification']);
  return { header: o.header, justification: o.justification };
}

/** A light-client set of GRANDPA authorities (Ed25519 keys, u64 weights that must be safe integers). */
export function grandpaValidatorSet(setId: number, authorities: readonly { publicKey: Uint8Array; weight: bigint }[]): ValidatorSet {
  return makeValidatorSet(
    'substrate-grandpa',
    authorities.map((a, i) => {
      if (a.weight > BigInt(Number.MAX_SAFE_INTEGER)) fail('BAD_INTEGER', { field: `authorities[${i}].weight` });
      const key = toHex0x(a.publicKey);
      return { id: key, alg: 'Ed25519' as const, publicKey: key, weight: Number(a.weight) };
    }),
    setId,
  );
}

function toAuthoritySet(set: ValidatorSet): AuthoritySet {
  if (set.kind !== 'substrate-grandpa' || set.setId === undefined) return fail('VALIDATOR_SET_MISMATCH', { expected: 'a GRANDPA set with a set id', actual: set.kind });
  return {
    setId: BigInt(set.setId),
    authorities: set.members.map((m) => ({ publicKey: fromHex(m.publicKey, `members[${m.id}].publicKey`, 32), weight: BigInt(m.weight) })),
  };
}

/** FinalityVerifier of `substrate-grandpa`. */
export const grandpaFinalityVerifier: FinalityVerifier = {
  kind: 'substrate-grandpa',
  heightOf(evidence: JsonValue): number {
    return parseHeaderJson(evidenceParts(evidence).header, 'evidence.header').number;
  },
  verify(evidence: JsonValue, set: ValidatorSet, ctx: VerifyContext): FinalizedHeader {
    // Step 1: parse the header (its hash is BLAKE2b-256 of its SCALE encoding) and the justification bytes.
    const parts = evidenceParts(evidence);
    const header = parseHeaderJson(parts.header, 'evidence.header');
    // A non-string is BAD_HEX (fromHex), not TOO_LARGE; only an oversized string is refused unread.
    if (typeof parts.justification === 'string' && parts.justification.length > MAX_JUSTIFICATION_HEX) fail('TOO_LARGE', { field: 'evidence.justification', limit: MAX_JUSTIFICATION_HEX });
    const bytes = fromHex(parts.justification, 'evidence.justification');
    // Step 2: the justification is valid under the trusted set (set id included in every signed precommit).
    const verified = verifyGrandpaJustification(bytes, toAuthoritySet(set));
    // Step 3: it finalises this very header.
    const hash = toHex0x(header.hash);
    if (verified.targetHash !== hash || verified.targetNumber !== header.number) {
      fail('HEADER_HASH_MISMATCH', { claimed: `${verified.targetHash} #${verified.targetNumber}`, actual: `${hash} #${header.number}` });
    }
    // Step 4: an authority-set change signalled in this final header.
    let next: ValidatorHandover | undefined;
    for (const log of grandpaLogs(header.digest, 'evidence.header.digest.logs')) {
      if (log.kind !== 'ScheduledChange' && log.kind !== 'ForcedChange') continue;
      if (next !== undefined) fail('VALIDATOR_SET_UNCERTIFIED', { setId: set.setId! + 1, reason: 'two authority-set changes in one header' });
      next = { fromHeight: header.number + log.delay + 1, set: grandpaValidatorSet(set.setId! + 1, log.authorities) };
    }
    return {
      chainId: ctx.chainId,
      kind: 'substrate-grandpa',
      height: header.number,
      hash,
      parentHash: toHex0x(header.parentHash),
      stateRoot: toHex0x(header.stateRoot),
      ...(next === undefined ? {} : { nextValidatorSet: next }),
    };
  },
};
