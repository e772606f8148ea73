// Request and response shapes of the Storefleet API, shared by the orchestrator and the dashboard.
import { z } from 'zod';
import { StoreDomainValues } from './domains.ts';

export * from './domains.ts';
export * from './lifecycle.ts';

export const ENGINES = ['woocommerce', 'medusa'] as const;
export const Engine = z.enum(ENGINES);
export type Engine = z.infer<typeof Engine>;

export const STORE_STATES = [
  'Queued',
  'Provisioning',
  'Ready',
  'Failed',
  'Upgrading',
  'RollingBack',
  'Deleting',
  'Deleted',
  'BackingUp',
  'Restoring',
  'Sleeping',
  'Asleep',
  'Waking',
] as const;
export const StoreState = z.enum(STORE_STATES);
export type StoreState = z.infer<typeof StoreState>;

export const CONDITION_TYPES = [
  'NamespaceReady',
  'SecretsReady',
  'ReleaseDeployed',
  'DatabaseReady',
  'AppReady',
  'StoreConfigured',
  'BackedUp',
  'Restored',
  'Asleep',
] as const;
export const ConditionType = z.enum(CONDITION_TYPES);
export type ConditionType = z.infer<typeof ConditionType>;

export const ConditionStatus = z.enum(['True', 'False', 'Unknown']);
export type ConditionStatus = z.infer<typeof ConditionStatus>;

export const Condition = z.object({
  type: ConditionType,
  status: ConditionStatus,
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.iso.datetime(),
});
export type Condition = z.infer<typeof Condition>;

export const OPERATIONS = [
  'provision',
  'delete',
  'upgrade',
  'rollback',
  'backup',
  'restore',
  'sleep',
  'wake',
] as const;
export const Operation = z.enum(OPERATIONS);
export type Operation = z.infer<typeof Operation>;

export const Failure = z.object({
  operation: Operation,
  step: z.string().nullable(),
  reason: z.string(),
  message: z.string(),
  retryable: z.boolean(),
});
export type Failure = z.infer<typeof Failure>;

export const StepTiming = z.object({
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
});
export type StepTiming = z.infer<typeof StepTiming>;

/** Store settings a merchant may change by upgrading; everything else comes from the platform. */
export const MerchantValues = z.strictObject({
  replicas: z.number().int().min(1).max(5).optional(),
});
/** The store's values: what upgrades set, and its verified domains (set by the platform only). */
export const StoreValues = MerchantValues.extend({ domains: StoreDomainValues.optional() });
export type StoreValues = z.infer<typeof StoreValues>;

export const Store = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  engine: Engine,
  ownerId: z.string(),
  state: StoreState,
  /** Bumped by every request that changes what is asked of the store (create, upgrade, rollback, retry, delete). */
  generation: z.number().int().positive(),
  /** The generation the state and conditions describe: equal to `generation` once the latest request is settled. */
  observedGeneration: z.number().int().nonnegative(),
  conditions: z.array(Condition),
  failure: Failure.nullable(),
  attempts: z.number().int().nonnegative(),
  stepTimings: z.record(z.string(), StepTiming),
  namespace: z.string(),
  release: z.string(),
  revision: z.number().int().nullable(),
  chartVersion: z.string().nullable(),
  values: StoreValues,
  urls: z.object({ storefront: z.string(), admin: z.string() }),
  provisioningSeconds: z.number().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  readyAt: z.iso.datetime().nullable(),
  deletedAt: z.iso.datetime().nullable(),
});
export type Store = z.infer<typeof Store>;

export const STORE_NAME_MAX_LENGTH = 100;

