import type { WorkQueue } from '../store/repositories';
import type { WorkItem } from '../store/types';

export interface HintDeps {
  workQueue: WorkQueue;
}

/**
 * A hint is one queue message: the queue keeps it until a worker has synced what it announced (the message is
 * deleted only when the worker returns), so a crash anywhere loses nothing and ingress writes no table row. The
 * time it was recorded rides along: a pull that began listing after it has seen the change, so a repeated or
 * collapsed hint costs the worker no pull (docs/webhooks.md, "What a hint costs").
 *
 * Cost: 1 queue message, no table operation.
 */
export async function recordHint(deps: HintDeps, work: WorkItem, now: number): Promise<'queued'> {
  await deps.workQueue.enqueue({ ...work, hintedAt: now });
  return 'queued';
}
