import { utcDay } from '../../store/day';
import type { MaintenanceDeps } from './deps';
import type { JobOutcome } from './job-runner';

/** Daily. */
export const RETENTION_INTERVAL_MS = 24 * 3600e3;
/** Delivery ids are only needed while senders retry (Graph: 4 h, reference/graph.md §0.3); two days is ample. */
const DELIVERY_RETENTION_MS = 2 * 24 * 3600e3;

export interface RetentionReport {
  audit: number;
  deliveries: number;
}

/** Audit rows older than 365 days and delivery ids older than two days go, whole day partitions at a time. */
export async function retentionJob(deps: MaintenanceDeps): Promise<JobOutcome<RetentionReport>> {
  const now = deps.now();
  const audit = await deps.stores.audit.purgeExpired(now);
  const deliveries = await deps.stores.deliveries.purgeBefore(utcDay(now - DELIVERY_RETENTION_MS));
  if (audit + deliveries > 0) deps.log.info('retention purge', { audit, deliveries });
  return { report: { audit, deliveries } };
}
