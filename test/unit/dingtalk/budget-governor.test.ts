import {
  InMemoryCallCounterStore,
  MonthlyBudgetGovernor,
} from '../../../shared/connectors/dingtalk/budget-governor';
import { chinaMonthOf, nextChinaMonthStart } from '../../../shared/connectors/dingtalk/china-month';
import { QuotaExhaustedError } from '../../../shared/connectors/dingtalk/errors';
import { ManualClock } from '../../../shared/platform/clock';

const spend = async (governor: MonthlyBudgetGovernor, n: number, priority: 'push' | 'background') => {
  let done = 0;
  for (; done < n; done++) {
    try {
      await governor.consume('GET /events', priority);
    } catch (err) {
      if (err instanceof QuotaExhaustedError) break;
      throw err;
    }
  }
  return done;
};

describe('monthly budget governor', () => {
  test('background work stops at quota minus the reserve; push-driven work may use the reserve', async () => {
    const clock = new ManualClock(Date.parse('2026-11-10T00:00:00Z'));
    const governor = new MonthlyBudgetGovernor({ monthlyQuota: 100, reserveShare: 0.2, clock });
    expect(await spend(governor, 1000, 'background')).toBe(80);
    expect(await spend(governor, 1000, 'push')).toBe(20);
    expect(await governor.status()).toEqual({
      month: '2026-11',
      quota: 100,
      used: 100,
      remaining: 0,
      backgroundRemaining: 0,
      reserve: 20,
    });
  });

  test('the refusal says when the month rolls over, in China time', async () => {
    const now = Date.parse('2026-11-30T15:00:00Z');
    const governor = new MonthlyBudgetGovernor({
      monthlyQuota: 1,
      reserveShare: 0,
      clock: new ManualClock(now),
    });
    await governor.consume('x', 'push');
    const err = (await governor.consume('x', 'push').catch((e: unknown) => e)) as QuotaExhaustedError;
    expect(err).toBeInstanceOf(QuotaExhaustedError);
    expect(err.resumesAt).toBe('2026-11-30T16:00:00.000Z');
    expect(err.retryAfterMs).toBe(3600_000);
  });

  test('a new month starts from zero', async () => {
    const clock = new ManualClock(Date.parse('2026-11-30T15:00:00Z'));
    const governor = new MonthlyBudgetGovernor({ monthlyQuota: 3, reserveShare: 0, clock });
    expect(await spend(governor, 10, 'push')).toBe(3);
    clock.advance(3600_000);
    expect((await governor.status()).month).toBe('2026-12');
    expect(await spend(governor, 10, 'push')).toBe(3);
  });

  test('markExhausted (DingTalk said 90020) spends the rest of the month', async () => {
    const governor = new MonthlyBudgetGovernor({ monthlyQuota: 50 });
    await governor.consume('x', 'push');
    await governor.markExhausted();
    await expect(governor.consume('x', 'push')).rejects.toBeInstanceOf(QuotaExhaustedError);
  });

  test('plans background work from the shared count and the time left in the China-time month', async () => {
    const clock = new ManualClock(Date.parse('2026-11-10T16:00:00Z'));
    const governor = new MonthlyBudgetGovernor({ monthlyQuota: 5000, reserveShare: 0.2, clock });
    expect(await spend(governor, 200, 'push')).toBe(200);
    const plan = await governor.plan({
      folders: 100,
      callsPerBackgroundPull: 1,
      callsPerFirstSync: 2,
      minimumIntervalMs: 3600_000,
    });
    const twentyDays = 20 * 86_400_000;
    expect(plan.backgroundAllowance).toBe((await governor.status()).backgroundRemaining);
    expect(plan.backgroundAllowance).toBe(3800);
    expect(plan.backgroundIntervalMs).toBeCloseTo((100 * twentyDays) / 3800);
    expect(plan.firstSync.durationMs).toBeCloseTo((200 / 3800) * twentyDays);
  });

  test('the count lives in the injected store, shared by governors of several processes', async () => {
    const store = new InMemoryCallCounterStore();
    const a = new MonthlyBudgetGovernor({ monthlyQuota: 10, reserveShare: 0, store });
    const b = new MonthlyBudgetGovernor({ monthlyQuota: 10, reserveShare: 0, store });
    expect((await spend(a, 6, 'push')) + (await spend(b, 6, 'push'))).toBe(10);
  });

  test('a call that names no priority is charged as background: it never eats the reserve', async () => {
    const governor = new MonthlyBudgetGovernor({ monthlyQuota: 10, reserveShare: 0.2 });
    let counted = 0;
    for (let i = 0; i < 10; i++) {
      try {
        await governor.consume('GET /events');
        counted++;
      } catch (err) {
        expect(err).toBeInstanceOf(QuotaExhaustedError);
      }
    }
    expect(counted).toBe(8);
    expect(await spend(governor, 10, 'push')).toBe(2);
  });

  test('China-time months: the last hours of a UTC month already belong to the next one', () => {
    expect(chinaMonthOf(Date.parse('2026-11-30T15:59:59Z'))).toBe('2026-11');
    expect(chinaMonthOf(Date.parse('2026-11-30T16:00:00Z'))).toBe('2026-12');
    expect(new Date(nextChinaMonthStart(Date.parse('2026-12-31T17:00:00Z'))).toISOString()).toBe(
      '2027-01-31T16:00:00.000Z',
    );
  });
});
