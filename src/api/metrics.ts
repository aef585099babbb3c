/**
 * Prometheus `/metrics`: prom-client's default registry (process metrics + the API's request counter and latency
 * histogram), followed by any extra registries (the relay's `RelayMetrics.metricsText()`).
 */
import { Counter, Histogram, collectDefaultMetrics, register } from 'prom-client';

let defaults = false;
let http: { requests: Counter<string>; latency: Histogram<string> } | undefined;

/** The API's metrics in the default registry (created once per process). */
export function httpMetrics(): { requests: Counter<string>; latency: Histogram<string> } {
  if (!defaults) {
    defaults = true;
    if (register.getSingleMetric('process_cpu_user_seconds_total') === undefined) collectDefaultMetrics();
  }
  http ??= {
    requests: (register.getSingleMetric('courtbridge_api_requests_total') as Counter<string> | undefined)
      ?? new Counter({ name: 'courtbridge_api_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] }),
    latency: (register.getSingleMetric('courtbridge_api_request_seconds') as Histogram<string> | undefined)
      ?? new Histogram({ name: 'courtbridge_api_request_seconds', help: 'HTTP request latency by route', labelNames: ['method', 'route'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] }),
  };
  return http;
}

/** Text exposition of the default registry and `extra`. */
export async function metricsText(extra: readonly (() => Promise<string>)[] = []): Promise<string> {
  const parts = [await register.metrics()];
  for (const f of extra) parts.push(await f());
  return parts.join('\n');
}

/** Content type of the text exposition format. */
export const METRICS_CONTENT_TYPE = register.contentType;
