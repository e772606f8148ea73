// The Kubernetes API as the cluster admin (the admin client certificate), for the few calls `up` and
// `down` make themselves. Tests and the orchestrator use the kubeconfig instead.
import { readFile } from 'node:fs/promises';
import { request, type TlsMaterial } from './http.ts';
import type { ClusterLayout } from './layout.ts';

export interface AdminApi {
  server: string;
  tls: TlsMaterial;
}

export async function adminApi(layout: ClusterLayout, server: string): Promise<AdminApi> {
  const [ca, cert, key] = await Promise.all(
    ['ca.crt', 'admin.crt', 'admin.key'].map((name) => readFile(layout.pkiFile(name), 'utf8')),
  );
  return { server, tls: { ca: ca!, cert: cert!, key: key! } };
}

export class ApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export async function callApi<T = unknown>(
  api: AdminApi,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await request(`${api.server}${path}`, { method, body, tls: api.tls, timeoutMs: 10_000 });
  if (response.status < 200 || response.status >= 300) {
    let message = response.body.slice(0, 300);
    try {
      message = (JSON.parse(response.body) as { message?: string }).message ?? message;
    } catch {}
    throw new ApiError(`${method} ${path}: ${response.status} ${message}`, response.status);
  }
  return JSON.parse(response.body) as T;
}

/** Creates the object unless it already exists. */
export async function createIfAbsent(api: AdminApi, collectionPath: string, object: unknown): Promise<void> {
  try {
    await callApi(api, 'POST', collectionPath, object);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
  }
}
