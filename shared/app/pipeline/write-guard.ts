import type { RemoteItem, SideAdapter, UserRef } from '../../sync/types';

export interface WriteGuardHooks {
  /** Runs before every remote write: the lease is claimed and the planned intents are durable. */
  beforeWrite(): Promise<void>;
  /** Runs after every remote write with the version it left (undefined for a delete). */
  wrote(id: string, version: string | undefined): void;
}

/**
 * The one gate every remote write of a pull passes: nothing is written before the pull holds the lease, and every
 * write is remembered so that its echo starts no pull.
 */
export function guardWrites<P>(adapter: SideAdapter<P>, hooks: WriteGuardHooks): SideAdapter<P> {
  const remember = (item: RemoteItem<P>) => {
    hooks.wrote(item.id, item.version);
    return item;
  };
  return {
    side: adapter.side,
    kind: adapter.kind,
    listChanges: (user, folder, cursor) => adapter.listChanges(user, folder, cursor),
    get: (user, id) => adapter.get(user, id),
    findByOriginKey: (user, key) => adapter.findByOriginKey(user, key),
    create: async (user: UserRef, projection: P, originKey: string) => {
      await hooks.beforeWrite();
      return remember(await adapter.create(user, projection, originKey));
    },
    update: async (user: UserRef, id: string, projection: P, expectedVersion?: string) => {
      await hooks.beforeWrite();
      return remember(await adapter.update(user, id, projection, expectedVersion));
    },
    delete: async (user: UserRef, id: string, expectedVersion?: string) => {
      await hooks.beforeWrite();
      await adapter.delete(user, id, expectedVersion);
      hooks.wrote(id, undefined);
    },
  };
}
