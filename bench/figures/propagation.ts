import { remoteCalendar, type CalendarSide } from '../fakes/remote-calendar';
import { costPerChange, type CostPerChange } from '../pipeline/call-counts';
import type { BenchPerson } from '../pipeline/people';
import { injectRemoteLatency } from '../pipeline/remote-latency';
import type { Pipeline } from '../pipeline/start-pipeline';
import { splitByStalls, type TimedSample } from '../pipeline/storage-stalls';
import { BUDGETS } from '../support/budgets';
import { progress } from '../support/progress';
import { summarize, type LatencySummary } from '../support/stats';
import { pollUntil } from '../support/wait';

type Operation = 'create' | 'update' | 'delete';
const OPERATIONS: Operation[] = ['create', 'update', 'delete'];

export interface DirectionFigure extends LatencySummary {
  byOperation: Record<Operation, LatencySummary>;
  /** Changes that did not show on the other side within the wait; not in the percentiles. */
  notSeen: number;
  /** Changes that overlapped an Azurite stall (pipeline/storage-stalls.ts), and the figures without them. */
  duringStorageStall: number;
  outsideStorageStalls: LatencySummary;
  budget: { p50Ms: number; p99Ms: number };
  withinBudget: boolean;
  withinBudgetOutsideStorageStalls: boolean;
}

export interface PropagationFigures {
  injectedLatencyMsPerRemoteCall: number;
  dingtalkToOutlook: DirectionFigure;
  outlookToDingtalk: DirectionFigure;
}

/** What each kind of change cost, in each direction, changes made one at a time, echo pulls included. */
export interface IsolatedCosts {
  dingtalkToOutlook: Record<Operation | 'all', CostPerChange>;
  outlookToDingtalk: Record<Operation | 'all', CostPerChange>;
  /** Both directions, every kind of change. */
  all: CostPerChange;
}

export interface PropagationOptions {
  changesPerOperation: number;
  latencyMs: number;
  pollMs: number;
  waitMs: number;
}

interface Mirror {
  person: BenchPerson;
  sourceId: string;
  targetId?: string;
}

/**
 * Push-driven propagation with latency injected on every remote call: changes made one after another, each timed
 * from the moment the user makes it until the other side shows it (polled every pollMs). Consecutive changes go to
 * different users, as in an organisation, so one user's echo pull never holds up the next change.
 */
export async function measurePropagation(
  p: Pipeline,
  options: PropagationOptions,
): Promise<{ figures: PropagationFigures; costs: IsolatedCosts }> {
  const clearLatency = await injectRemoteLatency(p.fakes, options.latencyMs);
  const first = await p.calls.now();
  try {
    const dingtalk = remoteCalendar(p.fakes, 'dingtalk');
    const outlook = remoteCalendar(p.fakes, 'outlook');
    const toOutlook = await direction(p, dingtalk, outlook, options);
    const toDingtalk = await direction(p, outlook, dingtalk, options);
    return {
      figures: {
        injectedLatencyMsPerRemoteCall: options.latencyMs,
        dingtalkToOutlook: toOutlook.figure,
        outlookToDingtalk: toDingtalk.figure,
      },
      costs: {
        dingtalkToOutlook: toOutlook.costs,
        outlookToDingtalk: toDingtalk.costs,
        all: costPerChange(first, await p.calls.now(), 2 * OPERATIONS.length * options.changesPerOperation),
      },
    };
  } finally {
    await clearLatency();
  }
}

async function direction(
  p: Pipeline,
  source: CalendarSide,
  target: CalendarSide,
  options: PropagationOptions,
): Promise<{ figure: DirectionFigure; costs: Record<Operation | 'all', CostPerChange> }> {
  const tag = `bench ${source.name}→${target.name} ${Date.now().toString(36)}`;
  const mirrors: Mirror[] = [];
  const samples = {} as Record<Operation, TimedSample[]>;
  const costs = {} as Record<Operation | 'all', CostPerChange>;
  let notSeen = 0;
  const first = await p.calls.now();
  for (const operation of OPERATIONS) {
    const before = await p.calls.now();
    samples[operation] = [];
    for (let i = 0; i < options.changesPerOperation; i++) {
      const person = p.people[i % p.people.length]!;
      const subject = `${tag} ${operation} ${i}`;
      const started = performance.now();
      let seen: boolean;
      if (operation === 'create') {
        const mirror: Mirror = { person, sourceId: await source.create(person, subject, 8 + (i % 12)) };
        mirrors[i] = mirror;
        mirror.targetId = await pollUntil(
          () => target.findBySubject(person, subject),
          options.pollMs,
          options.waitMs,
        );
        seen = mirror.targetId !== undefined;
      } else {
        const mirror = mirrors[i]!;
        if (operation === 'update') await source.rename(person, mirror.sourceId, subject);
        else await source.remove(person, mirror.sourceId);
        const arrived = async () => {
          if (mirror.targetId === undefined) return undefined;
          const now = await target.subjectOf(person, mirror.targetId);
          return (operation === 'update' ? now === subject : now === undefined) || undefined;
        };
        seen = (await pollUntil(arrived, options.pollMs, options.waitMs)) === true;
      }
      const ended = performance.now();
      if (seen) samples[operation].push({ ms: ended - started, startMs: started, endMs: ended });
      else notSeen++;
    }
    await p.quiet();
    costs[operation] = costPerChange(before, await p.calls.now(), options.changesPerOperation);
  }
  costs.all = costPerChange(first, await p.calls.now(), options.changesPerOperation * OPERATIONS.length);

  const split = splitByStalls(
    OPERATIONS.flatMap((o) => samples[o]),
    p.stalls,
  );
  const summary = summarize(split.all);
  const outside = summarize(split.outside);
  const budget = { p50Ms: BUDGETS.propagationP50Ms, p99Ms: BUDGETS.propagationP99Ms };
  const within = (s: LatencySummary) => notSeen === 0 && s.p50Ms <= budget.p50Ms && s.p99Ms <= budget.p99Ms;
  const durations = (o: Operation) => samples[o].map((s) => s.ms);
  progress(`propagation ${source.name}→${target.name}: p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms`);
  return {
    figure: {
      ...summary,
      byOperation: {
        create: summarize(durations('create')),
        update: summarize(durations('update')),
        delete: summarize(durations('delete')),
      },
      notSeen,
      duringStorageStall: split.touched,
      outsideStorageStalls: outside,
      budget,
      withinBudget: within(summary),
      withinBudgetOutsideStorageStalls: within(outside),
    },
    costs,
  };
}
