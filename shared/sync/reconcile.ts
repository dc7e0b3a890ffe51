import { applyDecision } from './apply-decision';
import {
  classifyMatch,
  classifyOther,
  classifyPulled,
  linkStateOf,
  otherSideNeeded,
  type OtherState,
} from './classify';
import { ChangedDuringWrite, seeing } from './conditional-writes';
import type { EngineContext } from './engine-context';
import { followRenumberedItem } from './full-listing';
import { idOn } from './link-fields';
import type { MatchIndex } from './match-index';
import { GoneDuringWrite, getOrUndefined } from './remote-writes';
import { decide } from './truth-table';
import type { RemoteChange, RemoteItem, Side } from './types';
import { isDeletion, otherSide, TransientRemoteError } from './types';

/**
 * One pulled change: classify it against its link (and, only when the table needs it, one read of the other
 * side), look the action up in the truth table, apply it. At most one remote read plus one write per change.
 */
export async function reconcileChange<P>(
  ctx: EngineContext<P>,
  side: Side,
  change: RemoteChange<P>,
  matches: MatchIndex<P> | undefined,
  isRetry = false,
): Promise<void> {
  const there = otherSide(side);
  let link = await ctx.links.findBySideId(ctx.user, ctx.kind, side, change.id);
  const linkState = linkStateOf(link);
  const pulled = classifyPulled(change, link, side, ctx.hash);
  const pulledHash = isDeletion(change) ? undefined : ctx.hash(change.projection);

  let other: RemoteItem<P> | undefined;
  let otherState: OtherState = 'not-read';
  if (link && otherSideNeeded(pulled, linkState)) {
    other = await getOrUndefined(ctx, there, idOn(link, there)!);
    if (!other && linkState === 'live' && !isDeletion(change)) {
      const followed = await followRenumberedItem(ctx, link, there, change.matchKeys);
      if (followed) ({ link, item: other } = followed);
    }
    otherState = classifyOther(other, link, there, pulledHash, ctx.hash);
  } else if (pulled === 'new' && !isDeletion(change)) {
    other = matches?.claim(change.matchKeys);
    otherState = classifyMatch(other, pulledHash!, ctx.hash);
  }

  const modifiedAt = {
    [side]: isDeletion(change) ? undefined : change.modifiedAt,
    [there]: other?.modifiedAt,
  };
  const merged =
    ctx.fieldMerge && link && other && !isDeletion(change)
      ? ctx.fieldMerge.merge(link.projectionHash, change.projection, other.projection, side)
      : undefined;
  const decision = decide(
    { link: linkState, pulled, other: otherState },
    {
      policy: ctx.policy,
      pulledSide: side,
      modifiedAt: modifiedAt as Record<Side, string | undefined>,
      mergesFields: merged !== undefined,
    },
  );
  try {
    const seen = [
      { side, item: change },
      { side: there, item: other },
    ];
    await applyDecision(seeing(ctx, seen), decision, { side, change, link, other, merged });
  } catch (err) {
    if (err instanceof ChangedDuringWrite && (isRetry || !link)) {
      // Edited again after the re-read, or a first-sync match (claimed once per listing) that only a fresh listing
      // offers again: never overwrite; the pull fails (retryable) and its next run decides from what is there then.
      throw new TransientRemoteError(`${err.message}; the pull will be retried`);
    }
    if (isRetry || !(err instanceof GoneDuringWrite || err instanceof ChangedDuringWrite)) throw err;
    // Deleted or edited between our read and our write: decide again, once, from a fresh read.
    return reconcileChange(ctx, side, await changeToDecideAgain(ctx, err, side, change), matches, true);
  }
  ctx.stats.changes += 1;
  ctx.stats.actions[decision.action] = (ctx.stats.actions[decision.action] ?? 0) + 1;
}

/**
 * The pulled change to decide again after a write found its target deleted or edited. A target on the other side is
 * read again by reconcileChange itself; a target on the pulled side is re-read here (its listed state is stale).
 */
async function changeToDecideAgain<P>(
  ctx: EngineContext<P>,
  err: GoneDuringWrite | ChangedDuringWrite,
  side: Side,
  change: RemoteChange<P>,
): Promise<RemoteChange<P>> {
  if (err.target !== side) return change;
  const gone: RemoteChange<P> = { id: change.id, deleted: true };
  if (err instanceof GoneDuringWrite) return gone;
  return (await getOrUndefined(ctx, side, change.id)) ?? gone;
}
