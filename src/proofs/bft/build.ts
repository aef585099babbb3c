/**
 * The producing side of the BFT format, for simulators, adapters' conformance fixtures and tests: build a records
 * tree, a header, a validator set from key pairs, and sign a quorum certificate. Verification never uses this file.
 */
import { canonicalBytes } from '../../crypto/canonical.js';
import { toHex0x } from '../../crypto/bytes.js';
import { sign, type KeyPair } from '../../crypto/signature.js';
import { fail } from '../../errors.js';
import { CompactRange, assemble, inclusionPlan, leafHash, type NodeId } from '../../ledger/merkle.js';
import { bftHash, bftHeaderHash, headerSigningBytes } from './encoding.js';
import type { BftCertificate, BftHashAlg, BftHeader, BftRecordProof, BftSigAlg, BftValidatorSet } from './format.js';

/** A records tree: its root, size, and a proof for any index. */
export interface RecordsTree {
  readonly root: string;
  readonly count: number;
  /** The record proof `{data, index, proof}` of record `index`. */
  proof(index: number): BftRecordProof;
}

/** Build the RFC 9162 tree of `records` (each the canonical JSON of its data) under `alg`. */
export function buildRecordsTree(records: readonly unknown[], alg: BftHashAlg): RecordsTree {
  const h = bftHash(alg);
  const range = new CompactRange(h);
  const nodes = new Map<string, Uint8Array>();
  for (const r of records) for (const c of range.append(leafHash(h, canonicalBytes(r)))) nodes.set(`${c.id.level}/${c.id.index}`, c.hash);
  const get = (id: NodeId): Uint8Array | undefined => nodes.get(`${id.level}/${id.index}`);
  return {
    root: toHex0x(range.root()),
    count: records.length,
    proof(index: number): BftRecordProof {
      if (index < 0 || index >= records.length) fail('PROOF_SIZE_INVALID', { reason: `index ${index} is not below ${records.length}` });
      return { data: records[index], index, proof: assemble(h, inclusionPlan(index, records.length), get).map(toHex0x) };
    },
  };
}

/** A validator of a simulated chain: id, key pair, weight. */
export interface BftSigner {
  readonly id: string;
  readonly key: KeyPair;
  readonly weight: number;
}

/** The public validator set of `signers`, in the given order. */
export function validatorSetOf(signers: readonly BftSigner[]): BftValidatorSet {
  return {
    validators: signers.map((s) => ({ id: s.id, alg: s.key.alg as BftSigAlg, publicKey: toHex0x(s.key.publicKey), weight: s.weight })),
  };
}

/** Sign `header` by `signers` (referenced by id, or by their index in `set` when `byIndex`). */
export function signCertificate(header: BftHeader, set: BftValidatorSet, signers: readonly BftSigner[], byIndex = false): BftCertificate {
  const message = headerSigningBytes(header);
  return {
    headerHash: bftHeaderHash(header),
    signatures: signers.map((s) => ({
      validator: byIndex ? set.validators.findIndex((v) => v.id === s.id) : s.id,
      signature: toHex0x(sign(s.key, message)),
    })),
  };
}
