/**
 * The `substrate` adapter: I/O only. For a record it reads the block (the finalized head, or the block at `at`),
 * `chain_getHeader`, `state_getReadProof([storageKey], hash)` and the block's GRANDPA justification
 * (`chain_getBlock` → `justifications`), and hands them on VERBATIM as `substrate-storage` evidence; whether they
 * prove anything is `verifySourceEvidence`'s business (src/proofs/evidence/substrate.ts).
 *
 * Storage key: frame-support StorageMap, twox128(pallet) ‖ twox128(item) ‖ hasher(SCALE(key)) — computed with the
 * same function the verifier uses. The read proof is walked at the edge (pure, src/proofs/substrate/read-proof.ts):
 * that is how present tells from absent, and a proof that does not check out fails over as RPC_BAD_RESPONSE.
 * A base-16 trie proves absence, so RECORD_NOT_FOUND carries the absence evidence. `follow`: adapters/substrate/follow.ts.
 */
import { toHex0x } from '../../src/crypto/bytes.js';
import { fail } from '../../src/errors.js';
import { encodeSubstrateKey } from '../../src/proofs/evidence/substrate.js';
import { storageMapKey } from '../../src/proofs/evidence/twox.js';
import { RecordNotFoundError } from '../errors.js';
import type { Adapter, AdapterDeps, FinalizedHead, FollowEvent, FollowOptions, RecordRef, Registration, SubstrateStorageEvidence, SubstrateStorageMapping } from '../types.js';
import { followStorageKeys } from './follow.js';
import { parseBlockHash, parseGrandpaJustification, parseHeaderFor, parseOptionalBlockHash, parseReadProofFor } from './parse.js';
import { SubstrateRpc } from './rpc-client.js';

/** Longest `bytes` record key (UTF-8 bytes). */
export const MAX_KEY_BYTES = 1024;

/** The mapping of `recordType` (RECORD_TYPE_UNKNOWN / MAPPING_INVALID). */
function mappingOf(registration: Registration, recordType: string): SubstrateStorageMapping {
  const entry = Object.hasOwn(registration.recordTypes, recordType) ? registration.recordTypes[recordType] : undefined;
  if (entry === undefined) return fail('RECORD_TYPE_UNKNOWN', { recordType, chain: registration.chainId });
  const m = entry.mapping;
  if (m.kind !== 'substrate-storage') return fail('MAPPING_INVALID', { field: `recordTypes.${recordType}.mapping.kind`, reason: `${m.kind} on a substrate chain` });
  return m;
}

const HASHERS: ReadonlySet<string> = new Set(['blake2_128_concat', 'twox64_concat', 'identity']);
/** Pallet and storage item names: Rust identifiers (frame-support hashes their UTF-8 bytes). */
const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Registration checks at creation: a CAIP-2 `polkadot:` id, GRANDPA finality, well-formed storage mappings. */
function checkRegistration(r: Registration): void {
  if (!/^polkadot:[0-9a-f]{32}$/.test(r.chainId)) fail('CONFIG_INVALID', { field: 'chainId', reason: `${r.chainId} is not a polkadot CAIP-2 id (genesis hash prefix)` });
  if (r.finality?.rule !== 'grandpa') fail('CONFIG_INVALID', { field: 'finality.rule', reason: `${String(r.finality?.rule)} is not GRANDPA` });
  for (const [name, t] of Object.entries(r.recordTypes)) {
    const m = t.mapping as unknown as Record<string, unknown>;
    const bad = (field: string, reason: string) => fail('MAPPING_INVALID', { field: `recordTypes.${name}.mapping.${field}`, reason });
    if (m?.kind !== 'substrate-storage') bad('kind', `${String(m?.kind)} on a substrate chain`);
    if (typeof m.pallet !== 'string' || !IDENT.test(m.pallet)) bad('pallet', 'must be a pallet name');
    if (typeof m.item !== 'string' || !IDENT.test(m.item)) bad('item', 'must be a storage item name');
    if (typeof m.hasher !== 'string' || !HASHERS.has(m.hasher)) bad('hasher', 'must be blake2_128_concat, twox64_concat or identity');
    if (m.keyType !== 'bytes32' && m.keyType !== 'bytes') bad('keyType', 'must be bytes32 or bytes');
    if (m.valueCodec !== 'scale-bytes-json' && m.valueCodec !== 'raw') bad('valueCodec', 'must be scale-bytes-json or raw');
  }
}

/** A `substrate` adapter for an approved registration. */
export class SubstrateAdapter implements Adapter {
  readonly kind = 'substrate' as const;
  readonly chainId: string;
  readonly #registration: Registration;
  readonly #rpc: SubstrateRpc;
  readonly #closed = new AbortController();

