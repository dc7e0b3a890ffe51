import type { ChangePage, SideAdapter, UserRef } from '../sync/types';

/**
 * The same adapter with another way to list changes, every other call going to the adapter itself (so its
 * in-process memos stay shared): how a caller hands a listing what only the caller knows, such as the pair's links.
 */
export function withListing<P>(
  adapter: SideAdapter<P>,
  listChanges: (user: UserRef, folder: string, cursor: string | undefined) => Promise<ChangePage<P>>,
): SideAdapter<P> {
  return {
    side: adapter.side,
    kind: adapter.kind,
    listChanges,
    get: (user, id) => adapter.get(user, id),
    create: (user, projection, originKey) => adapter.create(user, projection, originKey),
    findByOriginKey: (user, originKey) => adapter.findByOriginKey(user, originKey),
    ...(adapter.findRenumbered && {
      findRenumbered: (user: UserRef, id: string, keys: string[]) => adapter.findRenumbered!(user, id, keys),
    }),
    update: (user, id, projection, expected) => adapter.update(user, id, projection, expected),
    delete: (user, id, expected) => adapter.delete(user, id, expected),
  };
}
