// Reads and writes store rows. Every write announces the change on the events channel.
import type { StoreState } from '@storefleet/contracts';
import { type Kysely, sql } from 'kysely';
import { ForbiddenTransition, statesLeadingTo } from '../domain/lifecycle.ts';
import type { Store } from '../domain/store.ts';
import type { Schema } from './schema.ts';
import { fromRow, toPatchRow, toRow } from './store-rows.ts';

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
