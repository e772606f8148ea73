// Builds the HTTP application: security headers, CORS, identity and rate limits, validation,
// errors, audit, OpenAPI, the dashboard and the routes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
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
import { CSRF_HEADER, registerAuth } from './auth.ts';
import type { App, AuthSettings, HttpContext, Services } from './context.ts';
import { frameworkErrors, registerErrorHandling } from './errors.ts';
import type { PresentationSettings } from './presenters.ts';
import { authRoutes } from './routes/auth.ts';
import { bucketBackupRoutes } from './routes/bucket-backups.ts';
import { domainRoutes } from './routes/domains.ts';
import { eventRoutes } from './routes/events.ts';
import { fleetRoutes } from './routes/fleet.ts';
import { insightRoutes } from './routes/insights.ts';
import { mailRoutes } from './routes/mail.ts';
import { platformRoutes } from './routes/platform.ts';
import { storeOperationRoutes } from './routes/store-operations.ts';
import { storeReleaseRoutes } from './routes/store-releases.ts';
import { storeRoutes } from './routes/stores.ts';
import { registerStoreHostPages } from './store-host-pages.ts';

export interface HttpOptions {
  logger: Logger;
  bodyLimitBytes: number;
  presentation: PresentationSettings;
  environment: 'local' | 'production';
  auth: AuthSettings;
  /** The built dashboard; served at / when it holds an index.html. */
  dashboardDir?: string;
}

export async function buildHttpApp(services: Services, options: HttpOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    // Live event streams never go idle; without this, shutdown would wait for every browser to leave.
    forceCloseConnections: true,
    // Behind an ingress the client address is in X-Forwarded-For; rate limits and audit need it.
    trustProxy: options.environment === 'production',
    // Errors raised before routing (a path that is not valid percent-encoding) get the API's error shape.
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only; anything else is answered 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: options.environment === 'production',
  });
  await app.register(fastifyCors, {
    origin: options.auth.corsOrigins.length > 0 ? options.auth.corsOrigins : false,
    credentials: true,
    allowedHeaders: ['content-type', 'authorization', 'idempotency-key', CSRF_HEADER],
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Storefleet API',
        version: '0.1.0',
        description: 'Provision, watch and delete e-commerce stores on Kubernetes.',
      },
      components: {
        securitySchemes: {
          token: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A personal API token (sf_…) from POST /api/tokens; the scheme name is case-insensitive.',
          },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'sf_session',
            description:
              'The session cookie set by sign-in; changes made with it must send the X-CSRF-Token header from GET /api/auth/session.',
          },
        },
      },
      // Either one; routes that anyone may call say `security: []`.
      security: [{ token: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });

  const dashboardDir = options.dashboardDir;
  const dashboard = dashboardDir !== undefined && existsSync(join(dashboardDir, 'index.html'));
  if (dashboard) await app.register(fastifyStatic, { root: dashboardDir, prefix: '/' });
  registerErrorHandling(app, { spaIndex: dashboard });
  registerStoreHostPages(app, services, options.presentation.baseDomain);
  registerAudit(app, services.database, options.logger);
  await registerAuth(app, {
    accounts: services.accounts,
    limiter: services.limiter,
    rateLimit: options.auth.rateLimit,
    secureCookies: options.auth.secureCookies,
  });

  const context: HttpContext = {
    app,
    services,
    presentation: options.presentation,
    environment: options.environment,
    auth: options.auth,
  };
  authRoutes(context);
  storeRoutes(context);
  storeReleaseRoutes(context);
  storeOperationRoutes(context);
  bucketBackupRoutes(context);
  platformRoutes(context);
  eventRoutes(context);
  fleetRoutes(context);
  insightRoutes(context);
  domainRoutes(context);
  mailRoutes(context);
  await app.ready();
  return app;
}
