import { costPerChange, type CostPerChange } from '../pipeline/call-counts';
import { dingtalkSide, outlookSide, type CalendarSide } from '../pipeline/calendar-sides';
import type { Pipeline } from '../pipeline/start-pipeline';
import { BUDGETS } from '../support/budgets';
import { cpuTime } from '../support/cpu-time';
import { startMemorySampler } from '../support/memory-sampler';
import { progress } from '../support/progress';
import { round } from '../support/stats';
import { pollUntil } from '../support/wait';
import { burstLoad, type BurstLoad } from './burst-load';
import { memoryFigure, type MemoryFigure } from './memory';

export interface DirectionThroughput {
  changes: number;
  /** From the first change made until the last one is visible on the other side. */
  seconds: number;
  changesPerSecond: number;
  firstVisibleAfterMs: number;
}

export interface ThroughputFigure {
  changes: number;
  users: number;
  submitMs: number;
  seconds: number;
  changesPerSecond: number;
  allVisible: boolean;
  /** Copies beyond one per change on the other side once the pipeline was quiet (should be 0). */
  duplicates: number;
  /** Where the time went, from the first change until all were visible. */
  load: BurstLoad;
  byDirection: { dingtalkToOutlook: DirectionThroughput; outlookToDingtalk: DirectionThroughput };
  budgetMinChangesPerSecond: number;
  withinBudget: boolean;
}

export interface ThroughputOptions {
  createsPerSide: number;
  pollMs: number;
  waitMs: number;
}

/** How far one direction has got. */
interface Arrivals {
  seen: number;
  firstAt?: number;
  doneAt?: number;
}

/**
 * Sustained throughput with zero-latency fakes: creates on both sides, spread over every user, made as fast as the
 * fakes take them; the clock stops when every one is visible on the other side. Memory is sampled meanwhile and
 * until the pipeline is quiet again; the cost per change is that of the whole burst, echoes included.
 */
export async function measureThroughput(
  p: Pipeline,
  options: ThroughputOptions,
): Promise<{ figure: ThroughputFigure; memory: MemoryFigure; costs: CostPerChange }> {
  const dingtalk = dingtalkSide(p.dingtalk);
  const outlook = outlookSide(p.graph);
  const tag = `bench burst ${Date.now().toString(36)}`;
  const fromDingtalk = `${tag} d `;
  const fromOutlook = `${tag} o `;
  const expected = p.people.map((_, u) => countFor(u, p.people.length, options.createsPerSide));

  const before = p.calls.now();
  const cpuBefore = cpuTime();
  const memory = startMemorySampler(50);
  const started = performance.now();
  for (let i = 0; i < options.createsPerSide; i++) {
    const person = p.people[i % p.people.length]!;
    dingtalk.create(person, `${fromDingtalk}${i}`, 8 + (i % 12));
    outlook.create(person, `${fromOutlook}${i}`, 8 + (i % 12));
  }
  const submitMs = performance.now() - started;

  const toOutlook: Arrivals = { seen: 0 };
  const toDingtalk: Arrivals = { seen: 0 };
  const track = (state: Arrivals, side: CalendarSide, prefix: string) => {
    if (state.doneAt !== undefined) return;
    const counts = p.people.map((person) => side.countWithPrefix(person, prefix));
    state.seen = counts.reduce((a, b) => a + b, 0);
    const now = performance.now() - started;
    if (state.seen > 0) state.firstAt ??= now;
    if (counts.every((c, u) => c >= expected[u]!)) state.doneAt = now;
  };
  const allVisible = await pollUntil(
    () => {
      track(toOutlook, outlook, fromDingtalk);
      track(toDingtalk, dingtalk, fromOutlook);
      return toOutlook.doneAt !== undefined && toDingtalk.doneAt !== undefined ? true : undefined;
    },
    options.pollMs,
    options.waitMs,
  );
  const elapsedMs = Math.max(toOutlook.doneAt ?? options.waitMs, toDingtalk.doneAt ?? options.waitMs);
  const load = burstLoad({
    cpu: [cpuBefore, cpuTime()],
    calls: [before, p.calls.now()],
    stalls: p.stalls.stalls(),
    fromMs: started,
    toMs: started + elapsedMs,
  });
  await p.quiet(120_000);
  const duplicates = p.people.reduce(
    (sum, person, u) =>
      sum +
      Math.max(0, outlook.countWithPrefix(person, fromDingtalk) - expected[u]!) +
      Math.max(0, dingtalk.countWithPrefix(person, fromOutlook) - expected[u]!),
    0,
  );
  const peak = memory.stop();
  const costs = costPerChange(before, p.calls.now(), 2 * options.createsPerSide);

  const changes = 2 * options.createsPerSide;
  const changesPerSecond = round(changes / (elapsedMs / 1000));
  progress(
    `throughput: ${changes} changes visible in ${round(elapsedMs / 1000, 2)} s = ${changesPerSecond}/s`,
  );
  return {
    figure: {
      changes,
      users: p.people.length,
      submitMs: round(submitMs),
      seconds: round(elapsedMs / 1000, 2),
      changesPerSecond,
      allVisible: allVisible === true,
      duplicates,
      load,
      byDirection: {
        dingtalkToOutlook: directionFigure(toOutlook, options),
        outlookToDingtalk: directionFigure(toDingtalk, options),
      },
      budgetMinChangesPerSecond: BUDGETS.throughputMinChangesPerSecond,
      withinBudget: allVisible === true && changesPerSecond >= BUDGETS.throughputMinChangesPerSecond,
    },
    memory: memoryFigure(peak),
    costs,
  };
}

/** Creates are dealt to users round-robin. */
function countFor(user: number, users: number, total: number): number {
  return Math.floor(total / users) + (user < total % users ? 1 : 0);
}

function directionFigure(state: Arrivals, options: ThroughputOptions): DirectionThroughput {
  const seconds = (state.doneAt ?? options.waitMs) / 1000;
  return {
    changes: options.createsPerSide,
    seconds: round(seconds, 2),
    changesPerSecond: round(options.createsPerSide / seconds),
    firstVisibleAfterMs: round(state.firstAt ?? Number.NaN),
  };
}
