// Retry policy for failed attempts: exponential backoff with jitter, a cap, and a retry budget.

export interface RetryPolicy {
  /** Retries after the first attempt; 0 means a single attempt. */
  maxRetries: number;
  /** Delay before the first retry; doubles for each later one. */
  backoffMs: number;
  /** Upper bound for any single delay. */
  maxBackoffMs: number;
}

/**
 * Delay before retrying after `attempt` (1-based) failed: `backoff * 2^(attempt-1)`, capped, then
 * "equal jitter" (half fixed, half random) so that stores failing together do not retry together.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponential = policy.backoffMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(exponential, policy.maxBackoffMs);
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** Whether another attempt is allowed after `attempt` (1-based) failed. */
export function shouldRetry(policy: RetryPolicy, attempt: number, retryable: boolean): boolean {
  return retryable && attempt <= policy.maxRetries;
}
