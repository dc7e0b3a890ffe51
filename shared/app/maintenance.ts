import type { SubscriptionRunReport } from './subscriptions';
import type { MaintenanceDeps } from './jobs/deps';
import type { JobState } from '../store/job-store';
import { runJob, type JobName, type JobOutcome } from './jobs/job-runner';
import { pairingJob, type PairingReport } from './jobs/pairing';
import { RETENTION_INTERVAL_MS, retentionJob, type RetentionReport } from './jobs/retention';
import { retriesJob } from './jobs/retries';
import type { SubscriptionAuditReport } from './jobs/subscription-audit';
import { SUBSCRIPTION_AUDIT_INTERVAL_MS, subscriptionAuditJob, subscriptionsJob } from './jobs/subscriptions';
import { sweepJob, type DingTalkSweepPlan } from './jobs/sweep';
import { colleaguesJob, type ColleaguesReport } from './jobs/colleagues';

export { FOLDERS } from './folders';
export type { DirectorySources, MaintenanceDeps, MaintenanceSchedule } from './jobs/deps';
export { requestJob, type JobName } from './jobs/job-runner';

type Outcome<R> = R | 'skipped' | 'failed';

export interface MaintenanceReport {
  pairing: Outcome<PairingReport>;
  subscriptions: Outcome<SubscriptionRunReport>;
  subscriptionAudit: Outcome<SubscriptionAuditReport>;
  /** Pulls queued by this run: first syncs of new pairs, safety sweeps, retries of failed work. */
  enqueued: { firstSync: number; sweep: number; retry: number };
  purged: Outcome<RetentionReport>;
  /** The DingTalk sweep as this month's budget allows it, and how long a full sweep and a first sync take. */
  dingtalkBudget?: DingTalkSweepPlan;
  /** The colleagues folders (only when CONTACT_COLLEAGUES is on). */
  colleagues?: Outcome<ColleaguesReport>;
}

/**
 * One timer run: each job whose interval has passed (or that was requested) runs under its own lease in the jobs
 * table, so two overlapping runs never run one job twice, and in its own try/catch (runJob), so one broken service
 * never stops the others. Pairing comes first so that new pairs are subscribed by the same run.
 */
export async function runMaintenance(deps: MaintenanceDeps): Promise<MaintenanceReport> {
  const jobs = await deps.stores.jobs.readAll();
  const run = <R>(name: JobName, intervalMs: number, body: (state: JobState) => Promise<JobOutcome<R>>) =>
    runJob<R>(
      { jobs: deps.stores.jobs, log: deps.log, now: deps.now },
      name,
      jobs.get(name),
      intervalMs,
      body,
    );

  const pairing = await run('pairing', deps.schedule.pairingIntervalMs, () => pairingJob(deps));
  const subscriptions = await run('subscriptions', 0, () => subscriptionsJob(deps));
  const subscriptionAudit = await run('subscription-audit', SUBSCRIPTION_AUDIT_INTERVAL_MS, () =>
    subscriptionAuditJob(deps),
  );
  const sweep = await run('sweep', 0, (state) => sweepJob(deps, state));
  const retry = await run('retries', 0, () => retriesJob(deps));
  const purged = await run('retention', RETENTION_INTERVAL_MS, (state) => retentionJob(deps, state.progress));
  // Last: its directory read and folder writes are the longest part of a run, and nothing else waits for them.
  // Every run, like the sweep: directory callbacks are applied at once, while the job itself writes the folders at
  // most once a minute (colleagues/pace.ts).
  const colleagues = deps.colleagues
    ? await run('colleagues', 0, (state) => colleaguesJob(deps, state))
    : undefined;

  const count = (n: number | 'skipped' | 'failed') => (typeof n === 'number' ? n : 0);
  const firstSync = typeof subscriptions === 'object' ? subscriptions.firstSyncs : 0;
  return {
    pairing,
    subscriptions,
    subscriptionAudit,
    enqueued: { firstSync, sweep: typeof sweep === 'object' ? sweep.enqueued : 0, retry: count(retry) },
    purged,
    ...(typeof sweep === 'object' && sweep.dingtalkBudget ? { dingtalkBudget: sweep.dingtalkBudget } : {}),
    ...(colleagues !== undefined ? { colleagues } : {}),
  };
}
