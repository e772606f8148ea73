// The backups in the S3 backup target, for operators (admins): every store's, those of stores this
// platform has never seen included (disaster recovery starts here), and taking one in as a backup of
// the platform's, from which a new store is then created (`POST /api/stores` with `fromBackup`).
import { Backup, BucketBackupList, ImportBucketBackupRequest } from '@storefleet/contracts';
import { presentBackup } from '../../db/backups-repository.ts';
import { requireAdmin } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from '../error-docs.ts';

export function bucketBackupRoutes({ app, services }: HttpContext): void {
  app.get(
    '/api/backups/bucket',
    {
      schema: {
        summary:
          'Every backup in the S3 backup target (BACKUP_TARGET=s3), read from the manifests, whatever store it belongs to',
        tags: ['backups'],
        response: {
          200: BucketBackupList,
          ...errorResponses({
            access: 'admin',
            codes: { 502: ['BACKUP_BUCKET_FAILED'], 503: ['BACKUP_BUCKET_NOT_CONFIGURED'] },
          }),
        },
      },
    },
    async (request) => {
      requireAdmin(request);
      return services.bucketBackups.list();
    },
  );

  app.post(
    '/api/backups/bucket/import',
    {
      config: { auditAction: 'backup.import' },
      schema: {
        summary:
          "Take a backup of the bucket in as one of the caller's (checked: ours, this platform's key, an engine it runs); then create a store from it with fromBackup",
        tags: ['backups'],
        body: ImportBucketBackupRequest,
        response: {
          201: Backup,
          ...errorResponses({
            access: 'admin',
            change: true,
            codes: {
              400: ['BACKUP_NOT_RESTORABLE'],
              409: ['BACKUP_ALREADY_KNOWN'],
              502: ['BACKUP_BUCKET_FAILED'],
              503: ['BACKUP_BUCKET_NOT_CONFIGURED'],
            },
          }),
        },
      },
    },
    async (request, reply) => {
      const backup = await services.bucketBackups.import(requireAdmin(request), request.body);
      request.auditTarget = backup.id;
      return reply.status(201).send(presentBackup(backup));
    },
  );
}
