import type { MaintenanceDeps } from './deps';
import type { JobOutcome } from './job-runner';

/** Daily. */
export const RETENTION_INTERVAL_MS = 24 * 3600e3;

export interface RetentionReport {
  audit: number;
}

/** Audit rows older than 365 days go, whole day partitions at a time. */
export async function retentionJob(deps: MaintenanceDeps): Promise<JobOutcome<RetentionReport>> {
  const audit = await deps.stores.audit.purgeExpired(deps.now());
  if (audit > 0) deps.log.info('retention purge', { audit });
  return { report: { audit } };
}
