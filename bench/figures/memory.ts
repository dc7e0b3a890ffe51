import { BUDGETS } from '../support/budgets';
import type { MemoryPeak } from '../support/memory-sampler';

export interface MemoryFigure extends MemoryPeak {
  budgetMb: number;
  withinBudget: boolean;
  note: string;
}

export function memoryFigure(peak: MemoryPeak): MemoryFigure {
  return {
    ...peak,
    budgetMb: BUDGETS.workerRssMb,
    withinBudget: peak.peakRssMb <= BUDGETS.workerRssMb,
    note:
      'RSS of the bench process, which holds the Functions host and the app, the fake Graph and fake DingTalk ' +
      'and the bench itself; Azurite is a child process and not included. Sampled every 50 ms from the ' +
      'first change of the throughput burst until the pipeline was quiet again.',
  };
}
