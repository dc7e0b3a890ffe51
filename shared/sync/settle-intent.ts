import { idsOf, record } from './audit-rows';
import { chooseWinner } from './conflict-policy';
import { writeMerged } from './field-merge';
import type { EngineContext } from './engine-context';
import { findRenumbered } from './full-listing';
import { idOn, newLink, pairOf, withoutSide, withSide } from './link-fields';
import {
  copiedFrom,
  createCopy,
  deleteIfPresent,
  getOrUndefined,
  saveLink,
  updateCopy,
} from './remote-writes';
import type { Intent, Link, RemoteItem, Side } from './types';
import { otherSide, PermanentRemoteError } from './types';

/**
 * Crash recovery. An intent row is written before every create and removed after its link is saved, so a pending
 * intent means "a create may have happened that no link knows about". Every pull first replays the pending intents
 * (as mbsync replays its journal): it finds the half-finished copy by its idempotency key and links it, finishes a
 * create that never reached the remote side, or removes a copy whose source was deleted meanwhile.
 */
export async function replayIntents<P>(ctx: EngineContext<P>): Promise<void> {
  if (!ctx.intents.list) return;
  for (const intent of await ctx.intents.list(ctx.user, ctx.kind)) {
    await settleOrRefuse(ctx, intent);
    ctx.stats.intentsReplayed += 1;
  }
}

/**
 * A permanent refusal while an intent is settled (the target side refuses the create it finishes) concerns that
 * item alone, as during a pull (pull.ts, reconcileOrRefuse): audited, the intent dropped, and the pull goes on.
 * Failing the pull instead would replay the same refusal at every pull and stall the whole folder behind it.
 */
async function settleOrRefuse<P>(ctx: EngineContext<P>, intent: Intent): Promise<void> {
  try {
    await settleIntent(ctx, intent);
  } catch (err) {
    if (!(err instanceof PermanentRemoteError)) throw err;
    ctx.stats.refused += 1;
    await ctx.intents.remove(ctx.user, intent);
    await record(ctx, 'failure', {
      side: intent.targetSide,
      ids: idsOf(otherSide(intent.targetSide), intent.sourceId),
      reason: `refused by ${intent.targetSide}: ${err.message}; not retried until the item changes again`,
    });
  }
}

export async function settleIntent<P>(
  ctx: EngineContext<P>,
  intent: Intent,
  knownSource?: RemoteItem<P>,
): Promise<void> {
  const target = intent.targetSide;
  const sourceSide = otherSide(target);
  const link = await ctx.links.findBySideId(ctx.user, ctx.kind, sourceSide, intent.sourceId);
  if (!stillAwaited(intent, link)) return ctx.intents.remove(ctx.user, intent);

  const found = await ctx.sides[target].adapter.findByOriginKey(ctx.user, intent.originKey);
  if (found && (await ctx.links.findBySideId(ctx.user, ctx.kind, target, found.id))) {
    return ctx.intents.remove(ctx.user, intent);
  }
  let source = knownSource ?? (await getOrUndefined(ctx, sourceSide, intent.sourceId));
  // A source side renumbered since the create (a new UIDVALIDITY) reads the source as gone: find it again first, or
  // the copy would be detached and a change made to it before the relist would never reach the source.
  if (!source && found) source = await findRenumbered(ctx, sourceSide, intent.sourceId, found.matchKeys);
  if (!source) {
    await dropOrphan(ctx, intent, link, found);
  } else if (found) {
    await joinRecovered(ctx, link, { side: sourceSide, item: source }, { side: target, item: found }, intent);
  } else if (intent.planned) {
    // Planned, never carried out: the pull that planned it did not commit, so relisting decides the item again.
  } else {
    const reason = 'crash recovery: the create planned before the crash had not happened';
    return createCopy(ctx, { target, source, link, replacesId: intent.replacesId, intent, reason });
  }
  await ctx.intents.remove(ctx.user, intent);
}

/**
 * A first copy waits for a link that does not exist yet; a re-create waits while the link still names the dead id
 * it replaces. Anything else means the link was saved and only the intent's removal was lost.
 */
