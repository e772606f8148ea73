// The one place where errors become HTTP answers: {"error":{"code","message","details"}}, with the
// status of the error's kind. Framework refusals keep their 4xx status; unknown errors are logged
// with their stack and answered 500 with a generic message. The checks at the API's edges are in
// method-table.ts and body-checks.ts; the documented answers of each route in error-docs.ts.
import type { ErrorCode } from '@storefleet/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type ErrorKind } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code of the answer, for the audit trail. */
    errorCode?: string;
  }
}

import { ACCEPTED_BODIES, UNSUPPORTED_BODY_MESSAGE } from './accepted-bodies.ts';
import { registerBodyChecks } from './body-checks.ts';
import { registerMethodTable } from './method-table.ts';

/** The HTTP status of each kind of error. */
export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  limit: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  upstream: 502,
  unavailable: 503,
};

const FASTIFY_ERRORS: Record<
  string,
  { status: number; code: ErrorCode; message: string; details?: unknown }
> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'BODY_TOO_LARGE',
    message: 'The request body is too large.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: UNSUPPORTED_BODY_MESSAGE,
    details: { accepted: ACCEPTED_BODIES },
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
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'INVALID_INPUT',
    message: 'The request path is not valid percent-encoded UTF-8.',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 404,
    code: 'NOT_FOUND',
    message: 'No such resource: a path segment is too long.',
  },
};

/** The code of a framework refusal known only by its status. */
function codeOfStatus(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 429) return 'RATE_LIMITED';
  return 'INVALID_INPUT';
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  message: string,
  details?: unknown,
) {
  request.errorCode = code;
  return reply
    .status(status)
    .type('application/json; charset=utf-8')
    .send({ error: details === undefined ? { code, message } : { code, message, details } });
}

/** Answers a thrown error; also the handler of errors Fastify raises before routing (bad URLs). */
function answerError(error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    return sendError(request, reply, STATUS_OF_KIND[error.kind], error.code, error.message, error.details);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => ({
      where: `${error.validationContext ?? 'body'}${issue.instancePath ? issue.instancePath.replaceAll('/', '.') : ''}`,
      message: issue.message,
    }));
    const summary = issues.map((issue) => `${issue.where}: ${issue.message}`).join('; ');
    return sendError(request, reply, 400, 'INVALID_INPUT', `Invalid request: ${summary}`, { issues });
  }
  const fastifyCode = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const known = fastifyCode === undefined ? undefined : FASTIFY_ERRORS[fastifyCode];
  if (known) return sendError(request, reply, known.status, known.code, known.message, known.details);
  // Any other refusal of the framework or a plugin (4xx) is the client's: it keeps its status.
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    request.log.info({ err: error }, 'request refused by the framework');
    return sendError(
      request,
      reply,
      status,
      codeOfStatus(status),
      `The request was refused: ${error.message}`,
    );
  }
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
}

/** Fastify's `frameworkErrors` option: errors raised before a route is found (bad URL encoding). */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return answerError(error, request, reply);
}

export function registerErrorHandling(app: FastifyInstance, options: { spaIndex: boolean }): void {
  app.setErrorHandler(answerError);

  registerMethodTable(app);
  registerBodyChecks(app);

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // Client-side routes of the dashboard (e.g. /stores/<id>) all load its index page.
    const isPage =
      request.method === 'GET' && !path.startsWith('/api/') && request.headers.accept?.includes('text/html');
    if (options.spaIndex && isPage) return reply.type('text/html').sendFile('index.html');
    return sendError(request, reply, 404, 'NOT_FOUND', `No route for ${request.method} ${path}.`);
  });
}
