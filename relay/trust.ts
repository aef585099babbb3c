/**
 * Per-chain trust, persisted in `relay_trust_state` and advanced only through the pure functions of
 * src/proofs/lightclient (light-client chains) or by remembering canonical block hashes (depth-rule dev chains).
 *
 * Verification of one piece of evidence, as ordered steps (all for one chain run one at a time — a per-chain queue —
 * so two jobs cannot race on the stored state; across processes a compare-and-set on the version decides):
 *   1. load the stored trust, or create it from the registration's trust anchor / finality rule;
 *   2. light client: the chain is not frozen (CHAIN_FROZEN); trust updates first — the adapter's `trustUpdates`
 *      (certified validator-set hand-overs) between the last height checked and the evidence's height, each through
 *      `acceptHeader`, in order — then `acceptHeader` on the evidence's finality part. A conflicting final header
 *      freezes the chain, the frozen state is stored and the job fails (HEADER_CONFLICT);
 *   3. `verifySourceEvidence(evidence, trust)` (pure): record proof against the accepted header;
 *   4. store the advanced state (light client) / the block hash now known canonical at its height (depth rule), so
 *      a later different block at that height (a fork) fails verification.
 *
 * Unfreezing (an administrator's decision, adapters/registration `RegistrationService.unfreeze`) runs in the same
 * per-chain queue: the stored state must be frozen (CHAIN_NOT_FROZEN), `unfreeze(state, decision)` (pure) must accept
 * the decision, the decision is attested, then the thawed state is stored (compare-and-set on the version).
 */
import { canonicalJson } from '../src/crypto/canonical.js';
import { fail } from '../src/errors.js';
import { acceptHeader, fromJSON, toJSON, unfreeze } from '../src/proofs/lightclient/state.js';
import { FINALITY_VERIFIERS } from '../src/proofs/lightclient/kinds.js';
import type { AdminDecision, JsonValue, MisbehaviourEvidence, TrustState } from '../src/proofs/lightclient/types.js';
import type { DepthTrust, EvidenceTrust, SourceEvidence, VerifiedRecord, VerifyEvidenceOptions } from '../adapters/types.js';
import type { RelayStore } from './jobs/types.js';

/** What the verifier returns: `evidenceText` (src/proofs/evidence.ts VerifiedEvidence) spares the relay a second canonicalisation. */
export type VerifiedForRelay = VerifiedRecord & { readonly evidenceText?: string };

/** The pure verifier (src/proofs/evidence.ts `verifySourceEvidence`), injected. */
export type EvidenceVerifier = (evidence: SourceEvidence, trust: EvidenceTrust, opts: VerifyEvidenceOptions) => VerifiedForRelay;

/** Most canonical heights a depth trust remembers. */
export const MAX_CANONICAL = 256;

const isLightClient = (t: EvidenceTrust): t is TrustState => (t as { kind: string }).kind !== 'evm-depth';

/** The part of `evidence` the light client's FinalityVerifier checks (its kind's evidence format). */
export function finalityEvidenceOf(evidence: SourceEvidence): JsonValue {
  switch (evidence.kind) {
    case 'evm-storage':
      return { header: evidence.block };
    case 'bft-merkle':
      return evidence.validatorSet === undefined
        ? { header: evidence.header, certificate: evidence.certificate }
        : { header: evidence.header, certificate: evidence.certificate, nextValidatorSet: evidence.validatorSet };
    case 'substrate-storage':
      // GRANDPA: the justification must finalise exactly this header (src/proofs/lightclient/kind-grandpa.ts). The
      // adapter refuses blocks the node keeps no justification for (RECORD_NOT_FINAL), so evidence without one is
      // not final here either.
      return evidence.justification === undefined
        ? fail('RECORD_NOT_FINAL', { height: String((evidence.header as { number?: unknown }).number ?? '?'), confirmations: 'no justification', required: 'a GRANDPA justification' })
        : { header: evidence.header, justification: evidence.justification };
    default: {
      const never: never = evidence;
      return fail('UNKNOWN_TYPE', { type: String((never as { kind: string }).kind) });
    }
  }
}

function parseTrust(json: string): EvidenceTrust {
  const v = JSON.parse(json) as { kind?: string };
  return v.kind === 'evm-depth' ? (v as DepthTrust) : fromJSON(json);
}

function serialise(t: EvidenceTrust): string {
  return isLightClient(t) ? toJSON(t) : canonicalJson(t);
}

