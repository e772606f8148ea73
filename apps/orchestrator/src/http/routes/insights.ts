// Store insights: one store's series (its owner or an admin), and the fleet summary (a user's own
// stores; an admin's: all).
import { FleetInsights, InsightsQuery, StoreIdParams, StoreInsights } from '@storefleet/contracts';
import { ownerScope } from '../../domain/actor.ts';
import { requireActor } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from '../error-docs.ts';

export function insightRoutes({ app, services }: HttpContext): void {
  const { queries, insights } = services;

  app.get(
    '/api/stores/:id/insights',
    {
      schema: {
        summary:
          "The store's traffic, errors, latency, CPU and memory against quota, disk, orders and revenue over a range; null values were not reported",
        tags: ['insights'],
        params: StoreIdParams,
        querystring: InsightsQuery,
        response: { 200: StoreInsights, ...errorResponses({ access: 'user', params: true }) },
      },
    },
    async (request) => {
      const store = await queries.getFor(request.params.id, requireActor(request));
      return insights.storeSeries(store.id, request.query.range);
    },
  );

  app.get(
    '/api/insights',
    {
      schema: {
        summary:
          'The fleet you may see: its traffic, the top stores by traffic, memory and orders, stores near their quota and idle stores',
        tags: ['insights'],
        querystring: InsightsQuery,
        response: { 200: FleetInsights, ...errorResponses({ access: 'user' }) },
      },
    },
    async (request) => insights.fleet(request.query.range, ownerScope(requireActor(request))),
  );
}
