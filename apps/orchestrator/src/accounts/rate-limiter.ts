// Fixed-window counters in the database, so that every replica counts the same requests.
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export class RateLimiter {
  private readonly db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.db = db;
  }

  /** Counts one request against `key` and says whether it is within `max` per `windowMs`. */
  async hit(key: string, max: number, windowMs: number): Promise<RateDecision> {
    const window = sql`${windowMs}::int * interval '1 millisecond'`;
    const result = await sql<{ count: number; reset_ms: number }>`
      insert into rate_limits as r (key, window_start, count) values (${key}, now(), 1)
      on conflict (key) do update set
        count = case when r.window_start <= now() - ${window} then 1 else r.count + 1 end,
        window_start = case when r.window_start <= now() - ${window} then now() else r.window_start end
      returning count, (extract(epoch from (window_start + ${window} - now())) * 1000)::int as reset_ms`.execute(
      this.db,
    );
    const row = result.rows[0] ?? { count: 1, reset_ms: windowMs };
    return {
      allowed: row.count <= max,
      limit: max,
      remaining: Math.max(0, max - row.count),
      resetSeconds: Math.max(1, Math.ceil(row.reset_ms / 1000)),
    };
  }

  /** Forgets windows that ended long ago; the table stays small. */
  async prune(olderThanMs: number): Promise<void> {
    await this.db
      .deleteFrom('rate_limits')
      .where('window_start', '<', sql<Date>`now() - ${olderThanMs}::int * interval '1 millisecond'`)
      .execute();
  }
}
