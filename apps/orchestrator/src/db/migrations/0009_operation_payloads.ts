import { type Kysely, sql } from 'kysely';

// Every operation's payload lives on its store as well as on its job: `operation` is the operation the
// store is in (or last failed in) and `payload` what it was asked with, so a retry, a resumption at
// start-up or a take-over runs it with the same payload (a restore's backup id). A store created from
// a backup is an operation of its own (`provision-from-backup`). Step timings are kept per operation,
// so a later operation never changes the timings an earlier one measured.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stores').addColumn('operation', 'text').execute();
  await db.schema
    .alterTable('stores')
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  // Jobs of stores created from a backup carried `restoreFrom` on a provision job.
  await sql`
    update work_queue set kind = 'provision-from-backup',
      payload = jsonb_build_object('backupId', payload->>'restoreFrom')
    where kind = 'provision' and payload ? 'restoreFrom'`.execute(db);
  await sql`
    update stores set operation = work_queue.kind, payload = work_queue.payload
    from work_queue where work_queue.store_id = stores.id`.execute(db);
  // Flat timings ({step: timing}) become {operation: {step: timing}}: a step of the provision plan is
  // the provision's; any other is the latest operation's that has it.
  await sql`
    update stores set step_timings = coalesce((
      select jsonb_object_agg(op, steps) from (
        select case
          when key in ('namespace','secrets','release','ready') then 'provision'
          when key in ('upgrade') then 'upgrade'
          when key in ('rollback') then 'rollback'
          when key in ('uninstall','namespace-delete') then 'delete'
          when key in ('backup') then 'backup'
          when key in ('app-stop','data-restore','app-start') then 'restore'
          when key in ('scale-down') then 'sleep'
          else 'wake' end as op,
          jsonb_object_agg(key, value) as steps
        from jsonb_each(stores.step_timings) group by 1
      ) grouped), '{}'::jsonb)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stores').dropColumn('payload').execute();
  await db.schema.alterTable('stores').dropColumn('operation').execute();
}
