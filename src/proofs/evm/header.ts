/**
 * Execution-layer block headers: strict parsing of `eth_getBlockByNumber` / `eth_getBlockByHash` JSON into a typed
 * header, and blockHash = keccak256(RLP(header)) for every shape (Yellow Paper §4.3; EIP-1559 London,
 * EIP-4895 Shanghai, EIP-4844 + EIP-4788 Cancun, EIP-7685 Prague).
 *
 * Field order follows ethereum/execution-specs `Header` (forks/prague/blocks.py). Each later field requires all the
 * earlier optional ones; any other combination is HEADER_SHAPE_INVALID.
 *
 * Non-header members of the block JSON are ignored (listed in IGNORED_BLOCK_FIELDS): `hash` is read as the claimed
 * hash, the others (`transactions`, `uncles`, `size`, `totalDifficulty`, `withdrawals`) are not covered by the header
 * hash and are never trusted. Any other unknown member is HEADER_UNKNOWN_FIELD.
 */
import { encodeRlp } from 'ethers';
import { fail } from '../../errors.js';
import { memoKeccak256 } from './keccak-memo.js';
import { bytesEqual, toHex0x } from '../../crypto/bytes.js';
import { data, object, quantity } from './json.js';
import { scalarBytes } from './rlp.js';

/** Header shapes by the fork that introduced their last field. */
export type HeaderShape = 'frontier' | 'london' | 'shanghai' | 'cancun' | 'prague';

/** A parsed execution-layer header. Quantities are bigints; hashes and byte fields are raw bytes. */
export interface EvmHeader {
  shape: HeaderShape;
  parentHash: Uint8Array;
  ommersHash: Uint8Array;
  beneficiary: Uint8Array;
  stateRoot: Uint8Array;
  transactionsRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  difficulty: bigint;
  number: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  timestamp: bigint;
  extraData: Uint8Array;
  mixHash: Uint8Array;
  nonce: Uint8Array;
  baseFeePerGas?: bigint;
  withdrawalsRoot?: Uint8Array;
  blobGasUsed?: bigint;
  excessBlobGas?: bigint;
  parentBeaconBlockRoot?: Uint8Array;
  requestsHash?: Uint8Array;
  /** The `hash` member of the JSON, when present (not yet checked). */
  claimedHash?: Uint8Array;
}

/** Members of the block JSON that are not header fields and are ignored (never trusted). */
export const IGNORED_BLOCK_FIELDS: readonly string[] = ['transactions', 'uncles', 'size', 'totalDifficulty', 'withdrawals'];

/** Extra data longer than this is refused (mainnet caps it at 32 bytes; BFT chains carry seals, ~100 B each). */
export const MAX_EXTRA_DATA_BYTES = 64 * 1024;

type Kind = 'hash' | 'addr' | 'bloom' | 'nonce' | 'qty' | 'bytes';
/** JSON name, kind, fork that introduced an optional field (undefined = always present). */
const FIELDS: ReadonlyArray<readonly [string, Kind, HeaderShape | undefined]> = [
  ['parentHash', 'hash', undefined],
  ['sha3Uncles', 'hash', undefined],
  ['miner', 'addr', undefined],
  ['stateRoot', 'hash', undefined],
  ['transactionsRoot', 'hash', undefined],
  ['receiptsRoot', 'hash', undefined],
  ['logsBloom', 'bloom', undefined],
  ['difficulty', 'qty', undefined],
  ['number', 'qty', undefined],
  ['gasLimit', 'qty', undefined],
  ['gasUsed', 'qty', undefined],
  ['timestamp', 'qty', undefined],
  ['extraData', 'bytes', undefined],
  ['mixHash', 'hash', undefined],
  ['nonce', 'nonce', undefined],
  ['baseFeePerGas', 'qty', 'london'],
  ['withdrawalsRoot', 'hash', 'shanghai'],
  ['blobGasUsed', 'qty', 'cancun'],
  ['excessBlobGas', 'qty', 'cancun'],
  ['parentBeaconBlockRoot', 'hash', 'cancun'],
  ['requestsHash', 'hash', 'prague'],
];
const KNOWN = new Set<string>([...FIELDS.map((f) => f[0]), 'hash', ...IGNORED_BLOCK_FIELDS]);
const BYTE_LEN: Partial<Record<Kind, number>> = { hash: 32, addr: 20, bloom: 256, nonce: 8 };

function parseField(kind: Kind, value: unknown, field: string): Uint8Array | bigint {
  if (kind === 'qty') return quantity(value, field);
  const b = data(value, field, BYTE_LEN[kind]);
  if (kind === 'bytes' && b.length > MAX_EXTRA_DATA_BYTES) fail('TOO_LARGE', { field, limit: MAX_EXTRA_DATA_BYTES });
  return b;
}

