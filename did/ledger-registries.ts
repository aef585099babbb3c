/**
 * The hub's trusted-issuer registry and status lists as a pure function of its ledger: rebuilt by replaying the
 * `courtbridge.did.accreditation`, `courtbridge.did.credential` and `courtbridge.did.status` attestations, and kept current by replaying the
 * entries appended since (on demand, and every `refreshMs` in the background). Changes made through these
 * registries are attested to the same ledger, so replaying them again is a no-op for the state they produced.
 */
import type { Ledger } from '../src/ledger/ledger.js';
import { IssuedCredentials } from './issued-credentials.js';
import { IssuerRegistry } from './issuers.js';
import type { JwtVerifier } from './jwt.js';
import { StatusListRegistry } from './status-list.js';

/** Entries read per page while replaying. */
const PAGE = 1000;

/** Replayed registries over one ledger. */
export class LedgerRegistries {
  readonly issuers: IssuerRegistry;
  readonly status: StatusListRegistry;
  /** Credentials issued through the hub (present when a JWT verifier is given). */
  readonly credentials: IssuedCredentials | undefined;
  /** Ledger entries that are neither JSON nor valid registry attestations (counted, skipped). */
  skipped = 0;
  private next = 0;
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  /**
   * `roots`: the configured root issuers (e.g. the Ministry of Justice); `statusBaseUrl`: where lists are published;
   * `jwt`: verifier of issuers' VC JWTs, enabling the issued-credential registry.
   */
  constructor(private readonly ledger: Ledger, roots: readonly string[], statusBaseUrl = '', jwt?: JwtVerifier) {
    this.issuers = new IssuerRegistry(roots, ledger);
    this.status = new StatusListRegistry(statusBaseUrl, ledger);
    this.credentials = jwt ? new IssuedCredentials({ status: this.status, issuers: this.issuers, jwt, sink: ledger }) : undefined;
  }

  /** Replay every entry appended since the last refresh (calls are serialised; a failed one is retried by the next). */
  refresh(): Promise<void> {
    // From a settled chain: one failed read must not reject every later refresh (the registries would go stale).
    this.running = this.running.catch(() => undefined).then(() => this.replayNew());
    return this.running;
  }

  /** Refresh now and then every `ms` until `stop()`. */
  async start(ms = 2000): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => { this.refresh().catch(() => undefined); }, ms);
    this.timer.unref();
  }

  /** Stop background refreshes. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async replayNew(): Promise<void> {
    const size = await this.ledger.size();
    while (this.next < size) {
      const to = Math.min(size, this.next + PAGE);
      for (const row of await this.ledger.store.leaves(this.next, to)) {
        let entry: unknown;
        try {
          entry = JSON.parse(Buffer.from(row.data).toString('utf8'));
        } catch {
          this.skipped++; // non-JSON entries belong to other areas
          continue;
        }
        try {
          if (!this.issuers.replay(entry, row.index) && !this.credentials?.replay(entry, row.index)) this.status.replay(entry);
        } catch {
          this.skipped++; // a malformed registry attestation cannot change the registries
        }
      }
      this.next = to;
    }
  }
}
