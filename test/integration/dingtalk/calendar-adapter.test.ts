import { ManualClock } from '../../../shared/platform/clock';
import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import {
  type ChangePage,
  CursorExpiredError,
  isDeletion,
  PermanentRemoteError,
  type RemoteItem,
} from '../../../shared/sync/types';
import { type Harness, startHarness } from './support/harness';
import { calendarEvent } from '../../support/calendar-event';

const event = (overrides: Partial<CalendarEvent> = {}): CalendarEvent =>
  calendarEvent({
    subject: 'Quarterly review',
    body: 'Agenda: numbers',
    location: 'Room 3',
    start: { local: '2026-11-23T09:30:00', timeZone: 'Asia/Shanghai' },
    end: { local: '2026-11-23T10:30:00', timeZone: 'Asia/Shanghai' },
    reminderMinutes: 10,
    ...overrides,
  });

const timedBody = (summary: string, day = '2026-11-24') => ({
  summary,
  start: { dateTime: `${day}T09:00:00+08:00`, timeZone: 'Asia/Shanghai' },
  end: { dateTime: `${day}T10:00:00+08:00`, timeZone: 'Asia/Shanghai' },
});

async function drain(h: Harness, cursor: string | undefined) {
  const pages: ChangePage<CalendarEvent>[] = [];
  let next = cursor;
  for (;;) {
    const page = await h.adapter.listChanges(h.alice, 'primary', next);
    pages.push(page);
    next = page.nextCursor;
    if (!page.more) return { pages, cursor: next, changes: pages.flatMap((p) => p.changes) };
  }
}

