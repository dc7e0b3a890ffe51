import type { CalendarEvent, EventTime } from '../../shared/sync/calendar-event';
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
 * The SideAdapter contract for calendars, the same for every side. A side's test file calls
 * calendarAdapterContract(name, makeFixture) with its adapter wired to its fake, plus a small remote control
 * for what only the remote side can do (expire cursors, edits by the owner in the native app, time passing).
 */

export interface CalendarRemoteControl {
  /** Makes every cursor handed out so far unusable (Graph 410 syncStateNotFound, DingTalk invalid syncToken). */
  expireCursors(): Promise<void>;
  /** Changes an item the way its owner would in the native app, not through the adapter. */
  editOutOfBand(id: string, change: { subject?: string; start?: EventTime; end?: EventTime }): Promise<void>;
  deleteOutOfBand(id: string): Promise<void>;
  /** Moves the clock the adapter (and the fake) read. */
  advanceTime(ms: number): Promise<void>;
  now(): number;
}

export interface CalendarContractFixture {
  adapter: SideAdapter<CalendarEvent>;
  user: UserRef;
  folder: string;
  /** The window the adapter was configured with. */
  windowPastDays: number;
  windowFutureDays: number;
  remote: CalendarRemoteControl;
  dispose(): Promise<void>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

export function calendarAdapterContract(
  name: string,
  makeFixture: () => Promise<CalendarContractFixture>,
): void {
  describe(`calendar adapter contract: ${name}`, () => {
    let f: CalendarContractFixture;
    let seq = 0;

    beforeEach(async () => {
      f = await makeFixture();
    });
    afterEach(async () => {
      await f.dispose();
    });

    const key = () => `contract-origin-${Date.now()}-${++seq}`;
    const event = (daysFromNow: number, subject = `Contract ${++seq}`): CalendarEvent =>
      timedEvent(f.remote.now() + daysFromNow * DAY, subject);

    test('a created item appears in the next changes, with its origin key', async () => {
      const baseline = await drain(f, undefined);
      const originKey = key();
      const created = await f.adapter.create(f.user, event(2, 'Quarterly review'), originKey);
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).find((c) => c.id === created.id);
      expect(seen?.projection.subject).toBe('Quarterly review');
      expect(seen?.originKey).toBe(originKey);
      expect(seen?.projection.start).toEqual(created.projection.start);
    });

    test('an update changes the version, and the new content comes back', async () => {
      const created = await f.adapter.create(f.user, event(3), key());
      const baseline = await drain(f, undefined);
      const updated = await f.adapter.update(f.user, created.id, {
        ...created.projection,
        subject: 'Moved to room 4',
      });
      expect(updated.version).not.toBe(created.version);
      expect((await f.adapter.get(f.user, created.id))?.projection.subject).toBe('Moved to room 4');
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).find((c) => c.id === created.id);
      expect(seen?.version).toBe(updated.version);
    });

    test('a delete shows up as a deletion in the next changes', async () => {
      const created = await f.adapter.create(f.user, event(4), key());
      const baseline = await drain(f, undefined);
      await f.adapter.delete(f.user, created.id);
      const after = await drain(f, baseline.cursor);
      expect(after.changes.filter(isDeletion).map((d) => d.id)).toContain(created.id);
      expect(await f.adapter.get(f.user, created.id)).toBeUndefined();
    });

    test('findByOriginKey finds a created item and nothing for an unknown key', async () => {
      const originKey = key();
      const created = await f.adapter.create(f.user, event(5), originKey);
      expect((await f.adapter.findByOriginKey(f.user, originKey))?.id).toBe(created.id);
      expect(await f.adapter.findByOriginKey(f.user, `${originKey}-unknown`)).toBeUndefined();
    });

    test('creating twice with the same origin key gives one item', async () => {
      const originKey = key();
      const first = await f.adapter.create(f.user, event(6, 'Only once'), originKey);
      const second = await f.adapter.create(f.user, event(6, 'Only once'), originKey);
      expect(second.id).toBe(first.id);
      const listing = await drain(f, undefined);
      expect(items(listing.changes).filter((c) => c.originKey === originKey)).toHaveLength(1);
    });

    test('a first listing is a full listing; later pages are deltas', async () => {
      await f.adapter.create(f.user, event(1), key());
      const first = await drain(f, undefined);
      expect(first.fullListing).toBe(true);
      const next = await drain(f, first.cursor);
      expect(next.fullListing).toBe(false);
    });

    test('a conditional update with the version last read succeeds', async () => {
      const created = await f.adapter.create(f.user, event(3), key());
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
      const created = await f.adapter.create(f.user, event(3), key());
      await f.remote.editOutOfBand(created.id, { subject: 'Edited by the owner' });
      const edited = await f.adapter.get(f.user, created.id);
      await expect(
        f.adapter.update(f.user, created.id, { ...created.projection, subject: 'Ours' }, created.version),
      ).rejects.toBeInstanceOf(VersionConflictRemoteError);
      const after = await f.adapter.get(f.user, created.id);
      expect(after?.projection.subject).toBe('Edited by the owner');
      expect(after?.version).toBe(edited?.version);
    });

    test('the version a listing reports is the one get reports, and a conditional write accepts it', async () => {
      const created = await f.adapter.create(f.user, event(3), key());
      await f.remote.editOutOfBand(created.id, { subject: 'Edited before the listing' });
      const listed = items((await drain(f, undefined)).changes).find((c) => c.id === created.id)!;
      expect((await f.adapter.get(f.user, created.id))?.version).toBe(listed.version);
      await f.remote.advanceTime(5_000);
      const updated = await f.adapter.update(
        f.user,
        created.id,
        { ...listed.projection, subject: 'Written back' },
        listed.version,
      );
      expect(updated.projection.subject).toBe('Written back');
    });

    test('a conditional delete with the version last read deletes', async () => {
      const created = await f.adapter.create(f.user, event(4), key());
      await f.adapter.delete(f.user, created.id, created.version);
      expect(await f.adapter.get(f.user, created.id)).toBeUndefined();
    });

    test('a conditional delete with a stale version throws VersionConflictRemoteError and keeps the item', async () => {
      const created = await f.adapter.create(f.user, event(4), key());
      await f.remote.editOutOfBand(created.id, { subject: 'Still wanted' });
      await expect(f.adapter.delete(f.user, created.id, created.version)).rejects.toBeInstanceOf(
        VersionConflictRemoteError,
      );
      expect((await f.adapter.get(f.user, created.id))?.projection.subject).toBe('Still wanted');
    });

    test('an expired cursor throws CursorExpiredError, and a fresh listing recovers', async () => {
      const created = await f.adapter.create(f.user, event(2), key());
      const baseline = await drain(f, undefined);
      await f.remote.expireCursors();
      await expect(f.adapter.listChanges(f.user, f.folder, baseline.cursor)).rejects.toBeInstanceOf(
        CursorExpiredError,
      );
      const fresh = await drain(f, undefined);
      expect(fresh.fullListing).toBe(true);
      expect(items(fresh.changes).map((c) => c.id)).toContain(created.id);
    });

    test('an edit by the owner shows up with a new version', async () => {
      const created = await f.adapter.create(f.user, event(7), key());
      const baseline = await drain(f, undefined);
      await f.remote.editOutOfBand(created.id, { subject: 'Renamed in the app' });
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).find((c) => c.id === created.id);
      expect(seen?.projection.subject).toBe('Renamed in the app');
      expect(seen?.version).not.toBe(created.version);
    });

