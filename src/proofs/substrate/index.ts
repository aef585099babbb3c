/**
 * Substrate verifiers: SCALE, headers and their hashes, base-16 trie read proofs, GRANDPA justifications and
 * authority-set changes. Pure and offline; every failure is a coded CourtBridgeError.
 */
export { ScaleReader, ScaleWriter, decodeAll, encodeCompact } from './scale.js';
export { type DigestItem, type GrandpaAuthority, type GrandpaLog, GRANDPA_ENGINE_ID, decodeGrandpaLog, grandpaLogs } from './digest.js';
export { type SubstrateHeader, parseHeaderJson, buildHeader, decodeHeader, substrateHeaderHash, grandpaAuthorityChanges, headerToJson } from './header.js';
export { type TrieNode, decodeTrieNode, lookupKey } from './trie.js';
export { type ReadProof, type ProvenEntry, parseReadProofJson, verifyReadProof, EMPTY_TRIE_ROOT } from './read-proof.js';
export { type GrandpaJustification, type SignedPrecommit, decodeJustification, encodeJustification, precommitPayload } from './justification.js';
export {
  type AuthoritySet, type PreparedAuthoritySet, type GrandpaVerified,
  prepareAuthoritySet, verifyGrandpaJustification, verifyDecodedJustification, grandpaThreshold,
} from './grandpa.js';
export { type PendingAuthorityChange, type AuthorityEvent, type AuthorityChangeResult, applyAuthorityChanges, parseAuthoritySetJson } from './authority-set.js';
export { verifySubstrateStorageFile, verifyGrandpaJustificationFile, grandpaJustificationFromFile } from './verify-file.js';
