import { idsOf, record } from './audit-rows';
import { ChangedDuringWrite, versionSeen } from './conditional-writes';
import { originKeyFor } from './deterministic-keys';
import type { EngineContext } from './engine-context';
import { idOn, newLink, pairOf } from './link-fields';
import type { Intent, Link, RemoteItem, Side } from './types';
import { NotFoundRemoteError, otherSide, PermanentRemoteError, VersionConflictRemoteError } from './types';
import { SyncError } from './errors';
import { writeMerged } from './field-merge';

/**
 * The engine's writes. Each remote write is followed by its audit row and then by the link that remembers the
 * versions both sides now have, so the echo of the write is recognised as ours (loop prevention).
 */

/** The item a write addressed disappeared between our read and our write. */
export class GoneDuringWrite extends SyncError {
  constructor(readonly target: Side) {
    super(`item gone on ${target} during the write`, {
      code: 'gone-during-write',
      retryable: true,
      side: target,
    });
  }
}

export async function getOrUndefined<P>(
  ctx: EngineContext<P>,
  side: Side,
  id: string,
): Promise<RemoteItem<P> | undefined> {
  try {
    return await ctx.sides[side].adapter.get(ctx.user, id);
  } catch (err) {
    if (err instanceof NotFoundRemoteError) return undefined;
    throw err;
  }
}

export async function saveLink<P>(ctx: EngineContext<P>, link: Link): Promise<void> {
  await ctx.links.save(ctx.user, link);
}

export interface CopyRequest<P> {
  target: Side;
  source: RemoteItem<P>;
  /** The link to complete; undefined for a first copy. */
  link?: Link;
  /** For a re-create: the dead id on the target side. */
  replacesId?: string;
  reason: string;
  /** Crash recovery passes the intent it found, so the same idempotency key is sent again. */
  intent?: Intent;
}

/** Crash-safe create: intent first, then the create with its idempotency key, then the link, then drop the intent. */
export async function createCopy<P>(ctx: EngineContext<P>, request: CopyRequest<P>): Promise<void> {
  const { target, source } = request;
  const sourceSide = otherSide(target);
  const intent = request.intent ?? intentFor(ctx, request);
  await ctx.intents.put(ctx.user, intent);
  let created: RemoteItem<P>;
  try {
    created = await ctx.sides[target].adapter.create(ctx.user, source.projection, intent.originKey);
  } catch (err) {
    // A refused create left nothing behind to find: keep no intent that would replay it on every pull.
    if (err instanceof PermanentRemoteError) await ctx.intents.remove(ctx.user, intent);
    throw err;
  }
  await record(ctx, 'create', {
    side: target,
    ids: idsOf(sourceSide, source.id, created.id),
    reason: request.reason,
    changedAt: source.modifiedAt,
  });
  const base = copiedFrom(ctx, request.link ?? newLink(ctx.kind, sourceSide, source.id), sourceSide);
  const merged = heldOtherwise(ctx, target, source.projection, created.projection);
  if (merged) {
    const reason = `${request.reason}; the copy holds what ${target} gave it, and its source takes that too`;
    await writeMerged(ctx, base, { side: target, item: created }, source, merged, reason);
  } else {
    const paired = pairOf(
      base,
      { side: sourceSide, item: source },
      { side: target, item: created },
      ctx.hash(source.projection),
    );
    await saveLink(ctx, paired);
  }
  await ctx.intents.remove(ctx.user, intent);
}

/** The link of a copy just created: the source's side is the origin, and undo's time range reads copiedAt. */
export function copiedFrom<P>(ctx: EngineContext<P>, link: Link, sourceSide: Side): Link {
  return { ...link, origin: sourceSide, copiedAt: new Date(ctx.now()).toISOString() };
}

/**
 * For kinds merged per field: the projection both sides should hold when the created copy does not hold what its
 * create asked, or undefined when it does. A side may fill a field the source left empty (DingTalk gives an
 * external contact without labels the organisation's first one): saving the link as if both held the source's
 * projection would leave that value on one side only, and no later change would ever carry it over. The merge's
 * base is what the create asked, so the field the target filled in counts as the target's change.
 */
