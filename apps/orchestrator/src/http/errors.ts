// The one place where errors become HTTP answers: {"error":{"code","message","details"}}, with the
// status of the error's kind. Framework refusals keep their 4xx status; unknown errors are logged
// with their stack and answered 500 with a generic message. Also here: what the API accepts at its
// edges (methods per path, URL encoding, body media type, charset and encoding, JSON keys, text).
import { type ErrorCode, NO_CONTROL_CHARACTERS } from '@storefleet/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, type ErrorKind } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code of the answer, for the audit trail. */
    errorCode?: string;
  }
}

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

/** What the API accepts as a request body, named in every 415 answer. */
export const ACCEPTED_BODIES = {
  contentTypes: ['application/json'],
  charsets: ['utf-8'],
  encodings: ['identity'],
};
const UNSUPPORTED_BODY_MESSAGE =
  'Send the request body as JSON: Content-Type application/json, charset utf-8 (or none), without Content-Encoding (identity only).';

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

/** The routes served, for `Allow` and 405 on a path served with other methods. */
class RouteTable {
  private readonly routes: { pattern: RegExp; methods: Set<string>; api: boolean }[] = [];

  add(url: string, methods: string[]): void {
    if (url === '*') return; // CORS preflight catch-all
    const source = url
      .split('/')
      .map((segment) =>
        segment.startsWith(':')
          ? '[^/]+'
          : segment === '*'
            ? '.*'
            : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    const pattern = new RegExp(`^${source}$`);
    const existing = this.routes.find((route) => route.pattern.source === pattern.source);
    if (existing) for (const method of methods) existing.methods.add(method);
    else this.routes.push({ pattern, methods: new Set(methods), api: !url.includes('*') });
  }

  /** The methods served at `path`, or none when no route matches it. API paths never match the files' catch-all. */
  allowed(path: string): string[] {
    const isApi = path.startsWith('/api/');
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (isApi && !route.api) continue;
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}

/** Keys that could reach an object's prototype when a body is merged into another object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** The first text in `value` (keys included) that the API refuses, with where it is and why. */
function refusedText(value: unknown, where: string): { where: string; problem: string } | undefined {
  const check = (text: string, at: string) => {
    if (!text.isWellFormed())
      return { where: at, problem: 'contains a lone surrogate (not valid Unicode text)' };
    if (!NO_CONTROL_CHARACTERS.test(text)) return { where: at, problem: 'contains a control character' };
    return undefined;
  };
  if (typeof value === 'string') return check(value, where);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = refusedText(item, `${where}.${index}`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = check(key, `${where} (a key)`) ?? refusedText(item, `${where}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** The path to a key like `__proto__` anywhere in a parsed JSON value. */
function prototypeKey(value: unknown, where: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (PROTOTYPE_KEYS.has(key)) return `${where}.${key}`;
    const found = prototypeKey(item, `${where}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** `charset` of a Content-Type, lower-cased, if it names one. */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

export function registerErrorHandling(app: FastifyInstance, options: { spaIndex: boolean }): void {
  const routes = new RouteTable();
  app.addHook('onRoute', (route) => {
    routes.add(route.url, Array.isArray(route.method) ? route.method : [route.method]);
  });
  app.setErrorHandler(answerError);

  // A method the path is not served with: 405 with Allow, before anything else looks at the request.
  // An API path reached only through the dashboard's catch-all (GET /*) counts as unserved too.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const viaFiles = path.startsWith('/api/') && request.routeOptions.url === '/*';
    if (!request.is404 && !viaFiles) return;
    const allowed = routes.allowed(path);
    if (allowed.length === 0 || allowed.includes(request.method)) return;
    reply.header('allow', allowed.join(', '));
    return sendError(
      request,
      reply,
      405,
      'METHOD_NOT_ALLOWED',
      `${request.method} is not served at ${path}; it answers ${allowed.join(', ')}.`,
      { allowed },
    );
  });

  // Bodies the API cannot read as JSON are refused before parsing, naming what it accepts.
  app.addHook('preParsing', async (request, reply, payload) => {
    if (!hasBody(request)) return payload;
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    const charset = charsetOf(request.headers['content-type'] ?? '');
    const badEncoding = encoding !== undefined && encoding !== '' && encoding !== 'identity';
    const badCharset = charset !== undefined && charset !== 'utf-8' && charset !== 'utf8';
    if (badEncoding || badCharset) {
      const what = badEncoding ? `Content-Encoding ${encoding}` : `charset ${charset}`;
      await sendError(
        request,
        reply,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `${what} is not accepted. ${UNSUPPORTED_BODY_MESSAGE}`,
        {
          accepted: ACCEPTED_BODIES,
        },
      );
    }
    return payload;
  });

  // JSON bodies: parsed as UTF-8, with keys that could reach a prototype refused in words.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim().length === 0)
      return done(new AppError('INVALID_INPUT', 'The JSON request body is empty.', 'validation'));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return done(
        new AppError(
          'INVALID_INPUT',
          `The request body is not valid JSON: ${(error as Error).message}`,
          'validation',
        ),
      );
    }
    const dangerous = prototypeKey(parsed, 'body');
    if (dangerous) {
      return done(
        new AppError(
          'INVALID_INPUT',
          `The request body has the key "${dangerous.split('.').at(-1)}" (at ${dangerous}); keys named __proto__, constructor or prototype are refused because they could change how objects behave.`,
          'validation',
          { where: dangerous },
        ),
      );
    }
    done(null, parsed);
  });

