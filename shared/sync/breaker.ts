import type { EngineContext } from './engine-context';
import { idOn } from './link-fields';
import type { Link, RemoteChange, Side } from './types';
import { isDeletion } from './types';

/**
 * The bulk-delete breaker: a pull that would delete more than a share of a folder's links stops before deleting
 * anything (OGCS #2022, vdirsyncer's StorageEmpty). A small absolute floor lets tiny folders delete normally.
 */
export const BULK_DELETE_FLOOR = 5;

export function bulkDeleteTrips(deletions: number, links: number, maxShare: number): boolean {
  return deletions > BULK_DELETE_FLOOR && deletions > maxShare * links;
}

export interface BulkDeleteCount {
  trips: boolean;
  /** Deletions in this pull that hit live links. */
  deletions: number;
  /** Links of the kind that are not tombstones nor undone. */
  links: number;
}

/** Counts before anything is written; the links are listed only when the deletions pass the floor at all. */
export async function countBulkDeletes<P>(
  ctx: EngineContext<P>,
  side: Side,
  changes: RemoteChange<P>[],
  loaded: Link[] | undefined,
): Promise<BulkDeleteCount> {
  const deletedIds = changes.filter(isDeletion).map((change) => change.id);
  const quiet = { trips: false, deletions: deletedIds.length, links: 0 };
  if (ctx.policy.deletes !== 'propagate' || deletedIds.length <= BULK_DELETE_FLOOR) return quiet;
  const links = (loaded ?? (await ctx.links.listLinks(ctx.user, ctx.kind))).filter(
    // A copy undo removed is no longer synced: its removal is not a delete this pull would send on.
    (link) => !link.tombstone && !link.undone,
  );
  const liveIds = new Set(
    links.filter((link) => link.dingtalkId && link.outlookId).map((link) => idOn(link, side)),
  );
  const deletions = deletedIds.filter((id) => liveIds.has(id)).length;
  return {
    trips: bulkDeleteTrips(deletions, links.length, ctx.policy.bulkDeleteMaxShare),
    deletions,
    links: links.length,
  };
}