/** Parse the JSON of `eth_getBlockBy*` into a header. Strict: see the module comment. */
export function parseHeader(json: unknown, field = 'header'): EvmHeader {
  const o = object(json, field);
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) fail('HEADER_UNKNOWN_FIELD', { field: `${field}.${k}` });
  const v: Record<string, Uint8Array | bigint> = {};
  // Presence rule: the optional fields form a prefix of their order (execution-specs header evolution).
  let shape: HeaderShape = 'frontier';
  let missingFrom: string | undefined;
  for (const [name, kind, fork] of FIELDS) {
    const raw = o[name];
    if (raw === undefined || raw === null) {
      if (fork === undefined) fail('INVALID_INPUT', { field: `${field}.${name}`, reason: 'is required' });
      missingFrom ??= name;
      continue;
    }
    if (missingFrom !== undefined) fail('HEADER_SHAPE_INVALID', { reason: `${name} is present but ${missingFrom} is not` });
    v[name] = parseField(kind, raw, `${field}.${name}`);
    if (fork) shape = fork;
  }
  if (shape === 'cancun' && (v.excessBlobGas === undefined || v.parentBeaconBlockRoot === undefined)) {
    fail('HEADER_SHAPE_INVALID', { reason: 'Cancun headers carry blobGasUsed, excessBlobGas and parentBeaconBlockRoot together' });
  }
  const h: EvmHeader = {
    shape,
    parentHash: v.parentHash as Uint8Array,
    ommersHash: v.sha3Uncles as Uint8Array,
    beneficiary: v.miner as Uint8Array,
    stateRoot: v.stateRoot as Uint8Array,
    transactionsRoot: v.transactionsRoot as Uint8Array,
    receiptsRoot: v.receiptsRoot as Uint8Array,
    logsBloom: v.logsBloom as Uint8Array,
    difficulty: v.difficulty as bigint,
    number: v.number as bigint,
    gasLimit: v.gasLimit as bigint,
    gasUsed: v.gasUsed as bigint,
    timestamp: v.timestamp as bigint,
    extraData: v.extraData as Uint8Array,
    mixHash: v.mixHash as Uint8Array,
    nonce: v.nonce as Uint8Array,
  };
  if (v.baseFeePerGas !== undefined) h.baseFeePerGas = v.baseFeePerGas as bigint;
  if (v.withdrawalsRoot !== undefined) h.withdrawalsRoot = v.withdrawalsRoot as Uint8Array;
  if (v.blobGasUsed !== undefined) h.blobGasUsed = v.blobGasUsed as bigint;
  if (v.excessBlobGas !== undefined) h.excessBlobGas = v.excessBlobGas as bigint;
  if (v.parentBeaconBlockRoot !== undefined) h.parentBeaconBlockRoot = v.parentBeaconBlockRoot as Uint8Array;
  if (v.requestsHash !== undefined) h.requestsHash = v.requestsHash as Uint8Array;
  if (o.hash !== undefined) h.claimedHash = data(o.hash, `${field}.hash`, 32);
  return h;
}

/** The RLP list items of a header in execution-specs order; `extraData` may be replaced (BFT / Clique hashing). */
export function headerItems(h: EvmHeader, extraData: Uint8Array = h.extraData): Uint8Array[] {
  const items = [
    h.parentHash, h.ommersHash, h.beneficiary, h.stateRoot, h.transactionsRoot, h.receiptsRoot, h.logsBloom,
    scalarBytes(h.difficulty), scalarBytes(h.number), scalarBytes(h.gasLimit), scalarBytes(h.gasUsed),
    scalarBytes(h.timestamp), extraData, h.mixHash, h.nonce,
  ];
  if (h.baseFeePerGas !== undefined) items.push(scalarBytes(h.baseFeePerGas));
  if (h.withdrawalsRoot !== undefined) items.push(h.withdrawalsRoot);
  if (h.blobGasUsed !== undefined) items.push(scalarBytes(h.blobGasUsed), scalarBytes(h.excessBlobGas!), h.parentBeaconBlockRoot!);
  if (h.requestsHash !== undefined) items.push(h.requestsHash);
  return items;
}

/** RLP(header), optionally with `extraData` replaced. */
export function encodeHeader(h: EvmHeader, extraData?: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(encodeRlp(headerItems(h, extraData)).slice(2), 'hex'));
}

/**
 * keccak256(RLP(header)): the block hash of Ethereum (not of BFT chains, see qbft.ts). Memoised by the exact RLP
 * bytes (keccak-memo.ts: a pure function of the bytes, never a verdict), as a relay hashes one block's header once per
 * record of that block.
 */
export function computeBlockHash(h: EvmHeader): Uint8Array {
  return memoKeccak256(encodeHeader(h));
}

/** Parse block JSON, require its `hash` and check it equals keccak256(RLP(header)) (BLOCK_HASH_MISMATCH). */
export function verifyHeaderJson(json: unknown, field = 'header'): EvmHeader & { hash: Uint8Array } {
  const h = parseHeader(json, field);
  if (h.claimedHash === undefined) fail('INVALID_INPUT', { field: `${field}.hash`, reason: 'is required' });
  const actual = computeBlockHash(h);
  if (!bytesEqual(actual, h.claimedHash)) fail('BLOCK_HASH_MISMATCH', { claimed: toHex0x(h.claimedHash), actual: toHex0x(actual) });
  return { ...h, hash: actual };
}
