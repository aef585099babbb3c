/**
 * Deterministic keys and genesis of the BFT partner-chain simulator (a copyright chain, IP domain). Everything here is
 * a pure function of the seed and the options, so a test can build the trust anchor (genesis header + validator set)
 * without talking to the simulator process — which is how a real registration works: the anchor is configured, not
 * fetched from the chain it is meant to check.
 */
import { utf8 } from '../../../src/crypto/bytes.js';
import { sha256 } from '../../../src/crypto/hash.js';
import { keyPairFromPrivate, type SigAlg } from '../../../src/crypto/signature.js';
import { fail } from '../../../src/errors.js';
import { buildRecordsTree, validatorSetOf, type BftSigner } from '../../../src/proofs/bft/build.js';
import { bftHeaderHash, bftValidatorSetHash } from '../../../src/proofs/bft/encoding.js';
import { fromBftValidatorSet } from '../../../src/proofs/bft/finality.js';
import type { BftHashAlg, BftHeader, BftValidatorSet } from '../../../src/proofs/bft/format.js';
import type { TrustAnchor } from '../../../src/proofs/lightclient/state.js';

/** Options that fix a simulated chain's identity (the same options give the same keys and genesis). */
export interface SimChainOptions {
  /** CAIP-2 chain id, `bft:<network>`. */
  readonly chainId: string;
  /** Seed of every validator key. */
  readonly seed: string;
  /** Number of genesis validators (1…64). */
  readonly validators: number;
  /** Hash suite of records tree, header hash and set hash. */
  readonly hashAlg: BftHashAlg;
  /** Genesis timestamp, Unix seconds. */
  readonly genesisTime: number;
}

/** Defaults: `bft:copyright-sim`, seed `courtbridge`, 4 validators, SM3, 2026-01-01T00:00:00Z. */
export const DEFAULT_SIM_OPTIONS: SimChainOptions = Object.freeze({
  chainId: 'bft:copyright-sim',
  seed: 'courtbridge',
  validators: 4,
  hashAlg: 'sm3',
  genesisTime: 1_767_225_600,
});

/** Most validators a simulated set may have (signing cost grows linearly). */
export const MAX_SIM_VALIDATORS = 64;

const ZERO_HASH = `0x${'00'.repeat(32)}`;

/**
 * The signers of validator-set `epoch` (0 = genesis): ids `e<epoch>-v<i>`, SM2 at even and Ed25519 at odd positions
 * (a mixed set, as a consortium of Chinese and foreign-stack operators would run), weights 1, 2, 1, 2, …
 * Private key i = SHA-256("courtbridge-bft-sim\n" ‖ seed ‖ "\n" ‖ epoch ‖ "\n" ‖ i [‖ "\n" ‖ retry]).
 */
export function simulatorSigners(seed: string, count: number, epoch = 0): BftSigner[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SIM_VALIDATORS) fail('INVALID_INPUT', { field: 'validators', reason: `must be 1…${MAX_SIM_VALIDATORS}` });
  return Array.from({ length: count }, (_, i) => {
    const alg: SigAlg = i % 2 === 0 ? 'SM2' : 'Ed25519';
    return { id: `e${epoch}-v${i}`, key: derive(alg, `${seed}\n${epoch}\n${i}`), weight: 1 + (i % 2) };
  });
}

/** A key pair from a label; retries with a counter in the (2^-32) case the digest is not a valid EC scalar. */
function derive(alg: SigAlg, label: string) {
  for (let retry = 0; retry < 16; retry++) {
    try {
      return keyPairFromPrivate(alg, sha256(utf8(`courtbridge-bft-sim\n${label}${retry === 0 ? '' : `\n${retry}`}`)));
    } catch { /* out of range: next candidate */ }
  }
  return fail('INTERNAL', { reason: 'simulator key derivation did not converge' });
}

/** The genesis of a simulated chain: header (height 0, no records), its validator set and signers. */
export function simulatorGenesis(opts: SimChainOptions = DEFAULT_SIM_OPTIONS): { header: BftHeader; hash: string; validatorSet: BftValidatorSet; signers: BftSigner[] } {
  const signers = simulatorSigners(opts.seed, opts.validators, 0);
  const validatorSet = validatorSetOf(signers);
  const empty = buildRecordsTree([], opts.hashAlg);
  const header: BftHeader = {
    chainId: opts.chainId,
    height: 0,
    round: 0,
    timestamp: opts.genesisTime,
    parentHash: ZERO_HASH,
    recordsRoot: empty.root,
    recordCount: 0,
    recordsHashAlg: opts.hashAlg,
    validatorSetHash: bftValidatorSetHash(validatorSet, opts.hashAlg),
  };
  return { header, hash: bftHeaderHash(header), validatorSet, signers };
}

/** The light-client trust anchor of a simulated chain: its genesis header and genesis validator set. */
export function simulatorTrustAnchor(opts: SimChainOptions = DEFAULT_SIM_OPTIONS, trustingPeriod = 14 * 24 * 3600): TrustAnchor {
  const g = simulatorGenesis(opts);
  return {
    chainId: opts.chainId,
    kind: 'bft-qc',
    trustingPeriod,
    header: {
      chainId: opts.chainId,
      kind: 'bft-qc',
      height: 0,
      hash: g.hash,
      parentHash: g.header.parentHash,
      stateRoot: g.header.recordsRoot,
      timestamp: g.header.timestamp,
    },
    validatorSet: fromBftValidatorSet(g.validatorSet),
  };
}

/** `0x` hex of the genesis hash (handy in registrations and logs). */
export function simulatorGenesisHash(opts: SimChainOptions = DEFAULT_SIM_OPTIONS): string {
  return simulatorGenesis(opts).hash;
}
