import type { WorkQueue } from '../store/repositories';
import type { WorkItem } from '../store/types';
import { HintGroupCommit } from './pipeline/hint-group-commit';
import { isEchoOfOwnWrites, knownRecentWrites } from './pipeline/recent-writes';

export interface HintDeps {
  workQueue: WorkQueue;
  /** The state store whose worker, in this process, remembers its own writes (recent-writes.ts). */
  pairState?: object;
}

/** One group commit per queue client, so that a process's concurrent requests share it. */
const groupCommits = new WeakMap<WorkQueue, HintGroupCommit>();

/**
 * A hint is one queue message: the queue keeps it until a worker has synced what it announced (the message is
 * deleted only when the worker returns), so a crash anywhere loses nothing and ingress writes no table row. The
 * time it was recorded rides along: a pull that began listing after it has seen the change, so a repeated or
 * collapsed hint costs the worker no pull (docs/webhooks.md, "What a hint costs"). Pushes of one folder that
 * arrive while its previous hint is being sent share the next message (pipeline/hint-group-commit.ts).
 *
 * The echo of a write this process made itself (the same item at the version it wrote: what the worker would
 * decide on taking the message, recent-writes.ts) is answered without a message at all. That is most of the pushes
 * while people are busy: every copy we write to one side comes back as a push from it. An echo that reaches another
 * instance is queued, and that instance's worker reads its link.
 *
 * Cost: at most 1 queue message, no table operation.
 */
export async function recordHint(deps: HintDeps, work: WorkItem, now: number): Promise<'queued' | 'echo'> {
  const recent = deps.pairState && knownRecentWrites(deps.pairState);
  if (recent && isEchoOfOwnWrites(recent, work)) return 'echo';
  let group = groupCommits.get(deps.workQueue);
  if (!group) {
    const queue = deps.workQueue;
    group = new HintGroupCommit((joined) => queue.enqueue(joined));
    groupCommits.set(queue, group);
  }
  await group.record({ ...work, hintedAt: now });
  return 'queued';
}
