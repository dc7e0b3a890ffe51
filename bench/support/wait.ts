import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until probe answers something other than undefined; answers undefined after timeoutMs, so a change that
 * never arrives is recorded as such instead of stopping the run.
 */
export async function pollUntil<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  intervalMs: number,
  timeoutMs: number,
): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}
