// What visitors of a store get through the ingress: the orchestrator asks the ingress controller for
// the store's host, as a browser would, so that "Asleep" means the asleep page is what visitors get
// and "Ready" after a wake means the storefront serves. The platform's own pages (asleep, waking, no
// store) carry `x-storefleet-page`; a store's own answer never does.
import { request } from 'node:http';
import { sleep } from '../sleep.ts';

export const PLATFORM_PAGE_HEADER = 'x-storefleet-page';

export type StorePage = 'asleep' | 'waking' | 'closed' | 'missing';

export interface IngressAnswer {
  status: number;
  /** Which platform page answered; null when the store's own workloads did. */
  platformPage: string | null;
  /** The answer's Content-Type header; null without one. */
  contentType: string | null;
}

/**
 * Whether the store's own app answered: a success that is not a platform page and, where the engine
 * says what its app answers with, of that type. Medusa's storefront answers every path with its page
 * (200, HTML), so until the ingress routes the app's paths it would pass for the app.
 */
export function servesStore(answer: IngressAnswer, contentType?: string): boolean {
  if (answer.platformPage !== null || answer.status < 200 || answer.status >= 400) return false;
  return !contentType || (answer.contentType ?? '').split(';')[0]?.trim().toLowerCase() === contentType;
}

export interface StoreProbe {
  /** One request for `path` on `host` through the ingress. */
  ask(host: string, path: string, signal: AbortSignal): Promise<IngressAnswer>;
}

/** Asks the ingress controller at `ingressUrl` (e.g. http://127.0.0.1:8081), with the store's Host. */
export class HttpStoreProbe implements StoreProbe {
  private readonly ingress: URL;

  constructor(ingressUrl: string) {
    this.ingress = new URL(ingressUrl);
  }

  ask(host: string, path: string, signal: AbortSignal): Promise<IngressAnswer> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          hostname: this.ingress.hostname,
          port: this.ingress.port || 80,
          path,
          method: 'GET',
          headers: { host, accept: 'application/json, text/html' },
          signal,
          timeout: 5000,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            const page = response.headers[PLATFORM_PAGE_HEADER];
            resolve({
              status: response.statusCode ?? 0,
              platformPage: typeof page === 'string' ? page : null,
              contentType: response.headers['content-type'] ?? null,
            });
          });
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(new Error(`the ingress did not answer for ${host}${path}`)),
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
  }
}

/**
 * Asks until `satisfied` holds for an answer, every `intervalMs`, until `signal` aborts. The default
 * is short: a store's Ready waits on this answer once its pods are ready, and one local request
 * through the ingress costs a few milliseconds.
 */
export async function askUntil(
  probe: StoreProbe,
  host: string,
  path: string,
  satisfied: (answer: IngressAnswer) => boolean,
  signal: AbortSignal,
  intervalMs = 200,
): Promise<IngressAnswer> {
  for (;;) {
    signal.throwIfAborted();
    const answer = await probe.ask(host, path, signal).catch((error: unknown) => {
      if (signal.aborted) throw signal.reason;
      return { status: 0, platformPage: null, contentType: null, error } as IngressAnswer;
    });
    if (satisfied(answer)) return answer;
    await sleep(intervalMs, signal);
  }
}
