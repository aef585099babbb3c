/**
 * The `evm` adapter: one implementation for every EVM partner chain, configured by its registration (chains are data).
 * I/O only — it fetches `eth_getProof` + `eth_getBlockByNumber` at ONE block number and keeps the JSON verbatim;
 * whether that proves anything is decided by `verifySourceEvidence` (src/proofs/evidence.ts).
 *
 * Finality rules (registration `finality`):
 * - `qbft` / `ibft2`: every sealed block is final (immediate finality); the head is `latest`, its seals are the proof.
 * - `depth` / `clique`: the head is `latest − confirmations`; the evidence carries the descendant headers. WEAKER
 *   TRUST: nothing signs those descendants (clique: each is sealed by one authorised signer), so a dev chain such as
 *   anvil is trusted on its RPC's word; the VerifiedRecord says `trust: 'rpc-depth'`.
 */
import { fail, isCourtBridgeError } from '../../src/errors.js';
import { safeQuantity, object, array } from '../../src/proofs/evm/json.js';
import { storageKey } from '../../src/proofs/evm/eip1186.js';
import { fromHex, toHex0x } from '../../src/crypto/bytes.js';
import { keccak256 } from '../../src/crypto/hash.js';
import { dataSlots, headSlots, parseEvmMapping, type PlannedSlot } from '../../src/proofs/evidence/layout.js';
import { RecordNotFoundError } from '../errors.js';
import { followLogs } from './follow.js';
import { createJsonRpcClient, redactUrl, type JsonRpcClient } from '../rpc.js';
import type {
  Adapter, AdapterDeps, EvmFinalityEvidence, EvmStorageEvidence, EvmStorageMapping, FinalizedHead, RecordRef, Registration, RpcJson,
} from '../types.js';

/** Most descendants fetched for the depth rule. */
export const MAX_CONFIRMATIONS = 256;
/** Times a fetch is retried when the chain reorganises between its calls. */
const REORG_RETRIES = 2;

/** Run a parse of an RPC answer; a parse failure means the node answered malformed (RPC_BAD_RESPONSE). */
function answer<T>(chain: string, method: string, endpoint: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    const reason = isCourtBridgeError(e) ? `${e.code}: ${e.message}` : 'unreadable';
    return fail('RPC_BAD_RESPONSE', { chain, method, endpoint, reason }, e);
  }
}

const hexQ = (n: number): string => `0x${n.toString(16)}`;

