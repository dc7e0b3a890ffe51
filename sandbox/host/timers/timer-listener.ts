/**
 * One timer-triggered function, scheduled as the runtime's TimerListener does: invocations never overlap (the next
 * occurrence is computed after the running one returns, and one already due fires at once), `runOnStartup` fires
 * right after start, and a failed invocation does not stop the schedule. There is no schedule monitor (the blob
 * that detects occurrences missed while the app was down), so `isPastDue` is always false here.
 */
import type { Timer } from '@azure/functions';
import type { HostLog } from '../log';
import type { NcrontabSchedule } from './ncrontab';

export interface TimerListenerOptions {
  functionName: string;
  schedule: NcrontabSchedule;
  runOnStartup: boolean;
  useMonitor: boolean;
  invoke(timer: Timer, reason: string): Promise<unknown>;
  log: HostLog;
}

/** DateTime.MinValue, what the runtime reports as `last` before the first occurrence. */
const NEVER = '0001-01-01T00:00:00.000Z';
/** setTimeout's ceiling is 2^31-1 ms (~24.8 days); longer waits are chained, as the runtime does. */
const MAX_WAIT_MS = 24 * 24 * 3600 * 1000;

interface ScheduleStatus {
  last: string;
  next: Date;
  lastUpdated: string;
}

export class TimerListener {
  #status: ScheduleStatus | undefined;
  #timeout: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly options: TimerListenerOptions) {}

  /** The occurrence the listener is waiting for. */
  get nextOccurrence(): Date | undefined {
    return this.#status?.next;
  }

  start(): void {
    const now = new Date();
    this.#status = { last: NEVER, next: this.options.schedule.next(now), lastUpdated: NEVER };
    const upcoming = this.options.schedule.nextOccurrences(5, now).map((d) => d.toISOString());
    this.options.log.info(
      `The next 5 occurrences of the '${this.options.functionName}' schedule (Cron: '${this.options.schedule.expression}') will be:\n${upcoming.join('\n')}`,
    );
    if (this.options.runOnStartup) this.#wait(1, 'startup');
    else this.#waitUntil(this.#status.next);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timeout);
    this.#timeout = undefined;
    await this.#running;
  }

  #waitUntil(at: Date): void {
    this.#wait(Math.max(1, at.getTime() - Date.now()), 'schedule');
  }

  #wait(ms: number, kind: 'startup' | 'schedule'): void {
    if (this.#stopped) return;
    const chunk = Math.min(ms, MAX_WAIT_MS);
    this.#timeout = setTimeout(() => {
      if (kind === 'schedule' && chunk < ms) return this.#wait(ms - chunk, kind);
      this.#running = this.#fire(kind);
    }, chunk);
  }

  async #fire(kind: 'startup' | 'schedule'): Promise<void> {
    if (this.#stopped || !this.#status) return;
    const invokedAt = new Date();
    const status = this.#status;
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      // The runtime sends null when monitoring is off, although the library's type says otherwise.
      scheduleStatus: (this.options.useMonitor
        ? { last: status.last, next: status.next.toISOString(), lastUpdated: status.lastUpdated }
        : null) as Timer['scheduleStatus'],
    };
    const reason = kind === 'startup' ? 'RunOnStartup' : 'Timer fired at ' + invokedAt.toISOString();
    try {
      await this.options.invoke(timer, reason);
    } catch {
      // Already logged by the invoker; the schedule goes on.
    }
    // An early tick (clock skew) must not compute the same `next` twice.
    const adjusted = kind === 'schedule' && status.next > invokedAt ? status.next : invokedAt;
    this.#status = {
      last: adjusted.toISOString(),
      next: this.options.schedule.next(adjusted),
      lastUpdated: adjusted.toISOString(),
    };
    this.#running = undefined;
    this.#waitUntil(this.#status.next);
  }
}