/** What the ledger and the admin API show of one piece of misbehaviour evidence (the raw evidence stays in the state). */
export function misbehaviourSummary(m: MisbehaviourEvidence): { height: number; detectedAt: number; first: string; second: string } {
  return { height: m.height, detectedAt: m.detectedAt, first: m.first.header.hash, second: m.second.header.hash };
}

/** The adapter's trust updates (Adapter.trustUpdates): raw finality evidence above a height, ascending. */
export type TrustUpdates = (fromHeight: number) => Promise<readonly JsonValue[]>;

/** Most trust updates applied before one verification (a hostile endpoint cannot make the relay loop for long). */
export const MAX_TRUST_UPDATES = 1024;

/** Per-chain trust book over a relay store. */
export class TrustBook {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<string, { json: string; trust: EvidenceTrust }>();
  /** Per chain: trust updates were fetched up to this height (in-memory; at worst re-fetched after a restart). */
  private readonly updatedTo = new Map<string, number>();

  /** `nowSec` is the verification clock (Unix seconds). */
  constructor(private readonly store: RelayStore, private readonly verifier: EvidenceVerifier, private readonly nowSec: () => number) {}

  /** The stored trust of a chain (undefined before its first verification). */
  async current(chainId: string): Promise<EvidenceTrust | undefined> {
    const row = await this.store.trustState(chainId);
    return row && parseTrust(row.json);
  }

  /** Verify `evidence` for `chainId` (steps 1–4 above), creating the trust with `initial()` when none is stored. */
  verify(chainId: string, evidence: SourceEvidence, opts: Omit<VerifyEvidenceOptions, 'now'>, initial: () => EvidenceTrust, updates?: TrustUpdates): Promise<VerifiedForRelay> {
    return this.inQueue(chainId, () => this.verifyNow(chainId, evidence, opts, initial, updates));
  }

  /** Run `fn` after every earlier operation on `chainId` in this process. */
  private inQueue<T>(chainId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(chainId) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    this.queues.set(chainId, run);
    void run.finally(() => {
      if (this.queues.get(chainId) === run) this.queues.delete(chainId);
    }).catch(() => undefined);
    return run;
  }

  /**
   * Lift the freeze of the light-client state stored under `chainId` (a trust id) by `decision`: CHAIN_NOT_FROZEN
   * unless it is frozen; `attest(facts)` records the decision with the evidence summary before the state is stored.
   * `signedAt` (the order's `iat`, Unix seconds): an order signed before the last conflict was detected was not made
   * about this evidence (a stale or replayed order), and is refused; 60 s of clock skew are allowed.
   */
  unfreeze(chainId: string, decision: AdminDecision, attest: (facts: Record<string, unknown>) => Promise<{ index: number }>, signedAt?: number): Promise<{ state: TrustState; ledgerIndex: number }> {
    return this.inQueue(chainId, async () => {
      let attested: { index: number } | undefined;
      for (let attempt = 0; attempt < 5; attempt++) {
        const row = await this.store.trustState(chainId);
        const trust = row ? this.parsed(chainId, row.json) : undefined;
        if (!row || !trust || !isLightClient(trust) || !trust.frozen) return fail('CHAIN_NOT_FROZEN', { chainId });
        const detected = Math.max(...trust.misbehaviour.map((m) => m.detectedAt));
        if (signedAt !== undefined && signedAt + 60 < detected) fail('REGISTRATION_SIGNATURE_INVALID', { what: 'unfreeze', reason: `the order was signed before the conflict was detected (${detected})` });
        const thawed = unfreeze(trust, decision); // checks the decision (e.g. canonicalHash names a conflicting header)
        attested ??= await attest({ trustId: chainId, misbehaviour: trust.misbehaviour.map(misbehaviourSummary) });
        if (await this.store.putTrustState(chainId, toJSON(thawed), row.version, Date.now())) return { state: thawed, ledgerIndex: attested.index };
        // Another process changed the state meanwhile (only another unfreeze can change a frozen state): look again.
      }
      return fail('STORE_UNAVAILABLE', { reason: `trust state of ${chainId} keeps changing under concurrent writers` });
    });
  }

  /** Parse a stored trust, reusing the last parse of the same JSON (fromJSON re-checks a whole state: not per job). */
  private parsed(chainId: string, json: string): EvidenceTrust {
    const hit = this.cache.get(chainId);
    if (hit?.json === json) return hit.trust;
    const trust = parseTrust(json);
    this.cache.set(chainId, { json, trust });
    return trust;
  }

