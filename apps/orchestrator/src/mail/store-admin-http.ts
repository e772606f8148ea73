// JSON requests to a store's own admin API, sent to the ingress controller with the store's Host, as
// a browser would reach the store: the orchestrator needs no route into store namespaces.
import { request } from 'node:http';

export interface AdminAnswer {
  status: number;
  body: unknown;
}

export class StoreUnreachableError extends Error {}

const MAX_ANSWER_BYTES = 1024 * 1024;

export class StoreAdminHttp {
  private readonly ingress: URL;

  constructor(ingressUrl: string) {
    this.ingress = new URL(ingressUrl);
  }

  send(
    host: string,
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; token?: string; signal: AbortSignal; timeoutMs: number },
  ): Promise<AdminAnswer> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          hostname: this.ingress.hostname,
          port: this.ingress.port || 80,
          path,
          method,
          headers: {
            host,
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          signal: options.signal,
          timeout: options.timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES)
              response.destroy(new StoreUnreachableError(`${host} answered too much`));
            else chunks.push(chunk);
          });
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : null;
            } catch {
              // Not JSON (a proxy's error page): the caller reports the status.
            }
            resolve({ status: response.statusCode ?? 0, body });
          });
          response.on('error', (error) => reject(new StoreUnreachableError(error.message)));
        },
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(new StoreUnreachableError(`${host} did not answer ${method} ${path} in time`)),
      );
      outgoing.on('error', (error) =>
        reject(
          error instanceof StoreUnreachableError || options.signal.aborted
            ? error
            : new StoreUnreachableError(error.message),
        ),
      );
      outgoing.end(payload);
    });
  }
}
