/**
 * Chain simulators for the light-client suite: each produces the exact evidence wire format of its kind, signed by
 * real keys, so one table-driven suite runs the same scenarios over every wired kind.
 */
import { signCertificate, validatorSetOf, type BftSigner } from '../../../src/proofs/bft/build.js';
import { fromBftValidatorSet } from '../../../src/proofs/bft/finality.js';
import type { ChainKind, FinalizedHeader, JsonValue, ValidatorSet } from '../../../src/proofs/lightclient/types.js';
import type { TrustAnchor } from '../../../src/proofs/lightclient/state.js';
import { makeHeader, makeSigners } from '../bft/helpers.js';
import { generateKeyPair, sign, type KeyPair } from '../../../src/crypto/signature.js';
import { toHex0x, utf8 } from '../../../src/crypto/bytes.js';
import { evmValidatorSet } from '../../../src/proofs/lightclient/kind-evm-bft.js';
import { grandpaValidatorSet } from '../../../src/proofs/lightclient/kind-grandpa.js';
import { readDigestItem, type DigestItem } from '../../../src/proofs/substrate/digest.js';
import { buildHeader, headerToJson } from '../../../src/proofs/substrate/header.js';
import { encodeJustification, precommitPayload } from '../../../src/proofs/substrate/justification.js';
import { ScaleWriter, decodeAll } from '../../../src/proofs/substrate/scale.js';
import { addr, makeBftBlock, validatorKeys } from '../evm/helpers/bft-chain.js';
import type { SigningKey } from 'ethers';

/** A validator set of a simulated chain: its private side and its light-client form. */
export interface SimSet {
  readonly trusted: ValidatorSet;
}

/** One simulated chain kind. */
export interface KindSim {
  readonly kind: ChainKind;
  readonly chainId: string;
  /** A fresh validator set (real keys). */
  newSet(): SimSet;
  /** A trust anchor at `height` with `set`. */
  anchor(height: number, set: SimSet, trustingPeriod: number): TrustAnchor;
  /** Evidence of a final header at `height` signed by `signers`; `handover` announces that set from height + 1. */
  evidence(height: number, signers: SimSet, opts?: { handover?: SimSet; variant?: number }): JsonValue;
  /**
   * Evidence of a set change that `current` did not certify: bft-qc — a header by `current` committing to `announced`
   * but revealing `revealed`; EVM and GRANDPA (the set is in the header) — a header announcing `announced`, signed by it.
   */
  uncertifiedHandover(height: number, current: SimSet, announced: SimSet, revealed: SimSet): JsonValue;
  /** The code `uncertifiedHandover` evidence fails with. */
  readonly uncertifiedCode: string;
  /** The code a header signed by a set that is not the trusted one fails with. */
  readonly wrongSetCode: string;
}

interface BftSimSet extends SimSet {
  readonly signers: BftSigner[];
}

let bftCounter = 0;

/** bft-qc: CourtBridge's own format, signed by Ed25519 / secp256k1 / SM2 validators with unequal weights. */
export const bftSim: KindSim = {
  kind: 'bft-qc',
  chainId: 'bft:market-supervision',
  wrongSetCode: 'VALIDATOR_SET_MISMATCH',
  uncertifiedCode: 'VALIDATOR_SET_UNCERTIFIED',
  newSet(): BftSimSet {
    const signers = makeSigners([['Ed25519', 2], ['ES256K', 1], ['SM2', 1], ['Ed25519', 1]], `s${bftCounter++}-`);
    return { signers, trusted: fromBftValidatorSet(validatorSetOf(signers)) };
  },
  anchor(height, set, trustingPeriod): TrustAnchor {
    const header: FinalizedHeader = {
      chainId: this.chainId, kind: 'bft-qc', height, hash: `0x${'aa'.repeat(32)}`, parentHash: `0x${'bb'.repeat(32)}`, stateRoot: `0x${'cc'.repeat(32)}`, timestamp: 1_760_000_000,
    };
    return { chainId: this.chainId, kind: 'bft-qc', trustingPeriod, header, validatorSet: set.trusted };
  },
  evidence(height, signers, opts = {}): JsonValue {
    const s = signers as BftSimSet;
    const set = validatorSetOf(s.signers);
    const next = opts.handover === undefined ? undefined : validatorSetOf((opts.handover as BftSimSet).signers);
    const header = { ...makeHeader(set, { height, chainId: this.chainId, ...(next === undefined ? {} : { next }) }), timestamp: 1_760_000_000 + height + (opts.variant ?? 0) };
    // Four of five members, 4 of 5 weight: above 2/3 without the last one.
    const certificate = signCertificate(header, set, s.signers.slice(0, 4));
    return JSON.parse(JSON.stringify({ header, certificate, ...(next === undefined ? {} : { nextValidatorSet: next }) })) as JsonValue;
  },
  uncertifiedHandover(height, signers, announced, revealed): JsonValue {
    const e = this.evidence(height, signers, { handover: announced }) as Record<string, JsonValue>;
    return { ...e, nextValidatorSet: JSON.parse(JSON.stringify(validatorSetOf((revealed as BftSimSet).signers))) as JsonValue };
  },
};

