/**
 * The offline verifiers behind `courtbridge proof verify`, one per `type`, registered explicitly here.
 * A verifier takes the parsed JSON object, returns when it is valid and throws a `CourtBridgeError` otherwise
 * (category `verify` → the CLI prints `invalid`; anything else → `error`). Unused fields are ignored.
 */

import { verifyDidKeyFile } from '../../did/verify-file.js';
import { verifySignatureFile } from '../crypto/verify-file.js';
import { verifyQuorumCertificateFile } from '../proofs/bft/verify-file.js';
import { verifyCheckpointFile, verifyConsistencyFile, verifyInclusionFile } from '../ledger/verify-file.js';
import { verifyGrandpaJustificationFile, verifySubstrateStorageFile } from '../proofs/substrate/verify-file.js';
import { verifyEvmAccountFile, verifyQbftHeaderFile } from '../proofs/evm/verify-file.js';
import { verifyEvidenceBundleFile } from '../bundle/verify.js';

/** A proof-file verifier: the parsed file and its text (for verifiers that check the serialization too). */
export type ProofVerifier = (input: Record<string, unknown>, text: string) => void | Promise<void>;

/** The registry: type → verifier. */
export const PROOF_TYPES: Readonly<Record<string, ProofVerifier>> = Object.freeze({
  'did-key': verifyDidKeyFile,
  signature: verifySignatureFile,
  'quorum-certificate': verifyQuorumCertificateFile,
  'rfc9162-inclusion': verifyInclusionFile,
  'rfc9162-consistency': verifyConsistencyFile,
  checkpoint: verifyCheckpointFile,
  'substrate-storage': verifySubstrateStorageFile,
  'grandpa-justification': verifyGrandpaJustificationFile,
  'evm-account': verifyEvmAccountFile,
  'qbft-header': verifyQbftHeaderFile,
  'evidence-bundle': verifyEvidenceBundleFile,
});
