// The typed API client: every response is parsed with the schema from @storefleet/contracts, and
// every error answer ({error:{code,message,details}}) becomes an ApiRequestError with the API's words.
import {
  ActivityList,
  ApiError,
  ApiToken,
  AuditList,
  Backup,
  BackupList,
  BackupSchedule,
  type CreateApiTokenRequest,
  CreatedApiToken,
  type CreateStoreRequest,
  type Credentials,
  type ErrorCode,
  FleetInsights,
  FleetUpgrade,
  type InsightRange,
  type ListAuditQuery,
  PlatformInfo,
  PlatformMetrics,
  ReleaseHistory,
  type RestoreStoreRequest,
  type RollbackStoreRequest,
  SessionInfo,
  type SetBackupScheduleRequest,
  type StartFleetUpgradeRequest,
  Store,
  StoreCredentials,
  StoreInsights,
  StoreList,
  StoreResources,
  type UpgradeStoreRequest,
} from '@storefleet/contracts';
import { z } from 'zod';

/** Failures the client itself names: no answer, an answer without the error shape, an unexpected body. */
export type ClientErrorCode = 'NETWORK' | 'HTTP_ERROR' | 'UNEXPECTED_RESPONSE';

export class ApiRequestError extends Error {
  readonly status: number;
  /** One of the contract's ERROR_CODES, or a failure of the client's own. */
  readonly code: ErrorCode | ClientErrorCode;
  readonly details: unknown;

  constructor(status: number, code: ErrorCode | ClientErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The signed-in session's CSRF token: every change made with the session cookie must carry it. */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export async function request<S extends z.ZodType>(
  path: string,
  schema: S,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<z.infer<S>> {
  const method = init.method ?? 'GET';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method !== 'GET' && csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ApiRequestError(0, 'NETWORK', 'The Storefleet API cannot be reached. Check your connection.');
  }
  const body: unknown = response.status === 204 ? null : await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = ApiError.safeParse(body);
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      throw new ApiRequestError(response.status, code, message, details);
    }
    throw new ApiRequestError(
      response.status,
      'HTTP_ERROR',
      `The API answered ${response.status} ${response.statusText}`.trim(),
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiRequestError(
      response.status,
      'UNEXPECTED_RESPONSE',
      `The API's answer to ${path} does not have the expected shape.`,
      parsed.error.issues,
    );
  }
  return parsed.data;
}

const storePath = (id: string) => `/api/stores/${encodeURIComponent(id)}`;

/** What the audit trail can be narrowed to; each filter matches exactly. */
export type AuditFilters = Pick<ListAuditQuery, 'actor' | 'action' | 'outcome' | 'target'>;

/** A session answer also hands over the CSRF token for the changes that follow. */
async function withSession(answer: Promise<SessionInfo>): Promise<SessionInfo> {
  const info = await answer;
  setCsrfToken(info.csrfToken);
  return info;
}

/** True for the answer the API gives when no one is signed in (or the session ended). */
export const isSignedOut = (error: unknown) =>
  error instanceof ApiRequestError && error.code === 'AUTHENTICATION_REQUIRED';

