import { InMemoryCallCounterStore, MonthlyBudgetGovernor } from '../../../shared/connectors/dingtalk';
import { chinaMonthOf } from '../../../shared/connectors/dingtalk/china-month';
import { PollCadence, type PollCadenceDeps } from '../../../shared/app/pipeline/poll-cadence';
import { ManualClock } from '../../../shared/platform/clock';

const MINUTE = 60_000;
const MONTH = 30 * 86_400_000;

function cadence(options: { quota: number; used?: number; pairs?: number; calls?: number }) {
  const clock = new ManualClock(Date.parse('2026-12-01T00:00:00+08:00'));
  const store = new InMemoryCallCounterStore();
  const budget = new MonthlyBudgetGovernor({ monthlyQuota: options.quota, store, clock });
  const deps: PollCadenceDeps = {
    configuredMs: (kind, side) =>
      kind === 'todo' ? 2 * MINUTE : side === 'outlook' ? 5 * MINUTE : 5 * MINUTE,
    budget,
    meteredCallsPerPoll: (kind) =>
      kind === 'todo' ? (options.calls ?? 1) : kind === 'contact' ? 3 : undefined,
    meteredFolders: (kind, pairs) => (kind === 'contact' ? 1 : pairs),
    pairs: async () => options.pairs,
    now: () => clock.now(),
    onPlan: (plan) => planned.push(plan.kind),
  };
  const planned: string[] = [];
  return { clock, store, planned, cadence: new PollCadence(deps), month: chinaMonthOf(clock.now()) };
}

describe('poll cadence', () => {
  test('Outlook sides and unmetered kinds poll at the configured interval', async () => {
    const { cadence: c } = cadence({ quota: 5_000, pairs: 10_000 });
    expect(await c.intervalMs('todo', 'outlook')).toBe(2 * MINUTE);
    expect(await c.intervalMs('calendar', 'dingtalk')).toBe(5 * MINUTE);
  });

  test('a large organisation on a small quota polls DingTalk to-dos no faster than the month allows', async () => {
    const { cadence: c } = cadence({ quota: 5_000, pairs: 100 });
    const interval = (await c.intervalMs('todo', 'dingtalk'))!;
    // 4,000 calls for background work over the 31 days of December, spread over 100 users' polls.
    const pollsInMonth = (31 * 86_400_000) / interval;
    expect(pollsInMonth * 100).toBeLessThanOrEqual(4_000);
    expect(pollsInMonth * 100).toBeGreaterThan(3_500);
    const [plan] = c.current();
    expect(plan.callsPerUserPerMonth).toBeCloseTo((MONTH / interval) * 1, 5);
  });

  test('a large quota leaves the configured pace alone; the contact listing is paid once for everyone', async () => {
    const { cadence: c } = cadence({ quota: 100_000_000, pairs: 1_000 });
    expect(await c.intervalMs('todo', 'dingtalk')).toBe(2 * MINUTE);
    expect(await c.intervalMs('contact', 'dingtalk')).toBe(5 * MINUTE);
    const contact = c.current().find((p) => p.kind === 'contact')!;
    // 3 calls every 5 minutes for the whole organisation, shared by 1,000 users.
    expect(contact.callsPerUserPerMonth).toBeCloseTo(((MONTH / (5 * MINUTE)) * 3) / 1_000, 5);
  });

  test('a spent month pauses the polls until it turns, and a plan is reused until it is stale', async () => {
    const { cadence: c, store, month, clock, planned } = cadence({ quota: 5_000, pairs: 100 });
    await store.raiseTo(month, 4_990);
    const paused = (await c.intervalMs('todo', 'dingtalk'))!;
    expect(c.current()[0].paused).toBe(true);
    expect(paused).toBeGreaterThan(29 * 86_400_000);
    clock.advance(MINUTE);
    expect(await c.intervalMs('todo', 'dingtalk')).toBe(paused);
    // The admin is told each plan once, when it is made.
    expect(planned).toEqual(['todo']);
    clock.advance(10 * MINUTE);
    await c.intervalMs('todo', 'dingtalk');
    expect(planned).toEqual(['todo', 'todo']);
  });
});
