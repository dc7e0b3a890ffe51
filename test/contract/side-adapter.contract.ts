import {
  CursorExpiredError,
  isDeletion,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  type UserRef,
  VersionConflictRemoteError,
} from '../../shared/sync/types';

/**
 * The part of the SideAdapter contract that is the same for every kind: listing with cursors, idempotent creates,
 * conditional writes and deletions. A kind's suite (calendar, to-do, contact) opens a `describe` for one side,
 * calls useFixture and sideAdapterContract in it with what differs for its kind, and adds its own tests after.
 */

/** What only the remote side can do: a person's edits and deletions in the native app. */
export interface SideRemoteControl<E> {
  /** Changes an item the way its owner would in the native app, not through the adapter. */
  editOutOfBand(id: string, change: E): Promise<void>;
  deleteOutOfBand(id: string): Promise<void>;
}

/** One side's adapter wired to its fake, for one user. */
export interface SideFixture<P, E> {
  adapter: SideAdapter<P>;
  user: UserRef;
  folder: string;
  remote: SideRemoteControl<E>;
  dispose(): Promise<void>;
}

/** What the generic tests need to know of a kind, and where one side legitimately differs from the other. */
export interface SideKind<P, E, F extends SideFixture<P, E>> {
  /** A new item, unlike every other one the suite makes. */
  sample(f: F): P;
  /** The item with its title (subject, name) set to `text`: the one field the tests edit on either side. */
  withText(item: P, text: string): P;
  textOf(item: P): string;
  /** The out-of-band edit that sets the title to `text`. */
  textEdit(text: string): E;
  /** The item with several of its fields changed. */
  changed(item: P): P;
  /** Asserts that `actual` is what the side keeps of `written`. */
  expectKept(f: F, actual: P | undefined, written: P): void;
  /** Listings carry our origin key (Outlook's contact delta cannot expand extended properties, so it does not). */
  listsOriginKey: boolean;
  /** An update that changes nothing keeps the version and writes nothing a listing would report. */
  unchangedUpdateKeepsVersion: boolean;
  /**
   * Makes a cursor the side handed out one it must now refuse: expired by the service, or, where the service has
   * no tokens to expire, one it cannot vouch for. Absent where the side has neither.
   */
  staleCursor?(f: F, cursor: string): Promise<string>;
  /** Strings that are no cursor of this side. */
  malformedCursors: string[];
  /** Another adapter for the same service and user, as a new process makes it (no memory of this one's creates). */
  restarted?(f: F): SideAdapter<P>;
}

let origins = 0;
/** An origin key no other test uses. */
export const freshOriginKey = (): string => `contract-origin-${Date.now()}-${++origins}`;

/** Makes a fresh fixture before each test of the enclosing describe and disposes of it after. */
export function useFixture<F extends { dispose(): Promise<void> }>(make: () => Promise<F>): () => F {
  let current: F | undefined;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('the fixture is only there while a test runs');
    return current;
  };
}