  // Text anywhere in a request (body, query, path parameters) must be valid Unicode without control
  // characters. After validation, so that such requests count against the rate limits too.
  app.addHook('preHandler', async (request) => {
    const found =
      refusedText(request.body, 'body') ??
      refusedText(request.query, 'querystring') ??
      refusedText(request.params, 'params');
    if (found) {
      throw new AppError('INVALID_INPUT', `Invalid request: ${found.where} ${found.problem}.`, 'validation', {
        issues: [{ where: found.where, message: found.problem }],
      });
    }
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

const MEANING: Record<number, string> = {
  400: 'The request is malformed or breaks a rule',
  401: 'No identity, or an unknown one',
  403: 'Not allowed, or a limit is reached',
  404: 'Not found (or not yours)',
  409: 'Does not fit the current state',
  413: 'The body is larger than BODY_LIMIT_BYTES',
  415: `The body is not JSON in UTF-8 without Content-Encoding (accepted: ${ACCEPTED_BODIES.contentTypes.join(', ')})`,
  429: 'Too many requests; see Retry-After',
  502: 'The Kubernetes cluster refused or failed the request; details.reason has its reason',
  503: 'No Kubernetes cluster is configured, or it does not answer; the message says what to set or check',
};

/** The documented schema of one error status: the error shape with exactly the codes it may carry. */
function errorSchema(status: number, codes: ErrorCode[]) {
  return z
    .object({
      error: z.object({
        code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
        message: z.string(),
        details: z.unknown().optional(),
      }),
    })
    .describe(`${MEANING[status] ?? 'Error'}: ${codes.join(', ')}.`);
}

export interface RouteErrors {
  /** Who may call: anyone, a signed-in user, or an admin. */
  access: 'public' | 'user' | 'admin';
  /** A change (POST/PUT/PATCH/DELETE): may carry a body, is rate-limited and needs the CSRF token with a cookie. */
  change?: boolean;
  /** The path names a resource that may not exist. */
  params?: boolean;
  /** The route reads the cluster. */
  cluster?: boolean;
  /** Further codes by status. */
  codes?: Partial<Record<400 | 401 | 403 | 404 | 409 | 429, ErrorCode[]>>;
}

/** Every error status a route can answer, each with its codes, for its response schema (and the OpenAPI document). */
export function errorResponses(route: RouteErrors) {
  const codes = new Map<number, ErrorCode[]>();
  const add = (status: number, ...more: ErrorCode[]) => {
    const list = codes.get(status) ?? [];
    for (const code of more) if (!list.includes(code)) list.push(code);
    codes.set(status, list);
  };
  add(400, 'INVALID_INPUT');
  // A token that is unknown is refused on every route, public ones included.
  add(401, ...(route.access === 'public' ? [] : (['AUTHENTICATION_REQUIRED'] as const)), 'INVALID_TOKEN');
  if (route.access === 'admin') add(403, 'FORBIDDEN');
  if (route.change) {
    if (route.access !== 'public') add(403, 'CSRF_TOKEN_INVALID');
    add(413, 'BODY_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE');
    add(429, 'RATE_LIMITED');
  }
  if (route.params) add(404, 'NOT_FOUND');
  if (route.cluster) {
    add(502, 'CLUSTER_REQUEST_FAILED');
    add(503, 'CLUSTER_UNAVAILABLE');
  }
  for (const [status, more] of Object.entries(route.codes ?? {})) add(Number(status), ...(more ?? []));
  return Object.fromEntries(
    [...codes].sort(([a], [b]) => a - b).map(([status, list]) => [status, errorSchema(status, list)]),
  );
}
