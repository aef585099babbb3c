/**
 * A Substrate chain simulator producing the exact wire formats (simulator, not recorded data): base-16 trie state
 * (layout V1) from the independent trie builder of test/proofs/substrate, SCALE headers, and GRANDPA justifications
 * signed by four real Ed25519 authorities (set id 0), served in the polkadot-sdk RPC shapes. Records are
 * `CreditRegistry::Entries` (blake2_128_concat of the SCALE `Vec<u8>` case number → SCALE `Vec<u8>` of RFC 8785 JSON).
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { canonicalBytes } from '../../../src/crypto/canonical.js';
import { concatBytes, fromHex, toHex0x, utf8 } from '../../../src/crypto/bytes.js';
import { generateKeyPair, sign, type KeyPair } from '../../../src/crypto/signature.js';
import { encodeSubstrateKey } from '../../../src/proofs/evidence/substrate.js';
import { storageMapKey } from '../../../src/proofs/evidence/twox.js';
import { grandpaValidatorSet } from '../../../src/proofs/lightclient/kind-grandpa.js';
import { createTrustState } from '../../../src/proofs/lightclient/state.js';
import type { TrustState } from '../../../src/proofs/lightclient/types.js';
import { buildHeader, headerToJson } from '../../../src/proofs/substrate/header.js';
import { encodeJustification, precommitPayload } from '../../../src/proofs/substrate/justification.js';
import { encodeCompact } from '../../../src/proofs/substrate/scale.js';
import type { JsonValue, Registration, RpcEndpoint, SubstrateStorageMapping } from '../../../adapters/types.js';
import { buildTrie, type BuiltTrie } from '../../proofs/substrate/trie-builder.js';
import { RpcFailure, type RpcBackend } from './rpc-server.js';

/** CAIP-2 id of the simulated chain. */
export const SIM_CHAIN_ID = 'polkadot:c0de5117c0de5117c0de5117c0de5117';
/** The record type the simulated chain carries. */
export const SIM_RECORD_TYPE = 'dishonest-debtor';
/** Domain schema of the records. */
export const DEBTOR_SCHEMA = 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor/v1';
/** Its mapping. */
export const SIM_MAPPING: SubstrateStorageMapping = { kind: 'substrate-storage', pallet: 'CreditRegistry', item: 'Entries', hasher: 'blake2_128_concat', keyType: 'bytes', valueCodec: 'scale-bytes-json' };

interface Block {
  readonly hash: string;
  readonly json: Record<string, unknown>;
  readonly trie: BuiltTrie;
  readonly justification: string | null;
  /** The state the block was built over (storage key hex → value), for key listings. */
  readonly state: ReadonlyMap<string, Uint8Array>;
}

/** A registration of the simulated chain on `endpoints`. */
export function simRegistration(endpoints: readonly RpcEndpoint[], limits?: Registration['rpcLimits']): Registration {
  return {
    chainId: SIM_CHAIN_ID, kind: 'substrate', rpc: endpoints, finality: { rule: 'grandpa' },
    recordTypes: { [SIM_RECORD_TYPE]: { schemaId: DEBTOR_SCHEMA, mapping: SIM_MAPPING } },
    ...(limits === undefined ? {} : { rpcLimits: limits }),
  };
}

/** The simulated chain. */
export class SimChain {
  readonly voters: KeyPair[] = [0, 1, 2, 3].map(() => generateKeyPair('Ed25519'));
  readonly #state = new Map<string, Uint8Array>([[toHex0x(utf8(':code')), utf8('not a runtime')]]);
  readonly blocks: Block[] = [];
  /** Blocks below the best block before one counts as finalized (`chain_getFinalizedHead`); 0 = every block. */
  finalityLag = 0;

  constructor() {
    this.produce();
  }

  /** Put a record at `caseNumber` (takes effect in the next block). */
  put(caseNumber: string, record: { [k: string]: JsonValue }): void {
    const json = canonicalBytes(record);
    const key = storageMapKey(SIM_MAPPING, encodeSubstrateKey(SIM_MAPPING, caseNumber));
    this.#state.set(toHex0x(key), concatBytes(encodeCompact(json.length), json));
  }

