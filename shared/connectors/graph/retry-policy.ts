/**
 * Bounded retries for idempotent Graph calls. Retry-After is honoured when sent; otherwise exponential backoff
 * with jitter. The policy never waits longer in total than maxTotalWaitMs: when the service asks for more, the
 * last error is rethrown so the caller (the worker) can schedule the retry instead of holding a Function busy.
 */

export interface RetryPolicy {
  /** Attempts including the first one. */
  maxAttempts: number;
  maxTotalWaitMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  maxTotalWaitMs: 15_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
};

export interface RetryDecision {
  retryable: boolean;
  retryAfterMs?: number;
}

export interface RetryHooks {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function backoffDelay(policy: RetryPolicy, failedAttempt: number, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  // Full jitter in the upper half keeps retries of many workers apart without making them instant.
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  const random = hooks.random ?? Math.random;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = classify(error);
      if (!decision.retryable || attempt >= policy.maxAttempts) throw error;
      const delayMs = decision.retryAfterMs ?? backoffDelay(policy, attempt, random);
      if (waited + delayMs > policy.maxTotalWaitMs) throw error;
      hooks.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
      waited += delayMs;
    }
  }
}
