/**
 * The adapter conformance suite: the same tests for every adapter, each adapter plugging in its local chain through a
 * `ConformanceHarness` (EVM: anvil; BFT: the simulator process; …). Call `adapterConformance(harness, testApi)` from
 * a vitest file, passing vitest's `describe`/`it`/`expect`/`beforeAll`/`afterAll` (this module does not import a
 * test framework, so it type-checks with the library).
 *
 * Covered: finalized head advances; a record whose evidence verifies through `verifySourceEvidence`; absence; a
 * wrong key; an unknown record type; RPC failures through a local fault proxy (one endpoint down → failover; all
 * down → RPC_UNAVAILABLE; hang → RPC_TIMEOUT; garbage → RPC_BAD_RESPONSE; stop/start); a malicious RPC rewriting
 * answers in a well-formed way → verification fails with a coded error; forks (evidence from a reorganised block
 * fails against the new canonical chain); `follow` (every record written above `fromHeight` reported exactly once, at a
 * final block that holds it, in height order, with progress reported up to the finalized head).
 */
import { CourtBridgeError } from '../src/errors.js';
import { verifySourceAbsence, verifySourceEvidence } from '../src/proofs/evidence.js';
import { hasAbsenceEvidence } from './errors.js';
import { startFaultProxy, type FaultProxy, type Rewrite } from './fault-proxy.js';
import type { Adapter, EvidenceTrust, JsonValue, RecordMapping, RecordRef, Registration, RpcEndpoint, SourceEvidence } from './types.js';

/** What an adapter under test plugs in. Endpoints must be HTTP JSON-RPC (the suite's fault proxy speaks HTTP). */
export interface ConformanceHarness {
  /** Name shown in the test titles. */
  readonly name: string;
  /** The local chain's RPC URL. */
  endpoint(): string;
  /** A registration of the local chain using `endpoints` (and RPC limits), as the partner would register it. */
  registration(endpoints: readonly RpcEndpoint[], limits?: Registration['rpcLimits']): Registration;
  /** Create the adapter under test (usually the registry's `createAdapter`). */
  makeAdapter(registration: Registration): Promise<Adapter>;
  /** Write a new record (unique key per call) and return its ref and the record `verifySourceEvidence` must yield. */
  writeRecord(): Promise<{ ref: RecordRef; expected: { [k: string]: JsonValue } }>;
  /** A ref of a registered type whose key has no record. */
  absentRef(): RecordRef;
  /** A key that is malformed for the record type (fetchRecord must refuse it with an input error), if keys have a form. */
  malformedKey?(): string;
  /** Produce `n` blocks. */
  advance(n: number): Promise<void>;
  /** The registration's mapping of a record type. */
  mapping(recordType: string): RecordMapping;
  /** The trust a relay would verify with now (light-client state, or depth trust pinned to the chain's canonical headers). */
  trust(): Promise<EvidenceTrust>;
  /** Verification time (Unix seconds). */
  now(): number;
  /** True when the chain can prove absence (evidence on RECORD_NOT_FOUND). */
  readonly provesAbsence: boolean;
  /** Malicious rewrites of RPC answers, each leaving the answer well-formed. */
  readonly tampers: readonly { readonly name: string; readonly rewrite: Rewrite }[];
  /** Fork controls, when the local chain can reorganise its unfinalized tip. */
  readonly fork?: { snapshot(): Promise<string>; revert(id: string): Promise<void> };
}

/** The parts of a test framework the suite needs (vitest's functions fit). */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
  beforeAll(fn: () => Promise<void>, timeoutMs?: number): void;
  afterAll(fn: () => Promise<void>): void;
  expect: (value: unknown) => { toBe(v: unknown): void; toEqual(v: unknown): void; toBeGreaterThan(v: number): void; toMatch(v: RegExp): void };
}

/** The code of the CourtBridgeError `p` rejects with, or 'RESOLVED' / 'NOT_CODED'. */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'RESOLVED';
  } catch (e) {
    return e instanceof CourtBridgeError ? e.code : 'NOT_CODED';
  }
}

