/**
 * Strict parsing of the Substrate RPC answers the adapter reads (polkadot-sdk `sc-rpc` / `sc-rpc-api` JSON shapes):
 * block hashes, `chain_getHeader`, `state_getReadProof` (checked against the header's state root at the edge, which
 * also tells presence from absence), and the GRANDPA justification of `chain_getBlock` (`justifications`).
 */
import { bytesEqual, fromHex, toHex0x } from '../../src/crypto/bytes.js';
import { fail } from '../../src/errors.js';
import { parseHeaderJson, type SubstrateHeader } from '../../src/proofs/substrate/header.js';
import { parseReadProofJson, verifyReadProof } from '../../src/proofs/substrate/read-proof.js';
import type { RpcJson } from '../types.js';

/** Most justifications a block may list (one per consensus engine). */
export const MAX_JUSTIFICATIONS = 8;
/** GRANDPA's consensus engine id, `b"FRNK"` (sp-consensus-grandpa GRANDPA_ENGINE_ID). */
const FRNK = [0x46, 0x52, 0x4e, 0x4b];

function object(v: unknown, field: string): RpcJson {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('INVALID_INPUT', { field, reason: 'must be an object' });
  return v as RpcJson;
}

/** A `0x` 32-byte block hash (lower-cased). */
export function parseBlockHash(v: unknown, field = 'result'): string {
  return toHex0x(fromHex(v, field, 32));
}

/** `chain_getBlockHash(n)`: the hash, or undefined for `null` (no block at that height). */
export function parseOptionalBlockHash(v: unknown): string | undefined {
  return v === null ? undefined : parseBlockHash(v);
}

/** `chain_getHeader(hash)`: the verbatim JSON and the parsed header, which must hash to `hash`. */
export function parseHeaderFor(v: unknown, hash: string): { json: RpcJson; header: SubstrateHeader } {
  const json = object(v, 'result');
  const header = parseHeaderJson(json, 'result');
  if (toHex0x(header.hash) !== hash) fail('INVALID_INPUT', { field: 'result', reason: `header hashes to ${toHex0x(header.hash)}, not the block asked for` });
  return { json, header };
}

/** `state_getReadProof([key], at)`: the verbatim JSON and the proven value (null = proven absent). */
export function parseReadProofFor(v: unknown, header: SubstrateHeader, storageKey: Uint8Array): { json: RpcJson; value: Uint8Array | null } {
  const json = object(v, 'result');
  const proof = parseReadProofJson(json, 'result');
  if (!bytesEqual(proof.at, header.hash)) fail('INVALID_INPUT', { field: 'result.at', reason: 'is not the block asked for' });
  const [entry] = verifyReadProof(header.stateRoot, proof.proof, [storageKey]);
  return { json, value: entry!.value };
}

/**
 * `chain_getBlock(hash)` → `justifications`: `null` or `[[engineId, "0x…"], …]`, engineId serialised as `[u8; 4]`
 * (serde) — the `0x` GRANDPA justification, or undefined when the node holds none for this block.
 */
export function parseGrandpaJustification(v: unknown): string | undefined {
  const o = object(v, 'result');
  const j = o.justifications;
  if (j === null || j === undefined) return undefined;
  if (!Array.isArray(j)) return fail('INVALID_INPUT', { field: 'result.justifications', reason: 'must be an array or null' });
  if (j.length > MAX_JUSTIFICATIONS) fail('TOO_LARGE', { field: 'result.justifications', limit: MAX_JUSTIFICATIONS });
  let found: string | undefined;
  j.forEach((item, i) => {
    const f = `result.justifications[${i}]`;
    if (!Array.isArray(item) || item.length !== 2) return fail('INVALID_INPUT', { field: f, reason: 'must be [engineId, bytes]' });
    const [engine, bytes] = item as [unknown, unknown];
    if (!Array.isArray(engine) || engine.length !== 4 || !engine.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) < 256)) {
      fail('INVALID_INPUT', { field: `${f}[0]`, reason: 'must be a 4-byte engine id' });
    }
    const value = toHex0x(fromHex(bytes, `${f}[1]`));
    if ((engine as number[]).every((b, k) => b === FRNK[k])) {
      if (found !== undefined) fail('INVALID_INPUT', { field: f, reason: 'duplicate GRANDPA justification' });
      found = value;
    }
  });
  return found;
}
