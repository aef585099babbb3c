/**
 * The relay's chains from the APPROVED registrations (adapters/registration) in the ledger's own database — the
 * production `ChainResolver`.
 *
 * - Snapshot: every stored version, reduced per chain to its active version (→ a `RelayChain`), or `disabled` when
 *   the chain has no active version and its newest disabling is not followed by a newer pending/approved version,
 *   or nothing (only pending / superseded versions: not approved yet).
 * - Refresh: the snapshot is re-read when older than `refreshMs` at a lookup, and on `refresh()`. Activation,
 *   rotation and disabling are done by other processes (CLI, API), so there is no in-process event to wait for; a
 *   change takes effect within `refreshMs` (default 2 s).
 * - A chain whose active version changed (rotation, re-approval) gets a new adapter (the old one is closed); a
 *   disabled chain's lookups fail with REGISTRATION_DISABLED (the pipeline marks such jobs dead, no attestation).
 * - Trust: the light-client state starts from the version's approved trust anchor (`trustAnchorOf` →
 *   `createTrustState`); depth-rule dev chains get depth trust. The stored trust state is keyed by chain AND anchor
 *   (`trustId`): a rotation that keeps the anchor keeps the learned state (hand-overs, recent headers, a freeze); a
 *   rotation to a new anchor — approved by the admin threshold — starts from that anchor.
 */
import { canonicalBytes } from '../src/crypto/canonical.js';
import { sha256 } from '../src/crypto/hash.js';
import { toHex } from '../src/crypto/bytes.js';
import { fail } from '../src/errors.js';
import { createTrustState } from '../src/proofs/lightclient/state.js';
import { createAdapter } from '../adapters/registry.js';
import { adapterRegistrationOf, trustAnchorOf } from '../adapters/registration/anchor.js';
import type { RegistrationStore } from '../adapters/registration/store.js';
import type { RegistrationRecord } from '../adapters/registration/types.js';
import type { Adapter, EvidenceTrust, Registration } from '../adapters/types.js';
import type { ChainResolver, RelayChain } from './pipeline.js';

/** Options of `registeredChains`. */
export interface RegisteredChainsOptions {
  readonly store: RegistrationStore;
  /** Re-read the registrations when the snapshot is older than this (ms). Default 2000. */
  readonly refreshMs?: number;
  /** Clock of the light-client trust anchor (Unix seconds). */
  readonly nowSec?: () => number;
  /** Adapter construction (default: the registry's factories). */
  readonly createAdapter?: (registration: Registration) => Promise<Adapter>;
}

type Entry =
  | { readonly status: 'active'; readonly record: RegistrationRecord; readonly registration: Registration; readonly trustId: string }
  | { readonly status: 'disabled'; readonly version: number };

/** The resolver plus its control surface. */
export interface RegisteredChains extends ChainResolver {
  /** Re-read the registrations now (closing adapters of chains that changed or went away). */
  refresh(): Promise<void>;
  /** Per-chain token bucket from the active registration's `rateLimit` (engine option `rateLimit`). */
  rateLimit(chainId: string): { ratePerSec: number; burst: number } | undefined;
  /** Close every adapter. */
  close(): Promise<void>;
}

/** Reduce all stored versions to one entry per chain (see the file comment). */
export function snapshotOf(records: readonly RegistrationRecord[]): Map<string, Entry> {
  const byChain = new Map<string, RegistrationRecord[]>();
  for (const r of records) byChain.set(r.chainId, [...(byChain.get(r.chainId) ?? []), r]);
  const out = new Map<string, Entry>();
  for (const [chainId, versions] of byChain) {
    const active = versions.find((r) => r.status === 'active');
    if (active) {
      const { registration } = adapterRegistrationOf(active.document);
      const anchor = active.document.trustAnchor;
      const trustId = anchor === undefined ? chainId : `${chainId}#anchor-${toHex(sha256(canonicalBytes(anchor))).slice(0, 16)}`;
      out.set(chainId, { status: 'active', record: active, registration, trustId });
      continue;
    }
    const newest = versions.reduce((a, b) => (b.version > a.version ? b : a));
    const disabled = versions.filter((r) => r.status === 'disabled').reduce<RegistrationRecord | undefined>((a, b) => (a === undefined || b.version > a.version ? b : a), undefined);
    // Disabled unless a newer version waits for approval (then the chain is simply not approved yet).
    if (disabled !== undefined && (newest.status === 'disabled' || newest.status === 'superseded')) out.set(chainId, { status: 'disabled', version: disabled.version });
  }
  return out;
}

