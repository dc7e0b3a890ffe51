import { addDays, utcDay } from '../../store/day';
import { AUDIT_RETENTION_DAYS } from '../../store/audit-log';
import type { MaintenanceDeps } from './deps';
import type { JobOutcome } from './job-runner';

/** Daily. */
export const RETENTION_INTERVAL_MS = 24 * 3600e3;
/** How long the content kept in audit rows' `detail` stays when the admin sets nothing. */
export const AUDIT_DETAIL_DAYS = 90;

export interface RetentionReport {
  audit: number;
  /** Rows whose kept content (`detail`) was cleared. */
  redacted: number;
}

/**
 * Audit rows older than the retention go, whole day partitions at a time. The content some rows keep (both versions
 * of a conflict, an import issue's report) goes earlier: each run clears it from the days that aged past the detail
 * retention since the last run (its progress note), never reading older days again.
 */
export async function retentionJob(
  deps: MaintenanceDeps,
  progress?: string,
): Promise<JobOutcome<RetentionReport>> {
  const now = deps.now();
  const auditDays = deps.retention?.auditDays ?? AUDIT_RETENTION_DAYS;
  const detailDays = Math.min(deps.retention?.detailDays ?? AUDIT_DETAIL_DAYS, auditDays);
  const audit = await deps.stores.audit.purgeExpired(now, auditDays);
  const oldestKept = utcDay(now - auditDays * 86_400_000);
  const before = utcDay(now - detailDays * 86_400_000);
  const done = redactedThrough(progress);
  const from = done && done >= oldestKept ? addDays(done, 1) : oldestKept;
  const redacted = from < before ? await deps.stores.audit.redactDetails(from, before) : 0;
  if (audit > 0 || redacted > 0) deps.log.info('retention purge', { audit, redacted });
  return {
    report: { audit, redacted },
    progress: JSON.stringify({
      redactedThrough: from < before ? addDays(before, -1) : (done ?? addDays(from, -1)),
    }),
  };
}

function redactedThrough(progress: string | undefined): string | undefined {
  if (!progress) return undefined;
  try {
    const day = (JSON.parse(progress) as { redactedThrough?: unknown }).redactedThrough;
    return typeof day === 'string' && /^\d{8}$/.test(day) ? day : undefined;
  } catch {
    return undefined;
  }
}
