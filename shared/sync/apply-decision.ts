import { idsOf, record } from './audit-rows';
import { writeMerged } from './field-merge';
import type { EngineContext } from './engine-context';
import { idOn, newLink, pairOf, withoutSide, withSide } from './link-fields';
import { createCopy, deleteCopy, intentFor, saveLink, updateCopy, type CopyRequest } from './remote-writes';
import { settleIntent } from './settle-intent';
import type { Decision } from './truth-table';
import type { Link, RemoteChange, RemoteItem, Side } from './types';
import { isDeletion, otherSide } from './types';

/** What one decision acts on: the pulled change, its link, and the other side's item (read, or matched). */
export interface Subject<P> {
  side: Side;
  change: RemoteChange<P>;
  link?: Link;
  other?: RemoteItem<P>;
  /** For kinds merged field by field: what both sides should hold (field-merge.ts). */
  merged?: P;
}

export async function applyDecision<P>(
  ctx: EngineContext<P>,
  decision: Decision,
  subject: Subject<P>,
): Promise<void> {
  const { side, change, link, other, merged } = subject;
  const there = otherSide(side);
  const reason = `${decision.rule.id}: ${decision.rule.why}`;
  if (decision.conflict) await recordConflict(ctx, decision, subject);

  switch (decision.action) {
    case 'no-op':
      return;
    case 'skip':
      return record(ctx, 'skip', {
        side,
        ids: idsOf(side, change.id, link && idOn(link, there)),
        reason,
      });
    case 'refresh':
      return saveLink(ctx, refreshed(ctx, subject));
    case 'link':
      return linkMatched(ctx, itemOf(change), side, other!, reason);
    case 'create-other':
      return createSafely(ctx, { target: there, source: itemOf(change), reason });
    case 'recreate-other':
      return createSafely(ctx, {
        target: there,
        source: itemOf(change),
        link,
        replacesId: idOn(link!, there),
        reason,
      });
    case 'recreate-pulled':
      return createSafely(ctx, { target: side, source: other!, link, replacesId: change.id, reason });
    case 'update-other':
      return updateCopy(ctx, {
        target: there,
        targetId: other!.id,
        source: { side, item: itemOf(change) },
        link,
        reason,
      });
    case 'update-pulled':
      return updateCopy(ctx, {
        target: side,
        targetId: change.id,
        source: { side: there, item: other! },
        link,
        reason,
      });
    case 'merge':
      return writeMerged(ctx, link!, { side, item: itemOf(change) }, other!, merged!, reason);
    case 'delete-other':
      return deleteCopy(ctx, there, link!, reason);
    case 'unlink':
      return unlink(ctx, link!, side, reason);
    case 'tombstone':
      return saveLink(ctx, { ...link!, tombstone: true });
  }
}

function itemOf<P>(change: RemoteChange<P>): RemoteItem<P> {
  if (isDeletion(change)) throw new TypeError(`the truth table asked to copy the deleted item ${change.id}`);
  return change;
}

/** A changed version over unchanged content (or the same new content on both sides): remember, write nothing. */
function refreshed<P>(ctx: EngineContext<P>, { side, change, link, other }: Subject<P>): Link {
  const item = itemOf(change);
  if (!other) return withSide(link!, side, item.id, item.version);
  return pairOf(link!, { side, item }, { side: otherSide(side), item: other }, ctx.hash(item.projection));
}

async function linkMatched<P>(
  ctx: EngineContext<P>,
  item: RemoteItem<P>,
  side: Side,
  match: RemoteItem<P>,
  reason: string,
) {
  const there = otherSide(side);
  await record(ctx, 'link', { ids: idsOf(side, item.id, match.id), reason });
  const link = pairOf(
    { ...newLink(ctx.kind, side, item.id), origin: 'both' },
    { side, item },
    { side: there, item: match },
    ctx.hash(item.projection),
  );
  await saveLink(ctx, link);
}

/** Without IntentStore.list there is no replay at the start of the pull, so each create looks for its own intent. */
async function createSafely<P>(ctx: EngineContext<P>, request: CopyRequest<P>): Promise<void> {
  if (!ctx.intents.list) {
    const planned = intentFor(ctx, request);
    const pending = await ctx.intents.get(ctx.user, ctx.kind, planned.targetSide, planned.sourceId);
    if (pending) return settleIntent(ctx, pending, request.source);
  }
  return createCopy(ctx, request);
}

async function unlink<P>(ctx: EngineContext<P>, link: Link, deletedOn: Side, reason: string): Promise<void> {
  const kept = otherSide(deletedOn);
  const ids = idsOf(deletedOn, idOn(link, deletedOn), idOn(link, kept));
  const note = `${reason}; delete policy ignore keeps it on ${kept}, unlinked`;
  await saveLink(ctx, withoutSide(link, deletedOn));
  await record(ctx, 'skip', { side: kept, ids, reason: note });
}

async function recordConflict<P>(
  ctx: EngineContext<P>,
  decision: Decision,
  { side, change, link, other }: Subject<P>,
) {
  const { winner, resolvedBy } = decision.conflict!;
  const there = otherSide(side);
  ctx.stats.conflicts += 1;
  const describe = (item: RemoteChange<P> | undefined, id: string | undefined) =>
    !item || isDeletion(item)
      ? { id: item?.id ?? id, deleted: true }
      : { id: item.id, version: item.version, modifiedAt: item.modifiedAt, projection: item.projection };
  const detail = JSON.stringify({
    rule: decision.rule.id,
    resolvedBy,
    winner,
    [side]: describe(change, change.id),
    [there]: describe(other, link && idOn(link, there)),
  });
  const ids = idsOf(side, change.id, other?.id ?? (link && idOn(link, there)));
  await record(ctx, 'conflict', {
    side: winner,
    ids,
    reason: `${decision.rule.why}; ${resolvedBy} chose ${winner}`,
    detail,
  });
}
