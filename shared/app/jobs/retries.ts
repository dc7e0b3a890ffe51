import { forEachBounded } from '../../store/bounded';
import type { MaintenanceDeps } from './deps';
import type { JobOutcome } from './job-runner';

/** Failures re-queued per run; the rest are due at the next run, a minute later. */
export const MAX_RETRIES_PER_RUN = 100;
const ENQUEUE_CONCURRENCY = 16;

/** Re-queues the failed work whose next try is due, reading only the due rows (the failures' retry schedule). */
export async function retriesJob(deps: MaintenanceDeps): Promise<JobOutcome<number>> {
  const due = await deps.stores.failures.due(deps.now(), MAX_RETRIES_PER_RUN);
  await forEachBounded(due, ENQUEUE_CONCURRENCY, (failure) =>
    deps.stores.workQueue.enqueue({ ...failure.work, reason: 'retry' }),
  );
  return { report: due.length };
}
