import { setTimeout as sleep } from 'node:timers/promises';

/** The demo's waits: each ends as soon as Ctrl-C aborts the signal. */

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  signal: AbortSignal,
  timeoutMs = 20000,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    signal.throwIfAborted();
    const value = probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs)
      throw new Error(`demo: ${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(50, undefined, { signal });
  }
}

/** `work` unless the signal aborts first; what `work` was doing goes on, but the demo no longer waits for it. */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
