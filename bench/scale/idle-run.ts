import { median, round } from '../support/stats';
import type { Deadline } from './deadline';
import { largestKinds } from './largest-kinds';
import { measureMaintenanceRun, type RunHooks, type RunSample } from './maintenance-run';
import type { ScaleWorld } from './scale-world';
import { SCALE_BUDGETS } from './scale-budgets';

export interface IdleFigure {
  /** The largest of the runs measured (each one timer period after the last, nothing changed meanwhile). */
  tableOperationsPerRun: number | null;
  rowsRead: number | null;
  /** Median of the runs. */
  ms: number | null;
  msRuns: number[];
  tableScans: number | null;
  largestTableOperations: Record<string, number>;
  rowsReadByTable: Record<string, number>;
  /** Queue messages a run sent (due sweeps are part of an idle run). */
  messagesSent: number[];
  /** Whether the subscription rollout had finished before these runs. */
  afterRollout: boolean;
  foldersSynced: number;
  budget: { tableOperationsPerRun: number; rowsRead: number; ms: number; tableScans: number };
  withinBudget: boolean | null;
}

/** A few runs one timer period apart with nothing changed in either directory or any calendar. */
export async function measureIdleRuns(
  world: ScaleWorld,
  options: { runs: number; startedAt: number; afterRollout: boolean; synced: () => number },
  deadline: Deadline,
  hooks: RunHooks,
): Promise<{ figure: IdleFigure; runs: RunSample[] }> {
  const runs: RunSample[] = [];
  for (let i = 0; i < options.runs && !deadline.passed(); i++) {
    world.clock.advance(world.timerPeriodMs);
    const run = await measureMaintenanceRun(world, options.startedAt, deadline, hooks);
    if (!run) break;
    runs.push(run);
  }
  const worst = (pick: (r: RunSample) => number) => (runs.length ? Math.max(...runs.map(pick)) : null);
  const heaviest = runs.reduce<RunSample | undefined>(
    (a, r) => (!a || r.tableOperations > a.tableOperations ? r : a),
    undefined,
  );
  const figure: IdleFigure = {
    tableOperationsPerRun: worst((r) => r.tableOperations),
    rowsRead: worst((r) => r.rowsRead),
    ms: runs.length ? round(median(runs.map((r) => r.ms))) : null,
    msRuns: runs.map((r) => r.ms),
    tableScans: worst((r) => r.tableScans),
    largestTableOperations: heaviest ? largestKinds(heaviest.byKind) : {},
    rowsReadByTable: heaviest?.rowsReadByTable ?? {},
    messagesSent: runs.map((r) => r.sent.length),
    afterRollout: options.afterRollout,
    foldersSynced: options.synced(),
    budget: {
      tableOperationsPerRun: SCALE_BUDGETS.idleTableOperationsPerRun,
      rowsRead: SCALE_BUDGETS.idleRowsRead,
      ms: SCALE_BUDGETS.idleMs,
      tableScans: SCALE_BUDGETS.idleTableScans,
    },
    withinBudget: null,
  };
  if (runs.length > 0) {
    figure.withinBudget =
      figure.tableOperationsPerRun! <= SCALE_BUDGETS.idleTableOperationsPerRun &&
      figure.rowsRead! <= SCALE_BUDGETS.idleRowsRead &&
      figure.ms! <= SCALE_BUDGETS.idleMs &&
      figure.tableScans! <= SCALE_BUDGETS.idleTableScans;
  }
  return { figure, runs };
}
