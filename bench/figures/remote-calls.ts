import type { CostPerChange } from '../pipeline/call-counts';
import { BUDGETS } from '../support/budgets';
import type { IsolatedCosts } from './propagation';

type Summary = Omit<CostPerChange, 'breakdown'> & { withinBudget: boolean };
type Detailed = CostPerChange & { withinBudget: boolean };

interface DirectionCosts {
  create: Summary;
  update: Summary;
  delete: Summary;
  all: Detailed;
}

export interface RemoteCallFigures {
  budget: { graphCalls: number; dingtalkCallsMetered: number; tableOperations: number };
  /** Changes made one at a time (during the propagation run), echo pulls included. */
  oneAtATime: {
    dingtalkToOutlook: DirectionCosts;
    outlookToDingtalk: DirectionCosts;
    /** Both directions, every kind of change: the steady state. */
    all: Detailed;
  };
  /** The throughput burst: creates only, many per pull. */
  burst: Detailed;
  withinBudget: boolean;
}

const budget = {
  graphCalls: BUDGETS.graphCallsPerChange,
  dingtalkCallsMetered: BUDGETS.dingtalkMeteredCallsPerChange,
  tableOperations: BUDGETS.tableOperationsPerChange,
};

const isWithin = (c: CostPerChange) =>
  c.graphCalls <= budget.graphCalls &&
  c.dingtalkCallsMetered <= budget.dingtalkCallsMetered &&
  c.tableOperations <= budget.tableOperations;

const detailed = (c: CostPerChange): Detailed => ({ ...c, withinBudget: isWithin(c) });

function summary(c: CostPerChange): Summary {
  const { breakdown: _breakdown, ...rest } = c;
  return { ...rest, withinBudget: isWithin(c) };
}

const direction = (costs: IsolatedCosts['dingtalkToOutlook']): DirectionCosts => ({
  create: summary(costs.create),
  update: summary(costs.update),
  delete: summary(costs.delete),
  all: detailed(costs.all),
});

/**
 * Judged per direction (an average over both would let one direction's Graph calls hide behind the other's
 * DingTalk calls) and on the burst.
 */
export function remoteCallFigures(isolated: IsolatedCosts, burst: CostPerChange): RemoteCallFigures {
  const toOutlook = direction(isolated.dingtalkToOutlook);
  const toDingtalk = direction(isolated.outlookToDingtalk);
  const burstRow = detailed(burst);
  return {
    budget,
    oneAtATime: { dingtalkToOutlook: toOutlook, outlookToDingtalk: toDingtalk, all: detailed(isolated.all) },
    burst: burstRow,
    withinBudget: toOutlook.all.withinBudget && toDingtalk.all.withinBudget && burstRow.withinBudget,
  };
}
