/**
 * What `npm start` has started, stopped in reverse order with a bound on each. A stop that does not finish in
 * time is given up on (its `kill`, if any, ends it at once), so no part, today's or one added later, can keep
 * Ctrl-C from finishing: a stop that waits on a peer already gone never settles, and nothing else would end it.
 */
export interface Stoppable {
  /** Named in the line that says a stop was cut short. */
  name: string;
  /** The clean stop. */
  stop(): Promise<void>;
  /** Ends the part now, synchronously (a child process: SIGKILL). Parts living in this process need none. */
  kill?(): void;
}

export interface StopListOptions {
  /** The most one part's stop may take. */
  perPartMs: number;
  /** The most all stops together may take; parts left when it passes are killed without a stop. */
  totalMs: number;
  say(message: string): void;
}

export class StopList {
  /** Every part ever added, for killAll; `#toStop` empties as the stops proceed. */
  readonly #parts: Stoppable[] = [];
  readonly #toStop: Stoppable[] = [];
  #stopping: Promise<void> | undefined;

  constructor(private readonly options: StopListOptions) {}

  /**
   * Adds a started part. One added while the list is stopping (its start was already under way) is stopped in
   * the same pass, so a late start leaves nothing behind either.
   */
  add(part: Stoppable): void {
    this.#parts.push(part);
    this.#toStop.push(part);
  }

  /** Stops every part once, last added first; resolves within `totalMs` (plus a moment), never rejects. */
  stopAll(): Promise<void> {
    return (this.#stopping ??= this.#stopEach());
  }

  /** Ends every part that can be ended at once, for an exit that cannot wait. Never throws. */
  killAll(): void {
    for (const part of this.#parts) killQuietly(part);
  }

  async #stopEach(): Promise<void> {
    const deadline = Date.now() + this.options.totalMs;
    for (;;) {
      const part = this.#toStop.pop();
      if (!part) break;
      const allowed = Math.min(this.options.perPartMs, deadline - Date.now());
      const finished =
        allowed > 0 &&
        (await within(
          Promise.resolve().then(() => part.stop()),
          allowed,
        ));
      if (!finished) {
        this.options.say(
          `${part.name} did not stop within ${(Math.max(0, allowed) / 1000).toFixed(1)} s; ` +
            (part.kill ? 'killed.' : 'left to the exit.'),
        );
        killQuietly(part);
      }
    }
  }
}

function killQuietly(part: Stoppable): void {
  try {
    part.kill?.();
  } catch {
    // Already gone: nothing to end.
  }
}

/** True when `work` settles (either way) within `ms`, false when the time runs out first. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
