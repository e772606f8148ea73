import { type Kysely, sql } from 'kysely';

// The work queue holds jobs that are not about one store: each job is about exactly one subject, a
// store or a fleet upgrade run, and there is at most one job per subject (both columns are unique;
// a unique column allows many nulls, so enqueueing a store job still conflicts on store_id alone).
// A fleet upgrade run is paced by its job, under the queue's lease, so the run's own lease columns
// go; `batch` remembers the stores of the batch in flight and the generation each had before the
// run asked for its upgrade. A run that was running when this migration ran gets its job here.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table work_queue alter column store_id drop not null`.execute(db);
  await db.schema
    .alterTable('work_queue')
    .addColumn('fleet_upgrade_id', 'uuid', (c) =>
      c.unique().references('fleet_upgrades.id').onDelete('cascade'),
    )
    .execute();
  await sql`alter table work_queue add constraint work_queue_one_subject check (num_nonnulls(store_id, fleet_upgrade_id) = 1)`.execute(
    db,
  );
  await db.schema
    .alterTable('fleet_upgrades')
    .dropColumn('lease_owner')
    .dropColumn('lease_expires_at')
    .addColumn('batch', 'jsonb')
    .execute();
  await sql`
    insert into work_queue (id, fleet_upgrade_id, kind, version, run_at, attempts, payload, created_at, updated_at)
    select gen_random_uuid(), id, 'fleet-upgrade', 1, now(), 0, '{}'::jsonb, now(), now()
    from fleet_upgrades where state = 'running'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from work_queue where fleet_upgrade_id is not null`.execute(db);
  await sql`alter table work_queue drop constraint work_queue_one_subject`.execute(db);
  await db.schema.alterTable('work_queue').dropColumn('fleet_upgrade_id').execute();
  await sql`alter table work_queue alter column store_id set not null`.execute(db);
  await db.schema
    .alterTable('fleet_upgrades')
    .dropColumn('batch')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'timestamptz')
    .execute();
}
