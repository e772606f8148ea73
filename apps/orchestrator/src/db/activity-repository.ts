// The activity feed: what happened to each store, in order. Rows are only ever appended.
import type { ActivityEntry } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import type { ActivityType } from '../domain/activity-types.ts';
import type { Schema } from './schema.ts';
import { notifyChange } from './stores-repository.ts';

export interface NewActivity {
  storeId: string | null;
  type: ActivityType;
  message: string;
  details?: Record<string, unknown>;
}

export interface ActivityRecord extends Omit<ActivityEntry, 'createdAt'> {
  createdAt: Date;
}

export class ActivityRepository {
  private readonly db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.db = db;
  }

  async append(entry: NewActivity, now = new Date()): Promise<number> {
    const row = await this.db
      .insertInto('activity')
      .values({
        store_id: entry.storeId,
        type: entry.type,
        message: entry.message,
        details: JSON.stringify(entry.details ?? {}),
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await notifyChange(this.db, 'activity', row.id);
    return row.id;
  }

  async get(id: number): Promise<ActivityRecord | undefined> {
    const row = await this.db.selectFrom('activity').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Newest first; `beforeId` pages backwards. */
  async list(options: {
    storeId?: string;
    ownerId?: string;
    limit: number;
    beforeId?: number;
  }): Promise<ActivityRecord[]> {
    let query = this.db.selectFrom('activity').selectAll().orderBy('id', 'desc').limit(options.limit);
    if (options.storeId !== undefined) query = query.where('store_id', '=', options.storeId);
    if (options.ownerId !== undefined) {
      const ownerId = options.ownerId;
      query = query.where('store_id', 'in', (eb) =>
        eb.selectFrom('stores').select('stores.id').where('stores.owner_id', '=', ownerId),
      );
    }
    if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
    return (await query.execute()).map(fromRow);
  }

  async countOfType(type: string): Promise<number> {
    const rows = await this.db
      .selectFrom('activity')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('type', '=', type)
      .execute();
    return Number(rows[0]?.count ?? 0);
  }
}

function fromRow(row: {
  id: number;
  store_id: string | null;
  type: string;
  message: string;
  details: Record<string, unknown>;
  created_at: Date;
}): ActivityRecord {
  return {
    id: row.id,
    storeId: row.store_id,
    type: row.type,
    message: row.message,
    details: row.details,
    createdAt: row.created_at,
  };
}
