import { maintainSubscriptions, type SubscriptionRunReport } from '../subscriptions';
import type { MaintenanceDeps } from './deps';
import type { JobOutcome } from './job-runner';
import { auditSubscriptions, type SubscriptionAuditReport } from './subscription-audit';

/** Daily: the audit reads whole tables and Graph's whole subscription list. */
export const SUBSCRIPTION_AUDIT_INTERVAL_MS = 24 * 3600e3;

/** Every run: renewals that are due and pending pairs, within Graph's write limit. */
export async function subscriptionsJob(deps: MaintenanceDeps): Promise<JobOutcome<SubscriptionRunReport>> {
  const report = await maintainSubscriptions({
    ...deps.subscriptions,
    users: deps.stores.users,
    subscriptions: deps.stores.subscriptions,
    workQueue: deps.stores.workQueue,
    log: deps.log,
    now: deps.now,
  });
  return { report };
}

export async function subscriptionAuditJob(
  deps: MaintenanceDeps,
): Promise<JobOutcome<SubscriptionAuditReport>> {
  const report = await auditSubscriptions({
    ...deps.subscriptions,
    users: deps.stores.users,
    subscriptions: deps.stores.subscriptions,
    log: deps.log,
    now: deps.now,
  });
  return { report };
}
