/**
 * GRANDPA authority sets: parsing the JSON form and following set changes signalled in header digests
 * (pallet-grandpa / sc-consensus-grandpa `authorities.rs`, Polkadot Protocol Specification §6.1.3 "GRANDPA
 * consensus messages").
 *
 * A ScheduledChange logged in block n with delay d is enacted when block n + d is finalized: n + d is still
 * finalized by the old set; later blocks by the new one (set id + 1). A ForcedChange(median, change) is enacted at
 * n + d on import, without waiting for finality — for a light client that follows a header chain both take effect
 * at n + d. The pallet allows one pending change at a time (`ChangePending`); a second one while one is pending is
 * rejected here. Pause, Resume and OnDisabled do not change the set and are reported as events.
 */
import { fail } from '../../errors.js';
import { fromHex, toHex0x } from '../../crypto/bytes.js';
import { type GrandpaAuthority, MAX_AUTHORITIES, checkAuthorities, grandpaLogs } from './digest.js';
import type { SubstrateHeader } from './header.js';
import type { AuthoritySet } from './grandpa.js';

/** A signalled change not yet enacted. */
export interface PendingAuthorityChange {
  forced: boolean;
  authorities: GrandpaAuthority[];
  signalledAt: number;
  effectiveAt: number;
}

/** One thing that happened while following the headers. */
export type AuthorityEvent =
  | { kind: 'enacted'; number: number; blockHash: string; setId: bigint; forced: boolean }
  | { kind: 'Pause' | 'Resume'; number: number; delay: number }
  | { kind: 'OnDisabled'; number: number; authorityIndex: bigint };

/** The set after following headers, the change still pending, and what happened on the way. */
export interface AuthorityChangeResult {
  set: AuthoritySet;
  pending: PendingAuthorityChange | null;
  events: AuthorityEvent[];
}

function invalid(reason: string): never {
  return fail('AUTHORITY_CHANGE_INVALID', { reason });
}

/**
 * Follow consecutive headers (each the child of the previous), starting from `set` (and a change `pending` from
 * earlier headers), applying GRANDPA scheduled and forced changes at their enactment blocks.
 */
export function applyAuthorityChanges(set: AuthoritySet, headers: readonly SubstrateHeader[], pending: PendingAuthorityChange | null = null): AuthorityChangeResult {
  let current = set;
  let next = pending;
  const events: AuthorityEvent[] = [];
  headers.forEach((h, i) => {
    const prev = headers[i - 1];
    if (prev !== undefined && (h.number !== prev.number + 1 || toHex0x(h.parentHash) !== toHex0x(prev.hash))) {
      invalid(`headers[${i}] (#${h.number}) is not the child of headers[${i - 1}] (#${prev.number})`);
    }
    if (next !== null && h.number > next.effectiveAt) invalid(`pending change effective at #${next.effectiveAt} was skipped`);
    for (const log of grandpaLogs(h.digest, `headers[${i}].digest`)) {
      switch (log.kind) {
        case 'ScheduledChange':
        case 'ForcedChange': {
          if (next !== null) invalid(`headers[${i}] signals a change while one is pending (effective at #${next.effectiveAt})`);
          checkAuthorities(log.authorities, `headers[${i}] next_authorities`);
          const effectiveAt = h.number + log.delay;
          if (effectiveAt > 0xffffffff) invalid(`headers[${i}] change delay overflows the block number`);
          next = { forced: log.kind === 'ForcedChange', authorities: log.authorities, signalledAt: h.number, effectiveAt };
          break;
        }
        case 'Pause':
        case 'Resume':
          events.push({ kind: log.kind, number: h.number, delay: log.delay });
          break;
        case 'OnDisabled':
          events.push({ kind: 'OnDisabled', number: h.number, authorityIndex: log.authorityIndex });
          break;
      }
    }
    if (next !== null && next.effectiveAt === h.number) {
      current = { setId: current.setId + 1n, authorities: next.authorities };
      events.push({ kind: 'enacted', number: h.number, blockHash: toHex0x(h.hash), setId: current.setId, forced: next.forced });
      next = null;
    }
  });
  return { set: current, pending: next, events };
}

function parseU64(v: unknown, field: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^(0|[1-9][0-9]{0,19})$/.test(v) && BigInt(v) < 1n << 64n) return BigInt(v);
  return fail('BAD_INTEGER', { field });
}

/** Parse `{setId, authorities: [[publicKeyHex, weight]]}` (weights and set id as safe integers or decimal strings). */
export function parseAuthoritySetJson(setId: unknown, authorities: unknown, field = 'authorities'): AuthoritySet {
  if (!Array.isArray(authorities)) return fail('INVALID_INPUT', { field, reason: 'must be an array of [publicKeyHex, weight]' });
  if (authorities.length > MAX_AUTHORITIES) fail('TOO_LARGE', { field, limit: MAX_AUTHORITIES });
  const list = authorities.map((a, i): GrandpaAuthority => {
    if (!Array.isArray(a) || a.length !== 2) return fail('INVALID_INPUT', { field: `${field}[${i}]`, reason: 'must be [publicKeyHex, weight]' });
    return { publicKey: fromHex(a[0], `${field}[${i}][0]`, 32), weight: parseU64(a[1], `${field}[${i}][1]`) };
  });
  checkAuthorities(list, field);
  return { setId: parseU64(setId, 'setId'), authorities: list };
}
