import { round } from '../support/stats';
import { progress } from '../support/progress';
import { deadlineIn } from '../scale/deadline';
import { functionTimeoutMs } from '../scale/function-timeout';
import { measureIdleRuns, type IdleFigure } from '../scale/idle-run';
import type { RunHooks, RunSample, UnfinishedRun } from '../scale/maintenance-run';
import { measurePairingAndRollout, type PairingFigure, type RolloutFigure } from '../scale/rollout';
import { SCALE_BUDGETS } from '../scale/scale-budgets';
import { startScaleWorld, type ScaleWorld } from '../scale/scale-world';
import { measureSweepCycle, type SweepCycleFigure } from '../scale/sweep-cycle';
import { createWorkerStandIn, type FirstSyncFigure } from '../scale/worker-stand-in';

export interface ScaleSettings {
  users: number;
  /** Wall-clock cap on the whole phase; what did not finish is reported as such. */
  capMinutes: number;
  /** Share of the cap the worker may spend on first syncs. */
  firstSyncShare: number;
  idleRuns: number;
  /** Length of the simulated sweep cycle; default: the Outlook sweep interval. */
  sweepCycleMinutes?: number;
}

export interface ScaleFigure {
  settings: ScaleSettings;
  users: number;
  seedMs: number;
  timerPeriodMinutes: number;
  pairing: PairingFigure;
  subscriptionRollout: RolloutFigure;
  firstSync: FirstSyncFigure;
  maintenanceIdle: IdleFigure;
  sweepCycle: SweepCycleFigure;
  longestRun: {
    ms: number | null;
    functionTimeoutMs: number | null;
    shareOfTimeout: number | null;
    /** The longest is a run the cap cut short: its real duration is longer. */
    atLeast: boolean;
    budgetShare: number;
    withinBudget: boolean | null;
  };
  /** A run the cap cut short: when it started on the app's clock, how long it had run and what it had done. */
  unfinishedRun: UnfinishedRun | null;
  /** Warnings and errors the app logged during the phase. */
  appLog: ReturnType<ScaleWorld['logged']>;
  /** Whether the wall-clock cap cut the phase short. */
  cappedAfterMinutes: number | null;
  phaseSeconds: number;
}

export function scaleSettingsFromEnv(env = process.env): ScaleSettings {
  const number = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return {
    users: Math.round(number('BENCH_SCALE_USERS', 10_000)),
    capMinutes: number('BENCH_SCALE_MINUTES', 8),
    firstSyncShare: Math.min(1, number('BENCH_SCALE_FIRST_SYNC_SHARE', 0.3)),
    idleRuns: 3,
    sweepCycleMinutes: env.BENCH_SCALE_SWEEP_MINUTES ? number('BENCH_SCALE_SWEEP_MINUTES', 60) : undefined,
  };
}

/**
 * N paired people on both fakes, then the timer's code run after run on a clock the bench moves: the first run
 * (pairing), the subscription rollout, idle runs, one sweep cycle. The worker serves what the runs queue between
 * them. Everything is counted at the app's own storage client and at the fakes.
 */
export async function measureScale(settings: ScaleSettings): Promise<ScaleFigure> {
  const started = performance.now();
  const deadline = deadlineIn(settings.capMinutes * 60_000);
  const world = await startScaleWorld(settings.users);
  progress(`scale: ${settings.users} people seeded on both fakes in ${round(world.seedMs)} ms`);
  const allRuns: RunSample[] = [];
  const cut: { run: UnfinishedRun | null } = { run: null };
  try {
    const worker = createWorkerStandIn(
      world,
      deadline,
      settings.firstSyncShare * settings.capMinutes * 60_000,
    );
    const hooks: RunHooks = {
      async afterRun(run) {
        allRuns.push(run);
        progress(
          `scale: run at minute ${run.atMinute}: ${run.ms} ms, ${run.tableOperations} table operations, ` +
            `${run.rowsRead} rows read, ${run.subscriptionWrites} subscription writes, ${run.sent.length} queued (${run.queueingMs} ms)`,
        );
        await worker.afterRun(run);
      },
      abandoned(unfinished) {
        cut.run = unfinished;
        progress(
          `scale: the cap ran out during the run at minute ${unfinished.atMinute}, ` +
            `after ${unfinished.runningForMs} ms and ${unfinished.tableOperationsSoFar} table operations`,
        );
      },
    };
    const { pairing, rollout, startedAt } = await measurePairingAndRollout(world, deadline, hooks);
    progress(`scale: rollout ${rollout.subscriptions}/${rollout.expected} subscriptions`);
    const idle = await measureIdleRuns(
      world,
      {
        runs: settings.idleRuns,
        startedAt,
        afterRollout: rollout.runsToFinish !== null,
        synced: worker.synced,
      },
      deadline,
      hooks,
    );
    const sweepCycle = await measureSweepCycle(
      world,
      {
        cycleMs:
          (settings.sweepCycleMinutes ?? world.app.config.schedule.outlookSweepIntervalMs / 60_000) * 60_000,
        startedAt,
      },
      deadline,
      hooks,
      worker.takeLaterCost,
    );
    const timeout = functionTimeoutMs();
    // A run the cap cut short ran at least this long: it counts, as a lower bound.
    const durations = [...allRuns.map((r) => r.ms), ...(cut.run ? [cut.run.runningForMs] : [])];
    const longest = durations.length ? Math.max(...durations) : null;
    const share = longest !== null && timeout ? round(longest / timeout, 3) : null;
    const atLeast = cut.run !== null && cut.run.runningForMs === longest;
    return {
      settings,
      users: settings.users,
      seedMs: round(world.seedMs),
      timerPeriodMinutes: world.timerPeriodMs / 60_000,
      pairing,
      subscriptionRollout: rollout,
      firstSync: worker.firstSync(),
      maintenanceIdle: idle.figure,
      sweepCycle,
      longestRun: {
        ms: longest,
        functionTimeoutMs: timeout,
        shareOfTimeout: share,
        atLeast,
        budgetShare: SCALE_BUDGETS.longestRunShareOfTimeout,
        withinBudget: withinShare(share, atLeast),
      },
      unfinishedRun: cut.run,
      appLog: world.logged(),
      cappedAfterMinutes: deadline.passed() ? settings.capMinutes : null,
      phaseSeconds: round((performance.now() - started) / 1000),
    };
  } finally {
    await world.stop();
  }
}

/** Over the share is over; under it is only known when the longest run finished. */
function withinShare(share: number | null, atLeast: boolean): boolean | null {
  if (share === null) return null;
  if (share > SCALE_BUDGETS.longestRunShareOfTimeout) return false;
  return atLeast ? null : true;
}
