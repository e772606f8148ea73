// The one place where errors become HTTP answers: {"error":{"code","message","details"}}.
// Unknown errors are logged with their stack and answered with a generic message.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code of the answer, for the audit trail. */
    errorCode?: string;
  }
}

const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'BODY_TOO_LARGE',
    message: 'The request body is too large.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the request body as application/json.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'INVALID_INPUT',
    message: 'The JSON request body is empty.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'INVALID_INPUT',
    message: 'The request body is not valid JSON.',
  },
};

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details?: unknown,
) {
  request.errorCode = code;
  return reply
    .status(status)
    .send({ error: details === undefined ? { code, message } : { code, message, details } });
}

export function registerErrorHandling(app: FastifyInstance, options: { spaIndex: boolean }): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      return sendError(request, reply, error.status, error.code, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((issue) => ({
        where: `${error.validationContext ?? 'body'}${issue.instancePath ? issue.instancePath.replaceAll('/', '.') : ''}`,
        message: issue.message,
      }));
      const summary = issues.map((issue) => `${issue.where}: ${issue.message}`).join('; ');
      return sendError(request, reply, 400, 'INVALID_INPUT', `Invalid request: ${summary}`, { issues });
    }
    const known = 'code' in error && typeof error.code === 'string' ? FASTIFY_ERRORS[error.code] : undefined;
    if (known) return sendError(request, reply, known.status, known.code, known.message);
    if (isResponseSerializationError(error))
      request.log.error({ err: error }, 'response did not match its schema');
    else request.log.error({ err: error }, 'unhandled error');
    return sendError(
      request,
      reply,
      500,
      'INTERNAL',
      'Something went wrong on our side; the error has been logged.',
    );
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // Client-side routes of the dashboard (e.g. /stores/<id>) all load its index page.
    const isPage =
      request.method === 'GET' && !path.startsWith('/api/') && request.headers.accept?.includes('text/html');
    if (options.spaIndex && isPage) return reply.type('text/html').sendFile('index.html');
    return sendError(request, reply, 404, 'NOT_FOUND', `No route for ${request.method} ${path}.`);
  });
}
