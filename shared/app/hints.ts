import type { CursorRepository, DeliveryLedger, WorkQueue } from '../store/repositories';
import { cursorKey, type WorkItem } from '../store/types';

export interface HintDeps {
  cursors: CursorRepository;
  deliveries: DeliveryLedger;
  workQueue: WorkQueue;
}

/** The org directory is not a sync folder: its "cursor" row only carries the dirty flag the timer reads. */
export const DIRECTORY_PAIR = '_org';
export const DIRECTORY_KEY = 'directory.dingtalk.users';

/**
 * Records a hint durably, then asks for a pull. The dirty flag is written first and unconditionally, so even a
 * repeated delivery (whose queue message is skipped) or a crash before the enqueue leaves a trace that the
 * timer's sweep turns into a pull: a hint can be collapsed, never lost.
 *
 * Cost: 1 table merge + 1 ledger insert + (first sighting only) 1 queue message.
 */
export async function recordHint(
  deps: HintDeps,
  work: WorkItem,
  delivery: { source: 'dingtalk' | 'graph'; id: string },
  now: number,
): Promise<'queued' | 'repeat'> {
  await deps.cursors.markDirty(work.pairId, cursorKey(work));
  const first = await deps.deliveries.firstSeen(delivery.source, `${delivery.id}:${work.pairId}`, now);
  if (!first) return 'repeat';
  await deps.workQueue.enqueue(work);
  return 'queued';
}
