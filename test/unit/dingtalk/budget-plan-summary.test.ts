import { planBackgroundBudget } from '../../../shared/connectors/dingtalk/budget-plan';
import { summariseBudgetPlan } from '../../../shared/connectors/dingtalk/budget-plan-summary';

const DAY = 86_400_000;

const standardMonth = (folders: number, usedThisMonth = 0, msLeftInMonth = 30 * DAY) =>
  summariseBudgetPlan(
    planBackgroundBudget({
      monthlyQuota: 5000,
      usedThisMonth,
      msLeftInMonth,
      folders,
      callsPerBackgroundPull: 1,
      callsPerFirstSync: 2.06,
      reserveShare: 0.2,
      minimumIntervalMs: DAY,
    }),
  );

describe('budget plan in sentences for an admin', () => {
  test('10,000 users on a standard month: a first sync is said to take months, not hidden', () => {
    expect(standardMonth(10_000)).toEqual([
      'DingTalk metered calls this month: 0 of 5,000 used; 1,000 kept for live changes; 4,000 left for background work.',
      'Background pulls: each of 10,000 folders every 2.5 months; 4,000 calls projected by month end.',
      'A full sweep of the organisation: 10,000 calls, 2.0 months of the whole 5,000-call quota; about 2.5 months at this budget.',
      'A first sync of the organisation: 20,600 calls, 4.1 months of the whole 5,000-call quota; about 5.1 months at this budget.',
    ]);
  });

  test('100 users: everything fits, in hours and days', () => {
    expect(standardMonth(100).slice(1)).toEqual([
      'Background pulls: each of 100 folders every 24 hours; 3,000 calls projected by month end.',
      'A full sweep of the organisation: 100 calls, 24 hours at this budget.',
      'A first sync of the organisation: 206 calls, 38 hours at this budget.',
    ]);
  });

  test('only the reserve left: the pause and its end are stated', () => {
    expect(standardMonth(100, 4200, 5 * DAY)[1]).toBe(
      'Background work is paused for 5 days, until the month turns (China time).',
    );
  });
});
