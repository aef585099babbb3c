/**
 * Verification of `substrate-storage` evidence: ordered steps
 *   1. envelope; the storage key is the one the registration's mapping derives from the record key
 *      (frame-support StorageMap: twox128(pallet) ‖ twox128(item) ‖ hasher(SCALE(key)))
 *   2. the header is final: with a GRANDPA justification through the light client; without one, only a header the
 *      light client already accepted (same height and hash in its recent list)
 *   3. the read proof is for that block (`at` = header hash) and proves the key against its state root
 *   4. the value decodes per the mapping (SCALE `Vec<u8>` of RFC 8785 JSON, or raw bytes)
 */
import { bytesEqual, concatBytes, fromHex, toHex0x, utf8 } from '../../crypto/bytes.js';
import { canonicalJson } from '../../crypto/canonical.js';
import { fail } from '../../errors.js';
import { parseHeaderJson } from '../substrate/header.js';
import { parseReadProofJson, verifyReadProof } from '../substrate/read-proof.js';
import { ScaleReader, encodeCompact } from '../substrate/scale.js';
import type { JsonValue, TrustState } from '../lightclient/types.js';
import type { EvidenceTrust, FinalitySummary, SubstrateStorageMapping, VerifyEvidenceOptions } from '../../../adapters/types.js';
import { acceptFinal, envelope, lightClientTrust, strictObject } from './common.js';
import { storageMapKey } from './twox.js';

/** What `substrate-storage` evidence proves: the value at the key (null = proven absent) at a final block. */
export interface ProvenSubstrateStorage {
  readonly chainId: string;
  readonly recordType: string;
  readonly key: string;
  readonly height: number;
  readonly blockHash: string;
  readonly value: Uint8Array | null;
  readonly finality: FinalitySummary;
}

/** SCALE encoding of the record key per the mapping. */
export function encodeSubstrateKey(mapping: SubstrateStorageMapping, key: string): Uint8Array {
  if (mapping.keyType === 'bytes32') return fromHex(key, 'key', 32);
  const b = utf8(key);
  return concatBytes(encodeCompact(b.length), b);
}

function finalByState(state: TrustState, height: number, hash: string): FinalitySummary {
  const known = state.recent.some((r) => r.header.height === height && r.header.hash === hash);
  if (!known) fail('RECORD_NOT_FINAL', { height, confirmations: 'no justification', required: 'a GRANDPA justification or a header the light client accepted' });
  return { rule: 'grandpa', trust: 'light-client', chainKind: 'substrate-grandpa' };
}

/** Steps 1–3: the proven value. */
export function proveSubstrateStorage(evidence: unknown, trust: EvidenceTrust, opts: VerifyEvidenceOptions, mapping: SubstrateStorageMapping): ProvenSubstrateStorage {
  // Step 1: envelope and storage key.
  const o = strictObject(evidence, 'evidence', ['kind', 'chainId', 'recordType', 'key', 'header', 'readProof', 'storageKey'], ['justification']);
  const env = envelope(o, trust, opts);
  const storageKey = fromHex(o.storageKey, 'evidence.storageKey');
  const expectedKey = storageMapKey(mapping, encodeSubstrateKey(mapping, env.key));
  if (!bytesEqual(storageKey, expectedKey)) fail('EVIDENCE_MISMATCH', { field: 'storageKey', actual: toHex0x(storageKey), expected: toHex0x(expectedKey) });
  // Step 2: finality.
  const state = lightClientTrust(trust, 'substrate-grandpa');
  const header = parseHeaderJson(o.header, 'evidence.header');
  const hash = toHex0x(header.hash);
  let finality: FinalitySummary;
  if (o.justification !== undefined) {
    const accepted = acceptFinal(state, { header: o.header as JsonValue, justification: o.justification as JsonValue }, opts.now);
    if (accepted.header.hash !== hash) fail('BLOCK_HASH_MISMATCH', { claimed: accepted.header.hash, actual: hash });
    finality = { rule: 'grandpa', trust: 'light-client', chainKind: 'substrate-grandpa', validatorSetId: accepted.validatorSetId };
  } else {
    finality = finalByState(state, header.number, hash);
  }
  // Step 3: the read proof, at this block.
  const proof = parseReadProofJson(o.readProof, 'evidence.readProof');
  if (!bytesEqual(proof.at, header.hash)) fail('BLOCK_HASH_MISMATCH', { claimed: toHex0x(proof.at), actual: hash });
  const [entry] = verifyReadProof(header.stateRoot, proof.proof, [storageKey]);
  return { ...env, height: header.number, blockHash: hash, value: entry!.value, finality };
}

/** Step 4: decode the proven value (RECORD_NOT_FOUND when absent). */
export function substrateRecord(p: ProvenSubstrateStorage, mapping: SubstrateStorageMapping): { [k: string]: JsonValue } {
  if (p.value === null) return fail('RECORD_NOT_FOUND', { recordType: p.recordType, key: p.key, chain: p.chainId, height: p.height });
  if (mapping.valueCodec === 'raw') return { value: toHex0x(p.value) };
  const r = new ScaleReader(p.value, 'value');
  const n = r.vecLength('value', p.value.length, 1);
  const bytes = r.bytes(n, 'value');
  if (r.remaining !== 0) fail('SCALE_INVALID', { field: 'value', reason: 'trailing bytes' });
  let text: string;
  let parsed: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    parsed = JSON.parse(text);
  } catch (e) {
    return fail('MALFORMED_JSON', { field: 'value', reason: 'not UTF-8 JSON' }, e);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('INVALID_INPUT', { field: 'value', reason: 'must be a JSON object' });
  if (canonicalJson(parsed) !== text) fail('EVIDENCE_MISMATCH', { field: 'value', actual: 'non-canonical JSON', expected: 'RFC 8785 canonical JSON' });
  return parsed as { [k: string]: JsonValue };
}
