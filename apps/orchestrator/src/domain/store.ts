// The Store as the domain sees it, and how a new one is born.
import type {
  Condition,
  Engine,
  Failure,
  Operation,
  OperationPayload,
  StepTimings,
  StoreState,
  StoreValues,
} from '@storefleet/contracts';
import { initialConditions } from './conditions.ts';

export interface Store {
  id: string;
  slug: string;
  name: string;
  engine: Engine;
  ownerId: string;
  state: StoreState;
  /** Bumped by every request that changes what is asked of the store (create: 1). */
  generation: number;
  /** The generation the state and conditions describe (0 until the first request is settled). */
  observedGeneration: number;
  conditions: Condition[];
  failure: Failure | null;
  /** Attempts made at the current (or last) operation. */
  attempts: number;
  /** The operation the store is in, or last ran (a Failed store: the one that failed). */
  operation: Operation | null;
  /** What that operation was asked with: a retry or a resumption runs it with the same payload. */
  payload: OperationPayload;
  stepTimings: StepTimings;
  namespace: string;
  release: string;
  revision: number | null;
  /** Value overrides asked for by upgrades; applied on every install. */
  values: StoreValues;
  chartVersion: string | null;
  /** The release the last release step deployed; how a resumed attempt tells a release in sync. */
  deployed: DeployedRecord | null;
  createdAt: Date;
  updatedAt: Date;
  provisioningStartedAt: Date | null;
  readyAt: Date | null;
  deletedAt: Date | null;
}

export interface DeployedRecord {
  revision: number;
  chartVersion: string;
  values: StoreValues;
  /** The store's generation the release was deployed for. */
  generation: number;
}

export interface NewStoreInput {
  id: string;
  name: string;
  slug: string;
  engine: Engine;
  ownerId: string;
  resourcePrefix: string;
  now: Date;
}

export function newStore(input: NewStoreInput): Store {
  const resourceName = `${input.resourcePrefix}${input.slug}`;
  return {
    id: input.id,
    slug: input.slug,
    name: input.name,
    engine: input.engine,
    ownerId: input.ownerId,
    state: 'Queued',
    generation: 1,
    observedGeneration: 0,
    conditions: initialConditions(input.now),
    failure: null,
    attempts: 0,
    operation: null,
    payload: {},
    stepTimings: {},
    namespace: resourceName,
    release: resourceName,
    revision: null,
    values: {},
    chartVersion: null,
    deployed: null,
    createdAt: input.now,
    updatedAt: input.now,
    provisioningStartedAt: null,
    readyAt: null,
    deletedAt: null,
  };
}

/** Seconds from the start of provisioning to Ready, when both are known. */
export function provisioningSeconds(store: Pick<Store, 'provisioningStartedAt' | 'readyAt'>): number | null {
  if (!store.provisioningStartedAt || !store.readyAt) return null;
  return (store.readyAt.getTime() - store.provisioningStartedAt.getTime()) / 1000;
}

/** Whether anything may exist in a cluster for this store: a cluster step was at least started. */
export function mayHaveClusterResources(store: Pick<Store, 'stepTimings'>): boolean {
  return Object.values(store.stepTimings).some((steps) => Object.keys(steps ?? {}).length > 0);
}

export type JobKind = Operation;

/** What a job was asked: its operation's payload (LIFECYCLE's OPERATION_PAYLOADS). */
export type JobPayload = OperationPayload;
