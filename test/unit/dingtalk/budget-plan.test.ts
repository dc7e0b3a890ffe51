import fc from 'fast-check';
import {
  AVERAGE_MONTH_MS,
  type BudgetPlanInput,
  planBackgroundBudget,
} from '../../../shared/connectors/dingtalk/budget-plan';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A standard-edition org at the start of a 30-day month, sweeping each folder at most daily. */
const standard = (folders: number, over: Partial<BudgetPlanInput> = {}): BudgetPlanInput => ({
  monthlyQuota: 5000,
  usedThisMonth: 0,
  msLeftInMonth: 30 * DAY,
  folders,
  callsPerBackgroundPull: 1,
  callsPerFirstSync: 2.06,
  reserveShare: 0.2,
  minimumIntervalMs: DAY,
  ...over,
});

const anyInput = fc.record({
  monthlyQuota: fc.integer({ min: 1, max: 1_000_000 }),
  usedThisMonth: fc.integer({ min: 0, max: 1_200_000 }),
  msLeftInMonth: fc.integer({ min: 1, max: 31 * DAY }),
  folders: fc.integer({ min: 0, max: 200_000 }),
  callsPerBackgroundPull: fc.double({ min: 0.01, max: 20, noNaN: true }),
  callsPerFirstSync: fc.double({ min: 0, max: 50, noNaN: true }),
  reserveShare: fc.double({ min: 0, max: 0.99, noNaN: true }),
  minimumIntervalMs: fc.integer({ min: 0, max: 7 * DAY }),
});

const runs = () => fastCheckRuns(runsFrom('PROPERTY_RUNS', 300));

describe('background budget plan: properties', () => {
  test('planned background calls plus the reserve held never exceed what is left of the quota', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const plan = planBackgroundBudget(input);
        expect(plan.plannedBackgroundCalls + plan.reserveHeld).toBeLessThanOrEqual(plan.remaining);
        expect(plan.projectedCallsAtMonthEnd + plan.reserveHeld).toBeLessThanOrEqual(
          Math.max(input.usedThisMonth, input.monthlyQuota),
        );
      }),
      runs(),
    );
  });

  test.each(['folders', 'usedThisMonth'] as const)(
    'more %s never shortens the interval, the sweep or the first sync',
    (field) => {
      fc.assert(
        fc.property(anyInput, fc.integer({ min: 0, max: 200_000 }), (input, more) => {
          const before = planBackgroundBudget(input);
          const after = planBackgroundBudget({ ...input, [field]: input[field] + more });
          expect(after.backgroundIntervalMs).toBeGreaterThanOrEqual(before.backgroundIntervalMs);
          expect(after.fullSweep.durationMs).toBeGreaterThanOrEqual(before.fullSweep.durationMs);
          expect(after.firstSync.durationMs).toBeGreaterThanOrEqual(before.firstSync.durationMs);
        }),
        runs(),
      );
    },
  );

  test('the interval is never below the minimum, and background pauses exactly when one pull is unaffordable', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const plan = planBackgroundBudget(input);
        expect(plan.backgroundIntervalMs).toBeGreaterThanOrEqual(input.minimumIntervalMs);
        expect(plan.pauseBackground).toBe(plan.backgroundAllowance < input.callsPerBackgroundPull);
        if (plan.pauseBackground) {
          expect(plan.plannedBackgroundCalls).toBe(0);
          expect(plan.backgroundResumesInMs).toBe(input.msLeftInMonth);
        }
      }),
      runs(),
    );
  });

  test('work that does not fit this month lasts at least until the month turns', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const { firstSync } = planBackgroundBudget(input);
        if (firstSync.fitsThisMonth) expect(firstSync.durationMs).toBeLessThanOrEqual(input.msLeftInMonth);
        else expect(firstSync.durationMs).toBeGreaterThanOrEqual(input.msLeftInMonth);
      }),
      runs(),
    );
  });
});

