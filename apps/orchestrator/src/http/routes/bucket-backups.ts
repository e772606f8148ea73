// The backups in the S3 backup target, for operators (admins): every store's, those of stores this
// platform has never seen included (disaster recovery starts here).
import { BucketBackupList } from '@storefleet/contracts';
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
}