/** Register the conformance tests for `h`. */
export function adapterConformance(h: ConformanceHarness, t: TestApi): void {
  const { describe, it, beforeAll, afterAll, expect } = t;
  const closers: (() => Promise<void>)[] = [];
  const adapterOn = async (endpoints: readonly RpcEndpoint[], limits?: Registration['rpcLimits']): Promise<Adapter> => {
    const a = await h.makeAdapter(h.registration(endpoints, limits));
    closers.push(() => a.close());
    return a;
  };
  const proxy = async (): Promise<FaultProxy> => {
    const p = await startFaultProxy(h.endpoint());
    closers.push(() => p.close());
    return p;
  };
  const verify = async (e: SourceEvidence, ref: RecordRef) => verifySourceEvidence(e, await h.trust(), { now: h.now(), mapping: h.mapping(ref.recordType), expect: ref });
  const DEAD = { url: 'http://127.0.0.1:9' }; // discard port: nothing listens

  describe(`adapter conformance: ${h.name}`, () => {
    let adapter: Adapter;
    let written: { ref: RecordRef; expected: { [k: string]: JsonValue } };
    beforeAll(async () => {
      adapter = await adapterOn([{ url: h.endpoint() }]);
      written = await h.writeRecord();
      await h.advance(4);
    }, 60_000);
    afterAll(async () => {
      for (const c of closers.reverse()) await c().catch(() => undefined);
    });

    it('finalized head advances', async () => {
      const a = await adapter.finalizedHead();
      await h.advance(3);
      const b = await adapter.finalizedHead();
      expect(b.height).toBeGreaterThan(a.height);
      expect(b.hash).toMatch(/^0x[0-9a-f]{64}$/);
    });

    it('a record whose evidence verifies', async () => {
      const e = await adapter.fetchRecord(written.ref);
      expect(e.kind).toBe(h.mapping(written.ref.recordType).kind);
      const v = await verify(e, written.ref);
      expect(v.record).toEqual(written.expected);
      expect(v.key).toBe(written.ref.key);
      expect(v.recordDigest).toMatch(/^0x[0-9a-f]{64}$/);
      expect(v.evidenceDigest).toMatch(/^0x[0-9a-f]{64}$/);
      // Evidence survives a JSON round trip (it goes into bundles) and verifies the same.
      const again = await verify(JSON.parse(JSON.stringify(e)) as SourceEvidence, written.ref);
      expect(again.evidenceDigest).toBe(v.evidenceDigest);
    });

    it('absence: RECORD_NOT_FOUND, with verifiable evidence where the chain can prove it', async () => {
      const ref = h.absentRef();
      let err: unknown;
      await adapter.fetchRecord(ref).catch((e: unknown) => (err = e));
      expect((err as CourtBridgeError).code).toBe('RECORD_NOT_FOUND');
      expect(hasAbsenceEvidence(err)).toBe(h.provesAbsence);
      if (hasAbsenceEvidence(err)) {
        const opts = { now: h.now(), mapping: h.mapping(ref.recordType), expect: ref };
        const a = verifySourceAbsence(err.absence, await h.trust(), opts);
        expect(a.key).toBe(ref.key);
        expect(await codeOf(async () => verifySourceEvidence((err as { absence: unknown }).absence, await h.trust(), opts))).toBe('RECORD_NOT_FOUND');
      }
    });

    it('a wrong key: evidence for one key never verifies as another; malformed keys are refused', async () => {
      const other = await h.writeRecord();
      await h.advance(4);
      const e = await adapter.fetchRecord(written.ref);
      const swapped = { ...e, key: other.ref.key } as SourceEvidence;
      expect(await codeOf(() => verify(swapped, other.ref))).toMatch(/^(EVIDENCE_MISMATCH|PROOF_VALUE_MISMATCH)$/);
      expect(await codeOf(() => verify(e, other.ref))).toBe('EVIDENCE_MISMATCH');
      if (h.malformedKey !== undefined) {
        const bad = { ...written.ref, key: h.malformedKey() };
        expect(await codeOf(adapter.fetchRecord(bad))).toMatch(/^(INVALID_INPUT|BAD_HEX|BAD_LENGTH)$/);
      }
      expect(await codeOf(adapter.fetchRecord({ ...written.ref, recordType: 'no-such-type' }))).toBe('RECORD_TYPE_UNKNOWN');
    });

    it('RPC failures: failover, all down, timeout, garbage, stop/start', async () => {
      const p = await proxy();
      const failover = await adapterOn([DEAD, { url: h.endpoint() }]);
      expect((await failover.fetchRecord(written.ref)).kind).toBe(h.mapping(written.ref.recordType).kind);
      const allDown = await adapterOn([DEAD, { url: 'http://127.0.0.1:1' }]);
      expect(await codeOf(allDown.finalizedHead())).toBe('RPC_UNAVAILABLE');
      const viaProxy = await adapterOn([{ url: p.url }], { timeoutMs: 300 });
      p.set({ mode: 'hang' });
      expect(await codeOf(viaProxy.finalizedHead())).toBe('RPC_TIMEOUT');
      p.set({ mode: 'garbage' });
      expect(await codeOf(viaProxy.fetchRecord(written.ref))).toBe('RPC_BAD_RESPONSE');
      p.set({ mode: 'down' });
      expect(await codeOf(viaProxy.finalizedHead())).toBe('RPC_UNAVAILABLE');
      p.set({ mode: 'pass' });
      expect((await viaProxy.finalizedHead()).hash).toMatch(/^0x[0-9a-f]{64}$/);
      // A mixed failure (one timeout, one refused) is RPC_UNAVAILABLE, naming no credentials.
      p.set({ mode: 'hang' });
      const mixed = await adapterOn([{ url: p.url }, { url: 'http://user:secret@127.0.0.1:1/rpc?key=secret' }], { timeoutMs: 200 });
      let err: unknown;
      await mixed.finalizedHead().catch((e: unknown) => (err = e));
      expect((err as CourtBridgeError).code).toBe('RPC_UNAVAILABLE');
      expect(/secret/.test(JSON.stringify((err as CourtBridgeError).toJSON()))).toBe(false);
      p.set({ mode: 'pass' });
    }, 30_000);

    it('a malicious RPC (well-formed rewrites) never yields verified evidence', async () => {
      const p = await proxy();
      const evil = await adapterOn([{ url: p.url }]);
      for (const tamper of h.tampers) {
        p.set({ mode: 'tamper', rewrite: tamper.rewrite });
        let code: string;
        try {
          const e = await evil.fetchRecord(written.ref);
          code = await codeOf(() => verify(e, written.ref));
        } catch (e) {
          code = e instanceof CourtBridgeError ? `fetch:${e.code}` : 'NOT_CODED';
          // A faked absence must not verify as absence either.
          if (hasAbsenceEvidence(e)) {
            const absence = e.absence;
            const trust = await h.trust();
            code = `absence:${await codeOf(() => verifySourceAbsence(absence, trust, { now: h.now(), mapping: h.mapping(written.ref.recordType), expect: written.ref }))}`;
          }
        }
        if (process.env.CONFORMANCE_DEBUG) console.log(`${tamper.name}: ${code}`);
        expect(`${tamper.name}: ${code}`).toMatch(/: ((fetch|absence):)?[A-Z_]+$/);
        expect(/(RESOLVED|NOT_CODED)$/.test(code)).toBe(false);
      }
      p.set({ mode: 'pass' });
    });

    it('follow: records above fromHeight reported once each, at a final block holding them, in height order; again the same', async () => {
      expect(typeof adapter.follow).toBe('function');
      const from = (await adapter.finalizedHead()).height; // `written` (beforeAll) is at or below it: never reported
      const recs: { ref: RecordRef; expected: { [k: string]: JsonValue } }[] = [];
      for (let i = 0; i < 3; i++) {
        recs.push(await h.writeRecord());
        await h.advance(i + 1);
      }
      await h.advance(4);
      const run = async () => {
        const target = (await adapter.finalizedHead()).height;
        const events: { ref: RecordRef; height: number; hash: string }[] = [];
        let scanned = from;
        const ctl = new AbortController();
        const guard = setTimeout(() => ctl.abort(), 20_000); // a follow that never catches up ends the test, not the run
        await adapter.follow!({
          recordTypes: [written.ref.recordType], fromHeight: from, intervalMs: 50, signal: ctl.signal,
          onProgress: (n) => {
            scanned = Math.max(scanned, n);
            if (scanned >= target) ctl.abort();
          },
        }, (ev) => {
          events.push({ ref: ev.ref, height: ev.head.height, hash: ev.head.hash });
        });
        clearTimeout(guard);
        expect(scanned >= target).toBe(true);
        return { events, target };
      };
      const { events, target } = await run();
      // Re-delivery (a relay restarting from the same cursor later) names the same blocks, whatever the head is now.
      await h.advance(3);
      expect((await run()).events).toEqual(events);
      expect(events.map((e) => e.ref.key).sort()).toEqual(recs.map((r) => r.ref.key).sort());
      expect(events.every((e, i) => e.height > from && e.height <= target && (i === 0 || e.height >= events[i - 1]!.height))).toBe(true);
      for (const r of recs) {
        const ev = events.find((e) => e.ref.key === r.ref.key)!;
        expect(ev.ref).toEqual(r.ref);
        const v = await verify(await adapter.fetchRecord(r.ref, ev.height), r.ref);
        expect(v.record).toEqual(r.expected);
        expect(v.blockHash).toBe(ev.hash);
      }
    }, 60_000);

    if (h.fork !== undefined) {
      const fork = h.fork;
      it('forks: evidence from a reorganised block fails against the new canonical chain', async () => {
        const snap = await fork.snapshot();
        const rec = await h.writeRecord();
        await h.advance(4);
        const e = await adapter.fetchRecord(rec.ref);
        expect((await verify(e, rec.ref)).record).toEqual(rec.expected);
        await fork.revert(snap);
        await h.advance(8); // a different chain of the same (and greater) height
        expect(await codeOf(() => verify(e, rec.ref))).toMatch(/^(BLOCK_NOT_CANONICAL|HEADER_CONFLICT)$/);
        expect(await codeOf(adapter.fetchRecord(rec.ref))).toBe('RECORD_NOT_FOUND');
      }, 30_000);
    }
  });
}
