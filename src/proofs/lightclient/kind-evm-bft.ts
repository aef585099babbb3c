/**
 * FinalityVerifiers of the Besu BFT kinds (`evm-qbft`, `evm-ibft2`): glue from the light client's interface to the
 * EVM engineer's `verifyQbftFinality` / `verifyIbft2Finality` (src/proofs/evm/), which check the header hash and the
 * committed seals (> 2/3 of the trusted addresses, one vote each).
 *
 * Evidence: `{header}` — the `eth_getBlockByNumber` JSON exactly as the node returned it. The chain id is the trust
 * state's (an EVM header does not name its chain; the trusted set binds it).
 *
 * Hand-over (Besu `BlockValidatorProvider.getValidatorsAfterBlock`): the validators listed in block n's extraData
 * finalise block n + 1. When a final header lists a set other than the trusted one, that set takes over from n + 1.
 * DIFF FROM BESU: an empty list (contract-based validator selection keeps none in the header) announces nothing;
 * such chains need their hand-overs from another certified source.
 */
import { toHex0x } from '../../crypto/bytes.js';
import { fail } from '../../errors.js';
import { objectWith } from '../bft/format.js';
import type { BftFinality } from '../evm/bft.js';
import { parseHeader } from '../evm/header.js';
import { safeQuantity } from '../evm/json.js';
import { verifyIbft2Finality } from '../evm/ibft2.js';
import { verifyQbftFinality } from '../evm/qbft.js';
import type { FinalityVerifier, FinalizedHeader, JsonValue, ValidatorSet, VerifyContext } from './types.js';
import { makeValidatorSet } from './validator-set.js';

type EvmBftKind = 'evm-qbft' | 'evm-ibft2';

function evidenceHeader(evidence: unknown): unknown {
  const header = objectWith(evidence, 'evidence', ['header']).header;
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('INVALID_INPUT', { field: 'evidence.header', reason: 'must be an object' });
  return header;
}

/** A light-client set of EVM validator addresses (sorted, as Besu keeps them; one vote each). */
export function evmValidatorSet(kind: EvmBftKind, addresses: readonly string[]): ValidatorSet {
  return makeValidatorSet(kind, [...addresses].sort().map((a) => ({ id: a, address: a, weight: 1 })));
}

function trustedAddresses(kind: EvmBftKind, set: ValidatorSet): string[] {
  if (set.kind !== kind) fail('VALIDATOR_SET_MISMATCH', { expected: kind, actual: set.kind });
  return set.members.map((m) => {
    // The seal count is per address: a weighted EVM set would be misread, so refuse it.
    if (m.address === undefined || m.weight !== 1) return fail('TRUST_STATE_INVALID', { reason: `EVM member ${m.id} must be an address of weight 1` });
    return m.address;
  });
}

function makeVerifier(kind: EvmBftKind, verify: (headerJson: unknown, validators: readonly string[]) => BftFinality): FinalityVerifier {
  return {
    kind,
    heightOf(evidence: JsonValue): number {
      return safeQuantity((evidenceHeader(evidence) as Record<string, unknown>).number, 'evidence.header.number');
    },
    verify(evidence: JsonValue, set: ValidatorSet, ctx: VerifyContext): FinalizedHeader {
      const json = evidenceHeader(evidence);
      const trusted = trustedAddresses(kind, set);
      const f = verify(json, trusted);
      const parentHash = toHex0x(parseHeader(json).parentHash);
      const listed = [...f.validators].sort();
      const same = listed.length === trusted.length && [...trusted].sort().every((a, i) => a === listed[i]);
      const next = listed.length === 0 || same ? undefined : { fromHeight: f.number + 1, set: evmValidatorSet(kind, listed) };
      return {
        chainId: ctx.chainId,
        kind,
        height: f.number,
        hash: f.hash,
        parentHash,
        stateRoot: f.stateRoot,
        timestamp: f.timestamp,
        ...(next === undefined ? {} : { nextValidatorSet: next }),
      };
    },
  };
}

/** FinalityVerifier of `evm-qbft`. */
export const qbftFinalityVerifier: FinalityVerifier = makeVerifier('evm-qbft', verifyQbftFinality);
/** FinalityVerifier of `evm-ibft2`. */
export const ibft2FinalityVerifier: FinalityVerifier = makeVerifier('evm-ibft2', verifyIbft2Finality);
