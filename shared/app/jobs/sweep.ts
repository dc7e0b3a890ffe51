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
 * The safety sweep (notifications can be lost for good: reference/graph.md §0.4). Every folder is pulled once per
 * its side's period (OUTLOOK_SWEEP_MINUTES, DINGTALK_SWEEP_HOURS), each at its own minute of the period (the pair's
 * slot, see sweep-slots.ts), so the pulls are spread evenly instead of arriving in waves. A run reads only the pairs
 * whose slots fell due since the previous run, never the whole users table.
 */
export async function sweepJob(deps: MaintenanceDeps, state: JobState): Promise<JobOutcome<number>> {
  const now = minuteOf(deps.now());
  const swept = parseProgress(state.progress);
  const work: WorkItem[] = [];
  for (const side of SIDES) {
    const period = periodMinutes(
      side === 'outlook' ? deps.schedule.outlookSweepIntervalMs : deps.schedule.dingtalkSweepIntervalMs,
    );
    const { first, last } = minutesToServe(swept[side], now, period, MAX_CATCH_UP_MINUTES);
    const ranges = slotRanges(first, last, period, SWEEP_SLOTS);
    const pairs = (
      await Promise.all(ranges.map(([from, to]) => deps.stores.users.listSlots(from, to)))
    ).flat();
    for (const pair of pairs) if (pair.status === 'active') work.push(...folderWork(pair, [side], 'sweep'));
    swept[side] = last;
  }
  await forEachBounded(work, ENQUEUE_CONCURRENCY, (item) => deps.stores.workQueue.enqueue(item));
  return { report: work.length, progress: JSON.stringify(swept) };
}

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
