/**
 * Substrate header digest items (sp-runtime `generic::DigestItem`) and the GRANDPA consensus log carried in them
 * (sp-consensus-grandpa `ConsensusLog`, engine id `FRNK`).
 *
 * DigestItem (SCALE enum): 6 PreRuntime(engine [4], Vec<u8>), 4 Consensus(engine [4], Vec<u8>), 5 Seal(engine [4],
 * Vec<u8>), 0 Other(Vec<u8>), 8 RuntimeEnvironmentUpdated. Any other index is rejected (fail closed): we could not
 * even tell where the next item starts.
 */
import { fail } from '../../errors.js';
import { toHex0x } from '../../crypto/bytes.js';
import { ScaleReader, decodeAll } from './scale.js';

/** Longest digest payload accepted (BABE/Aura seals are 64–100 bytes; GRANDPA changes carry ~300 × 40 bytes). */
export const MAX_DIGEST_PAYLOAD = 1 << 20;
/** Most authorities accepted in one GRANDPA change (Polkadot/Kusama run ~300–1000). */
export const MAX_AUTHORITIES = 10_000;

/** A decoded digest item; `raw` is its exact SCALE encoding (hashing uses it, never a re-encoding). */
export type DigestItem =
  | { kind: 'PreRuntime' | 'Consensus' | 'Seal'; engine: string; payload: Uint8Array; raw: Uint8Array }
  | { kind: 'Other'; payload: Uint8Array; raw: Uint8Array }
  | { kind: 'RuntimeEnvironmentUpdated'; raw: Uint8Array };

/** GRANDPA's consensus engine id. */
export const GRANDPA_ENGINE_ID = 'FRNK';

/** Read one DigestItem from `r`. */
export function readDigestItem(r: ScaleReader, what: string): DigestItem {
  const start = r.position;
  const index = r.enumIndex(`${what}.index`, [0, 4, 5, 6, 8] as const);
  switch (index) {
    case 0: {
      const payload = r.byteVec(`${what}.payload`, MAX_DIGEST_PAYLOAD);
      return { kind: 'Other', payload, raw: r.since(start) };
    }
    case 4:
    case 5:
    case 6: {
      const engine = engineId(r.bytes(4, `${what}.engine`));
      const payload = r.byteVec(`${what}.payload`, MAX_DIGEST_PAYLOAD);
      const kind = index === 4 ? 'Consensus' : index === 5 ? 'Seal' : 'PreRuntime';
      return { kind, engine, payload, raw: r.since(start) };
    }
    case 8:
      return { kind: 'RuntimeEnvironmentUpdated', raw: r.since(start) };
  }
}

function engineId(b: Uint8Array): string {
  // Engine ids are four ASCII letters (BABE, FRNK, aura, pow_, BEEF); keep others as hex so nothing is lost.
  return b.every((c) => c >= 0x20 && c < 0x7f) ? String.fromCharCode(...b) : toHex0x(b);
}

/** One GRANDPA authority: Ed25519 public key and u64 weight. */
export interface GrandpaAuthority {
  publicKey: Uint8Array;
  weight: bigint;
}

/** A decoded GRANDPA consensus log (sp-consensus-grandpa `ConsensusLog<u32>`). */
export type GrandpaLog =
  | { kind: 'ScheduledChange'; authorities: GrandpaAuthority[]; delay: number }
  | { kind: 'ForcedChange'; medianLastFinalized: number; authorities: GrandpaAuthority[]; delay: number }
  | { kind: 'OnDisabled'; authorityIndex: bigint }
  | { kind: 'Pause'; delay: number }
  | { kind: 'Resume'; delay: number };

function readAuthorities(r: ScaleReader): GrandpaAuthority[] {
  return r.vec('next_authorities', MAX_AUTHORITIES, 40, (rr, i) => ({
    publicKey: rr.bytes(32, `next_authorities[${i}].id`),
    weight: rr.u64(`next_authorities[${i}].weight`),
  }));
}

/** Decode a GRANDPA ConsensusLog payload (BlockNumber = u32). Indices 1..5; index 0 does not exist. */
export function decodeGrandpaLog(payload: Uint8Array, field: string): GrandpaLog {
  return decodeAll(payload, field, (r) => {
    const index = r.enumIndex('index', [1, 2, 3, 4, 5] as const);
    switch (index) {
      case 1: {
        const authorities = readAuthorities(r);
        return { kind: 'ScheduledChange', authorities, delay: r.u32('delay') };
      }
      case 2: {
        const medianLastFinalized = r.u32('median_last_finalized');
        const authorities = readAuthorities(r);
        return { kind: 'ForcedChange', medianLastFinalized, authorities, delay: r.u32('delay') };
      }
      case 3:
        return { kind: 'OnDisabled', authorityIndex: r.u64('authority_index') };
      case 4:
        return { kind: 'Pause', delay: r.u32('delay') };
      case 5:
        return { kind: 'Resume', delay: r.u32('delay') };
    }
  });
}

/** The GRANDPA logs among `items` (Consensus items with engine `FRNK`), decoded. */
export function grandpaLogs(items: readonly DigestItem[], field: string): GrandpaLog[] {
  const out: GrandpaLog[] = [];
  items.forEach((item, i) => {
    if (item.kind === 'Consensus' && item.engine === GRANDPA_ENGINE_ID) out.push(decodeGrandpaLog(item.payload, `${field}[${i}]`));
  });
  return out;
}

/** Check an authority list: non-empty, distinct keys, positive weights, total below 2^64 (finality-grandpa VoterSet::new). */
export function checkAuthorities(authorities: readonly GrandpaAuthority[], field: string): bigint {
  if (authorities.length === 0) fail('AUTHORITY_SET_INVALID', { reason: `${field} is empty` });
  const seen = new Set<string>();
  let total = 0n;
  for (const [i, a] of authorities.entries()) {
    const k = toHex0x(a.publicKey);
    if (seen.has(k)) fail('AUTHORITY_SET_INVALID', { reason: `${field}[${i}] repeats key ${k}` });
    seen.add(k);
    if (a.weight <= 0n) fail('AUTHORITY_SET_INVALID', { reason: `${field}[${i}] has zero weight` });
    total += a.weight;
  }
  if (total >= 1n << 64n) fail('AUTHORITY_SET_INVALID', { reason: `${field} total weight overflows u64` });
  return total;
}
