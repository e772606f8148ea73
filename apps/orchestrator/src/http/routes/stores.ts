import {
  ActivityList,
  CreateStoreRequest,
  ListActivityQuery,
  ListStoresQuery,
  QueuePosition,
  refusalCodes,
  Store,
  StoreCredentials,
  StoreIdParams,
  StoreList,
  StoreResources,
} from '@storefleet/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ActivityRepository } from '../../db/activity-repository.ts';
import { ownerEmails } from '../../db/owner-emails.ts';
import { ownerScope } from '../../domain/actor.ts';
import { invalidInput } from '../../errors.ts';
import { requireActor } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { decodeActivityCursor, encodeActivityCursor } from '../cursors.ts';
import { errorResponses, type RouteErrors } from '../error-docs.ts';
import { presentActivity, presentStore } from '../presenters.ts';

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
});

/** Errors of the routes on one store: a change, or a read. */
export const storeChange = (more: Omit<RouteErrors, 'access' | 'change' | 'params'> = {}) =>
  errorResponses({ access: 'user', change: true, params: true, ...more });
export const storeRead = (more: Omit<RouteErrors, 'access' | 'params'> = {}) =>
  errorResponses({ access: 'user', params: true, ...more });

export function storeRoutes({ app, services, presentation }: HttpContext): void {
  const { queries, commands, database } = services;
  const show = (store: Parameters<typeof presentStore>[0]) => presentStore(store, presentation);
  /** The store named in the path, if the caller may see it (else 404). */
  const visible = (request: FastifyRequest<{ Params: { id: string } }>) =>
    queries.getFor(request.params.id, requireActor(request));

  app.post(
    '/api/stores',
    {
      config: { auditAction: 'store.create' },
      schema: {
        summary: 'Create a store; provisioning continues in the background',
        tags: ['stores'],
        headers: IdempotencyHeaders,
        body: CreateStoreRequest,
        response: {
          200: Store,
          202: Store,
          ...errorResponses({
            access: 'user',
            change: true,
            codes: {
              400: ['INVALID_STORE_NAME', 'ENGINE_UNKNOWN', 'ENGINE_UNAVAILABLE', 'BACKUP_NOT_RESTORABLE'],
              403: ['STORE_LIMIT_REACHED', 'USER_STORE_LIMIT_REACHED'],
              409: ['STORE_NAME_TAKEN', 'IDEMPOTENCY_KEY_REUSED'],
              // fromBackup of a backup in the S3 bucket, which did not answer.
              502: ['BACKUP_BUCKET_FAILED'],
            },
          }),
        },
      },
    },
    async (request, reply) => {
      const idempotencyKey = request.headers['idempotency-key'];
      const { store, replayed } = await commands.create(request.body, {
        ownerId: requireActor(request).userId,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      });
      request.auditTarget = store.id;
      return reply
        .status(replayed ? 200 : 202)
        .header('location', `/api/stores/${store.id}`)
        .send(show(store));
    },
  );

  app.get(
    '/api/stores',
    {
      schema: {
        summary: 'List stores, newest first',
        tags: ['stores'],
        querystring: ListStoresQuery,
        response: { 200: StoreList, ...errorResponses({ access: 'user' }) },
      },
    },
    async (request) => {
      const { state, limit, cursor } = request.query;
      const ownerId = ownerScope(requireActor(request));
      const page = await queries.list({
        limit,
        ...(ownerId === undefined ? {} : { ownerId }),
        ...(state === undefined ? {} : { state }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      // An admin's list shows whose each store is.
      const emails = ownerId === undefined ? await ownerEmails(database.db, page.items) : undefined;
      const items = page.items.map((store) => {
        const shown = show(store);
        const ownerEmail = emails?.get(store.ownerId);
        return ownerEmail === undefined ? shown : { ...shown, ownerEmail };
      });
      return { items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/stores/:id',
    {
      schema: {
        summary: 'Read one store',
        tags: ['stores'],
        params: StoreIdParams,
        response: { 200: Store, ...storeRead() },
      },
    },
    async (request) => show(await visible(request)),
  );

  app.delete(
    '/api/stores/:id',
    {
      config: { auditAction: 'store.delete' },
      schema: {
        summary: 'Delete a store (from any state; repeatable)',
        tags: ['stores'],
        params: StoreIdParams,
        response: { 202: Store, ...storeChange({ codes: { 409: refusalCodes('delete') } }) },
      },
    },
    async (request, reply) =>
      reply.status(202).send(show(await commands.delete((await visible(request)).id))),
  );

  app.post(
    '/api/stores/:id/retry',
    {
      config: { auditAction: 'store.retry' },
      schema: {
        summary: 'Retry the failed operation of a Failed store',
        tags: ['stores'],
        params: StoreIdParams,
        response: {
          202: Store,
          ...storeChange({ codes: { 409: [...refusalCodes('retry'), 'STORE_CHANGED'] } }),
        },
      },
    },
    async (request, reply) => reply.status(202).send(show(await commands.retry((await visible(request)).id))),
  );

  app.post(
    '/api/stores/:id/credentials',
    {
      config: { auditAction: 'store.credentials_reveal' },
      schema: {
        summary: "Reveal the store admin's login (audited)",
        tags: ['stores'],
        params: StoreIdParams,
        response: {
          200: StoreCredentials,
          ...storeChange({ cluster: true, codes: { 409: refusalCodes('credentials') } }),
        },
      },
    },
    async (request, reply) => {
      const { store, credentials } = await queries.credentials((await visible(request)).id);
      return reply
        .header('cache-control', 'no-store')
        .send({ ...credentials, adminUrl: show(store).urls.admin });
    },
  );

  app.get(
    '/api/stores/:id/resources',
    {
      schema: {
        summary: 'Pods, services, ingresses, volumes, jobs and recent events of the store namespace',
        tags: ['stores'],
        params: StoreIdParams,
        response: { 200: StoreResources, ...storeRead({ cluster: true }) },
      },
    },
    async (request) => queries.resources((await visible(request)).id),
  );

  app.get(
    '/api/stores/:id/queue',
    {
      schema: {
        summary:
          "Where the store's waiting operation stands for a provisioning slot: its place in line and the expected wait",
        tags: ['stores'],
        params: StoreIdParams,
        response: { 200: QueuePosition, ...storeRead() },
      },
    },
    async (request) => services.positions.of(await visible(request)),
  );

  app.get(
    '/api/stores/:id/activity',
    {
      schema: {
        summary: "A store's activity, newest first",
        tags: ['activity'],
        params: StoreIdParams,
        querystring: ListActivityQuery,
        response: { 200: ActivityList, ...storeRead() },
      },
    },
    async (request) => {
      const store = await visible(request);
      return listActivity(new ActivityRepository(database.db), { ...request.query, storeId: store.id });
    },
  );

  app.get(
    '/api/activity',
    {
      schema: {
        summary: 'Activity across all stores, newest first',
        tags: ['activity'],
        querystring: ListActivityQuery,
        response: { 200: ActivityList, ...errorResponses({ access: 'user' }) },
      },
    },
    async (request) => {
      const ownerId = ownerScope(requireActor(request));
      return listActivity(new ActivityRepository(database.db), {
        ...request.query,
        ...(ownerId ? { ownerId } : {}),
      });
    },
  );
}

async function listActivity(
  repository: ActivityRepository,
  query: { limit: number; cursor?: string | undefined; storeId?: string; ownerId?: string },
) {
  const beforeId = query.cursor === undefined ? undefined : decodeActivityCursor(query.cursor);
  if (beforeId === null) throw invalidInput('cursor is not one this API returned');
  const rows = await repository.list({
    limit: query.limit + 1,
    ...(query.storeId === undefined ? {} : { storeId: query.storeId }),
    ...(query.ownerId === undefined ? {} : { ownerId: query.ownerId }),
    ...(beforeId === undefined ? {} : { beforeId }),
  });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return {
    items: items.map(presentActivity),
    nextCursor: rows.length > query.limit && last ? encodeActivityCursor(last.id) : null,
  };
}
