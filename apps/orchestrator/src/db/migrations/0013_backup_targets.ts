import { type Kysely, sql } from 'kysely';

// Where each backup is kept: `volume` (BACKUP_DIR, every backup before this) or `s3` (the bucket of
// BACKUP_TARGET=s3, under `storage_key`), so a platform whose target changed still restores and deletes
// its older backups where they are; and, for a bucket's, the manifest its agent wrote (parts, sizes,
// checksums, the key's fingerprint). A backup may belong to a store this platform never had: one
// found in the bucket and taken in (disaster recovery), so its store id references no row.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table backups drop constraint backups_store_id_fkey`.execute(db);
  await db.schema
    .alterTable('backups')
    .addColumn('target', 'text', (c) => c.notNull().defaultTo('volume'))
    .addColumn('manifest', 'jsonb')
    .execute();
  await sql`alter table backups add constraint backups_target_check check (target in ('volume', 's3'))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table backups drop constraint backups_target_check`.execute(db);
  await db.schema.alterTable('backups').dropColumn('target').dropColumn('manifest').execute();
  await sql`delete from backups where store_id not in (select id from stores)`.execute(db);
  await sql`alter table backups add constraint backups_store_id_fkey foreign key (store_id) references stores (id)`.execute(
    db,
  );
}
