/** Fixtures for the BFT tests: real key pairs of the three algorithms, weighted sets, headers and certificates. */
import { generateKeyPair, type SigAlg } from '../../../src/crypto/signature.js';
import { buildRecordsTree, signCertificate, validatorSetOf, type BftSigner } from '../../../src/proofs/bft/build.js';
import { bftValidatorSetHash } from '../../../src/proofs/bft/encoding.js';
import type { BftCertificate, BftHashAlg, BftHeader, BftValidatorSet } from '../../../src/proofs/bft/format.js';

/** Make signers with the given algorithms and weights (ids v0, v1, …). */
export function makeSigners(spec: readonly (readonly [SigAlg, number])[], prefix = 'v'): BftSigner[] {
  return spec.map(([alg, weight], i) => ({ id: `${prefix}${i}`, key: generateKeyPair(alg), weight }));
}

/** Records of a block (JSON values, as a court-relevant record would be). */
export const RECORDS: readonly unknown[] = [
  { type: 'copyright-registration', number: '国作登字-2024-F-00000001', owner: 'sha256:aa' },
  { type: 'copyright-registration', number: '国作登字-2024-F-00000002', owner: 'sha256:bb' },
  { type: 'transfer', from: 1, to: 2, amount: 12.5 },
  { note: null },
  [1, 2, 3],
];

/** A header at `height` committing to `set` and RECORDS. */
export function makeHeader(set: BftValidatorSet, opts: { height?: number; alg?: BftHashAlg; next?: BftValidatorSet; chainId?: string; parentHash?: string; round?: number } = {}): BftHeader {
  const alg = opts.alg ?? 'sha256';
  const tree = buildRecordsTree(RECORDS, alg);
  return {
    chainId: opts.chainId ?? 'bft:copyright',
    height: opts.height ?? 100,
    ...(opts.round === undefined ? {} : { round: opts.round }),
    timestamp: 1_760_000_000 + (opts.height ?? 100),
    parentHash: opts.parentHash ?? `0x${'11'.repeat(32)}`,
    recordsRoot: tree.root,
    recordCount: tree.count,
    recordsHashAlg: alg,
    validatorSetHash: bftValidatorSetHash(set, alg),
    ...(opts.next === undefined ? {} : { nextValidatorSetHash: bftValidatorSetHash(opts.next, alg) }),
  };
}

/** A complete valid example: signers of all three algorithms, set, header, certificate signed by everyone. */
export function example(alg: BftHashAlg = 'sha256'): { signers: BftSigner[]; set: BftValidatorSet; header: BftHeader; certificate: BftCertificate } {
  const signers = makeSigners([['Ed25519', 1], ['ES256K', 1], ['SM2', 1], ['Ed25519', 1]]);
  const set = validatorSetOf(signers);
  const header = makeHeader(set, { alg });
  return { signers, set, header, certificate: signCertificate(header, set, signers) };
}
