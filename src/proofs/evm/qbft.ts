/**
 * QBFT finality (Hyperledger Besu): the entry point the light client glues into its per-kind finality interface.
 * Encoding and hashing rules live in bft-extra-data.ts and bft.ts.
 */
import { verifyBftFinality, type BftFinality, type BftOptions } from './bft.js';

/** Verify that a QBFT header (eth_getBlock JSON) is final: BFT hash matches and > 2/3 of `validators` sealed it. */
export function verifyQbftFinality(headerJson: unknown, validators: readonly string[], opts?: BftOptions): BftFinality {
  return verifyBftFinality(headerJson, validators, 'qbft', opts);
}