describe('DingTalk calendar adapter against the fake', () => {
  let h: Harness;
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  beforeEach(async () => {
    h = await startHarness({ clock });
  });
  afterEach(() => h.stop());

  test('a full listing pages through more than 100 events and ends with a syncToken cursor', async () => {
    for (let i = 0; i < 130; i++)
      h.fake.control.userCreatesEvent(h.alice.dingtalkUnionId, timedBody(`e${i}`));
    const { pages, changes } = await drain(h, undefined);
    expect(pages.length).toBe(2);
    expect(pages.every((p) => p.fullListing)).toBe(true);
    expect(pages[0]!.more).toBe(true);
    expect(pages[0]!.nextCursor).toMatch(/^dt1:page:full:/);
    expect(pages[1]!.nextCursor).toMatch(/^dt1:sync:/);
    expect(new Set(changes.map((c) => c.id)).size).toBe(130);
  });

  test('incremental pulls return edits and deletions made in DingTalk since the cursor', async () => {
    const kept = h.fake.control.userCreatesEvent(h.alice.dingtalkUnionId, timedBody('kept'));
    const gone = h.fake.control.userCreatesEvent(h.alice.dingtalkUnionId, timedBody('gone'));
    const first = await drain(h, undefined);
    h.fake.control.userUpdatesEvent(h.alice.dingtalkUnionId, kept.id as string, { summary: 'kept, renamed' });
    h.fake.control.userDeletesEvent(h.alice.dingtalkUnionId, gone.id as string);
    const second = await drain(h, first.cursor);
    expect(second.pages[0]!.fullListing).toBe(false);
    const renamed = second.changes.find((c) => c.id === kept.id) as RemoteItem<CalendarEvent>;
    expect(renamed.projection.subject).toBe('kept, renamed');
    expect(second.changes.find((c) => c.id === gone.id)).toEqual({ id: gone.id, deleted: true });
    const third = await drain(h, second.cursor);
    expect(third.changes).toEqual([]);
  });

  test('a cancelled occurrence stays an item of its series, unlike a deleted event', async () => {
    const series = h.fake.control.userCreatesEvent(h.alice.dingtalkUnionId, {
      ...timedBody('daily standup', '2026-11-02'),
      recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'noEnd' } },
    });
    const first = await drain(h, undefined);
    h.fake.control.userChangesOccurrence(
      h.alice.dingtalkUnionId,
      series.id as string,
      '2026-11-05T01:00:00Z',
      {
        cancelled: true,
      },
    );
    const { changes } = await drain(h, first.cursor);
    expect(changes).toHaveLength(1);
    const occurrence = changes[0]!;
    expect(isDeletion(occurrence)).toBe(false);
    const item = occurrence as RemoteItem<CalendarEvent>;
    expect(item.projection).toMatchObject({
      isCancelled: true,
      seriesMasterId: series.id,
      originalStart: '2026-11-05T01:00:00Z',
      start: { local: '2026-11-05T09:00:00', timeZone: 'Asia/Shanghai' },
    });
  });

  test('an invalidated syncToken surfaces as CursorExpiredError; a fresh listing recovers', async () => {
    h.fake.control.userCreatesEvent(h.alice.dingtalkUnionId, timedBody('x'));
    const first = await drain(h, undefined);
    h.fake.control.invalidateSyncTokens(h.alice.dingtalkUnionId);
    await expect(h.adapter.listChanges(h.alice, 'primary', first.cursor)).rejects.toBeInstanceOf(
      CursorExpiredError,
    );
    await expect(h.adapter.listChanges(h.alice, 'primary', 'garbage')).rejects.toBeInstanceOf(
      CursorExpiredError,
    );
    const again = await drain(h, undefined);
    expect(again.changes).toHaveLength(1);
  });

  test('create is idempotent on originKey, silent, and its echo in the next pull carries the same version', async () => {
    const before = await drain(h, undefined);
    const created = await h.adapter.create(h.alice, event(), 'origin-1');
    const retried = await h.adapter.create(h.alice, event(), 'origin-1');
    expect(retried.id).toBe(created.id);
    expect(created.originKey).toBe('origin-1');
    expect(created.projection).toEqual(event({ organizerEmail: 'alice@corp.example' }));
    const { changes } = await drain(h, before.cursor);
    expect(changes).toHaveLength(1);
    expect((changes[0] as RemoteItem<CalendarEvent>).version).toBe(created.version);
    expect((changes[0] as RemoteItem<CalendarEvent>).originKey).toBe('origin-1');
    expect(h.fake.control.notifications()).toEqual([]);
  });

  test('findByOriginKey finds our create from a fresh process (by the stamp) and nothing for other keys', async () => {
    h.fake.control.userCreatesEvent(h.alice.dingtalkUnionId, timedBody('someone else', '2026-11-25'));
    const created = await h.adapter.create(h.alice, event(), 'origin-2');
    const restarted = h.newAdapter();
    const found = await restarted.findByOriginKey(h.alice, 'origin-2');
    expect(found?.id).toBe(created.id);
    expect(found?.originKey).toBe('origin-2');
    expect(found?.projection.body).toBe('Agenda: numbers');
    expect(await restarted.findByOriginKey(h.alice, 'origin-3')).toBeUndefined();
  });

  test('after a day DingTalk forgets x-client-token: a retried create makes a second event', async () => {
    const local = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
    const h2 = await startHarness({ clock: local });
    try {
      const first = await h2.adapter.create(h2.alice, event(), 'origin-late');
      local.advance(25 * 3600_000);
      const second = await h2.adapter.create(h2.alice, event(), 'origin-late');
      expect(second.id).not.toBe(first.id);
    } finally {
      await h2.stop();
    }
  });

  test('update patches our event; a non-organizer update is a PermanentRemoteError with the code', async () => {
    const created = await h.adapter.create(h.alice, event(), 'origin-4');
    const updated = await h.adapter.update(
      h.alice,
      created.id,
      event({ subject: 'Moved', reminderMinutes: undefined }),
    );
    expect(updated.projection.subject).toBe('Moved');
    expect(updated.projection.reminderMinutes).toBeUndefined();
    expect(updated.version).not.toBe(created.version);
    expect((await h.adapter.get(h.alice, created.id))?.projection.subject).toBe('Moved');

    const bobs = h.fake.control.userCreatesEvent(h.bob.dingtalkUnionId, {
      ...timedBody('bob invites alice'),
      attendees: [{ id: h.alice.dingtalkUnionId }],
    });
    const error = await h.adapter.update(h.alice, bobs.id as string, event()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentRemoteError);
    expect((error as PermanentRemoteError).remoteCode).toBe('forbidden.notOrganizer');
  });

  test('events organised by others show their organizer and attendees as e-mails', async () => {
    const bobs = h.fake.control.userCreatesEvent(h.bob.dingtalkUnionId, {
      ...timedBody('bob invites alice'),
      attendees: [{ id: h.alice.dingtalkUnionId, isOptional: true }],
    });
    const item = await h.adapter.get(h.alice, bobs.id as string);
    expect(item?.projection.organizerEmail).toBe('bob@personal.example');
    expect(item?.projection.attendees).toEqual([
      { email: 'alice@corp.example', name: 'Alice', optional: true, response: 'notResponded' },
    ]);
  });

  test('delete removes the event and is idempotent; get of a deleted event is undefined', async () => {
    const created = await h.adapter.create(h.alice, event(), 'origin-5');
    await h.adapter.delete(h.alice, created.id);
    await h.adapter.delete(h.alice, created.id);
    expect(await h.adapter.get(h.alice, created.id)).toBeUndefined();
  });
});
