/** Following GRANDPA authority-set changes through header digests. */
import { describe, expect, it } from 'vitest';
import { toHex0x } from '../../../src/crypto/bytes.js';
import { applyAuthorityChanges } from '../../../src/proofs/substrate/authority-set.js';
import type { AuthoritySet } from '../../../src/proofs/substrate/grandpa.js';
import type { SubstrateHeader } from '../../../src/proofs/substrate/header.js';
import { changePayload, childHeader, codeOf, frnkItem } from './helpers.js';

const k = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const set0: AuthoritySet = { setId: 3n, authorities: [{ publicKey: k(1), weight: 1n }] };

function chain(n: number, logs: Record<number, Uint8Array[]>): SubstrateHeader[] {
  const out: SubstrateHeader[] = [];
  let prev: SubstrateHeader | null = null;
  for (let i = 0; i < n; i++) {
    const h: SubstrateHeader = childHeader(prev, i, (logs[i] ?? []).map(frnkItem), 100);
    out.push(h);
    prev = h;
  }
  return out;
}

describe('applyAuthorityChanges', () => {
  it('enacts a scheduled change at signal + delay (the enacting block still belongs to the old set)', () => {
    const headers = chain(6, { 1: [changePayload([k(2), k(3)], 2)] }); // signalled at #101, effective at #103
    const r = applyAuthorityChanges(set0, headers);
    expect(r.set.setId).toBe(4n);
    expect(r.set.authorities.map((a) => toHex0x(a.publicKey))).toEqual([toHex0x(k(2)), toHex0x(k(3))]);
    expect(r.events).toEqual([{ kind: 'enacted', number: 103, blockHash: toHex0x(headers[3]!.hash), setId: 4n, forced: false }]);
    expect(r.pending).toBeNull();
    // Stopping before the enactment block leaves the change pending, and it can be continued.
    const partial = applyAuthorityChanges(set0, headers.slice(0, 3));
    expect(partial.set.setId).toBe(3n);
    expect(partial.pending).toMatchObject({ effectiveAt: 103, forced: false });
    expect(applyAuthorityChanges(partial.set, headers.slice(3), partial.pending).set.setId).toBe(4n);
  });

  it('enacts a delay-0 change in its own block, and forced changes likewise', () => {
    expect(applyAuthorityChanges(set0, chain(2, { 0: [changePayload([k(5)], 0)] })).events[0]).toMatchObject({ number: 100, setId: 4n });
    const forced = applyAuthorityChanges(set0, chain(4, { 1: [changePayload([k(6)], 1, 90)] }));
    expect(forced.events[0]).toMatchObject({ kind: 'enacted', number: 102, forced: true });
  });

  it('reports pause, resume and disable without changing the set', () => {
    const r = applyAuthorityChanges(set0, chain(3, { 0: [Uint8Array.of(4, 5, 0, 0, 0)], 1: [Uint8Array.of(5, 0, 0, 0, 0)], 2: [Uint8Array.of(3, 1, 0, 0, 0, 0, 0, 0, 0)] }));
    expect(r.set).toBe(set0);
    expect(r.events.map((e) => e.kind)).toEqual(['Pause', 'Resume', 'OnDisabled']);
  });

  it('rejects a second change while one is pending, gaps in the chain, and invalid next authorities', () => {
    expect(codeOf(() => applyAuthorityChanges(set0, chain(5, { 0: [changePayload([k(2)], 3)], 1: [changePayload([k(3)], 1)] })))).toBe('AUTHORITY_CHANGE_INVALID');
    const headers = chain(4, {});
    expect(codeOf(() => applyAuthorityChanges(set0, [headers[0]!, headers[2]!]))).toBe('AUTHORITY_CHANGE_INVALID');
    const otherParent = childHeader(childHeader(null, 9, [], 100), 1);
    expect(codeOf(() => applyAuthorityChanges(set0, [headers[0]!, otherParent]))).toBe('AUTHORITY_CHANGE_INVALID');
    expect(codeOf(() => applyAuthorityChanges(set0, chain(2, { 0: [changePayload([k(2), k(2)], 0)] })))).toBe('AUTHORITY_SET_INVALID');
    expect(codeOf(() => applyAuthorityChanges(set0, chain(2, { 0: [changePayload([], 0)] })))).toBe('AUTHORITY_SET_INVALID');
    const pending = { forced: false, authorities: [{ publicKey: k(2), weight: 1n }], signalledAt: 90, effectiveAt: 99 };
    expect(codeOf(() => applyAuthorityChanges(set0, chain(1, {}), pending))).toBe('AUTHORITY_CHANGE_INVALID');
    expect(codeOf(() => applyAuthorityChanges(set0, chain(1, { 0: [changePayload([k(2)], 0xffffffff)] })))).toBe('AUTHORITY_CHANGE_INVALID');
  });
});
