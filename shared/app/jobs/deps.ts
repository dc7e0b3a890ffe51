import type { Kind } from '../../sync/types';
import type { BackgroundWork } from '../../connectors/dingtalk/budget-governor';
import type { BudgetPlan } from '../../connectors/dingtalk/budget-plan';
import type { Logger } from '../../platform/logger';
import type { Stores } from '../../store';
import type { DingTalkPerson, EntraPerson, PairOverride } from '../../sync/pairing';
import type { SubscriptionManagerDeps } from '../subscriptions';
import type { ColleaguesDeps } from './colleagues';

export interface DirectorySources {
  dingtalkPeople(): Promise<DingTalkPerson[]>;
  entraPeople(): Promise<EntraPerson[]>;
}

export interface MaintenanceSchedule {
  /** Full directory read and re-pairing, besides whenever a directory callback asked for it. */
  pairingIntervalMs: number;
  /** Safety sweep period per folder on the Outlook side (Graph has no monthly quota). */
  outlookSweepIntervalMs: number;
  /** Safety sweep period per folder on the DingTalk side: metered calls, so rarer (docs/dingtalk.md). */
  dingtalkSweepIntervalMs: number;
}

/** What the maintenance jobs need; shared/app/services.ts builds it from the app context. */
export interface MaintenanceDeps {
  stores: Pick<Stores, 'users' | 'failures' | 'workQueue' | 'subscriptions' | 'audit' | 'jobs'>;
  directory: DirectorySources;
  subscriptions: Pick<SubscriptionManagerDeps, 'graph' | 'publicBaseUrl' | 'expiryFor'>;
  overrides: PairOverride[];
  /** The kinds synced for every pair (SYNC_KINDS); a pair picks up a kind added here at the next pairing run. */
  kinds?: Kind[];
  schedule: MaintenanceSchedule;
  /** The DingTalk budget: how often background pulls may run this month (budget-plan.ts). */
  dingtalkBudget?: { plan(work: BackgroundWork): Promise<BudgetPlan> };
  /** The optional colleagues folder; absent while CONTACT_COLLEAGUES is off, and then nothing of it runs. */
  colleagues?: ColleaguesDeps;
  /** How long audit rows, and the content some of them keep, are kept (AUDIT_RETENTION_DAYS, AUDIT_DETAIL_DAYS). */
  retention?: { auditDays: number; detailDays: number };
  log: Logger;
  now: () => number;
}