export function sideAdapterContract<P, E, F extends SideFixture<P, E>>(
  fixture: () => F,
  kind: SideKind<P, E, F>,
): void {
  const key = freshOriginKey;
  const create = (f: F, item: P = kind.sample(f), originKey = key()) =>
    f.adapter.create(f.user, item, originKey);

  test('a created item appears in the next changes, with its origin key and content', async () => {
    const f = fixture();
    const baseline = await drain(f, undefined);
    const originKey = key();
    const wanted = kind.sample(f);
    const created = await create(f, wanted, originKey);
    expect(created.originKey).toBe(originKey);
    kind.expectKept(f, created.projection, wanted);
    const after = await drain(f, baseline.cursor);
    const seen = items(after.changes).find((c) => c.id === created.id);
    kind.expectKept(f, seen?.projection, wanted);
    expect(seen?.projection).toEqual(created.projection);
    expect(seen?.version).toBe(created.version);
    if (kind.listsOriginKey) expect(seen?.originKey).toBe(originKey);
  });

  test('get reads back what create wrote, with the origin key', async () => {
    const f = fixture();
    const originKey = key();
    const wanted = kind.sample(f);
    const created = await create(f, wanted, originKey);
    const read = await f.adapter.get(f.user, created.id);
    kind.expectKept(f, read?.projection, wanted);
    expect(read?.version).toBe(created.version);
    expect(read?.originKey).toBe(originKey);
    expect(read?.matchKeys.length).toBeGreaterThan(0);
  });

  test('a first listing is a full listing; later ones are deltas', async () => {
    const f = fixture();
    const created = await create(f);
    const first = await drain(f, undefined);
    expect(first.fullListing).toBe(true);
    expect(items(first.changes).map((c) => c.id)).toContain(created.id);
    const next = await drain(f, first.cursor);
    expect(next.fullListing).toBe(false);
  });

  test('an idle listing after a baseline returns no changes', async () => {
    const f = fixture();
    await create(f);
    await create(f);
    const baseline = await drain(f, undefined);
    expect(items(baseline.changes)).toHaveLength(2);
    const idle = await drain(f, baseline.cursor);
    expect(idle.changes).toEqual([]);
    const again = await drain(f, idle.cursor);
    expect(again.changes).toEqual([]);
  });

  test('many items: a full listing has all of them, and a delta only what changed', async () => {
    const f = fixture();
    const created: RemoteItem<P>[] = [];
    for (let i = 0; i < 23; i++) created.push(await create(f));
    const full = await drain(f, undefined);
    const listed = items(full.changes).map((c) => c.id);
    expect(new Set(listed).size).toBe(listed.length);
    for (const c of created) expect(listed).toContain(c.id);
    await f.remote.editOutOfBand(created[3]!.id, kind.textEdit('Only this one'));
    await f.remote.deleteOutOfBand(created[17]!.id);
    const delta = await drain(f, full.cursor);
    expect(items(delta.changes).map((c) => c.id)).toEqual([created[3]!.id]);
    expect(delta.changes.filter(isDeletion).map((d) => d.id)).toEqual([created[17]!.id]);
  });

  test('an update changes the version and the content, and the listing reports that version', async () => {
    const f = fixture();
    const created = await create(f);
    const baseline = await drain(f, undefined);
    const wanted = kind.changed(created.projection);
    const updated = await f.adapter.update(f.user, created.id, wanted);
    expect(updated.version).not.toBe(created.version);
    kind.expectKept(f, updated.projection, wanted);
    const read = await f.adapter.get(f.user, created.id);
    kind.expectKept(f, read?.projection, wanted);
    expect(read?.version).toBe(updated.version);
    const after = await drain(f, baseline.cursor);
    const seen = items(after.changes).find((c) => c.id === created.id);
    expect(seen?.version).toBe(updated.version);
    kind.expectKept(f, seen?.projection, wanted);
  });

  if (kind.unchangedUpdateKeepsVersion) {
    test('an update that changes nothing keeps the version and writes nothing', async () => {
      const f = fixture();
      const created = await create(f);
      const baseline = await drain(f, undefined);
      const same = await f.adapter.update(f.user, created.id, created.projection, created.version);
      expect(same.version).toBe(created.version);
      expect(same.projection).toEqual(created.projection);
      expect((await drain(f, baseline.cursor)).changes).toEqual([]);
    });
  }

  test('an update of an item that is gone throws NotFoundRemoteError', async () => {
    const f = fixture();
    const created = await create(f);
    await f.remote.deleteOutOfBand(created.id);
    await expect(f.adapter.update(f.user, created.id, created.projection)).rejects.toMatchObject({
      code: 'remote-not-found',
    });
  });

  test('a conditional update with the version last read succeeds', async () => {
    const f = fixture();
    const created = await create(f);
    const read = await f.adapter.get(f.user, created.id);
    expect(read?.version).toBe(created.version);
    const updated = await f.adapter.update(
      f.user,
      created.id,
      kind.withText(created.projection, 'Agreed in time'),
      read!.version,
    );
    expect(updated.version).not.toBe(created.version);
    const after = await f.adapter.get(f.user, created.id);
    expect(kind.textOf(after!.projection)).toBe('Agreed in time');
  });

  test('a conditional update with a stale version throws VersionConflictRemoteError and changes nothing', async () => {
    const f = fixture();
    const created = await create(f);
    await f.remote.editOutOfBand(created.id, kind.textEdit('Edited by the owner'));
    const edited = await f.adapter.get(f.user, created.id);
    expect(edited?.version).not.toBe(created.version);
    await expect(
      f.adapter.update(f.user, created.id, kind.withText(created.projection, 'Ours'), created.version),
    ).rejects.toBeInstanceOf(VersionConflictRemoteError);
    const after = await f.adapter.get(f.user, created.id);
    expect(kind.textOf(after!.projection)).toBe('Edited by the owner');
    expect(after?.version).toBe(edited?.version);
  });

  test('a conditional delete with the version last read deletes, and it shows as a deletion', async () => {
    const f = fixture();
    const created = await create(f);
    const baseline = await drain(f, undefined);
    await f.adapter.delete(f.user, created.id, created.version);
    expect(await f.adapter.get(f.user, created.id)).toBeUndefined();
    const after = await drain(f, baseline.cursor);
    expect(after.changes.filter(isDeletion).map((d) => d.id)).toEqual([created.id]);
  });

  test('a conditional delete with a stale version throws VersionConflictRemoteError and keeps the item', async () => {
    const f = fixture();
    const created = await create(f);
    await f.remote.editOutOfBand(created.id, kind.textEdit('Still wanted'));
    await expect(f.adapter.delete(f.user, created.id, created.version)).rejects.toBeInstanceOf(
      VersionConflictRemoteError,
    );
    const after = await f.adapter.get(f.user, created.id);
    expect(kind.textOf(after!.projection)).toBe('Still wanted');
  });

  test('a delete shows up as a deletion in the next changes, and deleting again is harmless', async () => {
    const f = fixture();
    const created = await create(f);
    const kept = await create(f);
    const baseline = await drain(f, undefined);
    await f.adapter.delete(f.user, created.id);
    const after = await drain(f, baseline.cursor);
    expect(after.changes.filter(isDeletion).map((d) => d.id)).toEqual([created.id]);
    expect(items(after.changes).map((c) => c.id)).not.toContain(kept.id);
    expect(await f.adapter.get(f.user, created.id)).toBeUndefined();
    await expect(f.adapter.delete(f.user, created.id)).resolves.toBeUndefined();
    const full = await drain(f, undefined);
    expect(items(full.changes).map((c) => c.id)).not.toContain(created.id);
  });

  test('a delete by the owner shows up as a deletion, and deleting again is harmless', async () => {
    const f = fixture();
    const created = await create(f);
    const baseline = await drain(f, undefined);
    await f.remote.deleteOutOfBand(created.id);
    const after = await drain(f, baseline.cursor);
    expect(after.changes.filter(isDeletion).map((d) => d.id)).toContain(created.id);
    await expect(f.adapter.delete(f.user, created.id)).resolves.toBeUndefined();
  });

  test('an edit by the owner shows up once, with a new version', async () => {
    const f = fixture();
    const created = await create(f);
    const baseline = await drain(f, undefined);
    await f.remote.editOutOfBand(created.id, kind.textEdit('Renamed in the app'));
    const after = await drain(f, baseline.cursor);
    const seen = items(after.changes).filter((c) => c.id === created.id);
    expect(seen).toHaveLength(1);
    expect(kind.textOf(seen[0]!.projection)).toBe('Renamed in the app');
    expect(seen[0]!.version).not.toBe(created.version);
  });

  if (kind.staleCursor) {
    const staleCursor = kind.staleCursor.bind(kind);
    test('an expired cursor throws CursorExpiredError, and a fresh listing recovers', async () => {
      const f = fixture();
      const created = await create(f);
      const baseline = await drain(f, undefined);
      const stale = await staleCursor(f, baseline.cursor);
      await expect(f.adapter.listChanges(f.user, f.folder, stale)).rejects.toBeInstanceOf(CursorExpiredError);
      const fresh = await drain(f, undefined);
      expect(fresh.fullListing).toBe(true);
      expect(items(fresh.changes).map((c) => c.id)).toContain(created.id);
    });
  }

  if (kind.malformedCursors.length > 0) {
    test('a malformed cursor throws CursorExpiredError, and a fresh listing recovers', async () => {
      const f = fixture();
      const created = await create(f);
      for (const bad of kind.malformedCursors) {
        await expect(f.adapter.listChanges(f.user, f.folder, bad)).rejects.toBeInstanceOf(CursorExpiredError);
      }
      const fresh = await drain(f, undefined);
      expect(fresh.fullListing).toBe(true);
      expect(items(fresh.changes).map((c) => c.id)).toContain(created.id);
    });
  }

  const restarted = kind.restarted?.bind(kind);
  test(
    restarted
      ? 'findByOriginKey finds a create, also from a fresh process, and nothing for an unknown key'
      : 'findByOriginKey finds a create and nothing for an unknown key',
    async () => {
      const f = fixture();
      const originKey = key();
      const created = await create(f, kind.sample(f), originKey);
      const found = await f.adapter.findByOriginKey(f.user, originKey);
      expect(found?.id).toBe(created.id);
      expect(found?.originKey).toBe(originKey);
      expect(await f.adapter.findByOriginKey(f.user, `${originKey}-unknown`)).toBeUndefined();
      if (restarted) {
        const other = restarted(f);
        expect((await other.findByOriginKey(f.user, originKey))?.id).toBe(created.id);
        expect(await other.findByOriginKey(f.user, `${originKey}-unknown`)).toBeUndefined();
      }
    },
  );

  test('a retried create with the same origin key does not make a second item', async () => {
    const f = fixture();
    const originKey = key();
    const wanted = kind.withText(kind.sample(f), 'Only once');
    const first = await create(f, wanted, originKey);
    const second = await create(f, wanted, originKey);
    expect(second.id).toBe(first.id);
    const listed = items((await drain(f, undefined)).changes);
    expect(listed.filter((c) => kind.textOf(c.projection) === 'Only once')).toHaveLength(1);
    if (kind.listsOriginKey) expect(listed.filter((c) => c.originKey === originKey)).toHaveLength(1);
  });
}

/** The part of a fixture a listing needs. */
export interface Listing<P> {
  adapter: SideAdapter<P>;
  user: UserRef;
  folder: string;
}

export interface Drained<P> {
  changes: RemoteChange<P>[];
  cursor: string;
  fullListing: boolean;
}

/** Reads pages until the adapter says there are no more. */
export async function drain<P>(f: Listing<P>, cursor: string | undefined): Promise<Drained<P>> {
  const changes: RemoteChange<P>[] = [];
  let fullListing = false;
  let next = cursor;
  for (let page = 0; page < 100; page++) {
    const result = await f.adapter.listChanges(f.user, f.folder, next);
    changes.push(...result.changes);
    fullListing ||= result.fullListing;
    next = result.nextCursor;
    if (!result.more) return { changes, cursor: next, fullListing };
  }
  throw new Error('listChanges never finished (100 pages)');
}

export const items = <P>(changes: RemoteChange<P>[]): RemoteItem<P>[] =>
  changes.filter((c): c is RemoteItem<P> & { deleted?: false } => !isDeletion(c));
