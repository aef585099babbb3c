/**
 * Prometheus metrics of the relay (prom-client 15), in a registry of their own so that several engines (tests) do not
 * collide and the API can serve `metricsText()` as `/metrics` later.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobCounts } from './jobs/types.js';

/** The relay's metric set. */
export class RelayMetrics {
  readonly registry = new Registry();
  /** Finalized head height minus the last height the relay attested, per chain. */
  readonly headLag = new Gauge({ name: 'courtbridge_relay_head_lag_blocks', help: 'Finalized head minus last attested block, per chain', labelNames: ['chain'], registers: [this.registry] });
  /** Finalized head minus the height a subscription's follow has scanned to, per chain and record type (set by follow). */
  readonly followLag = new Gauge({ name: 'courtbridge_relay_follow_lag_blocks', help: 'Finalized head minus the last block a subscription has scanned, per chain and record type', labelNames: ['chain', 'record_type'], registers: [this.registry] });
  /** Verification failures by error code. */
  readonly verifyFailures = new Counter({ name: 'courtbridge_relay_verification_failures_total', help: 'Evidence that failed verification, by error code', labelNames: ['chain', 'code'], registers: [this.registry] });
  /** Failed attempts that were scheduled for a retry. */
  readonly retries = new Counter({ name: 'courtbridge_relay_retries_total', help: 'Job attempts that failed and were scheduled again', labelNames: ['chain', 'code'], registers: [this.registry] });
  /** Jobs that gave up. */
  readonly dead = new Counter({ name: 'courtbridge_relay_dead_jobs_total', help: 'Jobs that reached max attempts or failed permanently', labelNames: ['chain', 'code'], registers: [this.registry] });
  /** Attestations written. */
  readonly attested = new Counter({ name: 'courtbridge_relay_attestations_total', help: 'Attestations appended to the ledger', labelNames: ['chain'], registers: [this.registry] });
  /** Jobs by state. */
  readonly queueDepth = new Gauge({ name: 'courtbridge_relay_jobs', help: 'Relay jobs by state', labelNames: ['state'], registers: [this.registry] });
  /** Seconds from claim to durable receipt. */
  readonly attestLatency = new Histogram({
    name: 'courtbridge_relay_attest_latency_seconds', help: 'Claim to durable ledger receipt', labelNames: ['chain'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry],
  });
  /** Anchors written. */
  readonly anchors = new Counter({ name: 'courtbridge_relay_anchors_total', help: 'Checkpoints anchored on the court chain', registers: [this.registry] });

  /** Set the queue-depth gauge from stored counts. */
  setCounts(c: JobCounts): void {
    for (const [state, n] of Object.entries(c)) this.queueDepth.set({ state }, n);
  }

  /** Prometheus text exposition format (0.0.4). */
  metricsText(): Promise<string> {
    return this.registry.metrics();
  }
}
