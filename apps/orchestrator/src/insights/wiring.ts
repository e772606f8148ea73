// Starts store insights for a platform: the per-store gauges on /metrics, and the sampler when a
// cluster is configured (traffic from INGRESS_METRICS_URL, when set).

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Cluster } from '../cluster/port.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { PrometheusTrafficSource } from '../ingress/traffic.ts';
import { registerInsightMetrics } from '../observability/insight-metrics.ts';
import { MedusaOrders } from './medusa-orders.ts';
import { InsightsSampler } from './sampler.ts';
import { WooCommerceOrders } from './woocommerce-orders.ts';

export interface InsightsWiring {
  config: Config;
  database: Database;
  cluster: Cluster;
  registry: Registry;
  logger: Logger;
}

/** Nothing is sampled without a cluster, or with neither the ingress's counters nor the nodes' usage. */
export function insightsSampled(config: Config, cluster: Cluster): boolean {
  return (
    cluster.info().configured && (config.INGRESS_METRICS_URL !== undefined || cluster.usage !== undefined)
  );
}

export function startInsights({ config, database, cluster, registry, logger }: InsightsWiring) {
  const interval = config.INSIGHTS_INTERVAL;
  registerInsightMetrics(registry, database.db, () => Math.max(3 * interval, 5 * 60_000));
  if (!insightsSampled(config, cluster)) return undefined;
  const sampler = new InsightsSampler({
    db: database.db,
    cluster,
    ...(config.INGRESS_METRICS_URL
      ? { traffic: new PrometheusTrafficSource(config.INGRESS_METRICS_URL) }
      : {}),
    orders: { medusa: new MedusaOrders(), woocommerce: new WooCommerceOrders() },
    intervalMs: interval,
    logger,
  });
  sampler.start();
  return sampler;
}