    test('time passing slides the window without ever reporting a deletion', async () => {
      const nearPastEdge = await f.adapter.create(f.user, event(-(f.windowPastDays - 1)), key());
      const inside = await f.adapter.create(f.user, event(10), key());
      const baseline = await drain(f, undefined);
      expect(items(baseline.changes).map((c) => c.id)).toContain(nearPastEdge.id);
      let cursor = baseline.cursor;
      for (let day = 0; day < 4; day++) {
        await f.remote.advanceTime(DAY);
        const page = await drain(f, cursor);
        expect(page.changes.filter(isDeletion)).toEqual([]);
        cursor = page.cursor;
      }
      // Deletions after the slide are still seen.
      await f.adapter.delete(f.user, inside.id);
      const after = await drain(f, cursor);
      expect(after.changes.filter(isDeletion).map((d) => d.id)).toContain(inside.id);
    });

    test('an event moved into the window from outside is picked up', async () => {
      const outside = await f.adapter.create(f.user, event(f.windowFutureDays + 40), key());
      const baseline = await drain(f, undefined);
      expect(items(baseline.changes).map((c) => c.id)).not.toContain(outside.id);
      const start = f.remote.now() + 3 * DAY;
      const moved = timedEvent(start, outside.projection.subject);
      await f.remote.editOutOfBand(outside.id, { start: moved.start, end: moved.end });
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).find((c) => c.id === outside.id);
      expect(seen?.projection.start).toEqual(moved.start);
    });

    test('an event moved out of the window is not reported as deleted', async () => {
      const created = await f.adapter.create(f.user, event(2), key());
      const baseline = await drain(f, undefined);
      const far = timedEvent(f.remote.now() + (f.windowFutureDays + 60) * DAY, created.projection.subject);
      await f.remote.editOutOfBand(created.id, { start: far.start, end: far.end });
      const after = await drain(f, baseline.cursor);
      expect(after.changes.filter(isDeletion).map((d) => d.id)).not.toContain(created.id);
      expect((await f.adapter.get(f.user, created.id))?.projection.start).toEqual(far.start);
    });
  });

  function timedEvent(startMs: number, subject: string): CalendarEvent {
    const start = new Date(Math.floor(startMs / HOUR) * HOUR);
    const end = new Date(start.getTime() + HOUR);
    const local = (d: Date) => d.toISOString().slice(0, 19);
    return {
      subject,
      body: 'Agenda: numbers, plans.',
      location: 'Room 3',
      isAllDay: false,
      start: { local: local(start), timeZone: 'UTC' },
      end: { local: local(end), timeZone: 'UTC' },
      isCancelled: false,
      attendees: [],
    };
  }
}

interface Drained {
  changes: RemoteChange<CalendarEvent>[];
  cursor: string;
  fullListing: boolean;
}

/** Reads pages until the adapter says there are no more. */
export async function drain(f: CalendarContractFixture, cursor: string | undefined): Promise<Drained> {
  const changes: RemoteChange<CalendarEvent>[] = [];
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

export const items = (changes: RemoteChange<CalendarEvent>[]): RemoteItem<CalendarEvent>[] =>
  changes.filter((c): c is RemoteItem<CalendarEvent> & { deleted?: false } => !isDeletion(c));
