// How much storefront traffic the ingress has seen, per store namespace: Traefik's Prometheus
// counter of requests per Service (`traefik_service_requests_total`), whose Kubernetes Ingress
// services are named `<namespace>-<service>-<port>@kubernetes`. Idle sleep compares two readings.

import { parseServiceTraffic, type ServiceTraffic } from './service-metrics.ts';

/** Reads the ingress's request counters. */
export interface TrafficSource {
  /** Total requests per Service name as the ingress names them, since the ingress started. */
  requestCounts(signal: AbortSignal): Promise<Map<string, number>>;
}

export class PrometheusTrafficSource implements TrafficSource {
  private readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  async requestCounts(signal: AbortSignal): Promise<Map<string, number>> {
    return parseServiceRequests(await this.read(signal));
  }

  /** Requests by status class and the duration histogram, per Service (store insights). */
  async serviceTraffic(signal: AbortSignal): Promise<Map<string, ServiceTraffic>> {
    return parseServiceTraffic(await this.read(signal));
  }

  private async read(signal: AbortSignal): Promise<string> {
    const response = await fetch(this.url, { signal });
    if (!response.ok) throw new Error(`the ingress metrics at ${this.url} answered ${response.status}`);
    return response.text();
  }
}

const SERVICE_REQUESTS = /^traefik_service_requests_total\{([^}]*)\}\s+(\S+)/;
const SERVICE_LABEL = /(?:^|,)service="([^"]*)"/;

/** Sums `traefik_service_requests_total` per `service` label (over codes, methods and protocols). */
export function parseServiceRequests(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = SERVICE_REQUESTS.exec(line);
    if (!match) continue;
    const service = SERVICE_LABEL.exec(match[1] ?? '')?.[1];
    const value = Number(match[2]);
    if (!service || !Number.isFinite(value)) continue;
    counts.set(service, (counts.get(service) ?? 0) + value);
  }
  return counts;
}

/**
 * The requests of each store namespace: every Service of it the ingress routes to. A Service name
 * goes to the longest namespace it starts with (`store-a-b-app-80` is store-a-b's, not store-a's).
 */
export function requestsByNamespace(
  counts: ReadonlyMap<string, number>,
  namespaces: readonly string[],
): Map<string, number> {
  const longestFirst = [...namespaces].sort((a, b) => b.length - a.length);
  const totals = new Map(namespaces.map((namespace) => [namespace, 0]));
  for (const [service, value] of counts) {
    const owner = longestFirst.find((namespace) => service.startsWith(`${namespace}-`));
    if (owner) totals.set(owner, (totals.get(owner) ?? 0) + value);
  }
  return totals;
}
