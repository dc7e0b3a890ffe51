import type { EngineContext } from './engine-context';
import type { RemoteChange, Side } from './types';
import { isDeletion } from './types';
import { SyncError } from './errors';

/**
 * No lost updates (docs/sync-engine.md): every update or delete the engine makes is conditional on the version it
 * last saw of the target item (the pulled change, or the other side's item it read or matched). An edit a person
 * makes between that read and our write then fails the write with VersionConflictRemoteError instead of being
 * overwritten, and the change is decided again from a fresh read.
 *
 * The versions travel on a copy of the context that reconcileChange hands to the decision, so the code between the
 * read and the write passes nothing extra. A write to an item no reconcile saw (crash recovery) stays unconditional.
 */

const versionsByContext = new WeakMap<object, ReadonlyMap<string, string>>();

const keyOf = (side: Side, id: string) => `${side}\u0000${id}`;

export interface SeenItem<P> {
  side: Side;
  item: RemoteChange<P> | undefined;
}

/** A copy of ctx that remembers the versions of the items just read, for the writes that follow. */
export function seeing<P>(ctx: EngineContext<P>, seen: SeenItem<P>[]): EngineContext<P> {
  const versions = new Map<string, string>();
  for (const { side, item } of seen) {
    if (item && !isDeletion(item) && item.version) versions.set(keyOf(side, item.id), item.version);
  }
  const scoped = { ...ctx };
  versionsByContext.set(scoped, versions);
  return scoped;
}

/** The version a write to this item must expect, or undefined when the engine has not read it in this decision. */
export function versionSeen<P>(ctx: EngineContext<P>, side: Side, id: string): string | undefined {
  return versionsByContext.get(ctx)?.get(keyOf(side, id));
}

/** The item a conditional write addressed changed between our read and our write (someone edited it). */
export class ChangedDuringWrite extends SyncError {
  constructor(
    readonly target: Side,
    readonly id: string,
  ) {
    super(`${target} item ${id} changed between our read and our write`, {
      code: 'changed-during-write',
      retryable: true,
      side: target,
    });
  }
}
