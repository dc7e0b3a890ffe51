/**
 * When a failed piece of work is tried again: 1 min, 5 min, 15 min, 1 h, then every 6 h. Never given up on:
 * a long outage on either side must not lose changes, and a retry pulls from the cursor, so it is cheap.
 */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 60 * 60_000] as const;

/** Delay before the next try, after `attempts` failed tries (1 = the first failure). */
export function retryDelayMs(attempts: number): number {
  const index = Math.min(Math.max(attempts, 1), RETRY_DELAYS_MS.length) - 1;
  return RETRY_DELAYS_MS[index];
}
