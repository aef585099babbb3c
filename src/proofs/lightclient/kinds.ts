/**
 * The one registry of finality verifiers: chain kind → FinalityVerifier, written out explicitly (no registration by
 * import side effect). A kind missing here cannot be accepted by the light client (UNKNOWN_TYPE).
 *
 * `evm-clique` is deliberately absent: a Clique header carries one signer's seal and has no finality certificate
 * (EIP-225); accepting it as final would need a different rule (N/2 + 1 distinct signers over descendant blocks).
 */
import { bftFinalityVerifier } from '../bft/finality.js';
import { ibft2FinalityVerifier, qbftFinalityVerifier } from './kind-evm-bft.js';
import { grandpaFinalityVerifier } from './kind-grandpa.js';
import type { ChainKind, FinalityVerifier } from './types.js';

/** Verifiers by kind. */
export const FINALITY_VERIFIERS: Readonly<Partial<Record<ChainKind, FinalityVerifier>>> = Object.freeze({
  'evm-qbft': qbftFinalityVerifier,
  'evm-ibft2': ibft2FinalityVerifier,
  'substrate-grandpa': grandpaFinalityVerifier,
  'bft-qc': bftFinalityVerifier,
});
