import { idsOf, record } from './audit-rows';
import type { EngineContext } from './engine-context';
import { idOn } from './link-fields';
import { listAllPages } from './listing';
import { MatchIndex } from './match-index';
import { getOrUndefined } from './remote-writes';
import type { Link, RemoteChange, RemoteItem, Side } from './types';
import { isDeletion, otherSide } from './types';

/** The other side's whole folder, read once per full listing: for first-sync matching and for renumbered links. */
export async function otherSideItems<P>(ctx: EngineContext<P>, side: Side): Promise<RemoteItem<P>[]> {
  const listing = await listAllPages(ctx.sides[otherSide(side)], ctx.user, undefined);
  return listing.changes.flatMap((change) => (isDeletion(change) ? [] : [change]));
}

/** First-sync matching: the other side's items that no link holds yet. */
export function matchIndexOf<P>(side: Side, links: Link[], others: RemoteItem<P>[]): MatchIndex<P> {
  const there = otherSide(side);
  const linked = new Set(
    links.map((link) => idOn(link, there)).filter((id): id is string => id !== undefined),
  );
  return new MatchIndex(others, linked);
}

/**
 * Where a full listing proves nothing about unlisted links (proveMissing off: mail), a link whose pulled-side id
 * the listing did not return (or that has none), and whose other-side item has the match keys of a listed item that no link holds,
 * follows that item: the pulled side gave its items new ids. An IMAP folder under a new UIDVALIDITY renumbers every
 * message (RFC 3501 §2.3.1.1); without this, each renumbered message would be a new item, and its counterpart,
 * already linked, would not be matched: a second copy on the other side. The link keeps its synced values, so the
 * change is then reconciled against them (a flag changed meanwhile on either side is merged, not lost). The
 * version is dropped: the one stored belongs to the old id, so the projection decides whether anything changed.
 * Returns the links as they now are.
 */
export async function followRenumbered<P>(
  ctx: EngineContext<P>,
  side: Side,
  links: Link[],
  listed: RemoteChange<P>[],
  others: RemoteItem<P>[],
): Promise<Link[]> {
  const there = otherSide(side);
  const listedIds = new Set(listed.map((change) => change.id));
  const linkedHere = new Set(links.map((link) => idOn(link, side)).filter((id) => id !== undefined));
  const otherById = new Map(others.map((item) => [item.id, item]));
  const orphans = new Map<string, Link>();
  for (const link of links) {
    const id = idOn(link, side);
    const otherId = idOn(link, there);
    // A link without an id here is followed too: crash recovery detaches a copy whose source it could not read
    // (settle-intent.ts, dropOrphan), which an id of the old numbering cannot be; the same message listed under its
    // new id is that source, and copying it again would leave two copies on the other side.
    if (link.tombstone || link.undone || (id !== undefined && listedIds.has(id)) || otherId === undefined)
      continue;
    const counterpart = otherById.get(otherId);
    for (const key of counterpart?.matchKeys ?? []) if (!orphans.has(key)) orphans.set(key, link);
  }
  if (orphans.size === 0) return links;
  const moved = new Map<string, Link>();
  for (const change of listed) {
    if (isDeletion(change) || linkedHere.has(change.id)) continue;
    const link = change.matchKeys.map((key) => orphans.get(key)).find((l) => l && !moved.has(l.linkId));
    if (!link) continue;
    moved.set(link.linkId, await followTo(ctx, link, side, change.id));
  }
  return links.map((link) => moved.get(link.linkId) ?? link);
}

/**
 * Outside a listing: the other side's item of a live link reads as gone, but that side may only have renumbered
 * its items and not been relisted yet (an IMAP folder under a new UIDVALIDITY, until its next poll). Taken for a
 * deletion, an edit beating a delete would copy the item there again, next to the renumbered original. So the
 * side is asked for the item by the pulled change's match keys first, and the link follows it. Undefined when the
 * side cannot tell (no findRenumbered), the item is really gone, or another link already holds what was found.
 */
export async function followRenumberedItem<P>(
  ctx: EngineContext<P>,
  link: Link,
  side: Side,
  matchKeys: string[],
): Promise<{ link: Link; item: RemoteItem<P> } | undefined> {
  const staleId = idOn(link, side);
  if (staleId === undefined) return undefined;
  const item = await findRenumbered(ctx, side, staleId, matchKeys, link.linkId);
  return item && { link: await followTo(ctx, link, side, item.id), item };
}

/**
 * The item a stale id of `side` named, found again by match keys (SideAdapter.findRenumbered), unless a link other
 * than `linkId` already holds it. Undefined where the side cannot tell.
 */
export async function findRenumbered<P>(
  ctx: EngineContext<P>,
  side: Side,
  staleId: string,
  matchKeys: string[],
  linkId?: string,
): Promise<RemoteItem<P> | undefined> {
  const adapter = ctx.sides[side].adapter;
  if (!adapter.findRenumbered || matchKeys.length === 0) return undefined;
  const item = await adapter.findRenumbered(ctx.user, staleId, matchKeys);
  if (!item) return undefined;
  const holder = await ctx.links.findBySideId(ctx.user, ctx.kind, side, item.id);
  return holder && holder.linkId !== linkId ? undefined : item;
}

/** The link's id on `side` becomes `id` (audited); the version is dropped, so the projection decides what changed. */
async function followTo<P>(ctx: EngineContext<P>, link: Link, side: Side, id: string): Promise<Link> {
  const there = otherSide(side);
  const followed: Link =
    side === 'dingtalk'
      ? { ...link, dingtalkId: id, dingtalkVersion: undefined }
      : { ...link, outlookId: id, outlookVersion: undefined };
  await record(ctx, 'link', {
    ids: idsOf(side, id, idOn(link, there)),
    reason:
      idOn(link, side) === undefined
        ? `${side} lists ${id}, the counterpart of ${idOn(link, there)} that the link had lost: linked again`
        : `${side} renumbered its items: the link of ${idOn(link, side)} follows it to ${id}`,
  });
  return ctx.links.save(ctx.user, followed);
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
    // An undone link's copy was removed on purpose (docs/undo.md): reading it back would only find it gone.
    if (link.tombstone || link.undone || id === undefined || listedIds.has(id)) continue;
    found.push((await getOrUndefined(ctx, side, id)) ?? { id, deleted: true });
  }
  return found;
}
