/**
 * Verification of `evm-storage` evidence: a record decoded from contract storage proven by EIP-1186 against a header
 * final under the chain's rule. Ordered steps:
 *   1. parse the envelope and the mapping; the mapping equals the registration's, the contract is the mapping's
 *   2. finality of `block`: QBFT / IBFT 2.0 seals through the light client (the header hash is the BFT hash), or for
 *      `depth` / `clique` the keccak header hash (Yellow Paper §4.3) plus a linked chain of descendants
 *   3. EIP-1186 account and storage proofs against the final header's state root (src/proofs/evm/eip1186.ts)
 *   4. the slots proven are exactly those the mapping derives from the key (Solidity storage layout), no more
 *   5. the listed slot values are the proven ones; all zero → absent; else decode the record
 */
import { fail } from '../../errors.js';
import { fromHex, toHex0x } from '../../crypto/bytes.js';
import { verifyCliqueHeader } from '../evm/clique.js';
import { verifyAccountProof } from '../evm/eip1186.js';
import { verifyHeaderJson } from '../evm/header.js';
import { array, object, quantity } from '../evm/json.js';
import type { JsonValue } from '../lightclient/types.js';
import type { DepthTrust, EvidenceTrust, EvmStorageMapping, FinalitySummary, VerifyEvidenceOptions } from '../../../adapters/types.js';
import { acceptFinal, envelope, lightClientTrust, sameMapping, strictObject } from './common.js';
import { dataSlots, decodeRecord, headSlots, parseEvmMapping, type PlannedSlot } from './layout.js';

/** Most descendant headers a depth-rule evidence may carry. */
export const MAX_DESCENDANTS = 256;

/** What an `evm-storage` evidence proves: the slots' values at a final block (the record, or its absence). */
export interface ProvenEvmStorage {
  readonly chainId: string;
  readonly recordType: string;
  readonly key: string;
  readonly height: number;
  readonly blockHash: string;
  readonly mapping: EvmStorageMapping;
  readonly values: ReadonlyMap<string, bigint>;
  readonly absent: boolean;
  readonly finality: FinalitySummary;
}

interface FinalBlock { height: number; hash: string; stateRoot: Uint8Array; finality: FinalitySummary }

function depthTrust(trust: EvidenceTrust): DepthTrust {
  if (trust.kind !== 'evm-depth') return fail('EVIDENCE_MISMATCH', { field: 'trust.kind', actual: trust.kind, expected: 'evm-depth' });
  return trust;
}

/** Step 2 for depth / clique: header hashes, descendants linked by parentHash, confirmations, canonical pins. */
function depthFinal(block: unknown, fin: Record<string, unknown>, rule: 'depth' | 'clique', trust: DepthTrust): FinalBlock {
  const f = strictObject(fin, 'evidence.finality', ['rule', 'confirmations', 'descendants']);
  const headers = [block, ...array(f.descendants, 'evidence.finality.descendants', MAX_DESCENDANTS)];
  const parsed = headers.map((h, i) => {
    const field = i === 0 ? 'evidence.block' : `evidence.finality.descendants[${i - 1}]`;
    const v = verifyHeaderJson(h, field);
    if (rule === 'clique') verifyCliqueHeader(h, trust.cliqueSigners ?? fail('EVIDENCE_MISMATCH', { field: 'trust.cliqueSigners', actual: 'none', expected: 'the authorised signers' }));
    return { number: v.number, hash: toHex0x(v.hash), parentHash: toHex0x(v.parentHash), stateRoot: v.stateRoot };
  });
  for (let i = 1; i < parsed.length; i++) {
    const [p, c] = [parsed[i - 1]!, parsed[i]!];
    if (c.number !== p.number + 1n || c.parentHash !== p.hash) fail('EVIDENCE_MISMATCH', { field: `evidence.finality.descendants[${i - 1}]`, actual: `${c.number} over ${c.parentHash}`, expected: `${p.number + 1n} over ${p.hash}` });
  }
  const confirmations = parsed.length - 1;
  if (f.confirmations !== confirmations) fail('EVIDENCE_MISMATCH', { field: 'evidence.finality.confirmations', actual: String(f.confirmations), expected: String(confirmations) });
  const first = parsed[0]!;
  if (first.number > BigInt(Number.MAX_SAFE_INTEGER)) fail('BAD_INTEGER', { field: 'evidence.block.number' });
  const height = Number(first.number);
  if (confirmations < trust.minConfirmations) fail('RECORD_NOT_FINAL', { height, confirmations, required: trust.minConfirmations });
  for (const h of parsed) {
    const pinned = trust.canonical?.[h.number.toString()];
    if (pinned !== undefined && pinned.toLowerCase() !== h.hash) fail('BLOCK_NOT_CANONICAL', { height: h.number.toString(), actual: h.hash, expected: pinned });
  }
  return { height, hash: first.hash, stateRoot: first.stateRoot, finality: { rule, trust: 'rpc-depth', confirmations } };
}

