/**
 * The Adapter SDK contract: what an adapter (I/O only) hands to the relay, and what the pure verifier
 * (`src/proofs/evidence.ts` → `verifySourceEvidence`) turns into a `VerifiedRecord`.
 *
 * Conventions: plain JSON data only (no bigint, no Uint8Array) so that evidence can be stored, put into a bundle and
 * re-checked years later; hashes, addresses and byte strings are `0x` lower-case hex; heights are safe integers;
 * times are Unix seconds. Raw RPC responses (`eth_getProof`, `eth_getBlockByNumber`, `chain_getHeader`,
 * `state_getReadProof`, BFT certificates) are kept VERBATIM as the chain returned them, so a bundle can be re-checked
 * in the chain's own format (DESIGN.md "Core types").
 *
 * Registration: the registration engineer owns the full document (`schemas/adapter-registration.json`,
 * `adapters/registration/`). `Registration` below is the minimal read-only view adapters need; the full document
 * must be reducible to it (see "Registration view" below).
 */
import type { ChainKind, JsonValue, TrustState } from '../src/proofs/lightclient/types.js';

export type { JsonValue } from '../src/proofs/lightclient/types.js';

/** A JSON object exactly as an RPC returned it. */
export type RpcJson = { readonly [key: string]: JsonValue };

/** CAIP-2 chain id: `eip155:<n>`, `polkadot:<genesis-hash-prefix>`, `bft:<network>`. */
export type ChainId = string;

/** The adapter kinds: one factory each (adapters/registry.ts). */
export type AdapterKind = 'evm' | 'substrate' | 'bft';

/** What a court or subscription asks for: a record of a registered type on a chain, by its key. */
export interface RecordRef {
  /** CAIP-2 chain id of the partner chain. */
  readonly chainId: ChainId;
  /** Record type name as registered (e.g. `enterprise`, `dishonest-debtor`). */
  readonly recordType: string;
  /** The record's key in the form the mapping's `keyType` describes (USCC, `0x` subject hash, …). */
  readonly key: string;
}

/** The newest header the adapter considers final under the registration's finality rule. */
export interface FinalizedHead {
  /** Block number. */
  readonly height: number;
  /** `0x` block hash. */
  readonly hash: string;
  /** Block time, Unix seconds (0 where the chain does not put a time in its header, e.g. Substrate). */
  readonly timestamp: number;
}

// ── Chain mappings (data, not code: one per record type, from the registration) ───────────────────────────────

/** Solidity value types a mapped struct field may have (layout per the Solidity docs "Layout of State Variables"). */
export type EvmFieldType =
  | 'bytes32' | 'address' | 'bool' | 'string' | 'bytes'
  | `uint${number}` | `int${number}` | `bytes${number}`;

/** One field of the mapped record: where it lives relative to the record's base slot and how it decodes. */
export interface EvmFieldMapping {
  /** Field name in the decoded record. */
  readonly name: string;
  /** Solidity type. `string`/`bytes`: short (< 32 bytes) inline, long at keccak256(slot) (Solidity layout). */
  readonly type: EvmFieldType;
  /** Slot offset from the record's base slot (struct member slot). */
  readonly slot: number;
  /** Byte offset inside the slot, counted from the low-order (right) end, for packed members; default 0. */
  readonly offset?: number;
}

/** How the record key turns into the 32-byte Solidity mapping key. */
export type EvmKeyType =
  | 'bytes32'        // key is `0x` + 64 hex digits
  | 'bytes32-utf8'   // key is text, UTF-8 right-padded with zeros to 32 bytes (Solidity `bytes32("…")`), ≤ 32 bytes
  | 'address'        // key is a 20-byte address, left-padded (abi.encode)
  | 'uint256';       // key is a decimal integer string, big-endian 32 bytes

/** `mapping(K => Record)` at `mappingSlot` of `contract`: base slot = keccak256(pad32(key) ‖ pad32(mappingSlot)). */
export interface EvmStorageMapping {
  readonly kind: 'evm-storage';
  /** Contract address (`0x`, 20 bytes). */
  readonly contract: string;
  /** Declaration slot of the mapping (decimal safe integer). */
  readonly mappingSlot: number;
  /** How `RecordRef.key` encodes as the mapping key. */
  readonly keyType: EvmKeyType;
  /** The record's fields. A record whose every slot reads zero is absent (Solidity cannot tell zero from unset). */
  readonly fields: readonly EvmFieldMapping[];
}