describe('background budget plan: examples on a standard 5,000-call month', () => {
  test('100 users: a daily sweep fits, and the first sync takes a day and a half', () => {
    const plan = planBackgroundBudget(standard(100));
    expect(plan).toMatchObject({
      remaining: 5000,
      reserveHeld: 1000,
      backgroundAllowance: 4000,
      pauseBackground: false,
      backgroundIntervalMs: DAY,
      plannedBackgroundCalls: 3000,
      projectedCallsAtMonthEnd: 3000,
    });
    expect(plan.fullSweep).toEqual({ calls: 100, monthsOfQuota: 0.02, durationMs: DAY, fitsThisMonth: true });
    expect(plan.firstSync.calls).toBeCloseTo(206);
    expect(plan.firstSync.durationMs / DAY).toBeCloseTo(1.545);
  });

  test('10,000 users: each folder every 75 days, and a first sync of about four months of quota says so', () => {
    const plan = planBackgroundBudget(standard(10_000));
    expect(plan.pauseBackground).toBe(false);
    expect(plan.backgroundIntervalMs).toBe(75 * DAY);
    expect(plan.plannedBackgroundCalls).toBe(4000);
    expect(plan.projectedCallsAtMonthEnd).toBe(4000);
    expect(plan.fullSweep.fitsThisMonth).toBe(false);
    expect(plan.fullSweep.durationMs).toBeCloseTo(30 * DAY + 1.5 * AVERAGE_MONTH_MS);
    expect(plan.firstSync.calls).toBeCloseTo(20_600);
    expect(plan.firstSync.monthsOfQuota).toBeCloseTo(4.12);
    expect(plan.firstSync.fitsThisMonth).toBe(false);
    // 4,000 background calls this month, then 4,000 a month for the remaining 16,600: about five months in all.
    expect(plan.firstSync.durationMs).toBeCloseTo(30 * DAY + 4.15 * AVERAGE_MONTH_MS);
  });

  test('late in the month, with only the reserve left, background pauses and live changes keep the reserve', () => {
    const plan = planBackgroundBudget(standard(100, { usedThisMonth: 4200, msLeftInMonth: 5 * DAY }));
    expect(plan).toMatchObject({
      remaining: 800,
      reserveHeld: 800,
      backgroundAllowance: 0,
      pauseBackground: true,
      plannedBackgroundCalls: 0,
      projectedCallsAtMonthEnd: 4200,
    });
    expect(plan.backgroundIntervalMs).toBe(Infinity);
    expect(plan.backgroundResumesInMs).toBe(5 * DAY);
    expect(plan.fullSweep.durationMs).toBeCloseTo(5 * DAY + (100 / 4000) * AVERAGE_MONTH_MS);
  });

  test('a paid edition or add-on pack: the same org sweeps daily', () => {
    const plan = planBackgroundBudget(standard(10_000, { monthlyQuota: 500_000 }));
    expect(plan.backgroundIntervalMs).toBe(DAY);
    expect(plan.firstSync.fitsThisMonth).toBe(true);
  });

  test.each([
    ['monthlyQuota', 0],
    ['reserveShare', 1],
    ['msLeftInMonth', 0],
    ['callsPerBackgroundPull', 0],
    ['folders', -1],
    ['usedThisMonth', Number.NaN],
  ] as const)('refuses %s = %s', (name, value) => {
    expect(() => planBackgroundBudget(standard(100, { [name]: value }))).toThrow(name);
  });
});

test('an organisation with no folder yet plans no background call (a seed once found 0 ÷ 0 here)', () => {
  const plan = planBackgroundBudget({
    monthlyQuota: 1,
    usedThisMonth: 0,
    msLeftInMonth: 1,
    folders: 0,
    callsPerBackgroundPull: 0.01,
    callsPerFirstSync: 0,
    reserveShare: 0,
    minimumIntervalMs: 0,
  });
  expect(plan.plannedBackgroundCalls).toBe(0);
  expect(plan.projectedCallsAtMonthEnd).toBe(0);
});
