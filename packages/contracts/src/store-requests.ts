// What may be asked of stores (create, list, upgrade, roll back) and what the API answers about them.
import { z } from 'zod';
import { Engine, MerchantValues, Store, StoreState } from './store.ts';
import { CONTROL_CHARACTER, pageCursor } from './text.ts';

export const STORE_NAME_MAX_LENGTH = 100;

/**
 * A store name: no control characters and at least three ASCII letters or digits, so that its address
 * (the slug: lower-case letters, digits and dashes) has at least three. The pattern says what JSON
 * Schema can; the description says the rest, which the API checks after this schema.
 */
export const STORE_NAME_PATTERN = new RegExp(
  `^(?:[^${CONTROL_CHARACTER}]*?[A-Za-z0-9]){3}[^${CONTROL_CHARACTER}]*$`,
);

export const StoreName = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(STORE_NAME_MAX_LENGTH)
  .regex(
    STORE_NAME_PATTERN,
    'name needs at least three letters or digits (A-Z, 0-9) and no control characters',
  )
  .describe(
    'The store name, shown as given (surrounding spaces trimmed). Its address (slug) is the name in lower case with accents dropped and every other run of characters turned into one dash; it must have 3 to 40 characters and must not be a reserved word (admin, api, app, assets, dashboard, default, healthz, kube, mail, metrics, readyz, static, status, storefleet, system, www) or start with kube-, storefleet- or system-. A name breaking these rules is answered 400 INVALID_STORE_NAME; a name whose address is taken, 409 STORE_NAME_TAKEN.',
  );

export const CreateStoreRequest = z.strictObject({
  name: StoreName,
  engine: Engine,
  fromBackup: z
    .uuid({ message: 'fromBackup must be a backup id (a UUID)' })
    .optional()
    .describe(
      'A succeeded backup of one of your stores with the same engine: the new store starts with its data. Unknown or unusable: 400 BACKUP_NOT_RESTORABLE.',
    ),
});
export type CreateStoreRequest = z.infer<typeof CreateStoreRequest>;

export const StoreIdParams = z.strictObject({ id: z.uuid({ message: 'store id must be a UUID' }) });

export const ListStoresQuery = z.strictObject({
  state: StoreState.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: pageCursor(),
});
export type ListStoresQuery = z.infer<typeof ListStoresQuery>;

export const UpgradeStoreRequest = z.strictObject({
  values: MerchantValues.default({}),
});
export type UpgradeStoreRequest = z.infer<typeof UpgradeStoreRequest>;

export const RollbackStoreRequest = z.strictObject({
  revision: z.number().int().min(1),
});
export type RollbackStoreRequest = z.infer<typeof RollbackStoreRequest>;

export const ReleaseRevision = z.object({
  revision: z.number().int(),
  status: z.string(),
  chart: z.string(),
  appVersion: z.string().nullable(),
  updated: z.string(),
  description: z.string(),
});
export type ReleaseRevision = z.infer<typeof ReleaseRevision>;

export const ReleaseHistory = z.object({ items: z.array(ReleaseRevision) });
export type ReleaseHistory = z.infer<typeof ReleaseHistory>;

const ResourceSummary = z.object({
  kind: z.string(),
  name: z.string(),
  status: z.string(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.string().nullable(),
});

export const StoreResources = z.object({
  namespace: z.string(),
  items: z.array(ResourceSummary),
  events: z.array(
    z.object({
      type: z.string(),
      reason: z.string(),
      message: z.string(),
      object: z.string(),
      count: z.number().int(),
      lastSeen: z.string().nullable(),
    }),
  ),
});
export type StoreResources = z.infer<typeof StoreResources>;

export const StoreCredentials = z.object({
  username: z.string(),
  password: z.string(),
  email: z.string(),
  adminUrl: z.string(),
});
export type StoreCredentials = z.infer<typeof StoreCredentials>;

export const StoreList = z.object({ items: z.array(Store), nextCursor: z.string().nullable() });
export type StoreList = z.infer<typeof StoreList>;

/** GET /api/stores/:id/queue: where the store's waiting operation stands for a provisioning slot. */
export const QueuePosition = z.object({
  /** False when the store has no operation waiting for a slot (none, or it runs already). */
  waiting: z.boolean(),
  /** 1 = next to start; null when not waiting. */
  position: z.number().int().min(1).nullable(),
  /** Operations holding a slot now. */
  running: z.number().int().min(0),
  /** How many run at once (MAX_CONCURRENT_PROVISIONS). */
  slots: z.number().int().min(1),
  /** Seconds until it starts, from the median provisioning time of the last stores; null: nothing to go by. */
  expectedWaitSeconds: z.number().min(0).nullable(),
});
export type QueuePosition = z.infer<typeof QueuePosition>;
