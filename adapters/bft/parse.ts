/**
 * Strict parsing of the BFT simulator / partner RPC results (docs/bft-simulator-rpc.md) into domain types, once, at
 * the edge. A result that does not parse is the endpoint's fault: RPC_BAD_RESPONSE naming the method, with the parse
 * error (which names the field) as cause. The raw JSON objects are returned beside the parsed values so that evidence
 * keeps them verbatim.
 */
import { CourtBridgeError, isCourtBridgeError } from '../../src/errors.js';
import {
  hash32, objectWith, parseBftCertificate, parseBftHeader, parseBftRecordProof, parseBftValidatorSet, safeInt,
  type BftCertificate, type BftHeader, type BftRecordProof, type BftValidatorSet,
} from '../../src/proofs/bft/format.js';
import type { FinalizedHead, RpcJson } from '../types.js';

/** A block as served by `bft_getBlock`: parsed and raw. */
export interface FetchedBlock {
  readonly header: BftHeader;
  readonly certificate: BftCertificate;
  readonly nextValidatorSet?: BftValidatorSet;
  readonly raw: { readonly header: RpcJson; readonly certificate: RpcJson; readonly nextValidatorSet?: RpcJson };
}

/** A record as served by `bft_getRecord`. */
export interface FetchedRecord {
  readonly height: number;
  readonly record: BftRecordProof;
}

/** One entry of `bft_getBlockRecords`. */
export interface BlockRecordEntry {
  readonly recordType: string;
  readonly key: string;
  readonly index: number;
}

/** Most entries a `bft_getBlockRecords` answer may list (the simulator's per-block limit). */
export const MAX_BLOCK_RECORDS = 10_000;

/** Run `parse`, turning its coded input errors into RPC_BAD_RESPONSE for `method` on `chain`. */
export function atEdge<T>(chain: string, method: string, endpoint: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!isCourtBridgeError(e) || e.category !== 'input') throw e;
    throw new CourtBridgeError('RPC_BAD_RESPONSE', { method, chain, endpoint, reason: `${e.code}: ${e.message}` }, { cause: e });
  }
}

/** `bft_finalizedHead` → `{height, hash, timestamp}`. */
export function parseHead(value: unknown): FinalizedHead {
  const o = objectWith(value, 'result', ['height', 'hash', 'timestamp']);
  return { height: safeInt(o.height, 'result.height'), hash: hash32(o.hash, 'result.hash'), timestamp: safeInt(o.timestamp, 'result.timestamp') };
}

/** `bft_getBlock` → block, or undefined for `null` (above the head). */
export function parseBlock(value: unknown, expectHeight: number): FetchedBlock | undefined {
  if (value === null) return undefined;
  const o = objectWith(value, 'result', ['header', 'certificate'], ['nextValidatorSet']);
  const header = parseBftHeader(o.header, 'result.header');
  if (header.height !== expectHeight) throw new CourtBridgeError('INVALID_INPUT', { field: 'result.header.height', reason: `is ${header.height}, asked for ${expectHeight}` });
  const certificate = parseBftCertificate(o.certificate, 'result.certificate');
  const next = o.nextValidatorSet === undefined ? undefined : parseBftValidatorSet(o.nextValidatorSet, 'result.nextValidatorSet');
  return {
    header,
    certificate,
    ...(next === undefined ? {} : { nextValidatorSet: next }),
    raw: {
      header: o.header as RpcJson,
      certificate: o.certificate as RpcJson,
      ...(next === undefined ? {} : { nextValidatorSet: o.nextValidatorSet as RpcJson }),
    },
  };
}

/** `bft_getRecord` → record with proof, or undefined for `null` (no such record). */
export function parseRecord(value: unknown, atHeight: number): FetchedRecord | undefined {
  if (value === null) return undefined;
  const o = objectWith(value, 'result', ['height', 'record']);
  const height = safeInt(o.height, 'result.height');
  if (height > atHeight) throw new CourtBridgeError('INVALID_INPUT', { field: 'result.height', reason: `${height} is above the requested height ${atHeight}` });
  return { height, record: parseBftRecordProof(o.record, 'result.record') };
}

/** `bft_getBlockRecords` → the records of one block (type, key, leaf index). */
export function parseBlockRecords(value: unknown, expectHeight: number): BlockRecordEntry[] {
  const o = objectWith(value, 'result', ['height', 'records']);
  if (safeInt(o.height, 'result.height') !== expectHeight) throw new CourtBridgeError('INVALID_INPUT', { field: 'result.height', reason: `asked for ${expectHeight}` });
  if (!Array.isArray(o.records)) throw new CourtBridgeError('INVALID_INPUT', { field: 'result.records', reason: 'must be an array' });
  if (o.records.length > MAX_BLOCK_RECORDS) throw new CourtBridgeError('TOO_LARGE', { field: 'result.records', limit: MAX_BLOCK_RECORDS });
  return o.records.map((r, i) => {
    const e = objectWith(r, `result.records[${i}]`, ['recordType', 'key', 'index']);
    if (typeof e.recordType !== 'string' || e.recordType.length === 0 || e.recordType.length > 128) throw new CourtBridgeError('INVALID_INPUT', { field: `result.records[${i}].recordType`, reason: 'must be a string of 1…128 characters' });
    if (typeof e.key !== 'string' || e.key.length === 0 || e.key.length > 256) throw new CourtBridgeError('INVALID_INPUT', { field: `result.records[${i}].key`, reason: 'must be a string of 1…256 characters' });
    return { recordType: e.recordType, key: e.key, index: safeInt(e.index, `result.records[${i}].index`) };
  });
}

/** Most heights a `bft_getHandovers` answer may list. */
export const MAX_HANDOVERS = 64;

/** `bft_getHandovers` → ascending heights above `after`. */
export function parseHandovers(value: unknown, after: number): number[] {
  const o = objectWith(value, 'result', ['heights']);
  if (!Array.isArray(o.heights)) throw new CourtBridgeError('INVALID_INPUT', { field: 'result.heights', reason: 'must be an array' });
  if (o.heights.length > MAX_HANDOVERS) throw new CourtBridgeError('TOO_LARGE', { field: 'result.heights', limit: MAX_HANDOVERS });
  let last = after;
  return o.heights.map((h, i) => {
    const n = safeInt(h, `result.heights[${i}]`);
    if (n <= last) throw new CourtBridgeError('INVALID_INPUT', { field: `result.heights[${i}]`, reason: 'heights must ascend above the one asked for' });
    last = n;
    return n;
  });
}