export const api = {
  /** The signed-in session, or null when no one is signed in. */
  session: async (): Promise<SessionInfo | null> => {
    try {
      return await withSession(request('/api/auth/session', SessionInfo));
    } catch (error) {
      if (isSignedOut(error)) return null;
      throw error;
    }
  },
  signIn: (body: Credentials) =>
    withSession(request('/api/auth/signin', SessionInfo, { method: 'POST', body })),
  signUp: (body: Credentials) =>
    withSession(request('/api/auth/signup', SessionInfo, { method: 'POST', body })),
  signOut: async () => {
    await request('/api/auth/signout', z.null(), { method: 'POST', body: {} });
    setCsrfToken(null);
  },
  listStores: (query: { cursor?: string; limit?: number } = {}, signal?: AbortSignal) => {
    const params = new URLSearchParams({ limit: String(query.limit ?? 50) });
    if (query.cursor) params.set('cursor', query.cursor);
    return request(`/api/stores?${params}`, StoreList, { ...(signal ? { signal } : {}) });
  },
  getStore: (id: string, signal?: AbortSignal) =>
    request(storePath(id), Store, { ...(signal ? { signal } : {}) }),
  createStore: (body: CreateStoreRequest) => request('/api/stores', Store, { method: 'POST', body }),
  deleteStore: (id: string) => request(storePath(id), Store, { method: 'DELETE' }),
  retryStore: (id: string) => request(`${storePath(id)}/retry`, Store, { method: 'POST', body: {} }),
  upgradeStore: (id: string, body: UpgradeStoreRequest) =>
    request(`${storePath(id)}/upgrade`, Store, { method: 'POST', body }),
  rollbackStore: (id: string, body: RollbackStoreRequest) =>
    request(`${storePath(id)}/rollback`, Store, { method: 'POST', body }),
  storeHistory: (id: string) => request(`${storePath(id)}/history`, ReleaseHistory),
  storeResources: (id: string) => request(`${storePath(id)}/resources`, StoreResources),
  storeActivity: (id: string) => request(`${storePath(id)}/activity?limit=50`, ActivityList),
  /** Sleep, wake and a manual backup take no body. */
  sleepStore: (id: string) => request(`${storePath(id)}/sleep`, Store, { method: 'POST' }),
  wakeStore: (id: string) => request(`${storePath(id)}/wake`, Store, { method: 'POST' }),
  restoreStore: (id: string, body: RestoreStoreRequest) =>
    request(`${storePath(id)}/restore`, Store, { method: 'POST', body }),
  storeBackups: (id: string) => request(`${storePath(id)}/backups`, BackupList),
  createBackup: (id: string) => request(`${storePath(id)}/backups`, Backup, { method: 'POST' }),
  deleteBackup: (id: string, backupId: string) =>
    request(`${storePath(id)}/backups/${encodeURIComponent(backupId)}`, z.null(), { method: 'DELETE' }),
  setBackupSchedule: (id: string, body: SetBackupScheduleRequest) =>
    request(`${storePath(id)}/backup-schedule`, BackupSchedule, { method: 'PUT', body }),
  revealCredentials: (id: string) =>
    request(`${storePath(id)}/credentials`, StoreCredentials, { method: 'POST', body: {} }),
  activity: (limit = 30) => request(`/api/activity?limit=${limit}`, ActivityList),
  fleetUpgrades: () => request('/api/fleet/upgrade', z.object({ items: z.array(FleetUpgrade) })),
  startFleetUpgrade: (body: StartFleetUpgradeRequest) =>
    request('/api/fleet/upgrade', FleetUpgrade, { method: 'POST', body }),
  apiTokens: () => request('/api/tokens', z.object({ items: z.array(ApiToken) })),
  createApiToken: (body: CreateApiTokenRequest) =>
    request('/api/tokens', CreatedApiToken, { method: 'POST', body }),
  revokeApiToken: (id: string) =>
    request(`/api/tokens/${encodeURIComponent(id)}`, z.null(), { method: 'DELETE' }),
  audit: (query: AuditFilters & { cursor?: string; limit?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams({ limit: String(query.limit ?? 50) });
    for (const name of ['actor', 'action', 'outcome', 'target', 'cursor'] as const) {
      const value = query[name];
      if (value) params.set(name, value);
    }
    return request(`/api/audit?${params}`, AuditList, { ...(signal ? { signal } : {}) });
  },
  metrics: () => request('/api/metrics', PlatformMetrics),
  storeInsights: (id: string, range: InsightRange) =>
    request(`${storePath(id)}/insights?range=${range}`, StoreInsights),
  fleetInsights: (range: InsightRange) => request(`/api/insights?range=${range}`, FleetInsights),
  platform: () => request('/api/platform', PlatformInfo),
};

/** The API's own words about one input (e.g. "body.name") of a request it refused as invalid. */
export function inputIssue(error: unknown, where: string): string | undefined {
  if (!(error instanceof ApiRequestError) || error.code !== 'INVALID_INPUT') return undefined;
  const issues = (error.details as { issues?: { where: string; message: string }[] } | undefined)?.issues;
  return issues?.find((issue) => issue.where.startsWith(where))?.message;
}

/** The message to show a person for any error a query or mutation ended with. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiRequestError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
