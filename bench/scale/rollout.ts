import { round } from '../support/stats';
import type { Deadline } from './deadline';
import { largestKinds } from './largest-kinds';
import { measureMaintenanceRun, type RunHooks, type RunSample } from './maintenance-run';
import type { ScaleWorld } from './scale-world';
import { spreadOf, type Spread } from './spread';

export interface PairingFigure {
  /** The first run: it pairs everyone (and does whatever else a run does). */
  ms: number | null;
  tableOperations: number | null;
  rowsRead: number | null;
  /** Queue messages the run sent (first syncs, sweeps) and the wall-clock span of sending them. */
  messagesSent: number | null;
  queueingMs: number | null;
  /** Table operations by table and kind, largest first. */
  largestTableOperations: Record<string, number>;
  /** The run's own report (the app's MaintenanceReport): says which job failed or was skipped. */
  report: unknown;
  finished: boolean;
  /** When the cap cut the first run short: how long it had been running. */
  unfinishedAfterMs?: number;
}

export interface RolloutFigure {
  /** Subscriptions that exist in Graph at the end, of one per person (calendar is the kind synced by default). */
  subscriptions: number;
  expected: number;
  /** Runs from the first until every subscription existed; null when it did not happen within the cap. */
  runsToFinish: number | null;
  /** (runsToFinish − 1) timer periods plus the last run's own duration. */
  minutesToFinish: number | null;
  stoppedAfterRuns?: number;
  /** Table operations and rows read per subscription created, over the runs after the first (the first pairs). */
  operationsPerSubscription: number | null;
  rowsReadPerSubscription: number | null;
  /** Over every run of the rollout: total rows read grows with users × runs when each run reads everyone. */
  rowsReadTotal: number;
  graphSubscriptionWritesPerRun: Spread | null;
  msPerRun: Spread | null;
  timerPeriodMinutes: number;
}

/** Runs in a row without a subscription write, while some are still missing, before the rollout counts as stuck. */
const STUCK_AFTER_RUNS = 3;

/**
 * The first maintenance run on a fresh install (pairing), then one run per timer period on the app's clock until
 * Graph holds every person's subscription. After each run the hooks hand the queued work to the worker.
 */
export async function measurePairingAndRollout(
  world: ScaleWorld,
  deadline: Deadline,
  hooks: RunHooks,
): Promise<{ pairing: PairingFigure; rollout: RolloutFigure; runs: RunSample[]; startedAt: number }> {
  const startedAt = world.clock.now();
  const expected = world.people.length;
  const runs: RunSample[] = [];
  let quietRuns = 0;
  const firstStarted = performance.now();
  while (!deadline.passed()) {
    if (runs.length > 0) world.clock.advance(world.timerPeriodMs);
    const run = await measureMaintenanceRun(world, startedAt, deadline, hooks);
    if (!run) break;
    runs.push(run);
    if (run.subscriptions >= expected) break;
    quietRuns = run.subscriptionWrites === 0 ? quietRuns + 1 : 0;
    if (quietRuns >= STUCK_AFTER_RUNS) break;
  }
  const first = runs[0];
  const finished = runs.length > 0 && runs[runs.length - 1]!.subscriptions >= expected;
  const later = runs.slice(1);
  const createdLater = later.reduce((n, r) => n + r.subscriptionCreates, 0);
  const per = (total: number) => (createdLater > 0 ? round(total / createdLater, 2) : null);
  const periodMinutes = world.timerPeriodMs / 60_000;
  return {
    startedAt,
    runs,
    pairing: {
      ms: first?.ms ?? null,
      tableOperations: first?.tableOperations ?? null,
      rowsRead: first?.rowsRead ?? null,
      messagesSent: first?.sent.length ?? null,
      queueingMs: first?.queueingMs ?? null,
      largestTableOperations: first ? largestKinds(first.byKind) : {},
      report: first?.report ?? null,
      finished: first !== undefined,
      ...(first ? {} : { unfinishedAfterMs: round(performance.now() - firstStarted, 0) }),
    },
    rollout: {
      subscriptions: runs[runs.length - 1]?.subscriptions ?? 0,
      expected,
      runsToFinish: finished ? runs.length : null,
      minutesToFinish: finished
        ? round((runs.length - 1) * periodMinutes + runs[runs.length - 1]!.ms / 60_000, 2)
        : null,
      ...(finished ? {} : { stoppedAfterRuns: runs.length }),
      operationsPerSubscription: per(later.reduce((n, r) => n + r.tableOperations, 0)),
      rowsReadPerSubscription: per(later.reduce((n, r) => n + r.rowsRead, 0)),
      rowsReadTotal: runs.reduce((n, r) => n + r.rowsRead, 0),
      graphSubscriptionWritesPerRun: spreadOf(runs.map((r) => r.subscriptionWrites)),
      msPerRun: spreadOf(runs.map((r) => r.ms)),
      timerPeriodMinutes: periodMinutes,
    },
  };
}