/** A synthetic trust-anchor header (trusted by configuration, so no evidence). */
function anchorOf(sim: KindSim, height: number, set: SimSet, trustingPeriod: number): TrustAnchor {
  const header: FinalizedHeader = {
    chainId: sim.chainId, kind: sim.kind, height, hash: `0x${'aa'.repeat(32)}`, parentHash: `0x${'bb'.repeat(32)}`, stateRoot: `0x${'cc'.repeat(32)}`,
  };
  return { chainId: sim.chainId, kind: sim.kind, trustingPeriod, header, validatorSet: set.trusted };
}

interface EvmSimSet extends SimSet {
  readonly keys: SigningKey[];
}

/** evm-qbft / evm-ibft2: the EVM engineer's Besu simulator (real secp256k1 seals, eth_getBlock JSON). */
function evmSim(kind: 'evm-qbft' | 'evm-ibft2'): KindSim {
  const variant = kind === 'evm-qbft' ? 'qbft' : 'ibft2';
  let seed = 10;
  const block = (height: number, listed: EvmSimSet, signers: EvmSimSet, v = 0): JsonValue => {
    const vote = v === 0 ? null : { recipient: new Uint8Array(20).fill(v), add: true };
    const { json } = makeBftBlock({ variant, validators: listed.keys, signers: signers.keys.slice(0, 3), number: height, vote });
    return JSON.parse(JSON.stringify({ header: json })) as JsonValue;
  };
  const sim: KindSim = {
    kind,
    chainId: 'eip155:20261',
    wrongSetCode: 'SIGNER_NOT_IN_SET',
    uncertifiedCode: 'SIGNER_NOT_IN_SET',
    newSet(): EvmSimSet {
      const keys = validatorKeys(4, seed++);
      return { keys, trusted: evmValidatorSet(kind, keys.map(addr)) };
    },
    anchor: (height, set, period) => anchorOf(sim, height, set, period),
    evidence: (height, signers, opts = {}) => block(height, (opts.handover ?? signers) as EvmSimSet, signers as EvmSimSet, opts.variant ?? 0),
    uncertifiedHandover: (height, _current, announced) => block(height, announced as EvmSimSet, announced as EvmSimSet),
  };
  return sim;
}

/** evm-qbft (simulator). */
export const qbftSim = evmSim('evm-qbft');
/** evm-ibft2 (simulator). */
export const ibft2Sim = evmSim('evm-ibft2');

interface GrandpaSimSet extends SimSet {
  readonly keys: KeyPair[];
  readonly setId: number;
}

function digestItem(raw: Uint8Array): DigestItem {
  return decodeAll(raw, 'item', (r) => readDigestItem(r, 'item'));
}

/** DigestItem::Consensus(FRNK, ConsensusLog::ScheduledChange { next_authorities, delay }) (sp-consensus-grandpa). */
function scheduledChange(set: GrandpaSimSet, delay: number): DigestItem {
  const log = new ScaleWriter().u8(1).compact(set.keys.length);
  for (const k of set.keys) log.bytes(k.publicKey).u64(1);
  log.u32(delay);
  return digestItem(new ScaleWriter().u8(4).bytes(utf8('FRNK')).byteVec(log.finish()).finish());
}

/** substrate-grandpa: headers and justifications built with the Substrate engineer's SCALE encoders, real Ed25519 keys. */
export const grandpaSim: KindSim = (() => {
  let nextSetId = 0;
  const sim: KindSim = {
    kind: 'substrate-grandpa',
    chainId: 'polkadot:91b171bb158e2d3848fa23a9f1c25182',
    wrongSetCode: 'SIGNER_NOT_IN_SET',
    uncertifiedCode: 'SIGNER_NOT_IN_SET',
    newSet(): GrandpaSimSet {
      const keys = [0, 1, 2, 3].map(() => generateKeyPair('Ed25519'));
      const setId = nextSetId++;
      return { keys, setId, trusted: grandpaValidatorSet(setId, keys.map((k) => ({ publicKey: k.publicKey, weight: 1n }))) };
    },
    anchor: (height, set, period) => anchorOf(sim, height, set, period),
    evidence(height, signers, opts = {}): JsonValue {
      const s = signers as GrandpaSimSet;
      const digest: DigestItem[] = [];
      if (opts.handover !== undefined) digest.push(scheduledChange(opts.handover as GrandpaSimSet, 0));
      if (opts.variant !== undefined) digest.push(digestItem(new ScaleWriter().u8(0).byteVec(Uint8Array.of(opts.variant)).finish()));
      const h = buildHeader(new Uint8Array(32).fill(0x11), height, new Uint8Array(32).fill(0x22), new Uint8Array(32).fill(0x33), digest);
      const round = 7n;
      // Three of four authorities (threshold 4 − ⌊3/3⌋ = 3) precommit on the header itself.
      const precommits = s.keys.slice(0, 3).map((k) => ({
        targetHash: h.hash, targetNumber: height, signature: sign(k, precommitPayload(h.hash, height, round, BigInt(s.setId))), id: k.publicKey,
      }));
      const justification = encodeJustification({ round, targetHash: h.hash, targetNumber: height, precommits, votesAncestries: [] });
      return JSON.parse(JSON.stringify({ header: headerToJson(h), justification: toHex0x(justification) })) as JsonValue;
    },
    uncertifiedHandover(height, _current, announced): JsonValue {
      return this.evidence(height, announced, { handover: announced });
    },
  };
  return sim;
})();
