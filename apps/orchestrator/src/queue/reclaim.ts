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

/** Hands back every job and fleet upgrade lease; returns how many jobs it freed. */
export async function reclaimAllLeases(db: Kysely<Schema>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const jobs = await trx
      .updateTable('work_queue')
      .set({ lease_owner: null, lease_token: null, lease_expires_at: null, updated_at: sql<Date>`now()` })
      .where('lease_token', 'is not', null)
      .executeTakeFirst();
    await trx
      .updateTable('fleet_upgrades')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('state', '=', 'running')
      .where('lease_owner', 'is not', null)
      .execute();
    return Number(jobs.numUpdatedRows);
  });
}
