// Kubernetes API and helm failures as ClusterErrors: a stable code, words for people, and whether
// trying again may help.
import { ApiException } from '@kubernetes/client-node';
import { HelmError } from './helm-cli.ts';
import { ClusterError } from './port.ts';

export function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

/**
 * What to throw when a call made under `signal` failed: the abort reason once the signal has fired
 * (the failure is then only its echo), else the failure as a ClusterError.
 */
export function apiFailure(error: unknown, action: string, server: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  return apiError(error, action, server);
}

/** A Kubernetes API failure in words, retryable unless the server refused for good. */
export function apiError(error: unknown, action: string, server: string): ClusterError {
  if (error instanceof ClusterError) return error;
  if (error instanceof ApiException) {
    const body =
      typeof error.body === 'string'
        ? safeJson(error.body)
        : (error.body as { message?: string } | undefined);
    const message = body?.message ?? error.message;
    const code = error.code;
    const reason =
      code === 403
        ? 'Forbidden'
        : code === 422
          ? 'Invalid'
          : code === 401
            ? 'Unauthorized'
            : 'KubernetesApiError';
    return new ClusterError(reason, `Could not ${action}: ${message}`, {
      retryable: code >= 500 || code === 409 || code === 429,
    });
  }
  return unreachable(error, action, server);
}

/** Why the API server could not be reached, as far as the network error tells. */
export type UnreachableReason =
  | 'ConnectionRefused'
  | 'Timeout'
  | 'NameNotResolved'
  | 'ConnectionReset'
  | 'Unknown';

/**
 * The API server did not answer. The code stays `ClusterUnreachable` (the API reports it as 503);
 * `reason` and the message say which network failure it was and where.
 */
export class ClusterUnreachableError extends ClusterError {
  readonly reason: UnreachableReason;
  readonly server: string;

  constructor(reason: UnreachableReason, server: string, message: string) {
    super('ClusterUnreachable', message, { retryable: true });
    this.reason = reason;
    this.server = server;
  }
}

const UNREACHABLE: Record<UnreachableReason, { codes: readonly string[]; says: string }> = {
  ConnectionRefused: {
    codes: ['ECONNREFUSED'],
    says: 'refused the connection (nothing listens there: is the cluster running?)',
  },
  Timeout: {
    codes: ['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'],
    says: 'did not answer in time (check the address, the network and any firewall)',
  },
  NameNotResolved: {
    codes: ['ENOTFOUND', 'EAI_AGAIN'],
    says: 'has a host name that does not resolve (check the kubeconfig server and DNS)',
  },
  ConnectionReset: {
    codes: ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'EHOSTUNREACH', 'ENETUNREACH'],
    says: 'dropped the connection or is not routable from here',
  },
  Unknown: { codes: [], says: 'could not be reached' },
};

function unreachable(error: unknown, action: string, server: string): ClusterUnreachableError {
  const codes = networkCodes(error);
  const reason =
    (Object.keys(UNREACHABLE) as UnreachableReason[]).find((candidate) =>
      UNREACHABLE[candidate].codes.some((code) => codes.includes(code)),
    ) ?? 'Unknown';
  const detail = innermostMessage(error);
  return new ClusterUnreachableError(
    reason,
    server,
    `Could not ${action}: the Kubernetes API server at ${server} ${UNREACHABLE[reason].says} (${detail}).`,
  );
}

/** The error codes of `error` and its causes: undici wraps them as `fetch failed` with a cause. */
function networkCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 4) return [];
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof record.code === 'string' ? [record.code] : [];
  const nested = Array.isArray(record.errors) ? record.errors : [];
  return [
    ...own,
    ...networkCodes(record.cause, depth + 1),
    ...nested.flatMap((e) => networkCodes(e, depth + 1)),
  ];
}

function innermostMessage(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 4; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  return current instanceof Error ? current.message : String(current);
}

function safeJson(text: string): { message?: string } | undefined {
  try {
    return JSON.parse(text) as { message?: string };
  } catch {
    return undefined;
  }
}

/** A helm failure in words, classified: quota and chart errors do not heal by retrying. */
export function helmFailure(error: unknown, action: string, server: string): ClusterError {
  if (error instanceof ClusterError) return error;
  if (!(error instanceof HelmError)) return apiError(error, action, server);
  const text = error.message;
  if (/exceeded quota|forbidden: exceeded/i.test(text)) {
    return new ClusterError('QuotaExceeded', `Could not ${action}: ${stripPrefix(text)}`, {
      retryable: false,
    });
  }
  if (
    /values don't meet the specifications|execution error|parse error|template:|INSTALLATION FAILED: .*chart/i.test(
      text,
    )
  ) {
    return new ClusterError('ChartRejected', `Could not ${action}: ${stripPrefix(text)}`, {
      retryable: false,
    });
  }
  if (/forbidden/i.test(text)) {
    return new ClusterError('Forbidden', `Could not ${action}: ${stripPrefix(text)}`, { retryable: false });
  }
  return new ClusterError('HelmFailed', `Could not ${action}: ${stripPrefix(text)}`, { retryable: true });
}

function stripPrefix(text: string): string {
  return text.replace(/^helm \w+ failed: /, '');
}
