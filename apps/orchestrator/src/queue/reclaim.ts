// Leases left by a dead process. On the embedded database (PGlite) only one process ever opens the
// data directory, so at start-up every lease still held in it belongs to a process that is gone:
// they are handed back at once instead of after they expire. A PostgreSQL server may serve several
// replicas at the same time, and there a lease is only taken over once it has expired.
import { type Kysely, sql } from 'kysely';
import type { DatabaseEngine } from '../db/database.ts';
import type { Schema } from '../db/schema.ts';

/** Whether this process may reclaim every lease at start-up: only on a PGlite database it opened itself. */
export function reclaimsLeasesAtStart(engine: DatabaseEngine, openedHere: boolean): boolean {
  return engine === 'pglite' && openedHere;
}

/** Hands back every job lease (store jobs and the jobs that pace fleet upgrades); returns how many. */
export async function reclaimAllLeases(db: Kysely<Schema>): Promise<number> {
  const jobs = await db
    .updateTable('work_queue')
    .set({ lease_owner: null, lease_token: null, lease_expires_at: null, updated_at: sql<Date>`now()` })
    .where('lease_token', 'is not', null)
    .executeTakeFirst();
  return Number(jobs.numUpdatedRows);
}