  constructor(registration: Registration) {
    if (registration.kind !== 'substrate') fail('ADAPTER_KIND_UNKNOWN', { kind: String(registration.kind) });
    checkRegistration(registration);
    this.chainId = registration.chainId;
    this.#registration = registration;
    this.#rpc = new SubstrateRpc({
      chain: registration.chainId,
      endpoints: registration.rpc,
      ...(registration.rpcLimits?.timeoutMs === undefined ? {} : { timeoutMs: registration.rpcLimits.timeoutMs }),
      ...(registration.rpcLimits?.maxResponseBytes === undefined ? {} : { maxResponseBytes: registration.rpcLimits.maxResponseBytes }),
    });
  }

  /** `chain_getFinalizedHead` + `chain_getHeader`: GRANDPA-final head (Substrate headers carry no time: timestamp 0). */
  async finalizedHead(): Promise<FinalizedHead> {
    const { hash, header } = await this.#finalized();
    return { height: header.number, hash, timestamp: 0 };
  }

  /** The finalized head's hash and header (verbatim JSON and parsed). */
  async #finalized(): Promise<{ hash: string } & ReturnType<typeof parseHeaderFor>> {
    const hash = await this.#rpc.call('chain_getFinalizedHead', [], (v) => parseBlockHash(v));
    return { hash, ...(await this.#rpc.call('chain_getHeader', [hash], (v) => parseHeaderFor(v, hash))) };
  }

  /** Evidence for `ref` at height `at` (default: the finalized head); RECORD_NOT_FOUND with absence evidence. */
  async fetchRecord(ref: RecordRef, at?: number): Promise<SubstrateStorageEvidence> {
    if (ref.chainId !== this.chainId) fail('INVALID_INPUT', { field: 'ref.chainId', reason: `this adapter serves ${this.chainId}` });
    const mapping = mappingOf(this.#registration, ref.recordType);
    if (typeof ref.key !== 'string' || ref.key.length === 0) fail('INVALID_INPUT', { field: 'ref.key', reason: 'must be a non-empty string' });
    if (mapping.keyType === 'bytes' && Buffer.byteLength(ref.key) > MAX_KEY_BYTES) fail('INVALID_INPUT', { field: 'ref.key', reason: `longer than ${MAX_KEY_BYTES} bytes` });
    const storageKey = storageMapKey(mapping, encodeSubstrateKey(mapping, ref.key)); // BAD_HEX / BAD_LENGTH for bytes32
    if (at !== undefined && (!Number.isSafeInteger(at) || at < 0)) fail('BAD_INTEGER', { field: 'at' });

    // Step 1: the block — only a final one (at ≤ the finalized head).
    let { hash, json: headerJson, header } = await this.#finalized();
    if (at !== undefined && at !== header.number) {
      if (at > header.number) fail('RECORD_NOT_FINAL', { height: at, confirmations: 'no justification', required: `finalized head ${header.number}` });
      const h = await this.#rpc.call('chain_getBlockHash', [at], (v) => parseOptionalBlockHash(v) ?? fail('INVALID_INPUT', { field: 'result', reason: `no block ${at} below the finalized head` }));
      // Step 2: its header (verbatim), which must hash to the block asked for (the head's was read with it).
      ({ json: headerJson, header } = await this.#rpc.call('chain_getHeader', [h], (v) => parseHeaderFor(v, h)));
      hash = h;
    }
    // Step 3: the read proof of the storage key at that block (verbatim), walked against the header's state root.
    const keyHex = toHex0x(storageKey);
    const proof = await this.#rpc.call('state_getReadProof', [[keyHex], hash], (v) => parseReadProofFor(v, header, storageKey));
    // Step 4: the GRANDPA justification of the block, when the node holds one (genesis is the trust anchor: none).
    const justification = header.number === 0 ? undefined : await this.#rpc.call('chain_getBlock', [hash], parseGrandpaJustification);
    const evidence: SubstrateStorageEvidence = {
      kind: 'substrate-storage',
      chainId: this.chainId,
      recordType: ref.recordType,
      key: ref.key,
      header: headerJson,
      readProof: proof.json,
      storageKey: keyHex,
      ...(justification === undefined ? {} : { justification }),
    };
    if (proof.value === null) throw new RecordNotFoundError({ recordType: ref.recordType, key: ref.key, chain: this.chainId, height: header.number }, evidence);
    return evidence;
  }

  /** New records of `opts.recordTypes` as they become final: a diff of the maps' keys (adapters/substrate/follow.ts). */
  follow(opts: FollowOptions, onEvent: (event: FollowEvent) => void | Promise<void>): Promise<void> {
    return followStorageKeys({
      chainId: this.chainId,
      mapping: (t) => mappingOf(this.#registration, t),
      maxKeyBytes: MAX_KEY_BYTES,
      finalizedHead: () => this.finalizedHead(),
      call: (method, params, parse) => this.#rpc.call(method, params, parse),
      closed: this.#closed.signal,
    }, opts, onEvent);
  }

  /** Stop following and close the connections. */
  async close(): Promise<void> {
    this.#closed.abort();
    this.#rpc.close();
  }
}

/** Create the adapter (the factory in adapters/substrate/factory.ts loads this module lazily). */
export async function createSubstrateAdapter(registration: Registration, _deps: AdapterDeps): Promise<SubstrateAdapter> {
  return new SubstrateAdapter(registration);
}
