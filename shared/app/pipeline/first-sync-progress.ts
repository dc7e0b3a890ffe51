import type { ListingProgress } from '../../sync';
import { isDryCursor } from '../../sync/dry-run';
import type { Side } from '../../sync/types';
import type { PairLease } from './pair-lease';
import type { PullJournal } from './pull-journal';

/**
 * A first sync's progress on the side's state row (`firstSyncTotal`, `firstSyncDone`; docs/state.md), for the status
 * page's bar. The figures ride on writes the first sync makes anyway: the claim before its first copy, the commit
 * (or a failed pull's commit) at its end, and a checkpoint once CHECKPOINT_LINKS links are waiting, which stores
 * them as the commit would have, in as many transactions. No write is added to a pull that has a cursor.
 *
 * The total is exact: the engine lists every page before it settles the first item. A pull cut short (a throttle,
 * the quota, a crash) leaves the figures of its last write; the next pull lists again from scratch, walks the items
 * already linked first (a full listing is settled oldest first) and never shows fewer done than were stored.
 */
export const CHECKPOINT_LINKS = 45;

/**
 * A live pull of a side without a live cursor (none yet, or only a dry run's report): its pulls list the whole
 * folder until one commits a cursor. A resync of a synced side is not a first sync and leaves the figures alone.
 */
export const isFirstSync = (stored: string | undefined, dryRun: boolean): boolean =>
  !dryRun && (stored === undefined || isDryCursor(stored));

export class FirstSyncProgress {
  private readonly storedDone: number;

  constructor(
    private readonly lease: PairLease,
    private readonly journal: Pick<PullJournal, 'pendingLinks' | 'checkpoint'>,
    private readonly side: Side,
  ) {
    this.storedDone = lease.state.sides[side].firstSyncDone ?? 0;
  }

  readonly report = async ({ total, done }: ListingProgress): Promise<void> => {
    this.lease.note(this.side, {
      firstSyncTotal: total,
      firstSyncDone: Math.min(total, Math.max(done, this.storedDone)),
    });
    if (this.journal.pendingLinks >= CHECKPOINT_LINKS) await this.journal.checkpoint();
  };
}