  /**
   * Feed the adapter's trust updates between the last height checked and the evidence's height to the light client,
   * in order (a hand-over must be accepted before headers its new set certifies). Updates at or below the checkpoint
   * were learned already; updates above the evidence's height are left for later evidence.
   */
  private async applyUpdates(chainId: string, trust: TrustState, finality: JsonValue, now: number, updates: TrustUpdates, version: number): Promise<TrustState> {
    const verifier = FINALITY_VERIFIERS[trust.kind] ?? fail('UNKNOWN_TYPE', { type: trust.kind });
    const target = verifier.heightOf(finality);
    const from = Math.max(trust.checkpoint.height, this.updatedTo.get(chainId) ?? 0);
    if (target <= from) return trust;
    const list = await updates(from);
    if (list.length > MAX_TRUST_UPDATES) fail('TOO_LARGE', { field: 'trustUpdates', limit: MAX_TRUST_UPDATES });
    let last = -1;
    for (const u of list) {
      const h = verifier.heightOf(u);
      if (h <= last) fail('INVALID_INPUT', { field: 'trustUpdates', reason: 'heights must ascend' });
      last = h;
      if (h > target) break;
      if (h <= trust.checkpoint.height) continue;
      const res = acceptHeader(trust, trust.kind, u, now);
      if (res.status === 'frozen') {
        await this.store.putTrustState(chainId, toJSON(res.state), version, Date.now());
        throw res.error;
      }
      trust = res.state;
    }
    return trust;
  }

  private async verifyNow(chainId: string, evidence: SourceEvidence, opts: Omit<VerifyEvidenceOptions, 'now'>, initial: () => EvidenceTrust, updates?: TrustUpdates): Promise<VerifiedForRelay> {
    for (let attempt = 0; attempt < 5; attempt++) {
      // Step 1.
      const row = await this.store.trustState(chainId);
      let trust = row ? this.parsed(chainId, row.json) : initial();
      const version = row?.version ?? 0;
      let changed = row === undefined;
      let checkedTo: number | undefined;
      const now = this.nowSec();
      let verified: VerifiedForRelay;
      if (isLightClient(trust)) {
        // Step 2.
        if (trust.frozen) fail('CHAIN_FROZEN', { chainId });
        const finality = finalityEvidenceOf(evidence);
        if (updates !== undefined) {
          const before = trust;
          trust = await this.applyUpdates(chainId, trust, finality, now, updates, version);
          changed ||= trust !== before;
          // Remembered only once the state that holds them is stored (below) or was unchanged.
          checkedTo = (FINALITY_VERIFIERS[trust.kind]?.heightOf(finality)) ?? 0;
        }
        const res = acceptHeader(trust, trust.kind, finality, now);
        if (res.status === 'frozen') {
          await this.store.putTrustState(chainId, toJSON(res.state), version, Date.now());
          throw res.error;
        }
        // acceptHeader returns the same checkpoint / sets / recent objects when nothing changed.
        changed ||= res.state.checkpoint !== trust.checkpoint || res.state.validatorSets !== trust.validatorSets || res.state.recent !== trust.recent;
        trust = res.state;
        // Step 3.
        verified = this.verifier(evidence, trust, { ...opts, now });
      } else {
        // Step 3.
        verified = this.verifier(evidence, trust, { ...opts, now });
        // Step 4 (depth rule): remember the canonical hash at this height (bounded to the highest MAX_CANONICAL).
        if (trust.canonical?.[String(verified.height)] === undefined) {
          const canonical = { ...(trust.canonical ?? {}), [String(verified.height)]: verified.blockHash };
          const heights = Object.keys(canonical).map(Number).sort((a, b) => a - b);
          for (const h of heights.slice(0, Math.max(0, heights.length - MAX_CANONICAL))) delete canonical[String(h)];
          trust = { ...trust, canonical };
          changed = true;
        }
      }
      const remember = () => { if (checkedTo !== undefined && checkedTo > (this.updatedTo.get(chainId) ?? 0)) this.updatedTo.set(chainId, checkedTo); };
      if (!changed) { remember(); return verified; }
      if (await this.store.putTrustState(chainId, serialise(trust), version, Date.now())) { remember(); return verified; }
      // Another process advanced the state meanwhile: verify again on the newer state.
    }
    return fail('STORE_UNAVAILABLE', { reason: `trust state of ${chainId} keeps changing under concurrent writers` });
  }
}
