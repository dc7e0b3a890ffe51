import type { EngineContext } from './engine-context';
import { idOn } from './link-fields';
import { listAllPages } from './listing';
import { MatchIndex } from './match-index';
import { getOrUndefined } from './remote-writes';
import type { Link, RemoteChange, Side } from './types';
import { isDeletion, otherSide } from './types';

/** First-sync matching needs the other side's whole folder once, minus the items some link already holds. */
export async function matchIndexOfOtherSide<P>(
  ctx: EngineContext<P>,
  side: Side,
  links: Link[],
): Promise<MatchIndex<P>> {
  const there = otherSide(side);
  const listing = await listAllPages(ctx.sides[there], ctx.user, undefined);
  const linked = new Set(
    links.map((link) => idOn(link, there)).filter((id): id is string => id !== undefined),
  );
  return new MatchIndex(
    listing.changes.flatMap((change) => (isDeletion(change) ? [] : [change])),
    linked,
  );
}

/**
 * A full listing that lacks a linked item proves nothing (a window, a glitch, an outage: OGCS #2022), so each such
 * item is read: a 404 becomes an explicit deletion, and an item that still exists is reconciled like a listed one.
 */
export async function unlistedLinkedItems<P>(
  ctx: EngineContext<P>,
  side: Side,
  links: Link[],
  listed: RemoteChange<P>[],
): Promise<RemoteChange<P>[]> {
  const listedIds = new Set(listed.map((change) => change.id));
  const found: RemoteChange<P>[] = [];
  for (const link of links) {
    const id = idOn(link, side);
    if (link.tombstone || id === undefined || listedIds.has(id)) continue;
    found.push((await getOrUndefined(ctx, side, id)) ?? { id, deleted: true });
  }
  return found;
}
