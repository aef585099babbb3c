/**
 * Subscriptions on real parts: the relay engine follows a local anvil node running the DishonestDebtorList partner
 * contract through the real `evm` adapter (`follow`: eth_getLogs over final ranges, depth rule, 2 confirmations) and
 * the real verifier, on a SQLite file — and again on PostgreSQL (`COURTBRIDGE_TEST_PG`, own schema per run).
 *
 * The ledger is the judge: every attestation leaf is read back and mapped to its debtor through the salted key ref.
 * Waiting is on state, never on time: "the follow has scanned the finalized head" is the subscription cursor stored
 * by the engine reaching the adapter's finalized head.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keccak256, toUtf8Bytes } from 'ethers';
import { subjectRef } from '../../src/ids/subject.js';
import type { Registration } from '../../adapters/types.js';
import { CONFIRMATIONS, startEvmChain, type EvmChain } from '../adapters/evm-harness.js';
import { SALT, makeEngine, openBackend, type Backend } from './helpers.js';
import { engineControl } from './engine-control.js';

const PG = process.env.COURTBRIDGE_TEST_PG;
const TYPE = 'dishonest-debtor';
const LISTING_SCHEMA = 'https://courtbridge.example/schemas/domain/credit/dishonest-debtor-listing/v1';

/** Poll `cond` until true; the guard only ends a stuck test (no assertion is about time). */
async function until(what: string, cond: () => Promise<boolean>, guardMs = 30_000): Promise<void> {
  const end = Date.now() + guardMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  const skip = kind === 'postgres' && !PG;
  describe.skipIf(skip)(skip ? 'subscriptions on evm — skipped: no PostgreSQL (COURTBRIDGE_TEST_PG)' : `subscriptions on ${kind}: relay follows anvil (evm adapter)`, () => {
    let chain: EvmChain;
    let backend: Backend;
    let registration: Registration;
    let chainId: string;
    /** Debtors written: subject (record key) → block of its listing transaction. */
    const listed = new Map<string, number>();
    /** Subjects that must never be attested. */
    const never = new Set<string>();
    let serial = 0;

    const list = async (): Promise<string> => {
      const subject = keccak256(toUtf8Bytes(`subscriptions-${kind}-${serial++}`));
      await chain.listDebtor(subject, keccak256(toUtf8Bytes(`（2025）京0105执${serial}号`)));
      listed.set(subject, Number(await chain.anvil.rpc<string>('eth_blockNumber')));
      return subject;
    };
    const mine = (n: number) => chain.anvil.rpc('anvil_mine', [`0x${n.toString(16)}`]);
    const finalHeight = async () => Number(await chain.anvil.rpc<string>('eth_blockNumber')) - CONFIRMATIONS;
    /** Attestations in the ledger: subject → the block heights it was attested at (one entry per leaf). */
    const attested = async (): Promise<Map<string, number[]>> => {
      const byRef = new Map([...listed.keys()].map((s) => [subjectRef('text', s, SALT), s] as const));
      const out = new Map<string, number[]>();
      for (const l of await backend.ledger.store.leaves(0, await backend.ledger.size())) {
        const src = (JSON.parse(Buffer.from(l.data).toString('utf8')) as { attestation?: { source?: { keyRef: string; blockHeight: number; recordType: string } } }).attestation?.source;
        if (src === undefined) continue;
        expect(src.recordType).toBe(TYPE);
        const s = byRef.get(src.keyRef) ?? `unknown ${src.keyRef}`;
        out.set(s, [...(out.get(s) ?? []), src.blockHeight]);
      }
      return out;
    };
    const cursor = async () => Number(JSON.parse((await backend.relayStore.subscriptions()).find((s) => s.recordType === TYPE)!.cursor));
    const jobCount = async () => Object.values(await backend.relayStore.counts()).reduce((a, b) => a + b, 0);
    /** The follow has scanned up to the chain's finalized head now (so anything final by now has been enqueued). */
    const caughtUp = async () => {
      const h = await finalHeight();
      await until(`cursor reaches ${h}`, async () => (await cursor()) >= h);
    };
    /** Every subject in `expected` attested exactly once, at its listing block; nothing else in the ledger. */
    const expectExactly = async (expected: readonly string[]) => {
      const got = await attested();
      expect([...got.keys()].sort()).toEqual([...expected].sort());
      for (const s of expected) expect(got.get(s)).toEqual([listed.get(s)]);
      for (const s of never) expect(got.has(s)).toBe(false);
      expect(await jobCount()).toBe(expected.length); // no job for a record before fromHeight, not final, or reorganised
      expect((await backend.relayStore.counts()).dead).toBe(0);
    };
    const settled = async (expected: readonly string[]) => {
      await until(`${expected.length} attestations`, async () => (await attested()).size >= expected.length && (await backend.relayStore.counts()).done >= expected.length);
      await caughtUp();
    };

    const { start: startEngine, stop: stopEngine } = engineControl(() => makeEngine(backend, [{ registration }]));

    beforeAll(async () => {
      chain = await startEvmChain();
      backend = await openBackend(kind, PG);
      const r = chain.registration([{ url: chain.anvil.url }], { timeoutMs: 5000 });
      registration = { ...r, recordTypes: { [TYPE]: { ...r.recordTypes[TYPE]!, schemaId: LISTING_SCHEMA } } };
      chainId = registration.chainId;
    }, 60_000);
    afterAll(async () => {
      await stopEngine();
      await backend?.close();
      await chain?.anvil.stop();
    });

    const expected: string[] = [];

    it('attests every entry above fromHeight once (listed before and after the subscription), none at or below it, none before final', async () => {
      never.add(await list());
      never.add(await list()); // at fromHeight itself: fromHeight is exclusive
      const fromHeight = Number(await chain.anvil.rpc<string>('eth_blockNumber'));
      await mine(CONFIRMATIONS);
      expected.push(await list(), await list()); // above fromHeight, before the subscription exists
      await mine(CONFIRMATIONS);
      const e = await startEngine();
      await e.subscribe(chainId, TYPE, fromHeight);
      expected.push(await list()); // after it
      await mine(1);
      expected.push(await list(), await list());
      await mine(CONFIRMATIONS);
      await settled(expected);
      await expectExactly(expected);

      // Not final yet: listed, but fewer than CONFIRMATIONS blocks above it. The follow scans past the finalized head
      // without it; only once the blocks above it are mined is it attested.
      const pending = await list();
      await mine(CONFIRMATIONS - 1);
      await caughtUp();
      expect((await attested()).has(pending)).toBe(false);
      await expectExactly(expected);
      await mine(1);
      expected.push(pending);
      await settled(expected);
      await expectExactly(expected);
      expect(await e.metricsText()).toMatch(new RegExp(`courtbridge_relay_follow_lag_blocks\\{chain="${chainId}",record_type="${TYPE}"\\} 0`));
    }, 90_000);

    it('the cursor survives a restart: entries listed while stopped are attested after start, none twice', async () => {
      await stopEngine();
      const stoppedAt = await cursor();
      expected.push(await list(), await list());
      await mine(1);
      expected.push(await list());
      await mine(CONFIRMATIONS);
      expect(await cursor()).toBe(stoppedAt); // nothing followed while stopped
      await startEngine(); // the stored subscription resumes from its cursor
      await settled(expected);
      await expectExactly(expected);
      // A second restart with nothing new re-attests nothing.
      await stopEngine();
      await startEngine();
      await mine(CONFIRMATIONS);
      await caughtUp();
      await expectExactly(expected);
    }, 90_000);

    it('a reorganised non-final entry is never attested; the entry of the new fork at the same height is', async () => {
      await caughtUp();
      const snap = await chain.anvil.rpc<string>('evm_snapshot');
      const orphan = await list();
      await mine(CONFIRMATIONS - 1); // still not final
      await caughtUp();
      expect((await attested()).has(orphan)).toBe(false);
      await chain.anvil.rpc('evm_revert', [snap]);
      never.add(orphan);
      const replacement = await list(); // same height as the orphan, on the new chain
      await mine(CONFIRMATIONS + 2);
      expected.push(replacement);
      await settled(expected);
      await expectExactly(expected); // the orphan is in `never`: no leaf for it, and no job beyond the expected ones
    }, 90_000);
  });
}
