import { idsOf, record } from './audit-rows';
import { countBulkDeletes } from './breaker';
import { dryRunView } from './dry-run';
import type { FieldMerge } from './field-merge';
import { emptyStats, type EngineContext, type PullStats, type SideEndpoint } from './engine-context';
import { followRenumbered, matchIndexOf, otherSideItems, unlistedLinkedItems } from './full-listing';
import { idOn } from './link-fields';
import { latestPerId, listSinceCursor, oldestFirst } from './listing';
import type { MatchIndex } from './match-index';
import { PullFailedError } from './pull-errors';
import { reconcileChange } from './reconcile';
import { intentFor } from './remote-writes';
import { replayIntents } from './settle-intent';
import { stableHash } from './stable-hash';
import type {
  AuditSink,
  Intent,
  IntentStore,
  Link,
  LinkStore,
  RemoteChange,
  RemoteItem,
  Side,
  SyncPolicy,
  UserRef,
} from './types';
import { isDeletion, otherSide, PermanentRemoteError } from './types';

export interface PullInput<P> {
  user: UserRef;
  /** The side whose changes are pulled, and its folder. */
  pulled: SideEndpoint<P>;
  /** The side that receives them. */
  other: SideEndpoint<P>;
  /** The stored cursor of the pulled folder; undefined for a first sync or a resync. */
  cursor: string | undefined;
  links: LinkStore;
  intents: IntentStore;
  audit: AuditSink;
  policy: SyncPolicy;
  now: () => number;
  /** Hash of the synced projection; defaults to stableHash (canonical JSON, FNV-1a 64). */
  hashProjection?: (projection: P) => string;
  /** For kinds whose fields are merged one by one against the last synced values (mail flags). */
  fieldMerge?: FieldMerge<P>;
  /**
   * After a full listing, read each linked item the listing did not return and treat a confirmed 404 as a delete
   * (default true). Turn it off where a full listing is windowed or spans one folder of several, to save the reads.
   */
  proveMissing?: boolean;
  /**
   * Told how far a full listing of the pulled side has got, once the listing has ended (every page: the total is
   * then exact) and after each of its items is settled. A port like the stores: the caller decides what to keep.
   */
  onProgress?: (progress: ListingProgress) => Promise<void>;
}

/** A full listing's items (deletions aside), and how many of them this pull has settled: linked, copied or refused. */
export interface ListingProgress {
  total: number;
  done: number;
}

export type PullResult =
  /** Store `cursor`; it replaces the one passed in. */
  | { outcome: 'synced'; cursor: string; resynced: boolean; stats: PullStats }
  /** Nothing was written, and the cursor must not move: the same changes must still be synced for real. */
  | { outcome: 'dry-run'; resynced: boolean; stats: PullStats }
  /** Nothing was written; keep the old cursor and tell an admin (docs/sync-engine.md, "Deletes and the breaker"). */
  | { outcome: 'breaker'; resynced: boolean; deletions: number; links: number; stats: PullStats };

/**
 * One pull of one (user, kind, side): replay pending intents, list every change since the cursor (all pages),
 * check the bulk-delete breaker, reconcile each change, and hand back the cursor to store. Throws PullFailedError;
 * the caller then keeps the old cursor, and the next pull redoes the same changes idempotently.
 */
export async function runPull<P>(input: PullInput<P>): Promise<PullResult> {
  const side = input.pulled.adapter.side;
  if (
    input.other.adapter.side !== otherSide(side) ||
    input.other.adapter.kind !== input.pulled.adapter.kind
  ) {
    throw new TypeError('runPull needs the two sides of one kind');
  }
  const base: EngineContext<P> = {
    user: input.user,
    kind: input.pulled.adapter.kind,
    sides: { [side]: input.pulled, [otherSide(side)]: input.other } as Record<Side, SideEndpoint<P>>,
    links: input.links,
    intents: input.intents,
    audit: input.audit,
    policy: input.policy,
    hash: input.hashProjection ?? stableHash,
    fieldMerge: input.fieldMerge,
    now: input.now,
    stats: emptyStats(),
  };
  const ctx = input.policy.dryRun ? dryRunView(base) : base;
  try {
    return await pull(ctx, side, input);
  } catch (err) {
    throw new PullFailedError(err, ctx.stats);
  }
}

