import { Health, PlatformInfo, PlatformMetrics } from '@storefleet/contracts';
import { platformMetrics } from '../../app/platform-stats.ts';
import { ownerScope } from '../../domain/actor.ts';
import { requireActor } from '../auth.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from '../error-docs.ts';

export function platformRoutes({ app, services, environment }: HttpContext): void {
  const { database, queue, metrics, cluster, mailInfo } = services;

  app.get('/healthz', { schema: { hide: true, response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    checks: { process: 'ok' },
  }));

  app.get(
    '/readyz',
    { schema: { hide: true, response: { 200: Health, 503: Health } } },
    async (request, reply) => {
      try {
        await database.ping();
        return { status: 'ok' as const, checks: { database: 'ok' } };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check: database unreachable');
        return reply
          .status(503)
          .send({ status: 'unavailable' as const, checks: { database: 'unreachable' } });
      }
    },
  );

  app.get(
    '/api/platform',
    {
      schema: {
        summary: 'Environment and cluster of this platform',
        tags: ['platform'],
        security: [],
        response: { 200: PlatformInfo, ...errorResponses({ access: 'public' }) },
      },
    },
    async () => ({ environment, cluster: cluster.info(), engines: cluster.engines(), mail: mailInfo }),
  );

  app.get(
    '/api/metrics',
    {
      schema: {
        summary: 'Store counts, totals and provisioning times',
        tags: ['platform'],
        response: { 200: PlatformMetrics, ...errorResponses({ access: 'user' }) },
      },
    },
    async (request) => platformMetrics(database.db, queue, ownerScope(requireActor(request))),
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
