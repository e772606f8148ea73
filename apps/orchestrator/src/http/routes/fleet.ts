import { FleetUpgrade, refusalCodes, StartFleetUpgradeRequest } from '@storefleet/contracts';
import { z } from 'zod';
import { requireAdmin } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from '../error-docs.ts';

export function fleetRoutes({ app, services }: HttpContext): void {
  const { fleet } = services;

  app.post(
    '/api/fleet/upgrade',
    {
      config: { auditAction: 'fleet.upgrade' },
      schema: {
        summary:
          'Upgrade every (or the listed) Ready store to the shipped store chart, a few at a time, halting on the first failure',
        tags: ['fleet'],
        body: StartFleetUpgradeRequest,
        response: {
          202: FleetUpgrade,
          ...errorResponses({
            access: 'admin',
            change: true,
            codes: { 404: ['NOT_FOUND'], 409: ['NO_READY_STORES', ...refusalCodes('upgrade')] },
          }),
        },
      },
    },
    async (request, reply) => {
      const run = await fleet.start(requireAdmin(request), request.body);
      request.auditTarget = run.id;
      return reply.status(202).send(run);
    },
  );

  app.get(
    '/api/fleet/upgrade',
    {
      schema: {
        summary: 'Recent fleet upgrades',
        tags: ['fleet'],
        response: { 200: z.object({ items: z.array(FleetUpgrade) }), ...errorResponses({ access: 'admin' }) },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { items: await fleet.list() };
    },
  );

  app.get(
    '/api/fleet/upgrade/:id',
    {
      schema: {
        summary: 'One fleet upgrade and its progress',
        tags: ['fleet'],
        params: z.strictObject({ id: z.uuid() }),
        response: { 200: FleetUpgrade, ...errorResponses({ access: 'admin', params: true }) },
      },
    },
    async (request) => {
      requireAdmin(request);
      return fleet.get(request.params.id);
    },
  );
}
