/**
 * Substrate block headers (sp-runtime `generic::Header<u32, BlakeTwo256>`): the `chain_getHeader` JSON shape, the
 * SCALE encoding and the block hash.
 *
 * SCALE: parent_hash [32] ++ Compact<u32>(number) ++ state_root [32] ++ extrinsics_root [32] ++ Vec<DigestItem>.
 * The block hash is BLAKE2b-256 of that encoding. The RPC gives each digest log as the hex of its SCALE encoding, so
 * the digest is the compact log count followed by the logs verbatim.
 */
import { fail } from '../../errors.js';
import { fromHex, toHex0x } from '../../crypto/bytes.js';
import { blake2b256 } from '../../crypto/hash.js';
import { ScaleReader, ScaleWriter, decodeAll } from './scale.js';
import { type DigestItem, type GrandpaLog, grandpaLogs, readDigestItem } from './digest.js';

/** Most digest logs accepted in one header (real headers carry 2–4). */
export const MAX_DIGEST_LOGS = 64;
const HEADER_FIELDS = ['parentHash', 'number', 'stateRoot', 'extrinsicsRoot', 'digest'] as const;
const U32_HEX_RE = /^0x(0|[1-9a-f][0-9a-f]{0,7})$/;

/** A parsed Substrate header. `encoded` is its SCALE encoding and `hash` the block hash. */
export interface SubstrateHeader {
  parentHash: Uint8Array;
  number: number;
  stateRoot: Uint8Array;
  extrinsicsRoot: Uint8Array;
  digest: DigestItem[];
  encoded: Uint8Array;
  hash: Uint8Array;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail('INVALID_INPUT', { field: `${field}.${k}`, reason: 'unknown field' });
  }
  for (const k of allowed) {
    if (!Object.hasOwn(obj, k)) fail('INVALID_INPUT', { field: `${field}.${k}`, reason: 'missing' });
  }
}

/** Parse the `chain_getHeader` JSON strictly (exactly its five fields; number as minimal lower-case 0x hex u32). */
export function parseHeaderJson(json: unknown, field = 'header'): SubstrateHeader {
  if (!isRecord(json)) return fail('INVALID_INPUT', { field, reason: 'must be an object' });
  checkKeys(json, HEADER_FIELDS, field);
  const num = json.number;
  if (typeof num !== 'string' || !U32_HEX_RE.test(num)) {
    return fail('INVALID_INPUT', { field: `${field}.number`, reason: 'must be minimal lower-case 0x hex of a u32' });
  }
  const digest = json.digest;
  if (!isRecord(digest)) return fail('INVALID_INPUT', { field: `${field}.digest`, reason: 'must be an object' });
  checkKeys(digest, ['logs'], `${field}.digest`);
  const logs = digest.logs;
  if (!Array.isArray(logs)) return fail('INVALID_INPUT', { field: `${field}.digest.logs`, reason: 'must be an array' });
  if (logs.length > MAX_DIGEST_LOGS) fail('TOO_LARGE', { field: `${field}.digest.logs`, limit: MAX_DIGEST_LOGS });
  const items = logs.map((hex, i) => {
    const f = `${field}.digest.logs[${i}]`;
    return decodeAll(fromHex(hex, f), f, (r) => readDigestItem(r, 'item'));
  });
  return buildHeader(
    fromHex(json.parentHash, `${field}.parentHash`, 32),
    Number.parseInt(num.slice(2), 16),
    fromHex(json.stateRoot, `${field}.stateRoot`, 32),
    fromHex(json.extrinsicsRoot, `${field}.extrinsicsRoot`, 32),
    items,
  );
}

/** Assemble a header from its parts, computing its encoding and hash. */
export function buildHeader(parentHash: Uint8Array, number: number, stateRoot: Uint8Array, extrinsicsRoot: Uint8Array, digest: DigestItem[]): SubstrateHeader {
  if (!Number.isSafeInteger(number) || number < 0 || number > 0xffffffff) fail('BAD_INTEGER', { field: 'header.number' });
  const w = new ScaleWriter().bytes(parentHash).compact(number).bytes(stateRoot).bytes(extrinsicsRoot).compact(digest.length);
  for (const item of digest) w.bytes(item.raw);
  const encoded = w.finish();
  return { parentHash, number, stateRoot, extrinsicsRoot, digest, encoded, hash: blake2b256(encoded) };
}

/** Read one SCALE-encoded header (as in GRANDPA `votes_ancestries`); the hash is over the exact bytes read. */
export function readHeader(r: ScaleReader, what: string): SubstrateHeader {
  const start = r.position;
  const parentHash = r.bytes(32, `${what}.parent_hash`);
  const number = r.compactU32(`${what}.number`);
  const stateRoot = r.bytes(32, `${what}.state_root`);
  const extrinsicsRoot = r.bytes(32, `${what}.extrinsics_root`);
  const digest = r.vec(`${what}.digest`, MAX_DIGEST_LOGS, 1, (rr, i) => readDigestItem(rr, `${what}.digest[${i}]`));
  const encoded = r.since(start);
  return { parentHash, number, stateRoot, extrinsicsRoot, digest, encoded, hash: blake2b256(encoded) };
}

/** Decode a whole SCALE-encoded header. */
export function decodeHeader(bytes: Uint8Array, field = 'header'): SubstrateHeader {
  return decodeAll(bytes, field, (r) => readHeader(r, 'header'));
}

/** The block hash (0x hex) of a `chain_getHeader` JSON header. */
export function substrateHeaderHash(json: unknown): string {
  return toHex0x(parseHeaderJson(json).hash);
}

/** The GRANDPA consensus logs (authority-set changes, pause, resume, disable) of a `chain_getHeader` JSON header. */
export function grandpaAuthorityChanges(json: unknown): GrandpaLog[] {
  return grandpaLogs(parseHeaderJson(json).digest, 'header.digest.logs');
}

/** The `chain_getHeader` JSON of a header (lower-case hex; the inverse of parseHeaderJson). */
export function headerToJson(h: SubstrateHeader): Record<string, unknown> {
  return {
    parentHash: toHex0x(h.parentHash),
    number: `0x${h.number.toString(16)}`,
    stateRoot: toHex0x(h.stateRoot),
    extrinsicsRoot: toHex0x(h.extrinsicsRoot),
    digest: { logs: h.digest.map((d) => toHex0x(d.raw)) },
  };
}
