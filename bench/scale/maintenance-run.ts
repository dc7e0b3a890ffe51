import { runMaintenance } from '../../shared/app/maintenance';
import { maintenanceDeps } from '../../shared/app/services';
import { round } from '../support/stats';
import type { Deadline } from './deadline';
import { largestKinds } from './largest-kinds';
import type { SentWork } from './queue-tap';
import type { ScaleWorld } from './scale-world';

/** What one maintenance run cost and did. */
export interface RunSample {
  /** Minutes of the app's clock since the first run. */
  atMinute: number;
  ms: number;
  tableOperations: number;
  rowsRead: number;
  tableScans: number;
  /** Table operations by table and kind, for the largest items of a figure's breakdown. */
  byKind: Record<string, number>;
  rowsReadByTable: Record<string, number>;
  /** Graph subscription requests that create, renew or delete (the ones Graph's write limit counts). */
  subscriptionWrites: number;
  subscriptionCreates: number;
  /** Subscriptions that exist in Graph after the run. */
  subscriptions: number;
  dingtalkMeteredCalls: number;
  /** Queue messages the run sent, and the wall-clock time from the first send's start to the last one's end. */
  sent: SentWork[];
  queueingMs: number;
  /** The run's own report (its shape belongs to the app). */
  report: unknown;
}

/** A run the cap cut short, and what it had done by then. */
export interface UnfinishedRun {
  atMinute: number;
  runningForMs: number;
  tableOperationsSoFar: number;
  largestTableOperations: Record<string, number>;
}

/** What the phase does around each run: hand the queued work to the worker, note a run the cap cut short. */
export interface RunHooks {
  afterRun(run: RunSample): Promise<void>;
  abandoned(unfinished: UnfinishedRun): void;
}

const SUBSCRIPTIONS = /^\/v1\.0\/subscriptions(\/|$)/;

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(after))
    if (n - (before[key] ?? 0) > 0) out[key] = n - (before[key] ?? 0);
  return out;
}

/**
 * One run of the timer's code through its public entry point (runMaintenance with the deps the Functions app
 * builds), at the clock's current time. Undefined when the phase's cap ran out first: the run is abandoned.
 */
export async function measureMaintenanceRun(
  world: ScaleWorld,
  startedAt: number,
  deadline: Deadline,
  hooks: RunHooks,
): Promise<RunSample | undefined> {
  world.graph.control.clearRequests();
  world.dingtalk.control.clearExchanges();
  const meteredBefore = world.dingtalk.control.usage().metered;
  const before = world.tables();
  const started = performance.now();
  const atMinute = round((world.clock.now() - startedAt) / 60_000, 2);
  const report = await deadline.race(runMaintenance(maintenanceDeps(world.app, world.services)));
  const ms = performance.now() - started;
  if (report === undefined) {
    const now = world.tables();
    hooks.abandoned({
      atMinute,
      runningForMs: round(ms, 0),
      tableOperationsSoFar: now.requests - before.requests,
      largestTableOperations: largestKinds(difference(now.byKind, before.byKind)),
    });
    return undefined;
  }
  const after = world.tables();
  const sent = world.queues.take();
  const subscriptionRequests = world.graph.control.requests.filter((r) => SUBSCRIPTIONS.test(r.path));
  const sample: RunSample = {
    atMinute,
    ms: round(ms),
    tableOperations: after.requests - before.requests,
    rowsRead: after.rowsRead - before.rowsRead,
    tableScans: after.tableScans - before.tableScans,
    byKind: difference(after.byKind, before.byKind),
    rowsReadByTable: difference(after.rowsReadByTable, before.rowsReadByTable),
    subscriptionWrites: subscriptionRequests.filter((r) => r.method !== 'GET').length,
    subscriptionCreates: subscriptionRequests.filter((r) => r.method === 'POST').length,
    subscriptions: world.graph.control.subscriptions().length,
    dingtalkMeteredCalls: world.dingtalk.control.usage().metered - meteredBefore,
    sent,
    queueingMs: round(queueingSpan(sent)),
    report,
  };
  world.graph.control.clearRequests();
  world.dingtalk.control.clearExchanges();
  await hooks.afterRun(sample);
  return sample;
}

function queueingSpan(sent: SentWork[]): number {
  if (sent.length === 0) return 0;
  const start = Math.min(...sent.map((m) => m.sendStartMs));
  const end = Math.max(...sent.map((m) => m.sendStartMs + m.sendMs));
  return end - start;
}
