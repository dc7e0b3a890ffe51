import { SyncError } from '../../sync/errors';
import type { RemoteItem, SideAdapter, UserRef } from '../../sync/types';

/**
 * What a remote write is about to do. `refusedIfMoved`: the write carries a version and the service itself refuses
 * it if the item has another one (SideAdapter.atomicConditionalWrites), so a second writer cannot slip in between.
 */
export type RemoteWrite = { op: 'create' } | { op: 'update' | 'delete'; refusedIfMoved: boolean };

export interface WriteGuardHooks {
  /** Runs before every remote write: the planned intents are durable, and the lease is held where it must be. */
  beforeWrite(write: RemoteWrite): Promise<void>;
  /** Runs after every remote write with the version it left (undefined for a delete). */
  wrote(id: string, version: string | undefined): void;
}

/**
 * The one gate every remote call of a pull passes: nothing is written before the journal allows it (pull-journal.ts),
 * every write is remembered so that its echo starts no pull, and every error says which service it came from.
 */
export function guardWrites<P>(adapter: SideAdapter<P>, hooks: WriteGuardHooks): SideAdapter<P> {
  const side = <T>(call: Promise<T>): Promise<T> =>
    call.catch((err: unknown) => {
      // Errors name the service they came from, for logs and the failures table.
      if (err instanceof SyncError && err.side === undefined) err.side = adapter.side;
      throw err;
    });
  const atomic = (op: 'update' | 'delete', expectedVersion: string | undefined) =>
    expectedVersion !== undefined && (adapter.atomicConditionalWrites?.includes(op) ?? false);
  const remember = (item: RemoteItem<P>) => {
    hooks.wrote(item.id, item.version);
    return item;
  };
  return {
    side: adapter.side,
    kind: adapter.kind,
    listChanges: (user, folder, cursor) => side(adapter.listChanges(user, folder, cursor)),
    get: (user, id) => side(adapter.get(user, id)),
    findByOriginKey: (user, key) => side(adapter.findByOriginKey(user, key)),
    ...(adapter.findRenumbered && {
      findRenumbered: (user: UserRef, id: string, keys: string[]) =>
        side(adapter.findRenumbered!(user, id, keys)),
    }),
    create: async (user: UserRef, projection: P, originKey: string) => {
      await hooks.beforeWrite({ op: 'create' });
      return remember(await side(adapter.create(user, projection, originKey)));
    },
    update: async (user: UserRef, id: string, projection: P, expectedVersion?: string) => {
      await hooks.beforeWrite({ op: 'update', refusedIfMoved: atomic('update', expectedVersion) });
      return remember(await side(adapter.update(user, id, projection, expectedVersion)));
    },
    delete: async (user: UserRef, id: string, expectedVersion?: string) => {
      await hooks.beforeWrite({ op: 'delete', refusedIfMoved: atomic('delete', expectedVersion) });
      await side(adapter.delete(user, id, expectedVersion));
      hooks.wrote(id, undefined);
    },
  };
}