/** BFT chains: records are leaves of the block's records tree; the record's `keyField` holds the key. */
export interface BftRecordMapping {
  readonly kind: 'bft-merkle';
  /** Field of the record JSON that holds the key. */
  readonly keyField: string;
  /** Field of the record JSON that names the record type, when the chain mixes types in one tree. */
  readonly typeField?: string;
  /** Value `typeField` must have (defaults to the record type name). */
  readonly typeValue?: string;
}

/** Substrate: a `StorageMap` item; storage key = twox128(pallet) ‖ twox128(item) ‖ hasher(SCALE(key)). */
export interface SubstrateStorageMapping {
  readonly kind: 'substrate-storage';
  /** Pallet name (e.g. `CreditRegistry`). */
  readonly pallet: string;
  /** Storage item name (e.g. `Entries`). */
  readonly item: string;
  /** The map's key hasher. */
  readonly hasher: 'blake2_128_concat' | 'twox64_concat' | 'identity';
  /** How `RecordRef.key` encodes: `bytes32` = `0x` 32 bytes; `bytes` = UTF-8 as SCALE `Vec<u8>`. */
  readonly keyType: 'bytes32' | 'bytes';
  /** How the stored value decodes: SCALE `Vec<u8>` holding RFC 8785 JSON of the record, or raw `{ value: 0x… }`. */
  readonly valueCodec: 'scale-bytes-json' | 'raw';
}

/** How one record type maps onto its chain (discriminated on `kind`, matching the evidence kind). */
export type RecordMapping = EvmStorageMapping | BftRecordMapping | SubstrateStorageMapping;

// ── Registration view ─────────────────────────────────────────────────────────────────────────────────────────

