// The documented error answers of each route: every status it may answer, each with exactly the codes
// it may carry, for its response schema and so the OpenAPI document.
import type { ErrorCode } from '@storefleet/contracts';
import { z } from 'zod';
import { ACCEPTED_BODIES } from './accepted-bodies.ts';

const MEANING: Record<number, string> = {
  400: 'The request is malformed or breaks a rule',
  401: 'No identity, or an unknown one',
  403: 'Not allowed, or a limit is reached',
  404: 'Not found (or not yours)',
  409: 'Does not fit the current state',
  413: 'The body is larger than BODY_LIMIT_BYTES',
  415: `The body is not JSON in UTF-8 without Content-Encoding (accepted: ${ACCEPTED_BODIES.contentTypes.join(', ')})`,
  429: 'Too many requests; see Retry-After',
  502: 'The Kubernetes cluster (or the store) refused or failed the request; details has the reason',
  503: 'The Kubernetes cluster (or the store, or the mail catcher) is not configured or does not answer; the message says what to set or check',
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
  codes?: Partial<Record<400 | 401 | 403 | 404 | 409 | 429 | 502 | 503, readonly ErrorCode[]>>;
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