/** Initial trust of an active registration: its anchor's light-client state, or depth trust for depth rules. */
export function initialTrustOf(record: RegistrationRecord, nowSec: number): EvidenceTrust {
  const anchor = trustAnchorOf(record.document);
  if (anchor !== undefined) return createTrustState(anchor, nowSec);
  const f = record.document.finality;
  if (f.rule === 'depth' || f.rule === 'clique') return { kind: 'evm-depth', chainId: record.chainId, minConfirmations: f.confirmations };
  return fail('RELAY_NO_TRUST_STATE', { chainId: record.chainId });
}

/** A `ChainResolver` over the approved registrations in `opts.store`. */
export function registeredChains(opts: RegisteredChainsOptions): RegisteredChains {
  const refreshMs = opts.refreshMs ?? 2000;
  const nowSec = opts.nowSec ?? (() => Math.floor(Date.now() / 1000));
  const make = opts.createAdapter ?? ((r: Registration) => createAdapter(r));
  let snapshot = new Map<string, Entry>();
  let readAt = -Infinity;
  let reading: Promise<void> | undefined;
  /** Adapters by chain, with the version they were made for. */
  const made = new Map<string, { version: number; chain: Promise<RelayChain> }>();

  const retire = (chainId: string) => {
    const m = made.get(chainId);
    if (m === undefined) return;
    made.delete(chainId);
    void m.chain.then((c) => c.adapter.close()).catch(() => undefined);
  };

  const refresh = (): Promise<void> => {
    reading ??= (async () => {
      try {
        snapshot = snapshotOf(await opts.store.list());
        readAt = Date.now();
        for (const [chainId, m] of [...made]) {
          const e = snapshot.get(chainId);
          if (e?.status !== 'active' || e.record.version !== m.version) retire(chainId);
        }
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };

  const resolve = (async (chainId: string): Promise<RelayChain | undefined> => {
    if (Date.now() - readAt >= refreshMs) await refresh();
    const e = snapshot.get(chainId);
    if (e === undefined) return undefined;
    if (e.status === 'disabled') return fail('REGISTRATION_DISABLED', { chainId, version: e.version });
    let m = made.get(chainId);
    if (m === undefined || m.version !== e.record.version) {
      const record = e.record;
      const chain = make(e.registration).then((adapter): RelayChain => ({
        registration: e.registration, adapter, trustId: e.trustId, initialTrust: () => initialTrustOf(record, nowSec()),
      }));
      m = { version: record.version, chain };
      made.set(chainId, m);
      chain.catch(() => { if (made.get(chainId) === m) made.delete(chainId); });
    }
    return m.chain;
  }) as RegisteredChains;
  resolve.refresh = refresh;
  resolve.rateLimit = (chainId) => {
    const e = snapshot.get(chainId);
    if (e?.status !== 'active') return undefined;
    const r = e.record.document.rateLimit;
    return { ratePerSec: r.requestsPerSecond, burst: r.burst };
  };
  resolve.close = async () => {
    for (const chainId of [...made.keys()]) {
      const m = made.get(chainId)!;
      made.delete(chainId);
      await (await m.chain.catch(() => undefined))?.adapter.close();
    }
  };
  return resolve;
}
