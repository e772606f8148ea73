// Every mutating call leaves an audit row, whatever its outcome (refused and failed calls included).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { type AuditOutcome, AuditRepository } from '../db/audit-repository.ts';
import type { Database } from '../db/database.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the call acted on (a store id), when known; set by the handler for creations. */
    auditTarget?: string;
  }
  interface FastifyContextConfig {
    /** Audit action name, e.g. "store.create". */
    auditAction?: string;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function registerAudit(app: FastifyInstance, database: Database, logger: Logger): void {
  const audit = new AuditRepository(database.db);
  app.addHook('onResponse', async (request, reply) => {
    if (!MUTATING.has(request.method)) return;
    const status = reply.statusCode;
    const outcome: AuditOutcome = status < 400 ? 'success' : status < 500 ? 'denied' : 'error';
    const entry = {
      actor: request.actor?.email ?? 'anonymous',
      actorId: request.actor?.userId ?? null,
      ip: request.ip,
      userAgent: truncate(request.headers['user-agent']),
      action:
        request.routeOptions.config.auditAction ??
        `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
      target: request.auditTarget ?? targetFromParams(request),
      outcome,
      statusCode: status,
      reason: request.errorCode ?? null,
    };
    try {
      await audit.append(entry);
      logger.info({ audit: entry }, 'audit');
    } catch (error) {
      logger.error({ err: error, audit: entry }, 'could not write the audit row');
    }
  });
}

function targetFromParams(request: FastifyRequest): string | null {
  const params = request.params as Record<string, unknown> | undefined;
  return typeof params?.id === 'string' ? params.id : null;
}

function truncate(value: string | undefined): string | null {
  return value === undefined ? null : value.slice(0, 300);
}
