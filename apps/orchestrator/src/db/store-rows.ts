// A store as a row of the stores table, and back: the only place that knows the columns.
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
import type { Insertable, Selectable } from 'kysely';
import type { Store } from '../domain/store.ts';
import type { StoresTable } from './schema.ts';
import type { StorePatch } from './stores-repository.ts';

export function toRow(store: Store): Insertable<StoresTable> {
  return {
    id: store.id,
    slug: store.slug,
    name: store.name,
    engine: store.engine,
    owner_id: store.ownerId,
    state: store.state,
    generation: store.generation,
    observed_generation: store.observedGeneration,
    conditions: JSON.stringify(store.conditions),
    failure_operation: store.failure?.operation ?? null,
    failure_step: store.failure?.step ?? null,
    failure_reason: store.failure?.reason ?? null,
    failure_message: store.failure?.message ?? null,
    failure_retryable: store.failure?.retryable ?? null,
    attempts: store.attempts,
    operation: store.operation,
    payload: JSON.stringify(store.payload),
    step_timings: JSON.stringify(store.stepTimings),
    namespace: store.namespace,
    release: store.release,
    revision: store.revision,
    values: JSON.stringify(store.values),
    chart_version: store.chartVersion,
    deployed: store.deployed ? JSON.stringify(store.deployed) : null,
    created_at: store.createdAt,
    updated_at: store.updatedAt,
    provisioning_started_at: store.provisioningStartedAt,
    ready_at: store.readyAt,
    deleted_at: store.deletedAt,
  };
}

export function toPatchRow(patch: StorePatch) {
  const row: Partial<{
    state: string;
    generation: number;
    observed_generation: number;
    deployed: string | null;
    conditions: string;
    failure_operation: string | null;
    failure_step: string | null;
    failure_reason: string | null;
    failure_message: string | null;
    failure_retryable: boolean | null;
    attempts: number;
    operation: string | null;
    payload: string;
    step_timings: string;
    revision: number | null;
    values: string;
    chart_version: string | null;
    provisioning_started_at: Date | null;
    ready_at: Date | null;
    deleted_at: Date | null;
  }> = {};
  if (patch.state !== undefined) row.state = patch.state;
  if (patch.generation !== undefined) row.generation = patch.generation;
  if (patch.observedGeneration !== undefined) row.observed_generation = patch.observedGeneration;
  if (patch.deployed !== undefined) row.deployed = patch.deployed ? JSON.stringify(patch.deployed) : null;
  if (patch.conditions !== undefined) row.conditions = JSON.stringify(patch.conditions);
  if (patch.failure !== undefined) {
    row.failure_operation = patch.failure?.operation ?? null;
    row.failure_step = patch.failure?.step ?? null;
    row.failure_reason = patch.failure?.reason ?? null;
    row.failure_message = patch.failure?.message ?? null;
    row.failure_retryable = patch.failure?.retryable ?? null;
  }
  if (patch.attempts !== undefined) row.attempts = patch.attempts;
  if (patch.operation !== undefined) row.operation = patch.operation;
  if (patch.payload !== undefined) row.payload = JSON.stringify(patch.payload);
  if (patch.stepTimings !== undefined) row.step_timings = JSON.stringify(patch.stepTimings);
  if (patch.revision !== undefined) row.revision = patch.revision;
  if (patch.values !== undefined) row.values = JSON.stringify(patch.values);
  if (patch.chartVersion !== undefined) row.chart_version = patch.chartVersion;
  if (patch.provisioningStartedAt !== undefined) row.provisioning_started_at = patch.provisioningStartedAt;
  if (patch.readyAt !== undefined) row.ready_at = patch.readyAt;
  if (patch.deletedAt !== undefined) row.deleted_at = patch.deletedAt;
  return row;
}

export function fromRow(row: Selectable<StoresTable>): Store {
  const failure: Failure | null =
    row.failure_reason === null
      ? null
      : {
          operation: row.failure_operation as Operation,
          step: row.failure_step,
          reason: row.failure_reason,
          message: row.failure_message ?? '',
          retryable: row.failure_retryable ?? false,
        };
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    engine: row.engine as Engine,
    ownerId: row.owner_id,
    state: row.state as StoreState,
    generation: row.generation,
    observedGeneration: row.observed_generation,
    conditions: row.conditions as Condition[],
    failure,
    attempts: row.attempts,
    operation: row.operation as Operation | null,
    payload: row.payload as OperationPayload,
    stepTimings: row.step_timings as StepTimings,
    namespace: row.namespace,
    release: row.release,
    revision: row.revision,
    values: row.values as StoreValues,
    chartVersion: row.chart_version,
    deployed: row.deployed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    provisioningStartedAt: row.provisioning_started_at,
    readyAt: row.ready_at,
    deletedAt: row.deleted_at,
  };
}
