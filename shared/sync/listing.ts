import { isDeletion } from './types';
import type { SideEndpoint } from './engine-context';
import type { RemoteChange, UserRef } from './types';
import { CursorExpiredError } from './types';

export interface Listing<P> {
  changes: RemoteChange<P>[];
  cursor: string;
  fullListing: boolean;
  /** The stored cursor had expired, so the whole folder was listed instead. */
  resynced: boolean;
}

/** Every page from a cursor (undefined = the whole folder). */
export async function listAllPages<P>(
  endpoint: SideEndpoint<P>,
  user: UserRef,
  cursor: string | undefined,
): Promise<Listing<P>> {
  const changes: RemoteChange<P>[] = [];
  let fullListing = cursor === undefined;
  let next = cursor;
  for (;;) {
    const page = await endpoint.adapter.listChanges(user, endpoint.folder, next);
    changes.push(...page.changes);
    fullListing ||= page.fullListing;
    next = page.nextCursor;
    if (!page.more) return { changes, cursor: next, fullListing, resynced: false };
  }
}

/** An expired cursor (Graph 410 syncStateNotFound) falls back to listing the whole folder: a resync with matching. */
export async function listSinceCursor<P>(
  endpoint: SideEndpoint<P>,
  user: UserRef,
  cursor: string | undefined,
): Promise<Listing<P>> {
  try {
    return await listAllPages(endpoint, user, cursor);
  } catch (err) {
    if (!(err instanceof CursorExpiredError) || cursor === undefined) throw err;
    return { ...(await listAllPages(endpoint, user, undefined)), resynced: true };
  }
}

/** A delta may name an id twice (Graph does across pages); only its last state counts. */
export function latestPerId<P>(changes: RemoteChange<P>[]): RemoteChange<P>[] {
  const byId = new Map<string, RemoteChange<P>>();
  for (const change of changes) {
    byId.delete(change.id);
    byId.set(change.id, change);
  }
  return [...byId.values()];
}

/**
 * A full listing is reconciled oldest first (by modifiedAt; deletions, which carry no time, last), whatever order
 * the side listed it in: a first sync cut short by a quota, a throttle or a crash has then copied the oldest items,
 * and the next pull goes on from there, rather than leaving holes in the history.
 */
export function oldestFirst<P>(changes: RemoteChange<P>[]): RemoteChange<P>[] {
  const at = (c: RemoteChange<P>) =>
    isDeletion(c) ? Number.POSITIVE_INFINITY : Date.parse(c.modifiedAt) || 0;
  return changes
    .map((change, index) => ({ change, index }))
    .sort((a, b) => at(a.change) - at(b.change) || a.index - b.index)
    .map(({ change }) => change);
}