function stillAwaited(intent: Intent, link: Link | undefined): boolean {
  if (!link) return intent.replacesId === undefined;
  if (link.tombstone || link.undone) return false;
  return intent.replacesId !== undefined && idOn(link, intent.targetSide) === intent.replacesId;
}

type Held<P> = { side: Side; item: RemoteItem<P> };

/** The copy exists but no link names it: link it, and if one side was edited since, let the conflict policy choose. */
async function joinRecovered<P>(
  ctx: EngineContext<P>,
  link: Link | undefined,
  source: Held<P>,
  copy: Held<P>,
  intent: Intent,
): Promise<void> {
  const base = copiedFrom(ctx, link ?? newLink(ctx.kind, source.side, source.item.id), source.side);
  const ids = idsOf(source.side, source.item.id, copy.item.id);
  await record(ctx, 'create', {
    side: copy.side,
    ids,
    reason: 'crash recovery: linked the copy created before the crash',
  });
  const sourceHash = ctx.hash(source.item.projection);
  if (sourceHash === ctx.hash(copy.item.projection)) {
    return saveLink(ctx, pairOf(base, source, copy, sourceHash));
  }
  // Fields merged one by one (mail flags) have a base: what the copy was made with. Each side keeps what it changed.
  const merged =
    ctx.fieldMerge && intent.sourceHash
      ? ctx.fieldMerge.merge(intent.sourceHash, source.item.projection, copy.item.projection, source.side)
      : undefined;
  if (merged) {
    const reason =
      'crash recovery: the copy and its source changed before they were linked; merged per field';
    return writeMerged(ctx, base, source, copy.item, merged, reason);
  }
  const winnerSide = chooseWinner(ctx.policy.conflict, {
    [source.side]: source.item.modifiedAt,
    [copy.side]: copy.item.modifiedAt,
  } as Record<Side, string>);
  const [winner, loser] = winnerSide === source.side ? [source, copy] : [copy, source];
  ctx.stats.conflicts += 1;
  await record(ctx, 'conflict', {
    side: winner.side,
    ids,
    reason: `crash recovery: the copy and its source differ; ${ctx.policy.conflict} chose ${winner.side}`,
    detail: JSON.stringify({ [winner.side]: winner.item, [loser.side]: loser.item }),
  });
  const reason = 'crash recovery: the recovered copy differed from its source';
  await updateCopy(ctx, { target: loser.side, targetId: loser.item.id, source: winner, link: base, reason });
}

/** The source was deleted before its copy got linked: the copy follows the delete policy like any other. */
async function dropOrphan<P>(
  ctx: EngineContext<P>,
  intent: Intent,
  link: Link | undefined,
  copy: RemoteItem<P> | undefined,
): Promise<void> {
  const target = intent.targetSide;
  if (copy && ctx.policy.deletes === 'ignore') {
    const detached: Link = {
      ...(link ? withoutSide(link, otherSide(target)) : newLink(ctx.kind, target, copy.id)),
      origin: otherSide(target),
      copiedAt: intent.createdAt,
    };
    // The copy's base is what it was made with: a source renumbered meanwhile (read as gone here) is linked again
    // by its next full listing (full-listing.ts, followRenumbered), and a change made to the copy since then must
    // count as one, so a copy that no longer holds its base keeps no version either.
    const base = intent.sourceHash ?? ctx.hash(copy.projection);
    const kept = withSide(detached, target, copy.id, copy.version);
    return saveLink(ctx, {
      ...(base === ctx.hash(copy.projection) ? kept : withoutVersion(kept, target)),
      projectionHash: base,
    });
  }
  if (copy && (await deleteIfPresent(ctx, target, copy.id))) {
    const reason = 'crash recovery: removed our copy of an item deleted before the copy was linked';
    await record(ctx, 'delete', { side: target, ids: idsOf(target, copy.id), reason });
  }
  if (link) await saveLink(ctx, { ...link, tombstone: true });
}

function withoutVersion(link: Link, side: Side): Link {
  return side === 'dingtalk'
    ? { ...link, dingtalkVersion: undefined }
    : { ...link, outlookVersion: undefined };
}
