import { systemClock, type Clock } from '../../platform/clock';

/**
 * At most `limit` calls per API in any `windowMs` as DingTalk sees them (standard edition: 20 per second per app
 * per API).
 *
 * DingTalk counts arrivals, which we cannot see: a request arrives somewhere between being sent and being
 * answered, and connection set-up alone can delay one by tens of milliseconds. So a slot is taken when a call
 * starts and stays taken until `windowMs` after its answer; then two calls sharing a slot always arrive at least
 * `windowMs` apart, whatever the latency. (A token bucket of 20 refilling at 20/s would let 40 calls into one
 * second: a full bucket and then its refill.)
 */
export interface QpsLimiterOptions {
  limit?: number;
  windowMs?: number;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Slots {
  inFlight: number;
  /** When the calls that finished inside the window finished, oldest first. */
  finished: number[];
  waiting: Array<() => void>;
}

export class QpsLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly apis = new Map<string, Slots>();

  constructor(options: QpsLimiterOptions = {}) {
    this.limit = options.limit ?? 20;
    this.windowMs = options.windowMs ?? 1000;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new Error(`limit must be a positive integer`);
  }

  /** Resolves when a call to `api` may start; call the returned function once the call has been answered. */
  async acquire(api: string): Promise<() => void> {
    const slots = this.slotsOf(api);
    for (;;) {
      const now = this.clock.now();
      while (slots.finished.length > 0 && slots.finished[0]! <= now - this.windowMs) slots.finished.shift();
      if (slots.inFlight + slots.finished.length < this.limit) {
        slots.inFlight++;
        return this.releaser(slots);
      }
      if (slots.finished.length > 0) await this.sleep(slots.finished[0]! + this.windowMs - now);
      else await new Promise<void>((resolve) => slots.waiting.push(resolve));
    }
  }

  private releaser(slots: Slots): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      slots.inFlight--;
      slots.finished.push(this.clock.now());
      for (const wake of slots.waiting.splice(0)) wake();
    };
  }

  private slotsOf(api: string): Slots {
    let slots = this.apis.get(api);
    if (!slots) {
      slots = { inFlight: 0, finished: [], waiting: [] };
      this.apis.set(api, slots);
    }
    return slots;
  }
}
