import type { TodoTask } from '../../shared/sync/todo-task';
import {
  CursorExpiredError,
  isDeletion,
  PermanentRemoteError,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  type UserRef,
  VersionConflictRemoteError,
} from '../../shared/sync/types';

/**
 * The SideAdapter contract for to-dos, the same for every side. A side's test file calls
 * todoAdapterContract(name, capabilities, makeFixture) with its adapter wired to its fake, plus a small remote
 * control for what only the remote side can do (a person's edits in the native app, another app's to-dos, the
 * calls the service saw). What one side cannot do at all is a capability, so its tests are not defined there.
 */

export interface TodoRemoteControl {
  /** A cursor that the side must now refuse: made unusable by the service, or not this user's. */
  expiredCursor(cursor: string): Promise<string>;
  /** Changes an item the way its owner would in the native app, not through the adapter. */
  editOutOfBand(id: string, change: { subject?: string; done?: boolean }): Promise<void>;
  deleteOutOfBand(id: string): Promise<void>;
  /** The due day the owner's app shows for the item, on the wall clock of timeZone; undefined when none. */
  dueDayAsShown(id: string, timeZone: string): Promise<string | undefined>;
  /** The calls the service received while `action` ran, one string per call (token requests apart). */
  callsDuring(action: () => Promise<unknown>): Promise<string[]>;
  /** A to-do another app made for the user (only where capabilities.readOnlyForeignItems). */
  otherAppCreates?(subject: string): Promise<string>;
}

export interface TodoContractFixture {
  adapter: SideAdapter<TodoTask>;
  /** Another adapter instance for the same service and user, in another owner zone (a fresh process). */
  adapterIn(timeZone: string): SideAdapter<TodoTask>;
  user: UserRef;
  folder: string;
  remote: TodoRemoteControl;
  dispose(): Promise<void>;
}

export interface TodoContractCapabilities {
  /** The side lists items the app may not write (DingTalk: another app's to-dos). */
  readOnlyForeignItems: boolean;
  /** Calls an idle poll may cost. */
  idlePollCalls: number;
  /** Calls a create may cost (the list or folder already known). */
  maxCallsPerCreate: number;
  /** Calls an update that writes may cost. */
  maxCallsPerUpdate: number;
}

/** East of UTC (UTC+14, where midnight is the previous UTC day) and west of it (UTC−10). */
const ZONES = ['Pacific/Kiritimati', 'Pacific/Honolulu', 'Asia/Shanghai'];

