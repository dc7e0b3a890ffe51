/** The phase's wall-clock cap: how much is left, and a race that gives up on a step when it runs out. */
export interface Deadline {
  leftMs(): number;
  passed(): boolean;
  /** The step's answer, or undefined when the cap came first (the step is abandoned, still running). */
  race<T>(step: Promise<T>): Promise<T | undefined>;
}

export function deadlineIn(ms: number): Deadline {
  const end = performance.now() + ms;
  const leftMs = () => Math.max(0, end - performance.now());
  return {
    leftMs,
    passed: () => leftMs() === 0,
    async race<T>(step: Promise<T>): Promise<T | undefined> {
      // An abandoned step may still fail once the world it ran against is stopped; nobody awaits it by then.
      step.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), leftMs());
      });
      try {
        return await Promise.race([step, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Whichever of two caps runs out first. */
export function soonest(a: Deadline, b: Deadline): Deadline {
  return a.leftMs() <= b.leftMs() ? a : b;
}
