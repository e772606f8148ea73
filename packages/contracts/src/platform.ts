// The platform: fleet upgrades, the activity feed, metrics, what this cluster can run, live events.
import { z } from 'zod';
import { Engine, Store, StoreState } from './store.ts';
import { pageCursor } from './text.ts';

/** Stores one fleet upgrade may list; enough of them (37 bytes each) fit in the default 16 KiB body limit. */
export const FLEET_UPGRADE_MAX_STORE_IDS = 200;

export const StartFleetUpgradeRequest = z.strictObject({
  /** Default: every Ready store. */
  storeIds: z.array(z.uuid()).min(1).max(FLEET_UPGRADE_MAX_STORE_IDS).optional(),
  concurrency: z.number().int().min(1).max(20).default(2),
});
export type StartFleetUpgradeRequest = z.infer<typeof StartFleetUpgradeRequest>;

export const FleetUpgrade = z.object({
  id: z.uuid(),
  state: z.enum(['running', 'succeeded', 'halted']),
  storeIds: z.array(z.uuid()),
  upgradedIds: z.array(z.uuid()),
  concurrency: z.number().int(),
  failedStoreId: z.uuid().nullable(),
  message: z.string(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});
export type FleetUpgrade = z.infer<typeof FleetUpgrade>;

export const ActivityEntry = z.object({
  id: z.number().int(),
  storeId: z.uuid().nullable(),
  type: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});
export type ActivityEntry = z.infer<typeof ActivityEntry>;

export const ListActivityQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: pageCursor(),
});
export type ListActivityQuery = z.infer<typeof ListActivityQuery>;

export const ActivityList = z.object({ items: z.array(ActivityEntry), nextCursor: z.string().nullable() });
export type ActivityList = z.infer<typeof ActivityList>;

export const PlatformMetrics = z.object({
  stores: z.object({
    total: z.number().int(),
    byState: z.record(StoreState, z.number().int()),
  }),
  totals: z.object({ created: z.number().int(), failed: z.number().int(), deleted: z.number().int() }),
  provisioning: z.object({
    samples: z.number().int(),
    averageSeconds: z.number().nullable(),
    p95Seconds: z.number().nullable(),
  }),
  queue: z.object({ pending: z.number().int(), running: z.number().int() }),
});
export type PlatformMetrics = z.infer<typeof PlatformMetrics>;

/**
 * Whether this cluster can run an engine's stores, and where their pods run: `real` pods serve the
 * store's URL, `simulated` ones (the local control plane's KWOK nodes) only go through the motions.
 */
export const EngineAvailability = z.object({
  engine: Engine,
  /** The engine as people know it (WooCommerce, Medusa). */
  displayName: z.string(),
  /** What its admin login is: an e-mail address or a user name. */
  login: z.enum(['email', 'username']),
  /** The admin, from the storefront URL. */
  adminPath: z.string(),
  /** What a backup of one of its stores holds. */
  backupParts: z.array(z.enum(['database', 'files'])),
  available: z.boolean(),
  pods: z.enum(['real', 'simulated']),
  /** Why it is unavailable, in words a person can act on; null when available. */
  reason: z.string().nullable(),
});
export type EngineAvailability = z.infer<typeof EngineAvailability>;

/** GET /api/platform: where this platform runs; `simulated` means store pods are not real. */
export const PlatformInfo = z.object({
  environment: z.enum(['local', 'production']),
  cluster: z.object({ configured: z.boolean(), simulated: z.boolean(), description: z.string() }),
  engines: z.array(EngineAvailability),
  mail: z.object({
    /** The platform has an SMTP relay: stores send their order e-mail. */
    configured: z.boolean(),
    /** Mail goes to the local mail catcher, readable at GET /api/mailbox. */
    catcher: z.boolean(),
  }),
});
export type PlatformInfo = z.infer<typeof PlatformInfo>;

/** Payload of the `store` event on GET /api/events. */
export const StoreEvent = z.object({ store: Store });
export type StoreEvent = z.infer<typeof StoreEvent>;

export const Health = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.string()),
});
export type Health = z.infer<typeof Health>;