  /** Produce one block over the current state, GRANDPA-final (3 of 4 precommits) unless it is the genesis. */
  produce(): void {
    const parent = this.blocks[this.blocks.length - 1];
    const number = this.blocks.length;
    const trie = buildTrie([...this.#state].map(([k, v]) => [fromHex(k, 'k'), v]), 1);
    const h = buildHeader(parent ? fromHex(parent.hash, 'p', 32) : new Uint8Array(32), number, trie.root, new Uint8Array(32).fill(3), []);
    const round = BigInt(number);
    const precommits = this.voters.slice(0, 3).map((k) => ({ targetHash: h.hash, targetNumber: number, signature: sign(k, precommitPayload(h.hash, number, round, 0n)), id: k.publicKey }));
    const justification = number === 0 ? null : toHex0x(encodeJustification({ round, targetHash: h.hash, targetNumber: number, precommits, votesAncestries: [] }));
    this.blocks.push({ hash: toHex0x(h.hash), json: headerToJson(h), trie, justification, state: new Map(this.#state) });
  }

  /** The head block (the best block; the finalized one is `finalized`). */
  get head(): Block {
    return this.blocks[this.blocks.length - 1]!;
  }

  /** The finalized block: `finalityLag` below the head (never below the genesis). */
  get finalized(): Block {
    return this.blocks[Math.max(0, this.blocks.length - 1 - this.finalityLag)]!;
  }

  /** The light-client state a relay holds from the registration's anchor (the genesis and authority set 0). */
  trust(now: number): TrustState {
    const g = this.blocks[0]!;
    const anchor = { chainId: SIM_CHAIN_ID, kind: 'substrate-grandpa' as const, height: 0, hash: g.hash, parentHash: g.json.parentHash as string, stateRoot: g.json.stateRoot as string };
    return createTrustState({ chainId: SIM_CHAIN_ID, kind: 'substrate-grandpa', trustingPeriod: 86_400, header: anchor, validatorSet: grandpaValidatorSet(0, this.voters.map((k) => ({ publicKey: k.publicKey, weight: 1n }))) }, now);
  }

  #block(hash: unknown): Block | undefined {
    return hash === undefined || hash === null ? this.head : this.blocks.find((b) => b.hash === hash);
  }

  /** The JSON-RPC answers (polkadot-sdk sc-rpc shapes). */
  readonly backend: RpcBackend = (method, params) => {
    switch (method) {
      case 'chain_getFinalizedHead':
        return this.finalized.hash;
      case 'chain_getBlockHash':
        return this.blocks[params[0] as number]?.hash ?? null;
      case 'chain_getHeader':
        return this.#block(params[0])?.json ?? null;
      case 'chain_getBlock': {
        const b = this.#block(params[0]);
        return b === undefined ? null : { block: { header: b.json, extrinsics: [] }, justifications: b.justification === null ? null : [[[0x46, 0x52, 0x4e, 0x4b], b.justification]] };
      }
      case 'state_getReadProof': {
        const b = this.#block(params[1]);
        if (b === undefined) throw new RpcFailure(4003, `Client error: UnknownBlock: header not found`);
        return { at: b.hash, proof: b.trie.prove((params[0] as string[]).map((k) => fromHex(k, 'key'))).map(toHex0x) };
      }
      case 'state_getKeysPaged': {
        // sc-rpc: (prefix, count, startKey?, at?) → keys under prefix, ascending, strictly after startKey.
        const [prefix, count, start, at] = params as [string, number, string | null | undefined, string | null | undefined];
        const b = this.#block(at);
        if (b === undefined) throw new RpcFailure(4003, `Client error: UnknownBlock: header not found`);
        return [...b.state.keys()].filter((k) => k.startsWith(prefix) && (start == null || k > start)).sort().slice(0, count);
      }
      case 'state_getStorageHash': {
        const b = this.#block(params[1]);
        if (b === undefined) throw new RpcFailure(4003, `Client error: UnknownBlock: header not found`);
        const v = b.state.get(params[0] as string);
        return v === undefined ? null : toHex0x(blake2b(v, { dkLen: 32 }));
      }
      default:
        throw new RpcFailure(-32601, 'Method not found');
    }
  };
}
