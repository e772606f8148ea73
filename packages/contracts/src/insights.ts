// Store insights: what the orchestrator samples about each running store about once a minute
// (traffic, errors, latency, CPU and memory against quota, disk, orders and revenue), as series
// for one store and as a fleet summary. A measure the cluster or the engine does not report is
// null ("not reported"), never a zero.
import { z } from 'zod';

export const INSIGHT_RANGES = ['1h', '24h', '7d'] as const;
export const InsightRange = z.enum(INSIGHT_RANGES);
export type InsightRange = z.infer<typeof InsightRange>;

export const InsightsQuery = z.strictObject({
  range: InsightRange.default('24h').describe('How far back: the last hour, 24 hours or 7 days.'),
});
export type InsightsQuery = z.infer<typeof InsightsQuery>;

const count = () => z.number().int().nonnegative().nullable();
const amount = () => z.number().nonnegative().nullable();

/** One point of a store's series: what happened in the `seconds` before `at` (or, for levels, on average then). */
export const InsightPoint = z.object({
  at: z.iso.datetime(),
  /** Length of the interval the point covers. */
  seconds: z.number().int().positive(),
  /** Requests the ingress served for the store. */
  requests: count(),
  /** Of which answered 4xx (404s included) and 5xx. */
  clientErrors: count(),
  serverErrors: count(),
  /** 95th percentile of the ingress's request durations, in milliseconds. */
  latencyP95Ms: amount(),
  /** CPU used, in millicores (1000 = one core), and the store's quota (limits.cpu). */
  cpuMillicores: amount(),
  cpuLimitMillicores: amount(),
  /** Memory in use (working set) and the store's quota (limits.memory), in bytes. */
  memoryBytes: amount(),
  memoryLimitBytes: amount(),
  /** Bytes used on the store's volumes, where the cluster reports it. */
  diskBytes: amount(),
  /** Orders placed, and their total in `currency`. */
  orders: count(),
  revenue: amount(),
  currency: z.string().nullable(),
});
export type InsightPoint = z.infer<typeof InsightPoint>;

export const InsightEvent = z.object({
  at: z.iso.datetime(),
  kind: z.enum(['sleep', 'wake']),
});
export type InsightEvent = z.infer<typeof InsightEvent>;

/** GET /api/stores/:id/insights */
export const StoreInsights = z.object({
  storeId: z.uuid(),
  range: InsightRange,
  /** Seconds between points of this range (60 for 1h, 600 for 24h, 3600 for 7d). */
  stepSeconds: z.number().int().positive(),
  /** How often the orchestrator samples, in seconds; null when it does not sample. */
  sampleIntervalSeconds: z.number().int().positive().nullable(),
  points: z.array(InsightPoint),
  /** When the store went to sleep and woke up in the range: drawn on the traffic chart. */
  events: z.array(InsightEvent),
  /** Totals over the range; null when nothing was reported. */
  totals: z.object({
    requests: count(),
    clientErrors: count(),
    serverErrors: count(),
    orders: count(),
    revenue: amount(),
    currency: z.string().nullable(),
  }),
});
export type StoreInsights = z.infer<typeof StoreInsights>;

export const FleetStoreFigure = z.object({
  storeId: z.uuid(),
  name: z.string(),
  slug: z.string(),
  state: z.string(),
  value: z.number(),
});
export type FleetStoreFigure = z.infer<typeof FleetStoreFigure>;

/** GET /api/insights: the fleet a user may see (their stores; an admin's: every store). */
export const FleetInsights = z.object({
  range: InsightRange,
  stepSeconds: z.number().int().positive(),
  sampleIntervalSeconds: z.number().int().positive().nullable(),
  /** Requests and errors of every visible store, added up per point. */
  traffic: z.array(
    z.object({
      at: z.iso.datetime(),
      requests: count(),
      clientErrors: count(),
      serverErrors: count(),
    }),
  ),
  /** Up to five stores each, highest first: requests and orders over the range, memory at the last sample. */
  top: z.object({
    traffic: z.array(FleetStoreFigure),
    memory: z.array(FleetStoreFigure),
    orders: z.array(FleetStoreFigure),
  }),
  /** Stores using at least `threshold` of their CPU or memory quota at the last sample; value: the share (0..1). */
  nearQuota: z.object({ threshold: z.number(), stores: z.array(FleetStoreFigure) }),
  /**
   * Ready stores that served no request for `idleAfterSeconds`: the ones idle sleep puts (or would put)
   * to sleep; value: seconds since their last request. `enabled`: whether idle sleep is on.
   */
  idle: z.object({
    enabled: z.boolean(),
    idleAfterSeconds: z.number().int().positive(),
    stores: z.array(FleetStoreFigure),
  }),
});
export type FleetInsights = z.infer<typeof FleetInsights>;
