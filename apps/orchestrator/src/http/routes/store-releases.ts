// Routes on a store's Helm release: upgrade (to the shipped chart with the merchant's values
// changed), roll back to an earlier revision, and the revision history.
import {
  ReleaseHistory,
  RollbackStoreRequest,
  refusalCodes,
  Store,
  StoreIdParams,
  UpgradeStoreRequest,
} from '@storefleet/contracts';
import type { FastifyRequest } from 'fastify';
import { requireActor } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { presentStore } from '../presenters.ts';
import { storeChange, storeRead } from './stores.ts';

export function storeReleaseRoutes({ app, services, presentation }: HttpContext): void {
  const { queries, commands } = services;
  const show = (store: Parameters<typeof presentStore>[0]) => presentStore(store, presentation);
  const visible = (request: FastifyRequest<{ Params: { id: string } }>) =>
    queries.getFor(request.params.id, requireActor(request));

  app.post(
    '/api/stores/:id/upgrade',
    {
      config: { auditAction: 'store.upgrade' },
      schema: {
        summary: 'Upgrade the release to the shipped store chart, optionally changing store values',
        tags: ['stores'],
        params: StoreIdParams,
        body: UpgradeStoreRequest,
        response: {
          202: Store,
          ...storeChange({
            codes: { 409: [...refusalCodes('upgrade'), 'STORE_CHANGED'] },
          }),
        },
      },
    },
    async (request, reply) =>
      reply.status(202).send(show(await commands.upgrade((await visible(request)).id, request.body.values))),
  );

  app.post(
    '/api/stores/:id/rollback',
    {
      config: { auditAction: 'store.rollback' },
      schema: {
        summary: 'Roll the release back to an earlier revision',
        tags: ['stores'],
        params: StoreIdParams,
        body: RollbackStoreRequest,
        response: {
          202: Store,
          ...storeChange({
            cluster: true,
            codes: {
              400: ['REVISION_NOT_FOUND'],
              409: [...refusalCodes('rollback'), 'ALREADY_AT_REVISION', 'STORE_CHANGED'],
            },
          }),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(show(await commands.rollback((await visible(request)).id, request.body.revision))),
  );

  app.get(
    '/api/stores/:id/history',
    {
      schema: {
        summary: 'Helm revisions of the store release, oldest first',
        tags: ['stores'],
        params: StoreIdParams,
        response: { 200: ReleaseHistory, ...storeRead({ cluster: true }) },
      },
    },
    async (request) => ({ items: await queries.history((await visible(request)).id) }),
  );
}