function heldOtherwise<P>(ctx: EngineContext<P>, target: Side, asked: P, held: P): P | undefined {
  const merge = ctx.fieldMerge;
  if (!merge?.heldHash || merge.heldHash(target, held) === merge.heldHash(target, asked)) return undefined;
  return merge.merge(ctx.hash(asked), held, asked, target);
}

export function intentFor<P>(ctx: EngineContext<P>, request: CopyRequest<P>): Intent {
  const sourceSide = otherSide(request.target);
  const key = { pairId: ctx.user.pairId, kind: ctx.kind, sourceSide, sourceId: request.source.id };
  return {
    kind: ctx.kind,
    targetSide: request.target,
    sourceId: request.source.id,
    originKey: originKeyFor({ ...key, replacesId: request.replacesId }),
    createdAt: new Date(ctx.now()).toISOString(),
    ...(request.replacesId === undefined ? {} : { replacesId: request.replacesId }),
    ...(ctx.fieldMerge ? { sourceHash: ctx.hash(request.source.projection) } : {}),
  };
}

export interface UpdateRequest<P> {
  target: Side;
  targetId: string;
  source: { side: Side; item: RemoteItem<P> };
  link?: Link;
  reason: string;
}

export async function updateCopy<P>(ctx: EngineContext<P>, request: UpdateRequest<P>): Promise<void> {
  const { target, targetId, source } = request;
  const updated = await writeUpdate(ctx, target, targetId, source, request.reason);
  const base = request.link ?? newLink(ctx.kind, source.side, source.item.id);
  await saveLink(
    ctx,
    pairOf(base, source, { side: target, item: updated }, ctx.hash(source.item.projection)),
  );
}

/**
 * One conditional update of the target to the source's projection, and its audit row; the caller saves the link.
 * A target gone or edited since our read surfaces as GoneDuringWrite / ChangedDuringWrite (decided again).
 */
export async function writeUpdate<P>(
  ctx: EngineContext<P>,
  target: Side,
  targetId: string,
  source: { side: Side; item: RemoteItem<P> },
  reason: string,
): Promise<RemoteItem<P>> {
  let updated: RemoteItem<P>;
  try {
    const expectedVersion = versionSeen(ctx, target, targetId);
    updated = await ctx.sides[target].adapter.update(
      ctx.user,
      targetId,
      source.item.projection,
      expectedVersion,
    );
  } catch (err) {
    if (err instanceof NotFoundRemoteError) throw new GoneDuringWrite(target);
    if (err instanceof VersionConflictRemoteError) throw new ChangedDuringWrite(target, targetId);
    throw err;
  }
  await record(ctx, 'update', {
    side: target,
    ids: idsOf(source.side, source.item.id, targetId),
    reason,
    changedAt: source.item.modifiedAt,
  });
  return updated;
}

/** Deletes the target's half and keeps the link as a tombstone, so a late change of either id resurrects nothing. */
export async function deleteCopy<P>(
  ctx: EngineContext<P>,
  target: Side,
  link: Link,
  reason: string,
): Promise<void> {
  const targetId = idOn(link, target)!;
  const ids = idsOf('dingtalk', link.dingtalkId, link.outlookId);
  if (await deleteIfPresent(ctx, target, targetId))
    await record(ctx, 'delete', { side: target, ids, reason });
  await saveLink(ctx, { ...link, tombstone: true });
}

export async function deleteIfPresent<P>(ctx: EngineContext<P>, side: Side, id: string): Promise<boolean> {
  try {
    await ctx.sides[side].adapter.delete(ctx.user, id, versionSeen(ctx, side, id));
    return true;
  } catch (err) {
    if (err instanceof NotFoundRemoteError) return false;
    if (err instanceof VersionConflictRemoteError) throw new ChangedDuringWrite(side, id);
    throw err;
  }
}
