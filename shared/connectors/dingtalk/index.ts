import type { Clock } from '../../platform/clock';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { DirectoryAttendeeResolver } from './attendee-resolver';
import { type CallCounterStore, MonthlyBudgetGovernor } from './budget-governor';
import { DingTalkCalendarAdapter } from './calendar-adapter';
import { DingTalkContactAdapter } from './contact-adapter';
import { DingTalkDirectory } from './directory';
import { DingTalkHttpClient } from './http-client';
import { QpsLimiter } from './qps-limiter';
import { DingTalkTodoAdapter } from './todo-adapter';
import { DingTalkTokenProvider } from './token-provider';

export { QuotaExhaustedError } from './errors';
export {
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
export {
  DingTalkContactAdapter,
  DINGTALK_CONTACT_FOLDER,
  type DingTalkContactAdapterOptions,
} from './contact-adapter';
export { DingTalkContactLabels, LabelCatalogue, type ContactLabel } from './contact-labels';
export { DingTalkContactRoster, type RosterSnapshot } from './contact-roster';
export { DingTalkTodoAdapter, DINGTALK_TODO_FOLDER, type DingTalkTodoAdapterOptions } from './todo-adapter';

export interface DingTalkConnectors {
  client: DingTalkHttpClient;
  tokens: DingTalkTokenProvider;
  budget: MonthlyBudgetGovernor;
  directory: DingTalkDirectory;
  calendar: DingTalkCalendarAdapter;
  /** External contacts (外部联系人) followed by each user; its `labels` answer the Outlook side's isLabel. */
  contacts: DingTalkContactAdapter;
  /** The user's to-dos (todo_1_0) in which they are executor or creator. */
  todo: DingTalkTodoAdapter;
}

export interface DingTalkConnectorDeps {
  /** Where the month's metered-call count lives; in-memory (per process) when not given. */
  counterStore?: CallCounterStore;
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
  ownerTimeZone?: string;
  calendarWindow?: { pastDays: number; futureDays: number };
  /** How old the shared org listing of external contacts may get before a poll reads it again (default 60 s). */
  contactRosterMaxAgeMs?: number;
  /** The owner's zone of to-do due days and times (TODO_TIME_ZONE; default Asia/Shanghai). */
  todoTimeZone?: string;
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
  const contacts = new DingTalkContactAdapter({
    client,
    rosterMaxAgeMs: deps.contactRosterMaxAgeMs,
    clock: deps.clock,
    logger: deps.logger,
  });
  const todo = new DingTalkTodoAdapter({ client, timeZone: deps.todoTimeZone, clock: deps.clock });
  return { client, tokens, budget, directory, calendar, contacts, todo };
}
