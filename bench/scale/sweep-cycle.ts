import type { Deadline } from './deadline';
import { measureMaintenanceRun, type RunHooks, type RunSample } from './maintenance-run';
import type { ScaleWorld } from './scale-world';
import { spreadOf, type Spread } from './spread';
import { folderOf } from './worker-drain';
import type { LaterCost } from './worker-stand-in';

export interface SideCoverage {
  /** This side's safety-sweep interval. */
  periodMinutes: number;
  /** Whether the cycle lasted at least one such period (otherwise "exactly once" cannot be judged). */
  coversPeriod: boolean;
  /** Queue messages for this side's folders per run. */
  perRun: Spread | null;
  /** Of one folder per person: how many were queued exactly once, never, or more than once in the cycle. */
  folders: number;
  exactlyOnce: number;
  never: number;
  moreThanOnce: number;
  everyFolderExactlyOnce: boolean | null;
}

export interface SweepCycleFigure {
  cycleMinutes: number;
  runs: number;
  complete: boolean;
  /** Queue messages per run, every reason and side: a wave is a max far above the mean. */
  messagesPerRun: Spread | null;
  byReason: Record<string, number>;
  outlook: SideCoverage;
  dingtalk: SideCoverage;
  tableOperationsPerRun: Spread | null;
  rowsReadPerRun: Spread | null;
  msPerRun: Spread | null;
  tableScans: number;
  /** The worker's pulls of what the cycle queued (not part of the timer's figures), and messages served per run. */
  worker: { messages: number; tableOperations: number; messagesPerRun: Spread | null };
}

function coverage(
  runs: RunSample[],
  side: string,
  periodMs: number,
  cycleMs: number,
  folders: number,
): SideCoverage {
  const counts = new Map<string, number>();
  const perRun = runs.map((r) => {
    const mine = r.sent.filter((m) => m.side === side && m.pairId);
    for (const m of mine) counts.set(folderOf(m), (counts.get(folderOf(m)) ?? 0) + 1);
    return mine.length;
  });
  const exactlyOnce = [...counts.values()].filter((n) => n === 1).length;
  const moreThanOnce = [...counts.values()].filter((n) => n > 1).length;
  const coversPeriod = cycleMs >= periodMs;
  return {
    periodMinutes: periodMs / 60_000,
    coversPeriod,
    perRun: spreadOf(perRun),
    folders,
    exactlyOnce,
    never: Math.max(0, folders - counts.size),
    moreThanOnce,
    everyFolderExactlyOnce: coversPeriod ? exactlyOnce === folders : null,
  };
}

/**
 * One full sweep period on the app's clock: a run every timer period, the worker serving what each run queued
 * before the next. A schedule that spreads the sweep queues each folder once, a few every run; one that sweeps
 * by age queues them in waves.
 */
export async function measureSweepCycle(
  world: ScaleWorld,
  options: { cycleMs: number; startedAt: number },
  deadline: Deadline,
  hooks: RunHooks,
  workerCost: () => LaterCost,
): Promise<SweepCycleFigure> {
  const wanted = Math.max(1, Math.round(options.cycleMs / world.timerPeriodMs));
  const runs: RunSample[] = [];
  workerCost();
  while (runs.length < wanted && !deadline.passed()) {
    world.clock.advance(world.timerPeriodMs);
    const run = await measureMaintenanceRun(world, options.startedAt, deadline, hooks);
    if (!run) break;
    runs.push(run);
  }
  const cost = workerCost();
  const cycleMs = runs.length * world.timerPeriodMs;
  const schedule = world.app.config.schedule;
  const byReason: Record<string, number> = {};
  for (const m of runs.flatMap((r) => r.sent))
    byReason[m.reason || '?'] = (byReason[m.reason || '?'] ?? 0) + 1;
  const people = world.people.length;
  return {
    cycleMinutes: cycleMs / 60_000,
    runs: runs.length,
    complete: runs.length === wanted,
    messagesPerRun: spreadOf(runs.map((r) => r.sent.length)),
    byReason,
    outlook: coverage(runs, 'outlook', schedule.outlookSweepIntervalMs, cycleMs, people),
    dingtalk: coverage(runs, 'dingtalk', schedule.dingtalkSweepIntervalMs, cycleMs, people),
    tableOperationsPerRun: spreadOf(runs.map((r) => r.tableOperations)),
    rowsReadPerRun: spreadOf(runs.map((r) => r.rowsRead)),
    msPerRun: spreadOf(runs.map((r) => r.ms)),
    tableScans: runs.reduce((n, r) => n + r.tableScans, 0),
    worker: { ...cost, messagesPerRun: spreadOf(cost.messagesPerRun) },
  };
}
