import { AVERAGE_MONTH_MS, type BudgetPlan, type WorkEstimate } from './budget-plan';

/**
 * The plan in sentences an admin can act on (for logs and status pages). It states how long work takes at this
 * budget, in months when it spans months, rather than letting a slow first sync look stuck.
 */
export function summariseBudgetPlan(plan: BudgetPlan): string[] {
  const quota = count(plan.monthlyQuota);
  return [
    `DingTalk metered calls this month: ${count(plan.usedThisMonth)} of ${quota} used; ` +
      `${count(plan.reserveHeld)} kept for live changes; ${count(plan.backgroundAllowance)} left for background work.`,
    plan.pauseBackground
      ? `Background work is paused for ${duration(plan.backgroundResumesInMs)}, until the month turns (China time).`
      : `Background pulls: each of ${count(plan.folders)} folders every ${duration(plan.backgroundIntervalMs)}; ` +
        `${count(plan.projectedCallsAtMonthEnd)} calls projected by month end.`,
    `A full sweep of the organisation: ${work(plan.fullSweep, quota)}.`,
    `A first sync of the organisation: ${work(plan.firstSync, quota)}.`,
  ];
}

function work(estimate: WorkEstimate, quota: string): string {
  const calls = `${count(estimate.calls)} calls`;
  const took = `${estimate.fitsThisMonth ? '' : 'about '}${duration(estimate.durationMs)} at this budget`;
  if (estimate.monthsOfQuota < 1) return `${calls}, ${took}`;
  return `${calls}, ${estimate.monthsOfQuota.toFixed(1)} months of the whole ${quota}-call quota; ${took}`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function duration(ms: number): string {
  if (ms < 2 * DAY_MS) return plural(Math.ceil(ms / HOUR_MS), 'hour');
  if (ms < 60 * DAY_MS) return plural(Math.ceil(ms / DAY_MS), 'day');
  return `${(ms / AVERAGE_MONTH_MS).toFixed(1)} months`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
