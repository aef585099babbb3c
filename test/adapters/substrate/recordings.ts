/**
 * Recorded REAL Polkadot responses, in exactly the polkadot-sdk RPC shapes, built from the data (and its sources) in
 * test/proofs/substrate/fixtures/recorded.ts: the Polkadot genesis header (`chain_getHeader`, brave-core recording)
 * and the Polkadot genesis read proof (`state_getReadProof`, smoldot `proof_verify.rs` `basic_works`).
 *
 * The proven key is `Claims::Preclaims` (twox128("Claims") ‖ twox128("Preclaims") ‖ identity(AccountId32)) → a
 * 20-byte `EthereumAddress`, stored raw (SCALE `[u8; 20]`): mapping `identity` / `bytes32` / `raw`. The same proof
 * nodes also prove ABSENT every key that leaves the path inside the proven leaf (same path, another last byte): a
 * node walks exactly these nodes for such a key, so the recording answers for it too. Keys the recording does not
 * cover get a JSON-RPC error (the server cannot invent proofs). No domain schema fits an Ethereum preclaim, so
 * record decoding against a schema is tested with the simulator (sim-chain.ts).
 */
import { POLKADOT_GENESIS_PROOF, RECORDED_HEADERS } from '../../proofs/substrate/fixtures/recorded.js';
import type { Registration, RpcEndpoint, SubstrateStorageMapping } from '../../../adapters/types.js';
import { RpcFailure, type RpcBackend } from './rpc-server.js';

const GENESIS = RECORDED_HEADERS.find((h) => h.chain === 'Polkadot genesis')!;
/** Polkadot genesis hash. */
export const POLKADOT_GENESIS_HASH = GENESIS.hash;
/** CAIP-2 id of Polkadot (genesis hash prefix). */
export const POLKADOT_CHAIN_ID = `polkadot:${GENESIS.hash.slice(2, 34)}`;
/** The record type mapped onto the recorded key. */
export const PRECLAIM_TYPE = 'claims-preclaim';
/** `Claims::Preclaims`, identity-hashed AccountId32 → raw EthereumAddress. */
export const PRECLAIM_MAPPING: SubstrateStorageMapping = { kind: 'substrate-storage', pallet: 'Claims', item: 'Preclaims', hasher: 'identity', keyType: 'bytes32', valueCodec: 'raw' };
/** The AccountId32 whose preclaim the recorded proof proves (the key's last 32 bytes). */
export const PRESENT_ACCOUNT = `0x${POLKADOT_GENESIS_PROOF.key.slice(-64)}`;
/** An account proven absent by the same nodes (last byte changed). */
export const ABSENT_ACCOUNT = `${PRESENT_ACCOUNT.slice(0, -2)}ff`;
/** The recorded value. */
export const PRESENT_VALUE = POLKADOT_GENESIS_PROOF.value;

const PREFIX = POLKADOT_GENESIS_PROOF.key.slice(0, 2 + 64);
const COVERED = new Set([PRESENT_ACCOUNT, ABSENT_ACCOUNT].map((a) => PREFIX + a.slice(2)));

/** The raw genesis header JSON (as `chain_getHeader` returned it). */
export const GENESIS_HEADER_JSON = GENESIS.json;

/** A registration of Polkadot for the preclaim record type. */
export function polkadotRegistration(endpoints: readonly RpcEndpoint[], limits?: Registration['rpcLimits']): Registration {
  return {
    chainId: POLKADOT_CHAIN_ID, kind: 'substrate', rpc: endpoints, finality: { rule: 'grandpa' },
    recordTypes: { [PRECLAIM_TYPE]: { schemaId: 'urn:courtbridge:test:polkadot-preclaim', mapping: PRECLAIM_MAPPING } },
    ...(limits === undefined ? {} : { rpcLimits: limits }),
  };
}

/** The replaying backend: the recorded chain is at its genesis (finalized head = genesis). */
export const recordedBackend: RpcBackend = (method, params) => {
  const atGenesis = (h: unknown) => h === undefined || h === null || h === POLKADOT_GENESIS_HASH;
  switch (method) {
    case 'chain_getFinalizedHead':
      return POLKADOT_GENESIS_HASH;
    case 'chain_getBlockHash':
      return params[0] === 0 ? POLKADOT_GENESIS_HASH : null;
    case 'chain_getHeader':
      return atGenesis(params[0]) ? GENESIS.json : null;
    case 'chain_getBlock':
      return atGenesis(params[0]) ? { block: { header: GENESIS.json, extrinsics: [] }, justifications: null } : null;
    case 'state_getReadProof': {
      const keys = params[0] as string[];
      if (!atGenesis(params[1])) throw new RpcFailure(4003, 'Client error: UnknownBlock: not recorded');
      if (!Array.isArray(keys) || keys.length !== 1 || !COVERED.has(keys[0]!)) throw new RpcFailure(-32603, 'no recorded proof for this key');
      return { at: POLKADOT_GENESIS_HASH, proof: POLKADOT_GENESIS_PROOF.proof };
    }
    default:
      throw new RpcFailure(-32601, 'Method not found');
  }
};