/** Create the `evm` adapter for a registration (called by the registry's factory). */
export async function createEvmAdapter(registration: Registration, deps: AdapterDeps = {}): Promise<Adapter> {
  void deps;
  const chainId = registration.chainId;
  if (registration.kind !== 'evm') fail('ADAPTER_KIND_UNKNOWN', { kind: registration.kind });
  if (!/^eip155:[1-9][0-9]{0,15}$/.test(chainId)) fail('CONFIG_INVALID', { field: 'chainId', reason: `${chainId} is not an eip155 CAIP-2 id` });
  const fin = registration.finality;
  const rule: 'qbft' | 'ibft2' | 'depth' | 'clique' = fin.rule === 'qbft' || fin.rule === 'ibft2' || fin.rule === 'depth' || fin.rule === 'clique'
    ? fin.rule
    : fail('CONFIG_INVALID', { field: 'finality.rule', reason: `${fin.rule} is not an EVM finality rule` });
  const confirmations = fin.rule === 'depth' || fin.rule === 'clique' ? fin.confirmations : 0;
  if (!Number.isSafeInteger(confirmations) || confirmations < 0 || confirmations > MAX_CONFIRMATIONS) {
    fail('CONFIG_INVALID', { field: 'finality.confirmations', reason: `must be 0..${MAX_CONFIRMATIONS}` });
  }
  const mappings = new Map<string, EvmStorageMapping>();
  for (const [name, rt] of Object.entries(registration.recordTypes)) {
    if (rt.mapping.kind === 'evm-storage') mappings.set(name, parseEvmMapping(rt.mapping, `recordTypes.${name}.mapping`));
  }
  const rpc: JsonRpcClient = createJsonRpcClient({
    chain: chainId,
    endpoints: registration.rpc,
    ...(registration.rpcLimits?.timeoutMs === undefined ? {} : { timeoutMs: registration.rpcLimits.timeoutMs }),
    ...(registration.rpcLimits?.maxResponseBytes === undefined ? {} : { maxResponseBytes: registration.rpcLimits.maxResponseBytes }),
  });
  const endpointLabel = (): string => redactUrl(registration.rpc[rpc.preferred]?.url ?? '');

  async function blockNumber(): Promise<number> {
    const r = await rpc.call('eth_blockNumber', []);
    return answer(chainId, 'eth_blockNumber', endpointLabel(), () => safeQuantity(r, 'result'));
  }

  async function block(tag: string, expectNumber?: number): Promise<RpcJson> {
    const r = await rpc.call('eth_getBlockByNumber', [tag, false]);
    return answer(chainId, 'eth_getBlockByNumber', endpointLabel(), () => {
      if (r === null) return fail('INVALID_INPUT', { field: 'result', reason: `no block ${tag}` });
      const o = object(r, 'result');
      const n = safeQuantity(o.number, 'result.number');
      if (expectNumber !== undefined && n !== expectNumber) fail('INVALID_INPUT', { field: 'result.number', reason: `block ${n} returned for ${expectNumber}` });
      if (typeof o.hash !== 'string' || typeof o.parentHash !== 'string') fail('INVALID_INPUT', { field: 'result.hash', reason: 'missing' });
      safeQuantity(o.timestamp, 'result.timestamp');
      return o as RpcJson;
    });
  }

  async function proof(contract: string, slots: readonly PlannedSlot[], tag: string): Promise<{ json: RpcJson; values: Map<string, bigint>; raw: Map<string, string> }> {
    const r = await rpc.call('eth_getProof', [contract, slots.map((s) => s.slot), tag]);
    return answer(chainId, 'eth_getProof', endpointLabel(), () => {
      const o = object(r, 'result');
      const list = array(o.storageProof, 'result.storageProof', slots.length);
      const values = new Map<string, bigint>();
      const raw = new Map<string, string>();
      list.forEach((s, i) => {
        const so = object(s, `result.storageProof[${i}]`);
        const key = toHex0x(storageKey(so.key, `result.storageProof[${i}].key`));
        if (typeof so.value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(so.value)) fail('BAD_INTEGER', { field: `result.storageProof[${i}].value` });
        values.set(key, BigInt(so.value));
        raw.set(key, so.value);
      });
      for (const s of slots) if (!values.has(s.slot)) fail('INVALID_INPUT', { field: 'result.storageProof', reason: `slot ${s.slot} missing` });
      return { json: o as RpcJson, values, raw };
    });
  }

  const headOf = (b: RpcJson): FinalizedHead => ({ height: safeQuantity(b.number, 'number'), hash: String(b.hash), timestamp: safeQuantity(b.timestamp, 'timestamp') });

  async function finalizedHead(): Promise<FinalizedHead> {
    if (confirmations === 0) return headOf(await block('latest'));
    const latest = await blockNumber();
    const n = Math.max(0, latest - confirmations);
    return headOf(await block(hexQ(n), n));
  }

  type Proven = { json: RpcJson; values: Map<string, bigint>; raw: Map<string, string> };

  /** Evidence from the fetched parts; RECORD_NOT_FOUND (with the evidence) when every head slot is zero. */
  function assemble(ref: RecordRef, mapping: EvmStorageMapping, slots: readonly PlannedSlot[], head: readonly PlannedSlot[], all: Proven, blockJson: RpcJson, descendants: RpcJson[], height: number): EvmStorageEvidence {
    const finality: EvmFinalityEvidence = rule === 'qbft' || rule === 'ibft2'
      ? { rule }
      : { rule, confirmations: descendants.length, descendants };
    const evidence: EvmStorageEvidence = {
      kind: 'evm-storage', chainId, recordType: ref.recordType, key: ref.key, contract: mapping.contract, mapping,
      slots: slots.map((p) => ({ slot: p.slot, field: p.field, value: all.raw.get(p.slot)! })),
      block: blockJson, proof: all.json, finality,
    };
    if (head.every((p) => all.values.get(p.slot) === 0n)) {
      throw new RecordNotFoundError({ recordType: ref.recordType, key: ref.key, chain: chainId, height }, evidence);
    }
    return evidence;
  }

  /**
   * Immediate-finality fast path (confirmations 0, no height asked): proof and header both at `latest`, in parallel.
   * They are of one block iff the account proof's first node (the trie root) hashes to the header's stateRoot;
   * otherwise (the head moved between the calls), or when long strings need more slots, null → the numbered path.
   */
  async function fetchLatest(ref: RecordRef, mapping: EvmStorageMapping): Promise<EvmStorageEvidence | null> {
    const head = headSlots(mapping, ref.key);
    const [p, b] = await Promise.all([proof(mapping.contract, head, 'latest'), block('latest')]);
    const nodes = p.json.accountProof;
    if (!Array.isArray(nodes) || typeof nodes[0] !== 'string' || typeof b.stateRoot !== 'string') return null;
    const first = nodes[0];
    const root = answer(chainId, 'eth_getProof', endpointLabel(), () => toHex0x(keccak256(fromHex(first, 'accountProof[0]'))));
    if (root !== b.stateRoot.toLowerCase() || dataSlots(mapping, ref.key, p.values).length > 0) return null;
    return assemble(ref, mapping, head, head, p, b, [], safeQuantity(b.number, 'number'));
  }

  async function fetchOnce(ref: RecordRef, mapping: EvmStorageMapping, at: number | undefined): Promise<EvmStorageEvidence | 'reorg'> {
    if (confirmations === 0 && at === undefined) {
      const fast = await fetchLatest(ref, mapping);
      if (fast !== null) return fast;
    }
    // Step 1: the block number (the finalized head unless asked) and, for depth rules, the descendants to fetch.
    const latest = confirmations === 0 && at !== undefined ? at : await blockNumber();
    const height = at ?? Math.max(0, latest - confirmations);
    if (!Number.isSafeInteger(height) || height < 0) fail('BAD_INTEGER', { field: 'at' });
    if (height > latest) fail('INVALID_INPUT', { field: 'at', reason: `block ${height} is above the head ${latest}` });
    const tag = hexQ(height);
    const descendantHeights: number[] = [];
    for (let h = height + 1; confirmations > 0 && h <= Math.min(height + confirmations, latest); h++) descendantHeights.push(h);
    // Step 2: the proof of the head slots and the header, at the same block number, in parallel.
    const head = headSlots(mapping, ref.key);
    const [first, blockJson, ...descendants] = await Promise.all([proof(mapping.contract, head, tag), block(tag, height), ...descendantHeights.map((h) => block(hexQ(h), h))]);
    // Step 3: long strings/bytes need their data slots: one more eth_getProof with every slot, same block.
    const extra = dataSlots(mapping, ref.key, first.values);
    const all = extra.length === 0 ? first : await proof(mapping.contract, [...head, ...extra], tag);
    // A reorganisation between the calls shows as a broken parent link; refetch.
    let parent = String(blockJson.hash);
    for (const d of descendants) {
      if (d.parentHash !== parent) return 'reorg';
      parent = String(d.hash);
    }
    // Step 4: the evidence (or, all head slots zero, the evidence of absence).
    return assemble(ref, mapping, [...head, ...extra], head, all, blockJson, descendants, height);
  }

  return {
    chainId,
    kind: 'evm',
    finalizedHead,
    async fetchRecord(ref: RecordRef, at?: number): Promise<EvmStorageEvidence> {
      if (ref.chainId !== chainId) fail('CHAIN_ID_MISMATCH', { expected: chainId, actual: ref.chainId });
      const mapping = mappings.get(ref.recordType) ?? fail('RECORD_TYPE_UNKNOWN', { recordType: ref.recordType, chain: chainId });
      for (let attempt = 0; ; attempt++) {
        const r = await fetchOnce(ref, mapping, at);
        if (r !== 'reorg') return r;
        if (attempt >= REORG_RETRIES) fail('RPC_BAD_RESPONSE', { chain: chainId, method: 'eth_getBlockByNumber', endpoint: endpointLabel(), reason: 'the chain kept reorganising during the fetch' });
      }
    },
    follow(opts, onEvent) {
      return followLogs({ chainId, mappings, finalizedHead, call: (m, p) => rpc.call(m, p) }, opts, onEvent);
    },
    async close() {
      rpc.close();
    },
  };
}
