/**
 * Plans background DingTalk work (safety sweeps, polls, first syncs) to fit the org's monthly quota of metered
 * calls (standard edition: 5,000 a month, DingTalk's API throttling doc), whatever the number of users. Pure: the
 * governor feeds it the month's count and the time left (MonthlyBudgetGovernor.plan).
 *
 * The model: background work may spend what is left of the month's quota minus the reserve for live changes, spread
 * evenly over the time left in the month (China time, see china-month.ts). Each of the `folders` is pulled once
 * per interval, so the org-wide pace is folders × callsPerBackgroundPull per interval. When the allowance cannot
 * pay for a whole round before the month turns, the interval grows past the month instead of pretending: a sweep
 * or first sync then spans months, and the estimates say how many.
 */

export interface BudgetPlanInput {
  /** Metered calls the org may make a month (DINGTALK_MONTHLY_CALL_QUOTA). */
  monthlyQuota: number;
  /** Metered calls counted so far this month, push-driven ones included. */
  usedThisMonth: number;
  /** Time until the month turns in China time. */
  msLeftInMonth: number;
  /** Folders the background work pulls: one per paired user and synced calendar. */
  folders: number;
  /** Metered calls one background pull of a folder costs (one ListEvents page with a syncToken: 1). */
  callsPerBackgroundPull: number;
  /** Metered calls a first sync of one folder costs on average (a full listing: one call per 100 events, …). */
  callsPerFirstSync: number;
  /** Share of the quota only push-driven work may use. */
  reserveShare: number;
  /** Background pulls of one folder are never planned closer together than this. */
  minimumIntervalMs: number;
}

/** What a one-off piece of background work costs and how long the budget makes it take. */
export interface WorkEstimate {
  calls: number;
  /** calls ÷ the whole monthly quota: 20,600 calls are about four 5,000-call months. */
  monthsOfQuota: number;
  /** From now, spending only the background allowance: the rest of this month's, then quota − reserve a month. */
  durationMs: number;
  fitsThisMonth: boolean;
}

export interface BudgetPlan {
  /** The inputs a reader of the plan needs to make sense of it (a logged plan explains itself). */
  monthlyQuota: number;
  usedThisMonth: number;
  folders: number;
  /** Calls left this month for any work. */
  remaining: number;
  /** Calls kept for push-driven work: the reserve, or what is left if that is less. */
  reserveHeld: number;
  /** Calls left this month for background work: remaining − reserveHeld. */
  backgroundAllowance: number;
  /** True when the allowance cannot pay for a single pull: no background work until the month turns. */
  pauseBackground: boolean;
  /**
   * How often each folder may be pulled; never below the minimum. Infinity while paused, so that a caller comparing
   * a folder's last pull with it pulls nothing even if it overlooks the pause.
   */
  backgroundIntervalMs: number;
  /** While paused, the time until the month turns and background work may start again; otherwise 0. */
  backgroundResumesInMs: number;
  /** Background calls this plan spends by the end of the month. */
  plannedBackgroundCalls: number;
  /** usedThisMonth + plannedBackgroundCalls; live changes may add up to reserveHeld on top. */
  projectedCallsAtMonthEnd: number;
  /** Pulling every folder once. */
  fullSweep: WorkEstimate;
  /** A first sync of every folder. */
  firstSync: WorkEstimate;
}

/** An average Gregorian month, for the months after this one. */
export const AVERAGE_MONTH_MS = (365.2425 / 12) * 86_400_000;

/** The calls only push-driven work may use; the governor enforces the same figure. */
export function reserveOf(monthlyQuota: number, reserveShare: number): number {
  return Math.floor(monthlyQuota * reserveShare);
}

export function planBackgroundBudget(input: BudgetPlanInput): BudgetPlan {
  assertValid(input);
  const { monthlyQuota, usedThisMonth, msLeftInMonth, folders, callsPerBackgroundPull } = input;
  const remaining = Math.max(0, monthlyQuota - usedThisMonth);
  const reserveHeld = Math.min(reserveOf(monthlyQuota, input.reserveShare), remaining);
  const backgroundAllowance = remaining - reserveHeld;
  const perMonth = monthlyQuota - reserveOf(monthlyQuota, input.reserveShare);
  const pauseBackground = backgroundAllowance < callsPerBackgroundPull;
  const roundCalls = folders * callsPerBackgroundPull;

  const backgroundIntervalMs = pauseBackground
    ? Infinity
    : Math.max(input.minimumIntervalMs, (roundCalls * msLeftInMonth) / backgroundAllowance);
  // No folder (or a zero interval with nothing to pull) plans no call: 0 ÷ 0 must not become NaN.
  const plannedBackgroundCalls =
    pauseBackground || roundCalls === 0 ? 0 : Math.floor((roundCalls * msLeftInMonth) / backgroundIntervalMs);

  const spendable = pauseBackground ? 0 : backgroundAllowance;
  const estimate = (calls: number, minimumMs = 0): WorkEstimate => ({
    calls,
    monthsOfQuota: calls / monthlyQuota,
    durationMs: Math.max(minimumMs, timeToSpend(calls, spendable, msLeftInMonth, perMonth)),
    fitsThisMonth: calls <= spendable,
  });

  return {
    monthlyQuota,
    usedThisMonth,
    folders,
    remaining,
    reserveHeld,
    backgroundAllowance,
    pauseBackground,
    backgroundIntervalMs,
    backgroundResumesInMs: pauseBackground ? msLeftInMonth : 0,
    plannedBackgroundCalls,
    projectedCallsAtMonthEnd: usedThisMonth + plannedBackgroundCalls,
    fullSweep: estimate(roundCalls, folders > 0 ? input.minimumIntervalMs : 0),
    firstSync: estimate(folders * input.callsPerFirstSync),
  };
}

/** This month's allowance spread over the time left, then `perMonth` calls each following month. */
function timeToSpend(calls: number, thisMonth: number, msLeftInMonth: number, perMonth: number): number {
  if (calls <= 0) return 0;
  if (calls <= thisMonth) return (calls / thisMonth) * msLeftInMonth;
  return msLeftInMonth + ((calls - thisMonth) / perMonth) * AVERAGE_MONTH_MS;
}

function assertValid(input: BudgetPlanInput): void {
  const { monthlyQuota, reserveShare } = input;
  if (!(monthlyQuota > 0 && Number.isFinite(monthlyQuota)))
    throw new Error(`monthlyQuota must be positive, got ${monthlyQuota}`);
  if (!(reserveShare >= 0 && reserveShare < 1))
    throw new Error(`reserveShare must be in [0, 1), got ${reserveShare}`);
  if (!(input.msLeftInMonth > 0))
    throw new Error(`msLeftInMonth must be positive, got ${input.msLeftInMonth}`);
  if (!(input.callsPerBackgroundPull > 0))
    throw new Error(`callsPerBackgroundPull must be positive, got ${input.callsPerBackgroundPull}`);
  for (const name of ['usedThisMonth', 'folders', 'callsPerFirstSync', 'minimumIntervalMs'] as const) {
    if (!(input[name] >= 0 && Number.isFinite(input[name])))
      throw new Error(`${name} must be zero or more, got ${input[name]}`);
  }
}
