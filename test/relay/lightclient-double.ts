/**
 * A test-double bft adapter serving the light-client simulator's evidence (test/proofs/lightclient/sims.ts) and the
 * stub record step that goes with it, shared by test/relay/lightclient.test.ts and test/api/unfreeze.test.ts: the
 * light-client part is real, the record proof is not (the double serves headers, not record trees).
 */
import { canonicalBytes } from '../../src/crypto/canonical.js';
import { sha256 } from '../../src/crypto/hash.js';
import { toHex0x } from '../../src/crypto/bytes.js';
import type { JsonValue, TrustState } from '../../src/proofs/lightclient/types.js';
import type { Adapter, BftMerkleEvidence, EvidenceTrust, FollowEvent, FollowOptions, SourceEvidence, VerifiedRecord } from '../../adapters/types.js';
import { jsonDigest } from '../../relay/attestation.js';
import { bftSim } from '../proofs/lightclient/sims.js';
import { enterprise } from './helpers.js';

/** The simulator's chain id, served by the double. */
export const CHAIN = bftSim.chainId;

/** A test-double bft adapter: evidence (header, certificate, next validator set) per height, scripted by the test. */
export class DoubleAdapter implements Adapter {
  readonly chainId = CHAIN;
  readonly kind = 'bft' as const;
  readonly blocks = new Map<number, JsonValue>();
  readonly newRecords: FollowEvent[] = [];
  async finalizedHead() {
    const h = Math.max(...this.blocks.keys());
    return { height: h, hash: `0x${'00'.repeat(32)}`, timestamp: 0 };
  }
  async fetchRecord(ref: { chainId: string; recordType: string; key: string }, at?: number): Promise<SourceEvidence> {
    const e = this.blocks.get(at!) as Record<string, JsonValue>;
    const ev: BftMerkleEvidence = {
      kind: 'bft-merkle', chainId: CHAIN, recordType: ref.recordType, key: ref.key, header: e.header as never, certificate: e.certificate as never,
      ...(e.nextValidatorSet === undefined ? {} : { validatorSet: e.nextValidatorSet as never }), record: { data: '{}', index: 0, proof: [] },
    };
    return ev;
  }
  async follow(opts: FollowOptions, onEvent: (e: FollowEvent) => void | Promise<void>): Promise<void> {
    for (const e of this.newRecords) if (e.head.height > (opts.fromHeight ?? 0)) await onEvent(e);
    await new Promise<void>((r) => opts.signal?.addEventListener('abort', () => r(), { once: true }));
  }
  async close() {}
}

/** Stub record step: the header part was verified by the light client already; the record is `enterprise(i)`. */
export function stubVerifier(evidence: SourceEvidence, trust: EvidenceTrust): VerifiedRecord {
  const e = evidence as BftMerkleEvidence;
  if ((trust as TrustState).frozen) throw new Error('verifier called on a frozen state');
  const record = enterprise(Number(e.key.slice(10, 17).replace(/\D/g, '')));
  const height = Number((e.header as Record<string, JsonValue>).height);
  return {
    chainId: CHAIN, recordType: e.recordType, key: e.key, height, blockHash: toHex0x(sha256(canonicalBytes(e.header))), record,
    recordDigest: jsonDigest(record), evidenceDigest: jsonDigest(e), finality: { rule: 'bft-qc', trust: 'light-client', chainKind: 'bft-qc' },
  };
}