export function todoAdapterContract(
  name: string,
  caps: TodoContractCapabilities,
  makeFixture: () => Promise<TodoContractFixture>,
): void {
  describe(`to-do adapter contract: ${name}`, () => {
    let f: TodoContractFixture;
    let seq = 0;

    beforeEach(async () => {
      f = await makeFixture();
    });
    afterEach(async () => {
      await f.dispose();
    });

    const key = () => `dms-contract-${Date.now()}-${++seq}`;
    const todo = (overrides: Partial<TodoTask> = {}): TodoTask => ({
      subject: `Contract ${++seq}`,
      body: 'Figures for the quarter',
      dueDate: '2026-12-03',
      done: false,
      importance: 'normal',
      ...overrides,
    });

    test('a created item appears in the next changes, with its origin key and content', async () => {
      const baseline = await drain(f, undefined);
      const originKey = key();
      const created = await f.adapter.create(
        f.user,
        todo({ subject: 'Book the venue', importance: 'high' }),
        originKey,
      );
      expect(created.originKey).toBe(originKey);
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).find((c) => c.id === created.id);
      expect(seen?.originKey).toBe(originKey);
      expect(seen?.version).toBe(created.version);
      expect(seen?.projection).toMatchObject({
        subject: 'Book the venue',
        body: 'Figures for the quarter',
        dueDate: '2026-12-03',
        done: false,
        importance: 'high',
      });
    });

    test('a first listing is a full listing; later ones are deltas', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      const first = await drain(f, undefined);
      expect(first.fullListing).toBe(true);
      expect(items(first.changes).map((c) => c.id)).toContain(created.id);
      const next = await drain(f, first.cursor);
      expect(next.fullListing).toBe(false);
    });

    test('an idle listing after a baseline returns no changes, and costs at most its calls', async () => {
      await f.adapter.create(f.user, todo(), key());
      const baseline = await drain(f, undefined);
      let idle: Drained | undefined;
      const calls = await f.remote.callsDuring(async () => {
        idle = await drain(f, baseline.cursor);
      });
      expect(idle!.changes).toEqual([]);
      expect(calls.length).toBeLessThanOrEqual(caps.idlePollCalls);
      const again = await drain(f, idle!.cursor);
      expect(again.changes).toEqual([]);
    });

    test('an update changes the version and the content, and the listing reports that version', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      const baseline = await drain(f, undefined);
      const updated = await f.adapter.update(f.user, created.id, {
        ...created.projection,
        subject: 'Moved to Friday',
        body: 'New figures',
        dueDate: '2026-12-05',
      });
      expect(updated.version).not.toBe(created.version);
      expect(updated.projection).toMatchObject({ subject: 'Moved to Friday', dueDate: '2026-12-05' });
      const read = await f.adapter.get(f.user, created.id);
      expect(read?.projection).toMatchObject({ subject: 'Moved to Friday', body: 'New figures' });
      expect(read?.version).toBe(updated.version);
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).find((c) => c.id === created.id);
      expect(seen?.version).toBe(updated.version);
    });

    test('an update that changes nothing writes nothing', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      const baseline = await drain(f, undefined);
      const same = await f.adapter.update(f.user, created.id, created.projection, created.version);
      expect(same.version).toBe(created.version);
      expect((await drain(f, baseline.cursor)).changes).toEqual([]);
    });

    test('a conditional update with the version last read succeeds', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      const read = await f.adapter.get(f.user, created.id);
      expect(read?.version).toBe(created.version);
      const updated = await f.adapter.update(
        f.user,
        created.id,
        { ...created.projection, subject: 'Agreed in time' },
        read!.version,
      );
      expect(updated.version).not.toBe(created.version);
      expect((await f.adapter.get(f.user, created.id))?.projection.subject).toBe('Agreed in time');
    });

    test('a conditional update with a stale version throws VersionConflictRemoteError and changes nothing', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      await f.remote.editOutOfBand(created.id, { subject: 'Edited by the owner' });
      const edited = await f.adapter.get(f.user, created.id);
      await expect(
        f.adapter.update(f.user, created.id, { ...created.projection, subject: 'Ours' }, created.version),
      ).rejects.toBeInstanceOf(VersionConflictRemoteError);
      const after = await f.adapter.get(f.user, created.id);
      expect(after?.projection.subject).toBe('Edited by the owner');
      expect(after?.version).toBe(edited?.version);
    });

    test('a conditional delete with a stale version throws VersionConflictRemoteError and keeps the item', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      await f.remote.editOutOfBand(created.id, { subject: 'Still wanted' });
      await expect(f.adapter.delete(f.user, created.id, created.version)).rejects.toBeInstanceOf(
        VersionConflictRemoteError,
      );
      expect((await f.adapter.get(f.user, created.id))?.projection.subject).toBe('Still wanted');
    });

    test('a conditional delete with the version last read deletes', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      await f.adapter.delete(f.user, created.id, created.version);
      expect(await f.adapter.get(f.user, created.id)).toBeUndefined();
    });

    test('a delete shows up as a deletion in the next changes, and deleting again is harmless', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      const kept = await f.adapter.create(f.user, todo(), key());
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

    test('a delete by the owner shows up as a deletion', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      const baseline = await drain(f, undefined);
      await f.remote.deleteOutOfBand(created.id);
      const after = await drain(f, baseline.cursor);
      expect(after.changes.filter(isDeletion).map((d) => d.id)).toContain(created.id);
    });

    test('an edit by the owner shows up with a new version', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      const baseline = await drain(f, undefined);
      await f.remote.editOutOfBand(created.id, { subject: 'Renamed in the app' });
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).filter((c) => c.id === created.id);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.projection.subject).toBe('Renamed in the app');
      expect(seen[0]!.version).not.toBe(created.version);
    });

    test('an expired cursor throws CursorExpiredError, and a fresh listing recovers', async () => {
      const created = await f.adapter.create(f.user, todo(), key());
      const baseline = await drain(f, undefined);
      const expired = await f.remote.expiredCursor(baseline.cursor);
      await expect(f.adapter.listChanges(f.user, f.folder, expired)).rejects.toBeInstanceOf(
        CursorExpiredError,
      );
      await expect(f.adapter.listChanges(f.user, f.folder, 'not a cursor')).rejects.toBeInstanceOf(
        CursorExpiredError,
      );
      const fresh = await drain(f, undefined);
      expect(fresh.fullListing).toBe(true);
      expect(items(fresh.changes).map((c) => c.id)).toContain(created.id);
    });

    test('findByOriginKey finds a create, also from a fresh process, and nothing for an unknown key', async () => {
      const originKey = key();
      const created = await f.adapter.create(f.user, todo(), originKey);
      const found = await f.adapter.findByOriginKey(f.user, originKey);
      expect(found?.id).toBe(created.id);
      expect(found?.originKey).toBe(originKey);
      const restarted = f.adapterIn('Asia/Shanghai');
      expect((await restarted.findByOriginKey(f.user, originKey))?.id).toBe(created.id);
      expect(await restarted.findByOriginKey(f.user, `${originKey}-unknown`)).toBeUndefined();
    });

    test('a retried create with the same origin key does not make a second item', async () => {
      const originKey = key();
      const first = await f.adapter.create(f.user, todo({ subject: 'Only once' }), originKey);
      const second = await f.adapter.create(f.user, todo({ subject: 'Only once' }), originKey);
      expect(second.id).toBe(first.id);
      const listing = await drain(f, undefined);
      expect(items(listing.changes).filter((c) => c.originKey === originKey)).toHaveLength(1);
    });

    test('many items: a full listing has all of them, and a delta only what changed', async () => {
      const created: RemoteItem<TodoTask>[] = [];
      for (let i = 0; i < 23; i++) created.push(await f.adapter.create(f.user, todo(), key()));
      const full = await drain(f, undefined);
      const listed = items(full.changes).map((c) => c.id);
      expect(new Set(listed).size).toBe(listed.length);
      for (const c of created) expect(listed).toContain(c.id);
      await f.remote.editOutOfBand(created[3]!.id, { subject: 'Only this one' });
      await f.remote.deleteOutOfBand(created[17]!.id);
      const delta = await drain(f, full.cursor);
      expect(items(delta.changes).map((c) => c.id)).toEqual([created[3]!.id]);
      expect(delta.changes.filter(isDeletion).map((d) => d.id)).toEqual([created[17]!.id]);
    });

    test('calls per create and per update stay within the side budget', async () => {
      const warmUp = await f.adapter.create(f.user, todo(), key());
      let created: RemoteItem<TodoTask> | undefined;
      const createCalls = await f.remote.callsDuring(async () => {
        created = await f.adapter.create(f.user, todo(), key());
      });
      expect(createCalls.length).toBeGreaterThanOrEqual(1);
      expect(createCalls.length).toBeLessThanOrEqual(caps.maxCallsPerCreate);
      const updateCalls = await f.remote.callsDuring(() =>
        f.adapter.update(
          f.user,
          created!.id,
          { ...created!.projection, subject: 'Renamed' },
          created!.version,
        ),
      );
      expect(updateCalls.length).toBeGreaterThanOrEqual(1);
      expect(updateCalls.length).toBeLessThanOrEqual(caps.maxCallsPerUpdate);
      expect(warmUp.id).not.toBe(created!.id);
    });

    test('done round-trips: created done, reopened, and completed by the owner', async () => {
      const created = await f.adapter.create(f.user, todo({ done: true }), key());
      expect(created.projection.done).toBe(true);
      const read = await f.adapter.get(f.user, created.id);
      expect(read?.projection.done).toBe(true);
      expect(read?.projection.completedAt).toEqual(expect.any(String));
      const reopened = await f.adapter.update(
        f.user,
        created.id,
        { ...read!.projection, done: false },
        read!.version,
      );
      expect(reopened.projection.done).toBe(false);
      expect((await f.adapter.get(f.user, created.id))?.projection.done).toBe(false);
      const baseline = await drain(f, undefined);
      await f.remote.editOutOfBand(created.id, { done: true });
      const after = await drain(f, baseline.cursor);
      expect(items(after.changes).find((c) => c.id === created.id)?.projection.done).toBe(true);
    });

    test.each(ZONES)('a due day round-trips without a day shift in %s', async (zone) => {
      const adapter = f.adapterIn(zone);
      const created = await adapter.create(f.user, todo({ dueDate: '2026-12-31' }), key());
      expect(created.projection.dueDate).toBe('2026-12-31');
      expect(await f.remote.dueDayAsShown(created.id, zone)).toBe('2026-12-31');
      expect((await adapter.get(f.user, created.id))?.projection.dueDate).toBe('2026-12-31');
      const listed = items((await drainWith(adapter, f, undefined)).changes).find((c) => c.id === created.id);
      expect(listed?.projection.dueDate).toBe('2026-12-31');
      const moved = await adapter.update(f.user, created.id, {
        ...listed!.projection,
        dueDate: '2027-01-01',
      });
      expect(moved.projection.dueDate).toBe('2027-01-01');
      expect(await f.remote.dueDayAsShown(created.id, zone)).toBe('2027-01-01');
      expect((await adapter.get(f.user, created.id))?.projection.dueDate).toBe('2027-01-01');
    });

    if (caps.readOnlyForeignItems) {
      test('an item another app made is listed, and an update of it is refused with PermanentRemoteError', async () => {
        const baseline = await drain(f, undefined);
        const id = await f.remote.otherAppCreates!('Made by another app');
        const after = await drain(f, baseline.cursor);
        const listed = items(after.changes).find((c) => c.id === id);
        expect(listed?.projection.subject).toBe('Made by another app');
        await expect(
          f.adapter.update(f.user, id, { ...listed!.projection, subject: 'Ours' }, listed!.version),
        ).rejects.toBeInstanceOf(PermanentRemoteError);
        expect((await f.adapter.get(f.user, id))?.projection.subject).toBe('Made by another app');
      });
    }
  });
}

interface Drained {
  changes: RemoteChange<TodoTask>[];
  cursor: string;
  fullListing: boolean;
}

/** Reads pages until the adapter says there are no more. */
export function drain(f: TodoContractFixture, cursor: string | undefined): Promise<Drained> {
  return drainWith(f.adapter, f, cursor);
}

async function drainWith(
  adapter: SideAdapter<TodoTask>,
  f: TodoContractFixture,
  cursor: string | undefined,
): Promise<Drained> {
  const changes: RemoteChange<TodoTask>[] = [];
  let fullListing = false;
  let next = cursor;
  for (let page = 0; page < 100; page++) {
    const result = await adapter.listChanges(f.user, f.folder, next);
    changes.push(...result.changes);
    fullListing ||= result.fullListing;
    next = result.nextCursor;
    if (!result.more) return { changes, cursor: next, fullListing };
  }
  throw new Error('listChanges never finished (100 pages)');
}

export const items = (changes: RemoteChange<TodoTask>[]): RemoteItem<TodoTask>[] =>
  changes.filter((c): c is RemoteItem<TodoTask> & { deleted?: false } => !isDeletion(c));