/** One RPC endpoint. Credentials may appear in the URL or headers; they never appear in errors or evidence. */
export interface RpcEndpoint {
  /** `http(s)://` (EVM, BFT) or `ws(s)://` (Substrate) URL. */
  readonly url: string;
  /** Extra request headers (e.g. an API key). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A record type of a registration: its schema and its chain mapping. */
export interface RecordTypeRegistration {
  /** JSON Schema `$id` the decoded record must validate against (schemas/domain/**). */
  readonly schemaId: string;
  /** Where and how the record lives on the chain. */
  readonly mapping: RecordMapping;
}

/**
 * The finality rule of the chain. `qbft` / `ibft2` / `grandpa` / `bft-qc`: a finality certificate checked by the light
 * client. `depth`: a block counts as final `confirmations` blocks below the tip — WEAKER TRUST (the RPC attests the
 * descendants; nothing signs them), meant for dev chains such as anvil. `clique`: signer-sealed headers + depth.
 */
export type FinalityRule =
  | { readonly rule: 'qbft' | 'ibft2' | 'grandpa' | 'bft-qc' }
  | { readonly rule: 'depth' | 'clique'; readonly confirmations: number };

/** Read-only view of an approved registration that adapters need. */
export interface Registration {
  /** CAIP-2 chain id. */
  readonly chainId: ChainId;
  /** Adapter kind (selects the factory). */
  readonly kind: AdapterKind;
  /** RPC endpoints in preference order; adapters fail over along this list. */
  readonly rpc: readonly RpcEndpoint[];
  /** Finality rule. */
  readonly finality: FinalityRule;
  /** Trust anchor the relay builds the light-client state from (opaque to adapters; `lightclient/state.ts` TrustAnchor). */
  readonly trustAnchor?: JsonValue;
  /** Record types by name. */
  readonly recordTypes: Readonly<Record<string, RecordTypeRegistration>>;
  /** Per-call RPC limits (defaults: 10 s timeout, 16 MiB responses). */
  readonly rpcLimits?: { readonly timeoutMs?: number; readonly maxResponseBytes?: number };
}

// ── Source evidence (raw RPC JSON kept verbatim) ──────────────────────────────────────────────────────────────

/** Fields every evidence kind carries: which record it is about. */
interface EvidenceBase {
  readonly chainId: ChainId;
  readonly recordType: string;
  readonly key: string;
}

/** One storage slot read for an EVM record, and what it holds for the record (per the mapping). */
export interface EvmSlotReading {
  /** `0x` 32-byte storage slot. */
  readonly slot: string;
  /** Field it belongs to: `name`, or `name#len` / `name#data[i]` for long strings/bytes. */
  readonly field: string;
  /** The value as proven (`0x` quantity as in EIP-1186 `storageProof[i].value`). */
  readonly value: string;
}

/** EVM finality data by rule; `descendants` are `eth_getBlockByNumber` JSON of the blocks above the record's block. */
export type EvmFinalityEvidence =
  | { readonly rule: 'qbft' | 'ibft2' }
  | { readonly rule: 'depth'; readonly confirmations: number; readonly descendants: readonly RpcJson[] }
  | { readonly rule: 'clique'; readonly confirmations: number; readonly descendants: readonly RpcJson[] };

/** A record in EVM contract storage, proven by EIP-1186 against the header's state root. */
export interface EvmStorageEvidence extends EvidenceBase {
  readonly kind: 'evm-storage';
  /** Contract address. */
  readonly contract: string;
  /** The mapping used (copied from the registration so the bundle is self-contained; verifiers compare). */
  readonly mapping: EvmStorageMapping;
  /** Slots read and how they decode into the record. */
  readonly slots: readonly EvmSlotReading[];
  /** `eth_getBlockByNumber(n, false)` JSON (verbatim). */
  readonly block: RpcJson;
  /** `eth_getProof(contract, slots, n)` JSON (verbatim), same block `n`. */
  readonly proof: RpcJson;
  /** Finality of `block`. */
  readonly finality: EvmFinalityEvidence;
}

/** A record in a CourtBridge-BFT block (docs/bft-format.md): QC-final header + RFC 9162 inclusion in `recordsRoot`. */
export interface BftMerkleEvidence extends EvidenceBase {
  readonly kind: 'bft-merkle';
  /** BftHeader JSON (verbatim). */
  readonly header: RpcJson;
  /** BftCertificate JSON (verbatim). */
  readonly certificate: RpcJson;
  /** Revealed next validator set when the header hands over (BftValidatorSet JSON). */
  readonly validatorSet?: RpcJson;
  /** The record: RFC 8785 canonical JSON text, its leaf index and the RFC 9162 audit path. */
  readonly record: { readonly data: string; readonly index: number; readonly proof: readonly string[] };
}

/** A record in Substrate storage, proven by `state_getReadProof` against the header's state root. */
export interface SubstrateStorageEvidence extends EvidenceBase {
  readonly kind: 'substrate-storage';
  /** `chain_getHeader` JSON (verbatim). */
  readonly header: RpcJson;
  /** `state_getReadProof([storageKey], hash)` JSON (verbatim). */
  readonly readProof: RpcJson;
  /** `0x` storage key read. */
  readonly storageKey: string;
  /** `0x` SCALE GRANDPA justification finalising `header` (from `grandpa_proveFinality` / block justifications). */
  readonly justification?: string;
}

/** Source evidence: a discriminated union on `kind`. */
export type SourceEvidence = EvmStorageEvidence | BftMerkleEvidence | SubstrateStorageEvidence;

/** The evidence kinds. */
export type SourceEvidenceKind = SourceEvidence['kind'];

// ── Verification (src/proofs/evidence.ts) ─────────────────────────────────────────────────────────────────────

/**
 * Trust for depth-rule chains (no finality gadget): minimum confirmations, optionally the canonical headers the
 * caller knows (height → hash) — evidence from a block not on that chain fails.
 */
export interface DepthTrust {
  readonly kind: 'evm-depth';
  readonly chainId: ChainId;
  /** Minimum descendants required above the record's block. */
  readonly minConfirmations: number;
  /** Canonical block hashes by height (decimal string keys), e.g. from the relay's own view of the chain. */
  readonly canonical?: Readonly<Record<string, string>>;
  /** Clique rule only: the authorised signers (`0x` addresses); every header must be sealed by one (EIP-225). */
  readonly cliqueSigners?: readonly string[];
}

/** What evidence is verified against: a light-client state, or depth trust for dev chains. */
export type EvidenceTrust = TrustState | DepthTrust;

/** Options of `verifySourceEvidence`. */
export interface VerifyEvidenceOptions {
  /** Verification time (Unix seconds): the light client's trusting period is checked at this time. */
  readonly now: number;
  /**
   * The registration's mapping for the record type (required: evidence never chooses its own contract, pallet or
   * key field). EVM evidence carries a copy of its mapping, which must equal this one.
   */
  readonly mapping: RecordMapping;
  /** When given, the evidence must be about this record. */
  readonly expect?: RecordRef;
}

/** A record proven ABSENT at a final block (`verifySourceAbsence`). */
export interface VerifiedAbsence {
  readonly chainId: ChainId;
  readonly recordType: string;
  readonly key: string;
  readonly height: number;
  readonly blockHash: string;
  /** `0x` SHA-256 of the RFC 8785 canonical JSON of the evidence. */
  readonly evidenceDigest: string;
  readonly finality: FinalitySummary;
}

/** How finality was established for a verified record. */
export interface FinalitySummary {
  /** The rule applied. */
  readonly rule: 'qbft' | 'ibft2' | 'clique' | 'depth' | 'grandpa' | 'bft-qc';
  /** `light-client`: a certificate verified under the trusted validator set; `rpc-depth`: confirmations only. */
  readonly trust: 'light-client' | 'rpc-depth';
  /** Light-client kind, when `trust` is `light-client`. */
  readonly chainKind?: ChainKind;
  /** Id of the validator set that certified the header (light client). */
  readonly validatorSetId?: string;
  /** Descendant blocks seen above the record's block (depth/clique rules). */
  readonly confirmations?: number;
}

/** A record proven final on its source chain: what the relay attests. */
export interface VerifiedRecord {
  readonly chainId: ChainId;
  readonly recordType: string;
  readonly key: string;
  /** Height of the block the record was proven at. */
  readonly height: number;
  /** `0x` hash of that block. */
  readonly blockHash: string;
  /** The decoded record (a JSON object). */
  readonly record: { readonly [key: string]: JsonValue };
  /** `0x` SHA-256 of the RFC 8785 canonical JSON of `record`. */
  readonly recordDigest: string;
  /** `0x` SHA-256 of the RFC 8785 canonical JSON of the whole evidence. */
  readonly evidenceDigest: string;
  /** How finality was established. */
  readonly finality: FinalitySummary;
}

// ── Adapters ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A new record observed by `follow`. `head` is the final block the record is reported at: the block where the change
 * appeared (EVM: the log's block; BFT: the block holding the record; Substrate: the first block holding the new key),
 * not the head at poll time — so a re-delivery after a restart names the same (ref, height) and the relay's
 * idempotent job (and attestation id) is the same. Events come in non-decreasing height. `timestamp` is 0 where the
 * adapter does not read the block's time (EVM logs and Substrate headers carry none).
 */
export interface FollowEvent {
  readonly ref: RecordRef;
  readonly head: FinalizedHead;
}

/** Options of `follow`. */
export interface FollowOptions {
  /** Record types to follow. */
  readonly recordTypes: readonly string[];
  /** Start after this height (exclusive); default the current finalized head. */
  readonly fromHeight?: number;
  /** Poll interval in ms. */
  readonly intervalMs?: number;
  /** Stops following. */
  readonly signal?: AbortSignal;
  /**
   * Called after every record of the blocks up to `scanned` has been delivered (awaited before the next poll), with
   * the finalized head seen: a caller may store `scanned` as its cursor and resume with `fromHeight: scanned`.
   */
  readonly onProgress?: (scanned: number, head: FinalizedHead) => void | Promise<void>;
}

/** One partner chain, I/O only: it fetches, it never decides what is valid (that is `verifySourceEvidence`). */
export interface Adapter {
  readonly chainId: ChainId;
  readonly kind: AdapterKind;
  /** The newest final header under the registration's finality rule. */
  finalizedHead(): Promise<FinalizedHead>;
  /**
   * Evidence for `ref` at height `at` (default: the finalized head). An absent record fails with RECORD_NOT_FOUND
   * whose `absence` property carries the evidence of absence (the proof of the zero slots).
   */
  fetchRecord(ref: RecordRef, at?: number): Promise<SourceEvidence>;
  /** Optional: stream new records as they become final. */
  follow?(opts: FollowOptions, onEvent: (event: FollowEvent) => void | Promise<void>): Promise<void>;
  /**
   * Optional: raw finality evidence (the light client's format for the chain's kind) of every header above
   * `fromHeight` that changes the trust — certified validator-set hand-overs — in ascending height. The relay feeds
   * them to `acceptHeader` before verifying records at later heights; they prove themselves (nothing is trusted
   * because an adapter returned it).
   */
  trustUpdates?(fromHeight: number): Promise<JsonValue[]>;
  /** Release connections. */
  close(): Promise<void>;
}

/** What factories get besides the registration. */
export interface AdapterDeps {
  /** HTTP/JSON-RPC transport override (tests); default the built-in keep-alive client. */
  readonly fetchImpl?: typeof fetch;
  /** Clock in ms (tests). */
  readonly nowMs?: () => number;
}

/** One factory per adapter kind; heavy chain SDKs are loaded lazily inside `create`. */
export interface AdapterFactory {
  readonly kind: AdapterKind;
  create(registration: Registration, deps: AdapterDeps): Promise<Adapter>;
}
