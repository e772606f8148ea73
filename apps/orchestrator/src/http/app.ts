// Builds the HTTP application: validation, errors, audit, OpenAPI and the routes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { registerAudit } from './audit.ts';
import type { App, HttpContext, Services } from './context.ts';
import { registerErrorHandling } from './errors.ts';
import type { PresentationSettings } from './presenters.ts';
import { eventRoutes } from './routes/events.ts';
import { platformRoutes } from './routes/platform.ts';
import { storeRoutes } from './routes/stores.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts for. Until accounts exist, every request acts for the single local user. */
    ownerId: string;
  }
}

export const LOCAL_OWNER_ID = 'local';

export interface HttpOptions {
  logger: Logger;
  bodyLimitBytes: number;
  presentation: PresentationSettings;
  environment: 'local' | 'production';
  /** The built dashboard; served at / when it holds an index.html. */
  dashboardDir?: string;
}

export async function buildHttpApp(services: Services, options: HttpOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    // Live event streams never go idle; without this, shutdown would wait for every browser to leave.
    forceCloseConnections: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('ownerId', LOCAL_OWNER_ID);
  // The API speaks JSON only; anything else is answered 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Storefleet API',
        version: '0.1.0',
        description: 'Provision, watch and delete e-commerce stores on Kubernetes.',
      },
    },
    transform: jsonSchemaTransform,
  });

  const dashboardDir = options.dashboardDir;
  const dashboard = dashboardDir !== undefined && existsSync(join(dashboardDir, 'index.html'));
  if (dashboard) await app.register(fastifyStatic, { root: dashboardDir, prefix: '/' });
  registerErrorHandling(app, { spaIndex: dashboard });
  registerAudit(app, services.database, options.logger);

  const context: HttpContext = {
    app,
    services,
    presentation: options.presentation,
    environment: options.environment,
  };
  storeRoutes(context);
  platformRoutes(context);
  eventRoutes(context);
  await app.ready();
  return app;
}
