import type { Clock } from '../../platform/clock';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { DirectoryAttendeeResolver } from './attendee-resolver';
import { type CallCounterStore, MonthlyBudgetGovernor } from './budget-governor';
import { DingTalkCalendarAdapter } from './calendar-adapter';
import { DingTalkDirectory } from './directory';
import { DingTalkHttpClient } from './http-client';
import { QpsLimiter } from './qps-limiter';
import { DingTalkTokenProvider } from './token-provider';

export { QuotaExhaustedError } from './errors';
export {
  withBudgetPriority,
  type BackgroundWork,
  type BudgetPriority,
  type CallCounterStore,
  InMemoryCallCounterStore,
} from './budget-governor';
export {
  planBackgroundBudget,
  type BudgetPlan,
  type BudgetPlanInput,
  type WorkEstimate,
} from './budget-plan';
export { summariseBudgetPlan } from './budget-plan-summary';
export type { AttendeeResolver } from './attendee-resolver';
export type { DirectoryUser } from './directory';
export { DingTalkCalendarAdapter, DingTalkDirectory, DingTalkHttpClient, MonthlyBudgetGovernor };

export interface DingTalkConnectors {
  client: DingTalkHttpClient;
  tokens: DingTalkTokenProvider;
  budget: MonthlyBudgetGovernor;
  directory: DingTalkDirectory;
  calendar: DingTalkCalendarAdapter;
}

export interface DingTalkConnectorDeps {
  /** Where the month's metered-call count lives; in-memory (per process) when not given. */
  counterStore?: CallCounterStore;
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
  ownerTimeZone?: string;
  calendarWindow?: { pastDays: number; futureDays: number };
}

/** Wires the DingTalk side once per process: one token cache, one rate limiter and one budget for every caller. */
export function createDingTalkConnectors(
  config: Config['dingtalk'],
  deps: DingTalkConnectorDeps = {},
): DingTalkConnectors {
  const tokens = new DingTalkTokenProvider(
    { apiBase: config.apiBase, appKey: config.appKey, appSecret: config.appSecret },
    { clock: deps.clock, fetch: deps.fetch },
  );
  const budget = new MonthlyBudgetGovernor({
    monthlyQuota: config.monthlyCallQuota,
    store: deps.counterStore,
    clock: deps.clock,
  });
  const client = new DingTalkHttpClient({
    apiBase: config.apiBase,
    oapiBase: config.oapiBase,
    tokens,
    budget,
    limiter: new QpsLimiter(),
    clock: deps.clock,
    fetch: deps.fetch,
    logger: deps.logger,
  });
  const directory = new DingTalkDirectory(client);
  const calendar = new DingTalkCalendarAdapter({
    client,
    resolver: new DirectoryAttendeeResolver(() => directory.listAllUsers(), undefined, deps.clock),
    ownerTimeZone: deps.ownerTimeZone,
    window: deps.calendarWindow,
    clock: deps.clock,
  });
  return { client, tokens, budget, directory, calendar };
}
