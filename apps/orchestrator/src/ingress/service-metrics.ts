// Traefik's per-Service counters in full, for store insights: requests by status class and the
// request-duration histogram. Two readings give what happened in between: requests, 4xx, 5xx and
// the 95th percentile of durations (interpolated within the histogram's buckets).

/** Cumulative counters of one Service (or of all a store's Services) since the ingress started. */
export interface ServiceTraffic {
  requests: number;
  clientErrors: number;
  serverErrors: number;
  /** Requests that took at most `le` seconds, by `le` (Infinity included). */
  durationBuckets: Map<number, number>;
}

/** What the ingress served between two readings. */
export interface TrafficDelta {
  requests: number;
  clientErrors: number;
  serverErrors: number;
  latencyP95Ms: number | null;
}

const LINE =
  /^(traefik_service_requests_total|traefik_service_request_duration_seconds_bucket)\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

const empty = (): ServiceTraffic => ({
  requests: 0,
  clientErrors: 0,
  serverErrors: 0,
  durationBuckets: new Map(),
});

/** Requests by status class and duration buckets per `service` label, summed over codes, methods and protocols. */
export function parseServiceTraffic(text: string): Map<string, ServiceTraffic> {
  const services = new Map<string, ServiceTraffic>();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const labels = new Map<string, string>();
    for (const label of (match[2] ?? '').matchAll(LABEL)) labels.set(label[1] ?? '', label[2] ?? '');
    const service = labels.get('service');
    const value = Number(match[3]);
    if (!service || !Number.isFinite(value)) continue;
    const traffic = services.get(service) ?? empty();
    services.set(service, traffic);
    if (match[1] === 'traefik_service_requests_total') {
      const code = Number(labels.get('code'));
      traffic.requests += value;
      if (code >= 400 && code < 500) traffic.clientErrors += value;
      if (code >= 500) traffic.serverErrors += value;
    } else {
      const le = labels.get('le') === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.get('le'));
      if (Number.isNaN(le)) continue;
      traffic.durationBuckets.set(le, (traffic.durationBuckets.get(le) ?? 0) + value);
    }
  }
  return services;
}

/**
 * The traffic of each store namespace: the sum over every Service of it the ingress routes to (a
 * Service name goes to the longest namespace it starts with). Namespaces without any get zeros.
 */
export function trafficByNamespace(
  services: ReadonlyMap<string, ServiceTraffic>,
  namespaces: readonly string[],
): Map<string, ServiceTraffic> {
  const longestFirst = [...namespaces].sort((a, b) => b.length - a.length);
  const totals = new Map(namespaces.map((namespace) => [namespace, empty()]));
  for (const [service, traffic] of services) {
    const owner = longestFirst.find((namespace) => service.startsWith(`${namespace}-`));
    const total = owner === undefined ? undefined : totals.get(owner);
    if (!total) continue;
    total.requests += traffic.requests;
    total.clientErrors += traffic.clientErrors;
    total.serverErrors += traffic.serverErrors;
    for (const [le, count] of traffic.durationBuckets) {
      total.durationBuckets.set(le, (total.durationBuckets.get(le) ?? 0) + count);
    }
  }
  return totals;
}

/**
 * What happened between `before` and `after`. Counters that went down were reset (the ingress
 * restarted): then everything counted since is the delta.
 */
export function trafficDelta(before: ServiceTraffic | undefined, after: ServiceTraffic): TrafficDelta {
  const reset = before === undefined || after.requests < before.requests;
  const base = reset ? empty() : before;
  const buckets = new Map<number, number>();
  for (const [le, count] of after.durationBuckets) {
    buckets.set(le, Math.max(0, count - (base.durationBuckets.get(le) ?? 0)));
  }
  return {
    requests: after.requests - base.requests,
    clientErrors: Math.max(0, after.clientErrors - base.clientErrors),
    serverErrors: Math.max(0, after.serverErrors - base.serverErrors),
    latencyP95Ms: quantileMs(buckets, 0.95),
  };
}

/**
 * The `q` quantile of a cumulative histogram in milliseconds, interpolated linearly within its
 * bucket (as Prometheus's histogram_quantile does); the open last bucket answers its lower bound.
 * Null when nothing was observed.
 */
export function quantileMs(cumulative: ReadonlyMap<number, number>, q: number): number | null {
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  const total = cumulative.get(Number.POSITIVE_INFINITY) ?? cumulative.get(bounds.at(-1) ?? 0) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bound of bounds) {
    const count = cumulative.get(bound) ?? 0;
    if (count >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return Math.round(lower * 1000 * 100) / 100;
      const within = count - below;
      const fraction = within > 0 ? (rank - below) / within : 1;
      return Math.round((lower + (bound - lower) * fraction) * 1000 * 100) / 100;
    }
    lower = bound;
    below = count;
  }
  return Math.round(lower * 1000 * 100) / 100;
}
