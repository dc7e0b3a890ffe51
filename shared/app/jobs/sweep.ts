import { forEachBounded } from '../../store/bounded';
import type { JobState } from '../../store/job-store';
import type { WorkItem } from '../../store/types';
import { SWEEP_SLOTS } from '../../store/user-repository';
import type { Side } from '../../sync/types';
import { folderWork } from '../folders';
import type { MaintenanceDeps } from './deps';
import type { JobOutcome } from './job-runner';
import { minuteOf, minutesToServe, periodMinutes, slotRanges } from './sweep-slots';

/**
 * Minutes of missed timer runs one run catches up on. Each is a normal run's worth of sweeps (at 10,000 pairs and
 * hourly Outlook sweeps about 170 pulls), so a run stays short while a backlog drains at five minutes a minute.
 */
export const MAX_CATCH_UP_MINUTES = 5;
/** Queue messages in flight at once. */
const ENQUEUE_CONCURRENCY = 16;
const SIDES: Side[] = ['outlook', 'dingtalk'];

/** The last minute each side has been swept through: the job's progress note. */
type SweptThrough = Partial<Record<Side, number>>;

/**
 * The safety sweep (notifications can be lost for good: docs/graph.md). Every folder is pulled once per
 * its side's period (OUTLOOK_SWEEP_MINUTES, DINGTALK_SWEEP_HOURS), each at its own minute of the period (the pair's
 * slot, see sweep-slots.ts), so the pulls are spread evenly instead of arriving in waves. A run reads only the pairs
 * whose slots fell due since the previous run, never the whole users table.
 */
export interface SweepReport {
  enqueued: number;
  /** The DingTalk sweep as the monthly budget allows it (absent without a budget). */
  dingtalkBudget?: DingTalkSweepPlan;
}

export async function sweepJob(deps: MaintenanceDeps, state: JobState): Promise<JobOutcome<SweepReport>> {
  const now = minuteOf(deps.now());
  const swept = parseProgress(state.progress);
  const work: WorkItem[] = [];
  const report: SweepReport = { enqueued: 0 };
  // The Outlook side goes first: the pairs it reads estimate the organisation's size for the DingTalk budget.
  let estimate: { pairs: number; slots: number } = { pairs: 0, slots: 0 };
  for (const side of SIDES) {
    let periodMs =
      side === 'outlook' ? deps.schedule.outlookSweepIntervalMs : deps.schedule.dingtalkSweepIntervalMs;
    // A run that served no Outlook slot (a second run in one minute) has nothing to sweep and nothing to count.
    if (side === 'dingtalk' && deps.dingtalkBudget && estimate.slots > 0) {
      report.dingtalkBudget = await planDingTalkSweep(deps, periodMs, estimate);
      if (report.dingtalkBudget.paused) continue;
      periodMs = report.dingtalkBudget.periodMs;
    }
    const period = periodMinutes(periodMs);
    const { first, last } = minutesToServe(swept[side], now, period, MAX_CATCH_UP_MINUTES);
    const ranges = slotRanges(first, last, period, SWEEP_SLOTS);
    const pairs = (
      await Promise.all(ranges.map(([from, to]) => deps.stores.users.listSlots(from, to)))
    ).flat();
    if (side === 'outlook') {
      estimate = { pairs: pairs.length, slots: ranges.reduce((sum, [from, to]) => sum + to - from, 0) };
    }
    for (const pair of pairs)
      if (pair.status === 'active') work.push(...folderWork(pair, [side], 'sweep', { skipPolled: true }));
    swept[side] = last;
  }
  await forEachBounded(work, ENQUEUE_CONCURRENCY, (item) => deps.stores.workQueue.enqueue(item));
  report.enqueued = work.length;
  return { report, progress: JSON.stringify(swept) };
}

export interface DingTalkSweepPlan {
  /** The period the sweep uses: the configured one, or longer when the budget cannot pay for it. */
  periodMs: number;
  paused: boolean;
  /** How many folders the plan counted (estimated from the slots this run read). */
  folders: number;
  projectedCallsAtMonthEnd: number;
  fullSweepDays: number;
  firstSyncMonthsOfQuota: number;
}

/**
 * DingTalk's calls are metered (5,000 a month on the standard edition), so its sweep runs no faster than the
 * budget allows for the organisation's size: the planner's interval when it is longer than DINGTALK_SWEEP_HOURS,
 * nothing while the month's background allowance is spent. Pulls that people wait for use the reserve instead.
 */
async function planDingTalkSweep(
  deps: MaintenanceDeps,
  configuredMs: number,
  sample: { pairs: number; slots: number },
): Promise<DingTalkSweepPlan> {
  // Pairs are spread over the slots by a hash, so the slots one run reads estimate the whole table without a scan.
  const folders = sample.slots > 0 ? Math.round((sample.pairs * SWEEP_SLOTS) / sample.slots) : 0;
  const plan = await deps.dingtalkBudget!.plan({
    folders: Math.max(1, folders),
    callsPerBackgroundPull: CALLS_PER_DINGTALK_PULL,
    callsPerFirstSync: CALLS_PER_DINGTALK_FIRST_SYNC,
    minimumIntervalMs: configuredMs,
  });
  return {
    periodMs: plan.pauseBackground ? configuredMs : Math.max(configuredMs, plan.backgroundIntervalMs),
    paused: plan.pauseBackground,
    folders,
    projectedCallsAtMonthEnd: plan.projectedCallsAtMonthEnd,
    fullSweepDays: Math.round((plan.fullSweep.durationMs / 86_400_000) * 10) / 10,
    firstSyncMonthsOfQuota: Math.round(plan.firstSync.monthsOfQuota * 10) / 10,
  };
}

/** One ListEvents page with a syncToken (docs/dingtalk.md). */
const CALLS_PER_DINGTALK_PULL = 1;
/** A full listing plus matching, as measured on first syncs (docs/dingtalk.md: about 2.06 per user). */
const CALLS_PER_DINGTALK_FIRST_SYNC = 2.06;

function parseProgress(progress: string | undefined): SweptThrough {
  if (!progress) return {};
  try {
    const parsed = JSON.parse(progress) as SweptThrough;
    const out: SweptThrough = {};
    for (const side of SIDES) if (Number.isInteger(parsed[side])) out[side] = parsed[side];
    return out;
  } catch {
    return {};
  }
}
