// Routes for a store's backups, restore, sleep and wake, and the endpoint a store's backup CronJob
// calls (authenticated by the store's own backup token, not a user).
import {
  Backup,
  BackupList,
  BackupParams,
  BackupSchedule,
  RestoreStoreRequest,
  refusalCodes,
  SetBackupScheduleRequest,
  Store,
  StoreIdParams,
} from '@storefleet/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SCHEDULED_BACKUP_PATH } from '../../app/store-operations.ts';
import { presentBackup } from '../../db/backups-repository.ts';
import { AppError } from '../../errors.ts';
import { requireActor } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from '../error-docs.ts';
import { presentStore } from '../presenters.ts';

export function storeOperationRoutes({ app, services, presentation }: HttpContext): void {
  const { queries, operations } = services;
  const show = (store: Parameters<typeof presentStore>[0]) => presentStore(store, presentation);
  const visible = (request: FastifyRequest<{ Params: { id: string } }>) =>
    queries.getFor(request.params.id, requireActor(request));

  app.get(
    '/api/stores/:id/backups',
    {
      schema: {
        summary: "The store's backups (newest first), its schedule, and the owner's backup usage",
        tags: ['backups'],
        params: StoreIdParams,
        response: { 200: BackupList, ...errorResponses({ access: 'user', params: true }) },
      },
    },
    async (request) => operations.listBackups(await visible(request)),
  );

  app.post(
    '/api/stores/:id/backups',
    {
      config: { auditAction: 'store.backup' },
      schema: {
        summary: 'Back the store up now (its database, and its files where the engine has them)',
        tags: ['backups'],
        params: StoreIdParams,
        response: {
          202: Backup,
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            codes: { 403: ['BACKUP_QUOTA_EXCEEDED'], 409: [...refusalCodes('backup'), 'STORE_CHANGED'] },
          }),
        },
      },
    },
    async (request, reply) => {
      const backup = await operations.backup(await visible(request));
      return reply.status(202).send(presentBackup(backup));
    },
  );

  app.delete(
    '/api/stores/:id/backups/:backupId',
    {
      config: { auditAction: 'backup.delete' },
      schema: {
        summary: 'Delete a backup',
        tags: ['backups'],
        params: BackupParams,
        response: {
          204: z.null().describe('Deleted'),
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            codes: {
              409: ['STORE_BUSY'],
              // A backup in an S3 bucket: the bucket failed, or this platform has none configured now.
              502: ['BACKUP_BUCKET_FAILED'],
              503: ['BACKUP_BUCKET_NOT_CONFIGURED'],
            },
          }),
        },
      },
    },
    async (request, reply) => {
      await operations.deleteBackup(await visible(request), request.params.backupId);
      request.auditTarget = request.params.backupId;
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/stores/:id/backup-schedule',
    {
      config: { auditAction: 'store.backup_schedule' },
      schema: {
        summary: 'Set (or remove, with cron null) when the store is backed up and how many backups it keeps',
        tags: ['backups'],
        params: StoreIdParams,
        body: SetBackupScheduleRequest,
        response: {
          200: BackupSchedule,
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            cluster: true,
            codes: { 400: ['BACKUP_SCHEDULE_UNAVAILABLE'], 409: ['STORE_NOT_READY'] },
          }),
        },
      },
    },
    async (request) => operations.setSchedule(await visible(request), request.body),
  );

  app.post(
    '/api/stores/:id/restore',
    {
      config: { auditAction: 'store.restore' },
      schema: {
        summary:
          "Replace the store's data with a backup: the app stops, the data is replaced, the app starts",
        tags: ['backups'],
        params: StoreIdParams,
        body: RestoreStoreRequest,
        response: {
          202: Store,
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            codes: {
              400: ['BACKUP_NOT_RESTORABLE'],
              409: [...refusalCodes('restore'), 'STORE_CHANGED'],
              502: ['BACKUP_BUCKET_FAILED'],
            },
          }),
        },
      },
    },
    async (request, reply) =>
      reply.status(202).send(show(await operations.restore(await visible(request), request.body.backupId))),
  );

  app.post(
    '/api/stores/:id/sleep',
    {
      config: { auditAction: 'store.sleep' },
      schema: {
        summary:
          'Put the store to sleep: its workloads scale to zero, its data stays, its URL shows an asleep page',
        tags: ['stores'],
        params: StoreIdParams,
        response: {
          202: Store,
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            codes: { 409: [...refusalCodes('sleep'), 'STORE_CHANGED'] },
          }),
        },
      },
    },
    async (request, reply) => reply.status(202).send(show(await operations.sleep(await visible(request)))),
  );

  app.post(
    '/api/stores/:id/wake',
    {
      config: { auditAction: 'store.wake' },
      schema: {
        summary: 'Wake a sleeping store: its workloads come back and it is Ready with the same data',
        tags: ['stores'],
        params: StoreIdParams,
        response: {
          202: Store,
          ...errorResponses({
            access: 'user',
            change: true,
            params: true,
            codes: { 409: [...refusalCodes('wake'), 'STORE_CHANGED'] },
          }),
        },
      },
    },
    async (request, reply) => reply.status(202).send(show(await operations.wake(await visible(request)))),
  );

  app.post(
    SCHEDULED_BACKUP_PATH,
    {
      config: { auditAction: 'store.backup' },
      schema: {
        summary: "A store's backup CronJob asks for its scheduled backup (X-Backup-Token: the store's token)",
        tags: ['backups'],
        security: [],
        headers: z.object({ 'x-backup-token': z.string().min(1).max(200).optional() }),
        response: {
          202: Backup,
          ...errorResponses({
            access: 'public',
            change: true,
            codes: {
              401: ['INVALID_TOKEN'],
              403: ['BACKUP_QUOTA_EXCEEDED'],
              409: [...refusalCodes('backup'), 'STORE_CHANGED'],
            },
          }),
        },
      },
    },
    async (request, reply) => {
      const token = request.headers['x-backup-token'];
      if (!token)
        throw new AppError(
          'INVALID_TOKEN',
          "Send the store's backup token as X-Backup-Token.",
          'unauthenticated',
        );
      const backup = await operations.scheduledBackup(token);
      request.auditTarget = backup.storeId;
      return reply.status(202).send(presentBackup(backup));
    },
  );
}
