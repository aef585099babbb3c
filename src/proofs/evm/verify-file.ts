/**
 * Proof-file verifiers for `courtbridge proof verify` (registered in src/cli/proof-types.ts):
 *
 * - `evm-account`: `{ header: eth_getBlockBy* result | stateRoot: hex, proof: eth_getProof result }` — exactly one
 *   of header / stateRoot. Valid iff the header hash recomputes (when given) and the eth_getProof result verifies
 *   against the state root with every claimed field equal to the proven one (eip1186.ts).
 * - `qbft-header`: `{ header: eth_getBlock result of a QBFT / IBFT 2.0 chain, validators: [address],
 *   variant?: 'qbft' | 'ibft2' }` — valid iff the BFT hash matches and > 2/3 of the validators sealed it (bft.ts).
 */
import { fail } from '../../errors.js';
import { verifyHeaderJson } from './header.js';
import { verifyAccountProof } from './eip1186.js';
import { verifyBftFinality } from './bft.js';
import { data } from './json.js';

/** Verify an `evm-account` proof file (see the module comment). */
export function verifyEvmAccountFile(input: Record<string, unknown>): void {
  const hasHeader = input.header !== undefined;
  const hasRoot = input.stateRoot !== undefined;
  if (hasHeader === hasRoot) fail('INVALID_INPUT', { field: 'header|stateRoot', reason: 'exactly one of header and stateRoot is required' });
  const stateRoot = hasHeader ? verifyHeaderJson(input.header).stateRoot : data(input.stateRoot, 'stateRoot', 32);
  verifyAccountProof(input.proof, stateRoot);
}

/** Verify a `qbft-header` proof file (see the module comment). */
export function verifyQbftHeaderFile(input: Record<string, unknown>): void {
  const variant = input.variant ?? 'qbft';
  if (variant !== 'qbft' && variant !== 'ibft2') fail('INVALID_INPUT', { field: 'variant', reason: "must be 'qbft' or 'ibft2'" });
  verifyBftFinality(input.header, input.validators, variant);
}
