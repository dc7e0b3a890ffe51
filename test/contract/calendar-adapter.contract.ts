import type { CalendarEvent, EventTime } from '../../shared/sync/calendar-event';
import { isDeletion, type RemoteChange, type RemoteItem } from '../../shared/sync/types';
import { localToInstant } from '../../shared/sync/zoned-time';
import {
  drain as drainAll,
  type Drained,
  freshOriginKey as key,
  items as itemsOf,
  type Listing,
  sideAdapterContract,
  type SideFixture,
  type SideRemoteControl,
  useFixture,
} from './side-adapter.contract';

/**
 * The SideAdapter contract for calendars, the same for every side: the generic part (side-adapter.contract.ts)
 * and what only calendars have, a window of days that slides as time passes. A side's test file calls
 * calendarAdapterContract(name, makeFixture) with its adapter wired to its fake, plus a small remote control
 * for what only the remote side can do (expire cursors, edits by the owner in the native app, time passing).
 */

export type CalendarEdit = { subject?: string; start?: EventTime; end?: EventTime };

export interface CalendarRemoteControl extends SideRemoteControl<CalendarEdit> {
  /** Makes every cursor handed out so far unusable (Graph 410 syncStateNotFound, DingTalk invalid syncToken). */
  expireCursors(): Promise<void>;
  /** Moves the clock the adapter (and the fake) read. */
  advanceTime(ms: number): Promise<void>;
  now(): number;
}

export interface CalendarContractFixture extends SideFixture<CalendarEvent, CalendarEdit> {
  /** The window the adapter was configured with. */
  windowPastDays: number;
  windowFutureDays: number;
  remote: CalendarRemoteControl;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

export function calendarAdapterContract(
  name: string,
  makeFixture: () => Promise<CalendarContractFixture>,
): void {
  describe(`calendar adapter contract: ${name}`, () => {
    const fixture = useFixture(makeFixture);
    let seq = 0;
    const event = (daysFromNow: number, subject = `Contract ${++seq}`): CalendarEvent =>
      timedEvent(fixture().remote.now() + daysFromNow * DAY, subject);

    sideAdapterContract(fixture, {
      sample: () => event(3),
      withText: (e, subject) => ({ ...e, subject }),
      textOf: (e) => e.subject,
      textEdit: (subject) => ({ subject }),
      changed: (e) => ({ ...e, subject: 'Moved to room 4', location: 'Room 4' }),
      expectKept: (_f, actual, written) => {
        expect(actual && kept(actual)).toEqual(kept(written));
      },
      listsOriginKey: true,
      // Both calendar adapters send an unchanged event again, and the service gives it a new version.
      unchangedUpdateKeepsVersion: false,
      staleCursor: async (f, cursor) => {
        await f.remote.expireCursors();
        return cursor;
      },
      // An empty cursor is not among them: the Graph calendar adapter takes it for none, a full listing.
      malformedCursors: ['not a cursor'],
    });

    test('the version a listing reports is the one get reports, and a conditional write accepts it', async () => {
      const f = fixture();
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

    test('time passing slides the window without ever reporting a deletion', async () => {
      const f = fixture();
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
      const f = fixture();
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
      const f = fixture();
      const created = await f.adapter.create(f.user, event(2), key());
      const baseline = await drain(f, undefined);
      const far = timedEvent(f.remote.now() + (f.windowFutureDays + 60) * DAY, created.projection.subject);
      await f.remote.editOutOfBand(created.id, { start: far.start, end: far.end });
      const after = await drain(f, baseline.cursor);
      expect(after.changes.filter(isDeletion).map((d) => d.id)).not.toContain(created.id);
      expect((await f.adapter.get(f.user, created.id))?.projection.start).toEqual(far.start);
    });
  });
}

/** What both sides keep of an event written to them: times compare as instants, whatever zone a side answers in. */
function kept(e: CalendarEvent) {
  const at = (t: EventTime) => localToInstant(t.local, t.timeZone);
  return {
    subject: e.subject,
    location: e.location,
    isAllDay: e.isAllDay,
    start: at(e.start),
    end: at(e.end),
  };
}

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

/** Reads pages until the adapter says there are no more (typed for calendars, as the integration tests use it). */
export const drain: (
  f: Listing<CalendarEvent>,
  cursor: string | undefined,
) => Promise<Drained<CalendarEvent>> = drainAll;
export const items: (changes: RemoteChange<CalendarEvent>[]) => RemoteItem<CalendarEvent>[] = itemsOf;