async function pull<P>(ctx: EngineContext<P>, side: Side, input: PullInput<P>): Promise<PullResult> {
  await replayIntents(ctx);
  const listing = await listSinceCursor(input.pulled, ctx.user, input.cursor);
  let changes = latestPerId(listing.changes);
  if (listing.fullListing) changes = oldestFirst(changes);
  const progress = listing.fullListing ? progressOf(changes, input.onProgress) : undefined;
  ctx.measuresLag = !listing.fullListing;
  await ctx.links.prefetch?.(
    ctx.user,
    ctx.kind,
    side,
    changes.map((c) => c.id),
  );
  let matches: MatchIndex<P> | undefined;
  let links: Link[] | undefined;
  if (listing.fullListing) {
    links = await ctx.links.listLinks(ctx.user, ctx.kind);
    let others: RemoteItem<P>[];
    if (input.proveMissing !== false) {
      // Only a listed item without a link is matched against the other side: a full listing whose every item is
      // linked (Outlook's calendar window moving on, once a day) reads nothing there, which on DingTalk saves a
      // metered listing per person per day. The linked items the listing lacked, added next, are linked.
      others = someUnlinked(side, links, changes) ? await otherSideItems(ctx, side) : [];
      changes = changes.concat(await unlistedLinkedItems(ctx, side, links, changes));
    } else {
      // Renumbered ids are told by the other side's items (full-listing.ts), so it is always read here.
      others = await otherSideItems(ctx, side);
      links = await followRenumbered(ctx, side, links, changes, others);
    }
    matches = matchIndexOf(side, links, others);
  }

  const breaker = await countBulkDeletes(ctx, side, changes, links);
  if (breaker.trips) {
    const reason =
      `bulk-delete breaker: ${breaker.deletions} of ${breaker.links} linked items would be deleted on ` +
      `${otherSide(side)} (more than ${ctx.policy.bulkDeleteMaxShare * 100}%); nothing was written`;
    await record(ctx, 'breaker', { side: otherSide(side), ids: {}, reason });
    return {
      outcome: 'breaker',
      resynced: listing.resynced,
      deletions: breaker.deletions,
      links: breaker.links,
      stats: ctx.stats,
    };
  }

  await planCreates(ctx, side, changes);
  await progress?.started();
  for (const change of changes) {
    await reconcileOrRefuse(ctx, side, change, matches);
    await progress?.settled(change);
  }
  if (ctx.policy.dryRun) return { outcome: 'dry-run', resynced: listing.resynced, stats: ctx.stats };
  return { outcome: 'synced', cursor: listing.cursor, resynced: listing.resynced, stats: ctx.stats };
}

/** Whether a listed item has no link: reconcile would then look for its counterpart among the other side's items. */
function someUnlinked<P>(side: Side, links: Link[], changes: RemoteChange<P>[]): boolean {
  const linked = new Set(links.map((link) => idOn(link, side)));
  return changes.some((change) => !isDeletion(change) && !linked.has(change.id));
}

/** Counts a full listing's items as they are settled; linked items the listing lacked are not its items. */
function progressOf<P>(listed: RemoteChange<P>[], report: PullInput<P>['onProgress']) {
  const ids = new Set(listed.filter((c) => !isDeletion(c)).map((c) => c.id));
  let done = 0;
  return {
    started: async () => report?.({ total: ids.size, done }),
    settled: async (change: RemoteChange<P>) => {
      if (!ids.has(change.id) || isDeletion(change)) return;
      done += 1;
      await report?.({ total: ids.size, done });
    },
  };
}

/**
 * Every listed item without a link may be copied: its intent is planned now, so that all of them become durable in
 * the one write that precedes the first copy, rather than one write each (docs/sync-engine.md, "Crash safety").
 */
async function planCreates<P>(ctx: EngineContext<P>, side: Side, changes: RemoteChange<P>[]): Promise<void> {
  if (!ctx.intents.plan) return;
  const planned: Intent[] = [];
  for (const change of changes) {
    if (isDeletion(change) || (await ctx.links.findBySideId(ctx.user, ctx.kind, side, change.id))) continue;
    const reason = 'planned';
    planned.push({ ...intentFor(ctx, { target: otherSide(side), source: change, reason }), planned: true });
  }
  ctx.intents.plan(planned);
}

/**
 * A permanent refusal (DingTalk's organizer-only rule, a 400 on one item) concerns that item alone: it is audited
 * and skipped, and the cursor moves on, so the item is tried again only when it changes again. Failing the whole
 * pull instead would stall every later change of the folder behind one item.
 */
async function reconcileOrRefuse<P>(
  ctx: EngineContext<P>,
  side: Side,
  change: RemoteChange<P>,
  matches: MatchIndex<P> | undefined,
): Promise<void> {
  try {
    await reconcileChange(ctx, side, change, matches);
  } catch (err) {
    if (!(err instanceof PermanentRemoteError)) throw err;
    ctx.stats.refused += 1;
    await record(ctx, 'failure', {
      side: otherSide(side),
      ids: idsOf(side, change.id),
      reason: `refused by ${otherSide(side)}: ${err.message}; not retried until the item changes again`,
    });
  }
}
