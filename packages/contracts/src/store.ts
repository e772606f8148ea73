// A store as the API shows it: its engine, state, conditions, operation, failure and timings.
import { z } from 'zod';
import { StoreDomainValues } from './domains.ts';

/**
 * An engine's name. Which engines exist is the platform's to say (GET /api/platform lists them with
 * their descriptors); an unknown one is answered 400 ENGINE_UNKNOWN.
 */
export const Engine = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,30}$/, 'engine must be an engine name the platform lists (GET /api/platform)');
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
  'provision-from-backup',
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
  /** The failed operation: its plan in LIFECYCLE says what a failure at `step` left and what may be done. */
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
  /** For a step that waits on several components: when this step saw each one become ready. */
  components: z.partialRecord(ConditionType, z.iso.datetime()).optional(),
});
export type StepTiming = z.infer<typeof StepTiming>;

/** Step timings by the operation that measured them: a later operation never changes an earlier one's. */
export const StepTimings = z.partialRecord(Operation, z.record(z.string(), StepTiming));
export type StepTimings = z.infer<typeof StepTimings>;

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
  /** The operation the store is in, or last ran (a Failed store: the one that failed); null before any. */
  operation: Operation.nullable(),
  stepTimings: StepTimings,
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
