import { startLocalHost, type LocalHost } from '../../../sandbox/host';
import { collectLogs, FIXTURE_APP, waitFor, type LogCollector } from './support';

describe('timer triggers on the fixture app', () => {
  let host: LocalHost;
  let logs: LogCollector;
  let startedAt: number;

  beforeAll(async () => {
    logs = collectLogs();
    startedAt = Date.now();
    host = await startLocalHost({
      appRoot: FIXTURE_APP,
      port: 0,
      queues: false,
      log: logs.sink,
      env: {
        FIXTURE_TICK_SCHEDULE: '*/1 * * * * *',
        FIXTURE_SLOW_SCHEDULE: '* * * * * *',
        FIXTURE_SLOW_MS: '1300',
      },
    });
  });

  afterAll(async () => {
    await host?.stop();
  });

  test('a %SETTING% schedule resolves from the app settings and fires every second', async () => {
    const ticks = await waitFor(() => {
      const found = logs.events('tick');
      return found.length >= 3 && found;
    });
    const gaps = ticks.slice(1, 3).map((t, i) => (t.at as number) - (ticks[i].at as number));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(700);
      expect(gap).toBeLessThan(1800);
    }
    // More than one occurrence a minute: the runtime turns schedule monitoring off, so there is no status.
    expect(ticks[0].timer).toEqual({
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: null,
    });
  });

  test('runOnStartup fires once right away; a yearly schedule is monitored, so its status is present', async () => {
    const [event] = await waitFor(() => {
      const found = logs.events('startup');
      return found.length > 0 && found;
    });
    expect((event.at as number) - startedAt).toBeLessThan(2000);
    const nextNewYear = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1)).toISOString();
    expect(event.timer).toEqual({
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: '0001-01-01T00:00:00.000Z',
        next: nextNewYear,
        lastUpdated: '0001-01-01T00:00:00.000Z',
      },
    });
    expect(logs.events('startup')).toHaveLength(1);
  });

  test('an invocation that outlasts the period is never overlapped by the next one', async () => {
    const events = await waitFor(() => {
      const found = logs.events('slowTick');
      return found.filter((e) => e.event === 'slow-end').length >= 3 && found;
    });
    const sequence = events.map((e) => e.event);
    const expected = sequence.map((_, i) => (i % 2 === 0 ? 'slow-start' : 'slow-end'));
    expect(sequence).toEqual(expected);
  });
});

test('a schedule whose %SETTING% is missing puts only that timer in error', async () => {
  const logs = collectLogs();
  const host = await startLocalHost({
    appRoot: FIXTURE_APP,
    port: 0,
    queues: false,
    log: logs.sink,
    env: { FIXTURE_TICK_SCHEDULE: '* * * * * *' },
  });
  try {
    expect(
      logs.entries.some(
        (e) =>
          e.level === 'error' &&
          /'slowTick'.*'%FIXTURE_SLOW_SCHEDULE%' does not resolve to a value/.test(e.message),
      ),
    ).toBe(true);
    await waitFor(() => logs.events('tick').length > 0, 5000, 'a tick');
  } finally {
    await host.stop();
  }
  expect(logs.events('slowTick')).toHaveLength(0);
});