/** Step 2 for QBFT / IBFT 2.0: the light client verifies the seals and gives the final header. */
function bftFinal(block: unknown, fin: Record<string, unknown>, rule: 'qbft' | 'ibft2', trust: EvidenceTrust, now: number): FinalBlock {
  strictObject(fin, 'evidence.finality', ['rule']);
  const kind = rule === 'qbft' ? 'evm-qbft' : 'evm-ibft2';
  const { header, validatorSetId } = acceptFinal(lightClientTrust(trust, kind), { header: block as JsonValue }, now);
  return { height: header.height, hash: header.hash, stateRoot: fromHex(header.stateRoot, 'stateRoot', 32), finality: { rule, trust: 'light-client', chainKind: kind, validatorSetId } };
}

/** Steps 1–5 without deciding presence: the proven values of the mapped slots at a final block. */
export function proveEvmStorage(evidence: unknown, trust: EvidenceTrust, opts: VerifyEvidenceOptions): ProvenEvmStorage {
  // Step 1: envelope and mapping.
  const o = strictObject(evidence, 'evidence', ['kind', 'chainId', 'recordType', 'key', 'contract', 'mapping', 'slots', 'block', 'proof', 'finality']);
  const env = envelope(o, trust, opts);
  const mapping = parseEvmMapping(o.mapping, 'evidence.mapping');
  sameMapping(mapping, opts.mapping === undefined ? undefined : parseEvmMapping(opts.mapping, 'opts.mapping'));
  if (typeof o.contract !== 'string' || o.contract.toLowerCase() !== mapping.contract) fail('EVIDENCE_MISMATCH', { field: 'contract', actual: String(o.contract), expected: mapping.contract });
  // Step 2: a final header.
  const fin = object(o.finality, 'evidence.finality');
  let final: FinalBlock;
  switch (fin.rule) {
    case 'qbft':
    case 'ibft2':
      final = bftFinal(o.block, fin, fin.rule, trust, opts.now);
      break;
    case 'depth':
    case 'clique':
      final = depthFinal(o.block, fin, fin.rule, depthTrust(trust));
      break;
    default:
      return fail('UNKNOWN_TYPE', { type: `finality rule ${String(fin.rule)}` });
  }
  // Step 3: EIP-1186 proofs against the final state root; the proof is for the mapped contract.
  const proven = verifyAccountProof(o.proof, final.stateRoot, 'evidence.proof');
  if (proven.address !== mapping.contract) fail('EVIDENCE_MISMATCH', { field: 'proof.address', actual: proven.address, expected: mapping.contract });
  const values = new Map(proven.storage.map((s) => [s.key, s.value]));
  // Step 4: the slots are exactly those the layout derives (long strings: data slots from the proven lengths).
  const head = headSlots(mapping, env.key);
  const expected: PlannedSlot[] = [...head, ...dataSlots(mapping, env.key, values)];
  if (proven.storage.length !== expected.length || expected.some((p) => !values.has(p.slot))) {
    fail('EVIDENCE_MISMATCH', { field: 'proof.storageProof', actual: proven.storage.map((s) => s.key).join(' '), expected: expected.map((p) => p.slot).join(' ') });
  }
  // Step 5: the listed readings are the proven ones, in the layout's order.
  const listed = array(o.slots, 'evidence.slots', expected.length + 1);
  if (listed.length !== expected.length) fail('EVIDENCE_MISMATCH', { field: 'slots', actual: `${listed.length} slots`, expected: `${expected.length} slots` });
  expected.forEach((p, i) => {
    const s = strictObject(listed[i], `evidence.slots[${i}]`, ['slot', 'field', 'value']);
    if (s.slot !== p.slot || s.field !== p.field) fail('EVIDENCE_MISMATCH', { field: `slots[${i}]`, actual: `${String(s.slot)} ${String(s.field)}`, expected: `${p.slot} ${p.field}` });
    const v = quantity(s.value, `evidence.slots[${i}].value`);
    if (v !== values.get(p.slot)) fail('PROOF_VALUE_MISMATCH', { field: `evidence.slots[${i}].value`, claimed: v.toString(), proven: String(values.get(p.slot)) });
  });
  const absent = head.every((p) => (values.get(p.slot) ?? 0n) === 0n);
  return { ...env, height: final.height, blockHash: final.hash, mapping, values, absent, finality: final.finality };
}

/** The decoded record of proven storage (RECORD_NOT_FOUND when every slot is zero). */
export function evmRecord(p: ProvenEvmStorage): { [k: string]: JsonValue } {
  if (p.absent) fail('RECORD_NOT_FOUND', { recordType: p.recordType, key: p.key, chain: p.chainId, height: p.height });
  return decodeRecord(p.mapping, p.key, p.values);
}
