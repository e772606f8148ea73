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
export function apiFailure(error: unknown, action: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  return apiError(error, action);
}

/** A Kubernetes API failure in words, retryable unless the server refused for good. */
export function apiError(error: unknown, action: string): ClusterError {
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
  const message = error instanceof Error ? error.message : String(error);
  return new ClusterError('ClusterUnreachable', `Could not ${action}: ${message}`, { retryable: true });
}

function safeJson(text: string): { message?: string } | undefined {
  try {
    return JSON.parse(text) as { message?: string };
  } catch {
    return undefined;
  }
}

/** A helm failure in words, classified: quota and chart errors do not heal by retrying. */
export function helmFailure(error: unknown, action: string): ClusterError {
  if (error instanceof ClusterError) return error;
  if (!(error instanceof HelmError)) return apiError(error, action);
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
