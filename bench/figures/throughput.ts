import type { CostPerChange } from '../pipeline/call-counts';
import type { Pipeline } from '../pipeline/start-pipeline';
import { BUDGETS } from '../support/budgets';
import { startMemorySampler } from '../support/memory-sampler';
import { dingtalkCeiling, type DingtalkCeiling } from './dingtalk-ceiling';
import { measureDirectionBurst, type BurstOptions, type DirectionBurst } from './direction-burst';
import { memoryFigure, type MemoryFigure } from './memory';

type Judged<T> = T & { budgetMinChangesPerSecond: number; withinBudget: boolean };

export interface ThroughputFigure {
  users: number;
  cpuNote: string;
  byDirection: {
    dingtalkToOutlook: Judged<DirectionBurst>;
    outlookToDingtalk: Judged<DirectionBurst & DingtalkCeiling>;
  };
  withinBudget: boolean;
}

export interface ThroughputOptions {
  dingtalkToOutlook: BurstOptions;
  outlookToDingtalk: BurstOptions;
}

const judged = <T extends DirectionBurst>(figure: T, min: number): Judged<T> => ({
  ...figure,
  budgetMinChangesPerSecond: min,
  withinBudget: figure.missing === 0 && figure.duplicates === 0 && figure.changesPerSecond >= min,
});

/**
 * Sustained throughput with zero-latency fakes, one direction at a time (the other idle), only changes that
 * arrived counted. Memory is sampled over both bursts; their costs per change come back for remoteCallsPerChange.
 */
export async function measureThroughput(
  p: Pipeline,
  options: ThroughputOptions,
): Promise<{
  figure: ThroughputFigure;
  memory: MemoryFigure;
  costs: { dingtalkToOutlook: CostPerChange; outlookToDingtalk: CostPerChange };
}> {
  const memory = startMemorySampler(50);
  const toOutlook = await measureDirectionBurst(p, 'dingtalk', 'outlook', options.dingtalkToOutlook);
  const toDingtalk = await measureDirectionBurst(p, 'outlook', 'dingtalk', options.outlookToDingtalk);
  const peak = memory.stop();
  const dingtalkToOutlook = judged(toOutlook.figure, BUDGETS.throughputMinChangesPerSecond);
  const outlookToDingtalk = judged(
    { ...toDingtalk.figure, ...dingtalkCeiling(...toDingtalk.calls, toDingtalk.figure.changes) },
    BUDGETS.throughputOutlookToDingtalkMinChangesPerSecond,
  );
  return {
    figure: {
      users: p.people.length,
      cpuNote:
        'cpuSecondsPerChange by process: app is the bench process (Functions host, app, and the bench driving ' +
        'and polling); fakes is the fakes process less fakesForBench, its synchronous work answering the bench ' +
        '(making the changes, counting arrivals); azurite is the Azurite process.',
      byDirection: { dingtalkToOutlook, outlookToDingtalk },
      withinBudget: dingtalkToOutlook.withinBudget && outlookToDingtalk.withinBudget,
    },
    memory: {
      ...memoryFigure(peak),
      // The fakes now run in a process of their own (bench/fakes), so they are not in this RSS.
      note:
        'RSS of the bench process, which holds the Functions host and the app and the bench itself; the fakes ' +
        'and Azurite are child processes and not included. Sampled every 50 ms over both throughput bursts.',
    },
    costs: { dingtalkToOutlook: toOutlook.costs, outlookToDingtalk: toDingtalk.costs },
  };
}
