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
 * Records a hint durably, then asks for a pull. A delivery already recorded adds nothing. Otherwise the dirty flag
 * is written before the delivery is claimed in the ledger, so a crash anywhere leaves either no claim (the sender's
 * retry records it again) or a dirty flag (the timer's sweep turns it into a pull): a hint can be collapsed, never
 * lost. Two copies of one delivery racing each other both mark the folder, and only the ledger's winner enqueues.
 *
 * Cost: 1 ledger read; for a new delivery 1 table merge + 1 ledger insert + 1 queue message.
 */
export async function recordHint(
  deps: HintDeps,
  work: WorkItem,
  delivery: { source: 'dingtalk' | 'graph'; id: string },
  now: number,
): Promise<'queued' | 'repeat'> {
  const deliveryId = `${delivery.id}:${work.pairId}`;
  if (await deps.deliveries.seen(delivery.source, deliveryId, now)) return 'repeat';
  await deps.cursors.markDirty(work.pairId, cursorKey(work));
  if (!(await deps.deliveries.firstSeen(delivery.source, deliveryId, now))) return 'repeat';
  await deps.workQueue.enqueue(work);
  return 'queued';
}