/** Characters no text field of a request may hold: C0 and C1 controls (tab and newline included) and DEL. */
const CONTROL_CHARACTER = '\\x00-\\x1f\\x7f-\\x9f';
/** Text without control characters, as a JSON-Schema-compatible pattern (the API refuses them everywhere). */
export const NO_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROL_CHARACTER}]*$`);
/** A request string: refused with 400 when it holds a control character (lone surrogates are refused too). */
export const text = () => z.string().regex(NO_CONTROL_CHARACTERS, 'must not contain control characters');

/**
 * A store name: no control characters and at least three ASCII letters or digits, so that its address
 * (the slug: lower-case letters, digits and dashes) has at least three. The pattern says what JSON
 * Schema can; the description says the rest, which the API checks after this schema.
 */
export const STORE_NAME_PATTERN = new RegExp(
  `^(?:[^${CONTROL_CHARACTER}]*?[A-Za-z0-9]){3}[^${CONTROL_CHARACTER}]*$`,
);

/** A page cursor: opaque, the `nextCursor` of an earlier page. */
const pageCursor = () =>
  text()
    .max(200)
    .optional()
    .describe('The nextCursor of an earlier page, as it was; any other value is answered 400 INVALID_INPUT.');

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

export const BACKUP_STATUSES = ['pending', 'running', 'succeeded', 'failed'] as const;
export const BackupStatus = z.enum(BACKUP_STATUSES);
export type BackupStatus = z.infer<typeof BackupStatus>;

/** One backup of a store: its database dump, plus its uploaded files where the engine has them. */
export const Backup = z.object({
  id: z.uuid(),
  storeId: z.uuid(),
  engine: Engine,
  status: BackupStatus,
  /** `schedule`: started by the store's backup CronJob; `manual`: asked for through the API. */
  trigger: z.enum(['manual', 'schedule']),
  /** Bytes kept in backup storage; null until it succeeded. */
  sizeBytes: z.number().int().nonnegative().nullable(),
  /** What it holds: `database`, and `files` for engines with uploads. */
  parts: z.array(z.enum(['database', 'files'])),
  /** Why it failed, in words a person can act on; null unless failed. */
  failure: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
});
export type Backup = z.infer<typeof Backup>;

/** A five-field cron expression (minute hour day-of-month month day-of-week), as a CronJob takes it. */
export const CRON_PATTERN = /^(\S+\s+){4}\S+$/;

export const BackupSchedule = z.object({
  /** When scheduled backups run (UTC), e.g. `0 3 * * *`; null: no schedule. */
  cron: z.string().nullable(),
  /** How many succeeded backups are kept; older ones are deleted after each new one. */
  keep: z.number().int().min(1).max(100),
});
export type BackupSchedule = z.infer<typeof BackupSchedule>;

export const SetBackupScheduleRequest = z.strictObject({
  cron: text()
    .trim()
    .max(100)
    .regex(CRON_PATTERN, 'cron must have five fields, e.g. "0 3 * * *"')
    .nullable()
    .describe('Five-field cron expression in UTC; null removes the schedule.'),
  keep: z.number().int().min(1).max(100).default(7),
});
export type SetBackupScheduleRequest = z.infer<typeof SetBackupScheduleRequest>;

export const BackupList = z.object({
  items: z.array(Backup),
  schedule: BackupSchedule,
  /** Bytes the owner's backups take across all their stores, and the most they may take. */
  usage: z.object({ bytes: z.number().int().nonnegative(), quotaBytes: z.number().int().nonnegative() }),
});
export type BackupList = z.infer<typeof BackupList>;

export const BackupParams = z.strictObject({
  id: z.uuid({ message: 'store id must be a UUID' }),
  backupId: z.uuid({ message: 'backup id must be a UUID' }),
});

export const RestoreStoreRequest = z.strictObject({
  backupId: z.uuid({ message: 'backupId must be a backup id (a UUID)' }),
});
export type RestoreStoreRequest = z.infer<typeof RestoreStoreRequest>;

export const StoreCredentials = z.object({
  username: z.string(),
  password: z.string(),
  email: z.string(),
  adminUrl: z.string(),
});
export type StoreCredentials = z.infer<typeof StoreCredentials>;

export const Role = z.enum(['admin', 'merchant']);
export type Role = z.infer<typeof Role>;

export const Credentials = z.strictObject({
  // zod's e-mail rule, as a plain pattern: the OpenAPI document then states exactly what is checked
  // (a `format: email` lets each client guess its own rules).
  email: z.string().regex(z.regexes.email, 'enter a valid e-mail address').max(254),
  password: text().min(10, 'the password needs at least 10 characters').max(200),
});
export type Credentials = z.infer<typeof Credentials>;

export const User = z.object({ id: z.uuid(), email: z.string(), role: Role });
export type User = z.infer<typeof User>;

export const SessionInfo = z.object({
  user: User,
  /** Send it as the X-CSRF-Token header on every cookie-authenticated change. */
  csrfToken: z.string().nullable(),
  limits: z.object({
    backupQuotaBytes: z.number().int(),
    maxStores: z.number().int(),
    maxStoresPerUser: z.number().int(),
    rateLimit: z.object({ max: z.number().int(), windowSeconds: z.number().int() }),
  }),
  usage: z.object({ stores: z.number().int(), backupBytes: z.number().int() }),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const CreateApiTokenRequest = z.strictObject({
  name: text()
    .trim()
    .min(1, 'Give the token a name, so that you can tell it apart later.')
    .max(100, 'A token name is at most 100 characters.'),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;

export const ApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const CreatedApiToken = z.object({ token: z.string(), apiToken: ApiToken });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

export const AuditOutcome = z.enum(['success', 'denied', 'error']);

export const AuditRecord = z.object({
  id: z.number().int(),
  actor: z.string(),
  actorId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: AuditOutcome,
  statusCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const ListAuditQuery = z.strictObject({
  actor: text().max(254).optional(),
  action: text().max(100).optional(),
  outcome: AuditOutcome.optional(),
  target: text().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: pageCursor(),
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;

export const AuditList = z.object({ items: z.array(AuditRecord), nextCursor: z.string().nullable() });
export type AuditList = z.infer<typeof AuditList>;

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

export const StoreList = z.object({ items: z.array(Store), nextCursor: z.string().nullable() });
export type StoreList = z.infer<typeof StoreList>;

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
});
export type PlatformInfo = z.infer<typeof PlatformInfo>;

/**
 * Every code an error answer of the API may carry. Clients switch on these; a new one is a change of
 * the API. The HTTP status of each comes from its kind (see the orchestrator's http/errors.ts).
 */
export const ERROR_CODES = [
  // 400
  'INVALID_INPUT',
  'INVALID_STORE_NAME',
  'ENGINE_UNAVAILABLE',
  'REVISION_NOT_FOUND',
  'BACKUP_NOT_RESTORABLE',
  'BACKUP_SCHEDULE_UNAVAILABLE',
  'DOMAIN_INVALID',
  // 401
  'AUTHENTICATION_REQUIRED',
  'INVALID_TOKEN',
  'INVALID_CREDENTIALS',
  // 403
  'FORBIDDEN',
  'CSRF_TOKEN_INVALID',
  'SIGNUP_DISABLED',
  'STORE_LIMIT_REACHED',
  'USER_STORE_LIMIT_REACHED',
  'BACKUP_QUOTA_EXCEEDED',
  // 404, 405
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  // 409
  'EMAIL_TAKEN',
  'STORE_NAME_TAKEN',
  'STORE_CHANGED',
  'STORE_NOT_DEPLOYED',
  'STORE_NOT_FAILED',
  'STORE_NOT_READY',
  'ALREADY_AT_REVISION',
  'CREDENTIALS_UNAVAILABLE',
  'IDEMPOTENCY_KEY_REUSED',
  'INVALID_STATE_TRANSITION',
  'ROLLBACK_NOT_RETRYABLE',
  'NO_READY_STORES',
  'STORE_BUSY',
  'STORE_NOT_ASLEEP',
  'DOMAIN_TAKEN',
  'DOMAIN_NOT_ACTIVE',
  // 413, 415, 429
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  // 500, 502, 503
  'INTERNAL',
  'CLUSTER_REQUEST_FAILED',
  'CLUSTER_UNAVAILABLE',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiError = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

/** Payload of the `store` event on GET /api/events. */
export const StoreEvent = z.object({ store: Store });
export type StoreEvent = z.infer<typeof StoreEvent>;

export const Health = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.string()),
});
export type Health = z.infer<typeof Health>;
