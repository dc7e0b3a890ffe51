import type { Timer } from '@azure/functions';
import { createHostLog } from '../../../sandbox/host/log';
import type { NcrontabSchedule } from '../../../sandbox/host/timers/ncrontab';
import { TimerListener } from '../../../sandbox/host/timers/timer-listener';

/** Fires on every multiple of `periodMs`, so a test runs in a fraction of a second. */
function every(periodMs: number): NcrontabSchedule {
  const next = (after: Date) => new Date((Math.floor(after.getTime() / periodMs) + 1) * periodMs);
  return {
    expression: `every ${periodMs} ms`,
    next,
    nextOccurrences: (count, after) => {
      const list: Date[] = [];
      for (let d = after, i = 0; i < count; i++) list.push((d = next(d)));
      return list;
    },
  };
}

const quiet = createHostLog(() => undefined);

async function collect(listener: TimerListener, timers: Timer[], count: number): Promise<void> {
  listener.start();
  while (timers.length < count) await new Promise((r) => setTimeout(r, 10));
  await listener.stop();
}

test('with monitoring on, each invocation sees when the previous one ran as last and its own occurrence as next', async () => {
  const timers: Timer[] = [];
  const invokedAt: number[] = [];
  const listener = new TimerListener({
    functionName: 't',
    schedule: every(100),
    runOnStartup: false,
    useMonitor: true,
    log: quiet,
    invoke: async (timer) => {
      invokedAt.push(Date.now());
      timers.push(timer);
    },
  });
  await collect(listener, timers, 3);
  expect(timers[0].scheduleStatus).toMatchObject({
    last: '0001-01-01T00:00:00.000Z',
    lastUpdated: '0001-01-01T00:00:00.000Z',
  });
  for (let i = 1; i < 3; i++) {
    const previousOccurrence = Date.parse(timers[i - 1].scheduleStatus.next);
    const last = Date.parse(timers[i].scheduleStatus.last);
    // The runtime records the invocation time, or the occurrence when the timer fired a millisecond early: never
    // before the occurrence (later on a busy machine), and never after the invocation did.
    expect(last).toBeGreaterThanOrEqual(previousOccurrence);
    expect(last).toBeLessThanOrEqual(Math.max(previousOccurrence, invokedAt[i - 1]));
    expect(timers[i].scheduleStatus.lastUpdated).toBe(timers[i].scheduleStatus.last);
    // Its own occurrence: a later one of the schedule (the next, unless the machine was too busy to keep up).
    const next = Date.parse(timers[i].scheduleStatus.next);
    expect(next).toBeGreaterThan(previousOccurrence);
    expect(next % 100).toBe(0);
  }
  expect(timers.every((t) => t.isPastDue === false)).toBe(true);
});

test('a failing invocation does not stop the schedule', async () => {
  const timers: Timer[] = [];
  const listener = new TimerListener({
    functionName: 't',
    schedule: every(50),
    runOnStartup: false,
    useMonitor: false,
    log: quiet,
    invoke: async (timer) => {
      timers.push(timer);
      throw new Error('boom');
    },
  });
  await collect(listener, timers, 3);
  expect(timers[0].scheduleStatus).toBeNull();
});

test('stop() waits for the running invocation and nothing fires afterwards', async () => {
  let running = 0;
  let finished = 0;
  const listener = new TimerListener({
    functionName: 't',
    schedule: every(50),
    runOnStartup: true,
    useMonitor: false,
    log: quiet,
    invoke: async () => {
      running += 1;
      await new Promise((r) => setTimeout(r, 150));
      finished += 1;
    },
  });
  listener.start();
  await new Promise((r) => setTimeout(r, 30));
  expect(running).toBe(1);
  await listener.stop();
  expect(finished).toBe(1);
  await new Promise((r) => setTimeout(r, 200));
  expect(running).toBe(1);
});
