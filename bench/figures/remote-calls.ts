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
  budget: Limits;
  burstBudget: Limits;
  /** Changes made one at a time (during the propagation run), echo pulls included. */
  oneAtATime: {
    dingtalkToOutlook: DirectionCosts;
    outlookToDingtalk: DirectionCosts;
    /** Both directions, every kind of change: the steady state. */
    all: Detailed;
  };
  /** The DingTalk → Outlook throughput burst: creates only, many per pull. */
  burst: Detailed;
  /** Both throughput bursts, each direction on its own. */
  burstByDirection: { dingtalkToOutlook: Detailed; outlookToDingtalk: Detailed };
  withinBudget: boolean;
}

interface Limits {
  graphCalls: number;
  dingtalkCallsMetered: number;
  tableOperations: number;
}

const budget: Limits = {
  graphCalls: BUDGETS.graphCallsPerChange,
  dingtalkCallsMetered: BUDGETS.dingtalkMeteredCallsPerChange,
  tableOperations: BUDGETS.tableOperationsPerChange,
};

const burstBudget: Limits = { ...budget, tableOperations: BUDGETS.burstTableOperationsPerChange };

const isWithin = (c: CostPerChange, limits = budget) =>
  c.graphCalls <= limits.graphCalls &&
  c.dingtalkCallsMetered <= limits.dingtalkCallsMetered &&
  c.tableOperations <= limits.tableOperations;

const detailed = (c: CostPerChange, limits = budget): Detailed => ({
  ...c,
  withinBudget: isWithin(c, limits),
});

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
 * DingTalk calls) and on the bursts, whose table operations have a budget of their own: many changes share a pull.
 */
export function remoteCallFigures(
  isolated: IsolatedCosts,
  bursts: { dingtalkToOutlook: CostPerChange; outlookToDingtalk: CostPerChange },
): RemoteCallFigures {
  const toOutlook = direction(isolated.dingtalkToOutlook);
  const toDingtalk = direction(isolated.outlookToDingtalk);
  const burstRow = detailed(bursts.dingtalkToOutlook, burstBudget);
  return {
    budget,
    burstBudget,
    oneAtATime: { dingtalkToOutlook: toOutlook, outlookToDingtalk: toDingtalk, all: detailed(isolated.all) },
    burst: burstRow,
    burstByDirection: {
      dingtalkToOutlook: burstRow,
      outlookToDingtalk: detailed(bursts.outlookToDingtalk, burstBudget),
    },
    withinBudget: toOutlook.all.withinBudget && toDingtalk.all.withinBudget && burstRow.withinBudget,
  };
}
