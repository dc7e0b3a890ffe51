import { randomUUID } from 'node:crypto';
import type { Logger } from '../../platform/logger';
import type { JobState, TableJobStore } from '../../store/job-store';

/** The maintenance jobs, each with its own row in the jobs table. */
export type JobName =
  'pairing' | 'subscriptions' | 'subscription-audit' | 'sweep' | 'retries' | 'retention' | 'colleagues';

/** As long as the function timeout (host.json): a run that died lets go of its jobs by then. */
export const JOB_LEASE_MS = 10 * 60_000;

export interface JobRunnerDeps {
  jobs: Pick<TableJobStore, 'read' | 'acquire' | 'complete' | 'release'>;
  log: Logger;
  now: () => number;
}

export interface JobOutcome<R> {
  report: R;
  /** The job's progress note for its next run. */
  progress?: string;
}

/**
 * Asks for a run of a job at the next timer run, e.g. pairing after a DingTalk directory callback. One blind
 * merge: never blocked by a running job, and a request during a run makes the job run once more.
 */
export function requestJob(jobs: Pick<TableJobStore, 'request'>, job: JobName): Promise<void> {
  return jobs.request(job);
}

export function isDue(state: JobState | undefined, intervalMs: number, now: number): boolean {
  if (!state || state.requested || state.lastRunAt === undefined) return true;
  return now - state.lastRunAt >= intervalMs;
}

/**
 * Runs one job if it is due (its interval passed since its last completed run, or it was requested) and nobody
 * else holds its lease. A failure is logged and reported, never thrown: the other jobs of the run go on. A failed
 * job records no run, so it is due again at the next timer run, and a request it was serving is put back.
 */
export async function runJob<R>(
  deps: JobRunnerDeps,
  name: JobName,
  read: JobState | undefined,
  intervalMs: number,
  body: (state: JobState) => Promise<JobOutcome<R>>,
): Promise<R | 'skipped' | 'failed'> {
  const startedAt = deps.now();
  if (!isDue(read, intervalMs, startedAt)) return 'skipped';
  let state: JobState | undefined;
  try {
    const owner = randomUUID();
    state = await deps.jobs.acquire(name, read, owner, JOB_LEASE_MS, startedAt);
    if (!state) {
      // The row changed since it was read: most often a request (a directory callback) that must not cost a
      // minute, sometimes another run. Look once more; a job another run has just done is no longer due.
      const fresh = await deps.jobs.read(name);
      if (isDue(fresh, intervalMs, startedAt)) {
        state = await deps.jobs.acquire(name, fresh, owner, JOB_LEASE_MS, startedAt);
      }
    }
    if (!state) return 'skipped';
    const outcome = await body(state);
    await deps.jobs.complete(state, startedAt, outcome.progress);
    return outcome.report;
  } catch (err) {
    deps.log.error(`${name} failed`, { error: err });
    if (state) {
      await deps.jobs
        .release(state, read?.requested ?? false)
        .catch((releaseError: unknown) =>
          deps.log.warn('job lease not released; it expires by itself', { job: name, error: releaseError }),
        );
    }
    return 'failed';
  }
}
