/** The RegistrationStore conformance suite, run on SQLite and on PostgreSQL. */
import { afterEach, expect, it } from 'vitest';
import type { RegistrationStore } from '../../../adapters/registration/store.js';
import type { RegistrationRecord } from '../../../adapters/registration/types.js';
import { registrationDigest } from '../../../adapters/registration/parse.js';
import { bftDocument, evmDocument, identity } from './fixtures.js';

/** How the suite gets stores: a fresh empty one, and the same database reopened. */
export interface StoreFactory {
  fresh(): Promise<RegistrationStore>;
  reopen(store: RegistrationStore): Promise<RegistrationStore>;
}

const partner = identity().did;

function rec(chainId: 'bft' | 'evm', version: number, index: number): RegistrationRecord {
  const document = chainId === 'bft' ? bftDocument(partner, { version }) : evmDocument(partner, { version });
  return { chainId: document.chainId, version, partner, digest: registrationDigest(document), document, jws: `jws-${chainId}-${version}`, status: 'pending', submittedAt: 1000 + index, submittedIndex: index };
}

/** Register the suite's tests. */
export function registrationStoreConformance(f: StoreFactory): void {
  const open: RegistrationStore[] = [];
  const fresh = async () => {
    const s = await f.fresh();
    open.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it('migrates to version 1, idempotently on reopen', async () => {
    const s = await fresh();
    expect(await s.schemaVersion()).toBe(1);
    const again = await f.reopen(s);
    open.push(again);
    expect(await again.schemaVersion()).toBe(1);
  });

  it('stores and reads back a version exactly', async () => {
    const s = await fresh();
    const r = rec('bft', 1, 0);
    expect(await s.insert(r)).toEqual({ ok: true });
    expect(await s.get(r.chainId, 1)).toEqual(r);
    expect(await s.get(r.chainId, 2)).toBeUndefined();
    expect(await s.versions('bft:nope')).toEqual([]);
  });

  it('refuses versions not above the highest; a newer version supersedes pending ones', async () => {
    const s = await fresh();
    await s.insert(rec('bft', 2, 0));
    expect(await s.insert(rec('bft', 2, 1))).toEqual({ ok: false, current: 2 });
    expect(await s.insert(rec('bft', 1, 1))).toEqual({ ok: false, current: 2 });
    expect(await s.insert(rec('bft', 5, 2))).toEqual({ ok: true });
    expect((await s.versions('bft:market-sup')).map((r) => [r.version, r.status])).toEqual([[2, 'superseded'], [5, 'pending']]);
    expect(await s.insert(rec('evm', 1, 3))).toEqual({ ok: true }); // chains are independent
  });

  it('approvals: one per admin and version, in ledger order', async () => {
    const s = await fresh();
    const r = rec('evm', 1, 0);
    await s.insert(r);
    const a = { chainId: r.chainId, version: 1, digest: r.digest, jws: 'a', approvedAt: 5 };
    expect(await s.addApproval({ ...a, admin: 'did:key:zB', ledgerIndex: 2 })).toBe(true);
    expect(await s.addApproval({ ...a, admin: 'did:key:zA', ledgerIndex: 3 })).toBe(true);
    expect(await s.addApproval({ ...a, admin: 'did:key:zB', ledgerIndex: 4 })).toBe(false);
    expect((await s.approvals(r.chainId, 1)).map((x) => [x.admin, x.ledgerIndex])).toEqual([['did:key:zB', 2], ['did:key:zA', 3]]);
    expect(await s.approvals(r.chainId, 2)).toEqual([]);
  });

  it('an approval of a version that does not exist is refused by the database', async () => {
    const s = await fresh();
    await expect(s.addApproval({ chainId: 'eip155:9', version: 1, admin: 'did:key:z', digest: 'd', jws: 'j', approvedAt: 1, ledgerIndex: 1 })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('activate: only pending versions; the previous active one becomes superseded; one active per chain', async () => {
    const s = await fresh();
    await s.insert(rec('bft', 1, 0));
    expect(await s.activate('bft:market-sup', 1, 100, 7)).toBe(true);
    expect(await s.activate('bft:market-sup', 1, 101, 8)).toBe(false);
    expect(await s.activate('bft:market-sup', 9, 101, 8)).toBe(false);
    await s.insert(rec('bft', 2, 9));
    expect((await s.list('active')).map((r) => r.version)).toEqual([1]);
    expect(await s.activate('bft:market-sup', 2, 200, 10)).toBe(true);
    const vs = await s.versions('bft:market-sup');
    expect(vs.map((r) => [r.version, r.status, r.activationIndex])).toEqual([[1, 'superseded', 7], [2, 'active', 10]]);
    expect(vs[1]!.activatedAt).toBe(200);
  });

  it('disable: pending and active versions up to N; later versions untouched; persisted across reopen', async () => {
    const s = await fresh();
    await s.insert(rec('evm', 1, 0));
    await s.activate('eip155:1337', 1, 10, 1);
    await s.insert(rec('evm', 2, 2));
    expect(await s.disable('eip155:1337', 1, 20, 3)).toBe(1);
    expect(await s.disable('eip155:1337', 1, 21, 4)).toBe(0);
    const again = await f.reopen(s);
    open.push(again);
    const vs = await again.versions('eip155:1337');
    expect(vs.map((r) => [r.version, r.status])).toEqual([[1, 'disabled'], [2, 'pending']]);
    expect([vs[0]!.disabledAt, vs[0]!.disabledIndex]).toEqual([20, 3]);
    expect(await again.list('active')).toEqual([]);
    expect((await again.list()).map((r) => r.version)).toEqual([1, 2]);
  });

  it('list orders by chain id then version', async () => {
    const s = await fresh();
    await s.insert(rec('evm', 1, 0));
    await s.insert(rec('bft', 3, 1));
    await s.insert(rec('evm', 2, 2));
    expect((await s.list()).map((r) => `${r.chainId}@${r.version}`)).toEqual(['bft:market-sup@3', 'eip155:1337@1', 'eip155:1337@2']);
    expect((await s.list('pending')).map((r) => `${r.chainId}@${r.version}`)).toEqual(['bft:market-sup@3', 'eip155:1337@2']);
  });
}
