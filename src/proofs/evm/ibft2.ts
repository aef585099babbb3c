/**
 * IBFT 2.0 finality (Hyperledger Besu). Same quorum rules as QBFT; the extraData differs (4-byte round, RLP-null
 * empty vote, seals/round items dropped rather than zeroed when hashing) — see bft-extra-data.ts.
 */
import { verifyBftFinality, type BftFinality, type BftOptions } from './bft.js';

/** Verify that an IBFT 2.0 header (eth_getBlock JSON) is final under the trusted `validators`. */
export function verifyIbft2Finality(headerJson: unknown, validators: readonly string[], opts?: BftOptions): BftFinality {
  return verifyBftFinality(headerJson, validators, 'ibft2', opts);
}
