/**
 * relay/registered-chains.ts over a real registration store (SQLite file, RegistrationService with 3 admins,
 * threshold 2): only approved versions are relayed, rotations replace the adapter, disabling fails lookups with
 * REGISTRATION_DISABLED, trust starts from the approved anchor. Adapters are stubs (no I/O is needed here).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signApproval, signDisable, signRegistration } from '../../adapters/registration/jws.js';
import { registrationDigest } from '../../adapters/registration/parse.js';
import type { RegistrationDocument } from '../../adapters/registration/types.js';
import type { Adapter, Registration } from '../../adapters/types.js';
import { registeredChains } from '../../relay/registered-chains.js';
import { bftDocument, identity, world, type Identity } from '../adapters/registration/fixtures.js';

type World = Awaited<ReturnType<typeof world>>;

describe('registered chains: the relay resolves APPROVED registrations from the database', () => {
  let w: World;
  let partner: Identity;
  const made: { registration: Registration; closed: boolean }[] = [];
  const createAdapter = async (registration: Registration): Promise<Adapter> => {
    const entry = { registration, closed: false };
    made.push(entry);
    return {
      chainId: registration.chainId, kind: registration.kind,
      finalizedHead: async () => ({ height: 0, hash: '0x', timestamp: 0 }),
      fetchRecord: async () => { throw new Error('not used'); },
      close: async () => { entry.closed = true; },
    } as Adapter;
  };
  const approve = async (doc: RegistrationDocument, admins = w.admins.slice(0, 2)) => {
    const digest = registrationDigest(doc);
    for (const a of admins) await w.service.approve(await signApproval({ admin: a.did, chainId: doc.chainId, version: doc.version, digest }, a.signer, w.now()));
  };

  beforeEach(async () => {
    w = await world();
    partner = identity('SM2');
    made.length = 0;
  });
  afterEach(async () => w.close());

  it('pending → not relayed; approved → adapter + anchor trust; rotation → new adapter, old one closed; disabled → REGISTRATION_DISABLED', async () => {
    const chains = registeredChains({ store: w.store, refreshMs: 0, createAdapter, nowSec: w.now });
    const v1 = bftDocument(partner.did);
    await w.service.submit(await signRegistration(v1, partner.signer, w.now()));
    expect(await chains(v1.chainId)).toBeUndefined();
    await approve(v1, w.admins.slice(0, 1));
    expect(await chains(v1.chainId)).toBeUndefined(); // 1 of 2 approvals
    await approve(v1, w.admins.slice(1, 2));
    const c1 = (await chains(v1.chainId))!;
    expect(c1.registration.rpc.map((e) => e.url)).toEqual(v1.endpoints);
    const trust = c1.initialTrust() as { kind: string; checkpoint: { height: number; hash: string } };
    expect(trust.kind).toBe('bft-qc');
    expect(trust.checkpoint.hash).toBe(v1.trustAnchor!.header.hash);
    expect(c1.trustId).toMatch(/^bft:market-sup#anchor-[0-9a-f]{16}$/);
    expect(chains.rateLimit(v1.chainId)).toEqual({ ratePerSec: 20, burst: 40 });
    expect(await chains(v1.chainId)).toBe(c1); // one adapter per version

    // Rotation of the endpoints: pending → v1 still relayed; activated → v2 with a new adapter, v1's closed.
    const v2 = { ...v1, version: 2, endpoints: ['http://127.0.0.1:9545/'] };
    w.tick();
    await w.service.rotate(await signRegistration(v2, partner.signer, w.now()));
    expect((await chains(v1.chainId))!.registration.rpc[0]!.url).toBe(v1.endpoints[0]);
    await approve(v2);
    const c2 = (await chains(v1.chainId))!;
    expect(c2.registration.rpc[0]!.url).toBe('http://127.0.0.1:9545/');
    expect(c2.trustId).toBe(c1.trustId); // same anchor: the learned trust state carries over
    await new Promise((r) => setTimeout(r, 10));
    expect(made.map((m) => m.closed)).toEqual([true, false]);

    // Disabling: lookups fail with REGISTRATION_DISABLED (the pipeline marks such jobs dead) and the adapter closes.
    const admin = w.admins[2]!;
    await w.service.disable(v1.chainId, await signDisable({ admin: admin.did, chainId: v1.chainId, version: 2, reason: 'filing revoked' }, admin.signer, w.now()));
    await expect(chains(v1.chainId)).rejects.toMatchObject({ code: 'REGISTRATION_DISABLED' });
    expect(chains.rateLimit(v1.chainId)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 10));
    expect(made.every((m) => m.closed)).toBe(true);

    // A new version after disabling waits for fresh approval (not relayed, no longer "disabled"), then is relayed.
    const v3 = { ...v1, version: 3 };
    await w.service.submit(await signRegistration(v3, partner.signer, w.now()));
    expect(await chains(v1.chainId)).toBeUndefined();
    await approve(v3);
    expect((await chains(v1.chainId))!.registration.chainId).toBe(v1.chainId);
    await chains.close();
  });

  it('a rotation to another trust anchor starts the trust state from that anchor (new trust id)', async () => {
    const chains = registeredChains({ store: w.store, refreshMs: 0, createAdapter, nowSec: w.now });
    const v1 = bftDocument(partner.did);
    await w.service.submit(await signRegistration(v1, partner.signer, w.now()));
    await approve(v1);
    const t1 = (await chains(v1.chainId))!.trustId;
    const v2 = { ...bftDocument(partner.did), version: 2 };
    w.tick();
    await w.service.rotate(await signRegistration(v2, partner.signer, w.now()));
    await approve(v2);
    const c2 = (await chains(v1.chainId))!;
    expect(c2.trustId).not.toBe(t1);
    await chains.close();
  });
});
