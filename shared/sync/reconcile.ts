import { applyDecision } from './apply-decision';
import {
  classifyMatch,
  classifyOther,
  classifyPulled,
  linkStateOf,
  otherSideNeeded,
  type OtherState,
} from './classify';
import type { EngineContext } from './engine-context';
import { idOn } from './link-fields';
import type { MatchIndex } from './match-index';
import { GoneDuringWrite, getOrUndefined } from './remote-writes';
import { decide } from './truth-table';
import type { RemoteChange, RemoteItem, Side } from './types';
import { isDeletion, otherSide } from './types';

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
  const link = await ctx.links.findBySideId(ctx.user, ctx.kind, side, change.id);
  const linkState = linkStateOf(link);
  const pulled = classifyPulled(change, link, side, ctx.hash);
  const pulledHash = isDeletion(change) ? undefined : ctx.hash(change.projection);

  let other: RemoteItem<P> | undefined;
  let otherState: OtherState = 'not-read';
  if (link && otherSideNeeded(pulled, linkState)) {
    other = await getOrUndefined(ctx, there, idOn(link, there)!);
    otherState = classifyOther(other, link, there, pulledHash, ctx.hash);
  } else if (pulled === 'new' && !isDeletion(change)) {
    other = matches?.claim(change.matchKeys);
    otherState = classifyMatch(other, pulledHash!, ctx.hash);
  }

  const modifiedAt = {
    [side]: isDeletion(change) ? undefined : change.modifiedAt,
    [there]: other?.modifiedAt,
  };
  const decision = decide(
    { link: linkState, pulled, other: otherState },
    { policy: ctx.policy, pulledSide: side, modifiedAt: modifiedAt as Record<Side, string | undefined> },
  );
  try {
    await applyDecision(ctx, decision, { side, change, link, other });
  } catch (err) {
    if (!(err instanceof GoneDuringWrite) || isRetry) throw err;
    // Deleted between our read and our write: decide again, now seeing the deletion.
    const seen: RemoteChange<P> = err.side === side ? { id: change.id, deleted: true } : change;
    return reconcileChange(ctx, side, seen, matches, true);
  }
  ctx.stats.changes += 1;
  ctx.stats.actions[decision.action] = (ctx.stats.actions[decision.action] ?? 0) + 1;
}
