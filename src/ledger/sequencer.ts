/**
 * The ledger's sequencer lease (docs/scaling.md): among processes sharing one store, only the holder of the lease
 * appends. The lease row (`ledger_sequencer`: holder, fencing token, expiry on the store's clock) is taken with
 * `acquireLease`, renewed in the background every `ttlMs / 3`, and released on close. Every append carries the token
 * (`fence()`); the store checks it in the append transaction under the head lock, so a deposed holder — one that
 * stalled or was cut off past its expiry while another process acquired a higher token — writes nothing and gets
 * SEQUENCER_FENCED (the fencing-token scheme of Kleppmann, "How to do distributed locking", 2016).
 *
 * The local deadline (`holds()`) is only an early "no": it is computed from the time the acquire / renew request was
 * SENT, so it never outlives the store's expiry; the store's check is what makes fencing safe.
 */
import { randomBytes } from 'node:crypto';
import { fail } from '../errors.js';
import type { Fence, LedgerStore } from './store/types.js';

/** Options of a sequencer. */
export interface SequencerOptions {
  /** Lease name (one per ledger). Default `ledger`. */
  name?: string;
  /** Holder id, unique per process (default: `seq-<pid>-<random>`). */
  holder?: string;
  /** Lease time to live, ms (store clock). Default 10 000. A dead holder delays appends by at most this. */
  ttlMs?: number;
  /** Called with one tab-separated line per change: `sequencer\tacquired\t<token>`, `deposed`, `released`. */
  notice?: (line: string) => void;
}

/** A process's handle on the sequencer lease. */
export class Sequencer {
  readonly name: string;
  readonly holder: string;
  readonly ttlMs: number;
  private token: number | undefined;
  /** Local time (ms) before which the lease is certainly still ours. */
  private deadline = 0;
  private timer: NodeJS.Timeout | undefined;
  private acquiring: Promise<boolean> | undefined;
  private renewing = false;
  private closed = false;
  private readonly notice: (line: string) => void;

  /** See SequencerOptions. */
  constructor(private readonly store: LedgerStore, opts: SequencerOptions = {}) {
    this.name = opts.name ?? 'ledger';
    this.holder = opts.holder ?? `seq-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.ttlMs = opts.ttlMs ?? 10_000;
    if (!Number.isSafeInteger(this.ttlMs) || this.ttlMs < 100) fail('CONFIG_INVALID', { field: 'sequencer ttlMs', reason: 'must be an integer ≥ 100' });
    this.notice = opts.notice ?? (() => undefined);
  }

  /** The token this process holds, or undefined. */
  get currentToken(): number | undefined {
    return this.holds() ? this.token : undefined;
  }

  /** True while the lease is certainly ours (by the local deadline; the store has the last word). */
  holds(): boolean {
    return this.token !== undefined && Date.now() < this.deadline;
  }

  /** Hold the lease: true at once if held, else one acquisition attempt. */
  ensure(): Promise<boolean> {
    if (this.holds()) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return (this.acquiring ??= this.acquire().finally(() => { this.acquiring = undefined; }));
  }

  /** The fence for an append; SEQUENCER_FENCED when the lease is not (certainly) held. */
  fence(): Fence {
    if (!this.holds()) fail('SEQUENCER_FENCED', { name: this.name, token: this.token ?? 0, reason: this.token === undefined ? 'not the holder' : 'the lease ran out before it was renewed' });
    return { name: this.name, token: this.token! };
  }

  /**
   * The store refused `token` (an append fenced by it, or its renewal): stop appending until the lease is acquired
   * again. A refusal of an older token than the one now held (re-acquired meanwhile) changes nothing.
   */
  fenced(token: number): void {
    if (this.token !== token) return;
    this.notice(`sequencer\tdeposed\t${token}`);
    this.token = undefined;
    this.stopTimer();
  }

  private async acquire(): Promise<boolean> {
    const sent = Date.now();
    const got = await this.store.acquireLease(this.name, this.holder, this.ttlMs);
    if (got === undefined) return false;
    if (this.closed) {
      await this.store.releaseLease(this.name, this.holder, got.token);
      return false;
    }
    this.token = got.token;
    this.deadline = sent + this.ttlMs;
    this.notice(`sequencer\tacquired\t${got.token}`);
    this.startTimer();
    return true;
  }

  private startTimer(): void {
    this.stopTimer();
    const every = Math.max(20, Math.floor(this.ttlMs / 3));
    this.timer = setInterval(() => void this.renew(), every);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One renewal; a refusal deposes this holder, an unreachable store just lets the local deadline run out. */
  private async renew(): Promise<void> {
    const token = this.token;
    if (token === undefined || this.renewing) return;
    this.renewing = true;
    const sent = Date.now();
    try {
      const ok = await this.store.renewLease(this.name, this.holder, token, this.ttlMs);
      if (this.token !== token) return;
      if (ok) this.deadline = sent + this.ttlMs;
      else this.fenced(token);
    } catch {
      // Store unreachable: keep trying until the deadline passes; after it, holds() is false and appends stop.
    } finally {
      this.renewing = false;
    }
  }

  /** Stop renewing and release the lease (a standby can take over at once). */
  async close(): Promise<void> {
    this.closed = true;
    this.stopTimer();
    await this.acquiring?.catch(() => undefined);
    const token = this.token;
    this.token = undefined;
    if (token !== undefined) {
      await this.store.releaseLease(this.name, this.holder, token).catch(() => undefined);
      this.notice(`sequencer\treleased\t${token}`);
    }
  }
}
