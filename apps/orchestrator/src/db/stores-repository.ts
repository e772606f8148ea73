// Reads and writes store rows. Every write announces the change on the events channel.
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
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import { ForbiddenTransition, statesLeadingTo } from '../domain/lifecycle.ts';
import type { Store } from '../domain/store.ts';
import type { Schema, StoresTable } from './schema.ts';

export const EVENTS_CHANNEL = 'storefleet_events';

export type StorePatch = Partial<
  Pick<
    Store,
    | 'state'
    | 'generation'
    | 'observedGeneration'
    | 'deployed'
    | 'conditions'
    | 'failure'
    | 'attempts'
    | 'operation'
    | 'payload'
    | 'stepTimings'
    | 'revision'
    | 'values'
    | 'chartVersion'
    | 'provisioningStartedAt'
    | 'readyAt'
    | 'deletedAt'
  >
>;

export interface UpdateGuard {
  /** The update applies only while the store is in one of these states. */
  states?: readonly StoreState[];
  /** The update applies only while this lease on the store's job is held (fences out stale workers). */
  leaseToken?: string;
  /** The update applies only if the row was not changed since it was read (optimistic concurrency). */
  unchangedSince?: Date;
}

export interface StorePage {
  items: Store[];
  nextCursor: string | null;
}

export class StoresRepository {
  private readonly db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.db = db;
  }

  async insert(store: Store): Promise<void> {
    await this.db.insertInto('stores').values(toRow(store)).execute();
    await notifyChange(this.db, 'store', store.id);
  }

  /** The store that holds this address now (not deleted), if any. */
  async findLiveBySlug(slug: string): Promise<Store | undefined> {
    const row = await this.db
      .selectFrom('stores')
      .selectAll()
      .where('slug', '=', slug)
      .where('state', '!=', 'Deleted')
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async get(id: string): Promise<Store | undefined> {
    const row = await this.db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async list(options: {
    ownerId?: string;
    state?: StoreState;
    limit: number;
    cursor?: string;
  }): Promise<StorePage> {
    let query = this.db
      .selectFrom('stores')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit + 1);
    if (options.ownerId !== undefined) query = query.where('owner_id', '=', options.ownerId);
    if (options.state !== undefined) query = query.where('state', '=', options.state);
    if (options.cursor !== undefined) {
      const after = decodeCursor(options.cursor);
      query = query.where((eb) =>
        eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)),
      );
    }
    const rows = await query.execute();
    const items = rows.slice(0, options.limit).map(fromRow);
    const last = items.at(-1);
    const nextCursor = rows.length > options.limit && last ? encodeCursor(last) : null;
    return { items, nextCursor };
  }

  async countInStates(states: readonly StoreState[], ownerId?: string): Promise<number> {
    let query = this.db
      .selectFrom('stores')
      .select(sql<number>`count(*)::int`.as('count'))
      .where('state', 'in', states);
    if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
    const row = await query.executeTakeFirstOrThrow();
    return row.count;
  }

  async idsInStates(states: readonly StoreState[]): Promise<string[]> {
    const rows = await this.db.selectFrom('stores').select('id').where('state', 'in', states).execute();
    return rows.map((r) => r.id);
  }

  /**
   * Applies `patch` if the guard holds; returns the updated store, or undefined if it did not. A
   * patch that changes the state applies only from the states the lifecycle table leads there from:
   * a guard naming any other state is a bug and throws ForbiddenTransition.
   */
  async update(
    id: string,
    patch: StorePatch,
    guard: UpdateGuard = {},
    now = new Date(),
  ): Promise<Store | undefined> {
    let states = guard.states;
    if (patch.state !== undefined) {
      const allowed = statesLeadingTo(patch.state);
      const refused = (states ?? []).filter((state) => !allowed.includes(state));
      if (refused.length > 0) throw new ForbiddenTransition(refused, patch.state);
      states = states ?? allowed;
    }
    let query = this.db
      .updateTable('stores')
      .set({ ...toPatchRow(patch), updated_at: now })
      .where('id', '=', id);
    if (states) query = query.where('state', 'in', states);
    if (guard.unchangedSince) query = query.where('updated_at', '=', guard.unchangedSince);
    if (guard.leaseToken !== undefined) {
      const token = guard.leaseToken;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('work_queue')
            .select('work_queue.id')
            .where('work_queue.store_id', '=', id)
            .where('work_queue.lease_token', '=', token),
        ),
      );
    }
    const row = await query.returningAll().executeTakeFirst();
    if (!row) return undefined;
    await notifyChange(this.db, 'store', id);
    return fromRow(row);
  }
}

export async function notifyChange(db: Kysely<Schema>, kind: 'store' | 'activity', id: string | number) {
  await sql`select pg_notify(${EVENTS_CHANNEL}, ${`${kind}:${id}`})`.execute(db);
}

function encodeCursor(store: Store): string {
  return Buffer.from(JSON.stringify([store.createdAt.toISOString(), store.id])).toString('base64url');
}

export class InvalidCursorError extends Error {}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const date = new Date(String(createdAt));
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}

function toRow(store: Store): Insertable<StoresTable> {
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

function toPatchRow(patch: StorePatch) {
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

function fromRow(row: Selectable<StoresTable>): Store {
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
