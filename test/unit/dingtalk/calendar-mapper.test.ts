import {
  eventFromWire,
  eventToWire,
  isDeletedEvent,
  NO_SUBJECT,
  type ReadContext,
} from '../../../shared/connectors/dingtalk/calendar-mapper';
import type { WireEvent, WireEventWrite } from '../../../shared/connectors/dingtalk/calendar-wire';
import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import { calendarEvent } from '../../support/calendar-event';

const ALICE = 'aliceUnionIdiEiE';
const BOB = 'bobUnionIdiEiE';
const ctx: ReadContext = {
  emailOf: (id) => ({ [ALICE]: 'alice@corp.example', [BOB]: 'bob@corp.example' })[id],
  ownerTimeZone: 'Asia/Shanghai',
};

/** What DingTalk hands back for a write: the request echoed in response form (reminder minutes as strings). */
function asDingTalkReturnsIt(write: WireEventWrite, extra: Partial<WireEvent> = {}): WireEvent {
  const { extra: _flags, reminders, ...rest } = write;
  return {
    id: 'evt1',
    ...rest,
    reminders: reminders.map((r) => ({ method: r.method, minutes: String(r.minutes) })),
    organizer: { id: ALICE, displayName: 'Alice', responseStatus: 'accepted', self: true },
    updateTime: '2026-11-22T08:00:00Z',
    ...extra,
  };
}

const roundTrip = (e: CalendarEvent) => eventFromWire(asDingTalkReturnsIt(eventToWire(e)), ctx).projection;

const base = calendarEvent({
  subject: 'Design review',
  body: 'Bring the drafts',
  location: 'Room 5',
  start: { local: '2026-11-23T09:30:00', timeZone: 'Asia/Shanghai' },
  end: { local: '2026-11-23T10:00:00', timeZone: 'Asia/Shanghai' },
  organizerEmail: 'alice@corp.example',
  reminderMinutes: 15,
});

describe('calendar mapper: writing', () => {
  test('a timed event is sent as dateTime with the zone offset plus the IANA zone, silently, without attendees', () => {
    const wire = eventToWire({
      ...base,
      attendees: [{ email: 'x@ext.example', optional: false, response: 'none' }],
    });
    expect(wire.start).toEqual({ dateTime: '2026-11-23T09:30:00+08:00', timeZone: 'Asia/Shanghai' });
    expect(wire.extra).toEqual({ noPushNotification: 'true', noChatNotification: 'true' });
    expect(wire).not.toHaveProperty('attendees');
    expect(wire).not.toHaveProperty('onlineMeetingInfo');
    expect(wire.reminders).toEqual([{ method: 'dingtalk', minutes: 15 }]);
  });

  test('the offset follows daylight saving in the event zone', () => {
    const summer = eventToWire({
      ...base,
      start: { local: '2026-07-01T09:00:00', timeZone: 'America/New_York' },
      end: { local: '2026-07-01T10:00:00', timeZone: 'America/New_York' },
    });
    const winter = eventToWire({
      ...base,
      start: { local: '2026-12-01T09:00:00', timeZone: 'America/New_York' },
      end: { local: '2026-12-01T10:00:00', timeZone: 'America/New_York' },
    });
    expect(summer.start.dateTime).toBe('2026-07-01T09:00:00-04:00');
    expect(winter.start.dateTime).toBe('2026-12-01T09:00:00-05:00');
  });

  test('no reminder is sent as an empty list, because an omitted list means DingTalk’s default 15 minutes', () => {
    expect(eventToWire({ ...base, reminderMinutes: undefined }).reminders).toEqual([]);
  });

  test('an all-day event is sent as dates only, end exclusive, unchanged', () => {
    const wire = eventToWire({
      ...base,
      isAllDay: true,
      start: { local: '2026-11-23', timeZone: 'Asia/Shanghai' },
      end: { local: '2026-11-24', timeZone: 'Asia/Shanghai' },
    });
    expect(wire.start).toEqual({ date: '2026-11-23' });
    expect(wire.end).toEqual({ date: '2026-11-24' });
    expect(wire.isAllDay).toBe(true);
  });

  test('a zone DingTalk cannot take is refused rather than guessed', () => {
    expect(() =>
      eventToWire({ ...base, start: { local: '2026-11-23T09:30:00', timeZone: 'China Standard Time' } }),
    ).toThrow(/IANA/);
  });
});

describe('calendar mapper: reading', () => {
  test('dateTime with any offset becomes the wall time in the event’s zone', () => {
    const read = eventFromWire(
      {
        id: 'e',
        summary: 's',
        start: { dateTime: '2026-11-23T01:30:00Z', timeZone: 'Asia/Shanghai' },
        end: { dateTime: '2026-11-23T10:00:00+08:00', timeZone: 'Asia/Shanghai' },
      },
      ctx,
    ).projection;
    expect(read.start).toEqual({ local: '2026-11-23T09:30:00', timeZone: 'Asia/Shanghai' });
    expect(read.end).toEqual({ local: '2026-11-23T10:00:00', timeZone: 'Asia/Shanghai' });
  });

  test('without a usable zone the instant is kept and shown in the owner’s zone', () => {
    const read = eventFromWire(
      {
        id: 'e',
        start: { dateTime: '2026-11-23T01:30:00Z' },
        end: { dateTime: '2026-11-23T02:30:00Z', timeZone: 'Mars/Base' },
      },
      ctx,
    ).projection;
    expect(read.start).toEqual({ local: '2026-11-23T09:30:00', timeZone: 'Asia/Shanghai' });
    expect(read.end.timeZone).toBe('Asia/Shanghai');
  });

  test('an all-day event keeps its dates and takes the owner’s zone', () => {
    const read = eventFromWire(
      { id: 'e', summary: 's', isAllDay: true, start: { date: '2026-11-23' }, end: { date: '2026-11-25' } },
      ctx,
    ).projection;
    expect(read).toMatchObject({
      isAllDay: true,
      start: { local: '2026-11-23', timeZone: 'Asia/Shanghai' },
      end: { local: '2026-11-25', timeZone: 'Asia/Shanghai' },
    });
  });

  test('reminder minutes arrive as strings; the earliest reminder is kept; none means undefined', () => {
    const read = (reminders: WireEvent['reminders']) =>
      eventFromWire({ ...asDingTalkReturnsIt(eventToWire(base)), reminders }, ctx).projection.reminderMinutes;
    expect(
      read([
        { method: 'dingtalk', minutes: '30' },
        { method: 'dingtalk', minutes: '5' },
      ]),
    ).toBe(5);
    expect(read([])).toBeUndefined();
    expect(read(undefined)).toBeUndefined();
  });

  test('attendees become e-mails; the organizer and people we cannot resolve are left out; responses are mapped', () => {
    const read = eventFromWire(
      asDingTalkReturnsIt(eventToWire(base), {
        organizer: { id: BOB },
        attendees: [
          { id: BOB, responseStatus: 'accepted' },
          { id: ALICE, displayName: 'Alice', responseStatus: 'needsAction', isOptional: true },
          { id: 'stranger', responseStatus: 'accepted' },
        ],
      }),
      ctx,
    ).projection;
    expect(read.organizerEmail).toBe('bob@corp.example');
    expect(read.attendees).toEqual([
      { email: 'alice@corp.example', name: 'Alice', optional: true, response: 'notResponded' },
    ]);
  });

  test('a DingTalk meeting link is kept as onlineMeetingUrl', () => {
    const read = eventFromWire(
      asDingTalkReturnsIt(eventToWire(base), {
        onlineMeetingInfo: { type: 'dingtalk', url: 'dingtalk://meet/1' },
      }),
      ctx,
    ).projection;
    expect(read.onlineMeetingUrl).toBe('dingtalk://meet/1');
  });

  test('cancelled: a deleted event is a deletion, a cancelled occurrence of a series is not', () => {
    const deleted: WireEvent = { id: 'e', status: 'cancelled' };
    const occurrence: WireEvent = { id: 'o', status: 'cancelled', seriesMasterId: 'master' };
    expect(isDeletedEvent(deleted)).toBe(true);
    expect(isDeletedEvent(occurrence)).toBe(false);
    expect(isDeletedEvent({ id: 'x', status: 'confirmed' })).toBe(false);
    const read = eventFromWire(
      asDingTalkReturnsIt(eventToWire(base), {
        status: 'cancelled',
        seriesMasterId: 'master',
        originStart: { dateTime: '2026-11-23T09:30:00+08:00' },
      }),
      ctx,
    ).projection;
    expect(read).toMatchObject({
      isCancelled: true,
      seriesMasterId: 'master',
      originalStart: '2026-11-23T01:30:00Z',
    });
  });
});

describe('calendar mapper: round trips', () => {
  test('a timed event with a Teams link survives the trip; the link rides in the description', () => {
    const e = { ...base, onlineMeetingUrl: 'https://teams.microsoft.com/l/meetup-join/abc' };
    expect(eventToWire(e).description).toBe(
      'Bring the drafts\n\nOnline meeting: https://teams.microsoft.com/l/meetup-join/abc',
    );
    expect(roundTrip(e)).toEqual(e);
  });

  test('single-day and multi-day all-day events come back on the same days', () => {
    for (const end of ['2026-11-24', '2026-11-27']) {
      const e: CalendarEvent = {
        ...base,
        isAllDay: true,
        start: { local: '2026-11-23', timeZone: 'Asia/Shanghai' },
        end: { local: end, timeZone: 'Asia/Shanghai' },
      };
      expect(roundTrip(e)).toEqual(e);
    }
  });

  test('an empty subject and an empty body survive the trip', () => {
    const e = { ...base, subject: '', body: '' };
    expect(eventToWire(e).summary).toBe(NO_SUBJECT);
    expect(roundTrip(e)).toEqual(e);
  });

  test('our origin stamp is invisible and read back as the originKey, not as body text', () => {
    const wire = eventToWire(base, { originKey: 'dms-0123456789abcdef' });
    expect(wire.description.startsWith('Bring the drafts')).toBe(true);
    expect(wire.description.replace(/[\u200B-\u200D\u2060-\u2064]/g, '')).toBe('Bring the drafts');
    const read = eventFromWire(asDingTalkReturnsIt(wire), ctx);
    expect(read.originKey).toBe('dms-0123456789abcdef');
    expect(read.projection.body).toBe('Bring the drafts');
  });

  const series = (recurrence: CalendarEvent['recurrence'], zone = 'Asia/Shanghai'): CalendarEvent => ({
    ...base,
    start: { local: '2026-11-23T09:30:00', timeZone: zone },
    end: { local: '2026-11-23T10:00:00', timeZone: zone },
    recurrence,
  });

  test.each([
    [
      'weekly on two days until a date',
      {
        pattern: {
          type: 'weekly',
          interval: 1,
          daysOfWeek: ['monday', 'wednesday'],
          firstDayOfWeek: 'sunday',
        },
        range: { type: 'endDate', startDate: '2026-11-23', endDate: '2027-03-31' },
      },
    ],
    [
      'daily, ten times',
      {
        pattern: { type: 'daily', interval: 2 },
        range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 10 },
      },
    ],
    [
      'monthly on the 23rd, no end',
      {
        pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 23 },
        range: { type: 'noEnd', startDate: '2026-11-23' },
      },
    ],
    [
      'yearly on the fourth Monday of November',
      {
        pattern: { type: 'relativeYearly', interval: 1, daysOfWeek: ['monday'], index: 'fourth', month: 11 },
        range: { type: 'noEnd', startDate: '2026-11-23' },
      },
    ],
  ] as Array<[string, CalendarEvent['recurrence']]>)('recurrence: %s', (_, recurrence) => {
    const e = series(recurrence);
    expect(roundTrip(e)).toEqual(e);
  });

  test('a series end date survives in zones east and west of UTC; DingTalk gets a UTC minute', () => {
    for (const zone of ['Asia/Shanghai', 'America/Los_Angeles', 'Pacific/Auckland']) {
      const e = series(
        {
          pattern: { type: 'daily', interval: 1 },
          range: { type: 'endDate', startDate: '2026-11-23', endDate: '2026-12-31' },
        },
        zone,
      );
      expect(eventToWire(e).recurrence?.range?.endDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
      expect(roundTrip(e)).toEqual(e);
    }
  });

  test('DingTalk weekday lists are read whatever the separator', () => {
    const read = eventFromWire(
      {
        ...asDingTalkReturnsIt(eventToWire(base)),
        recurrence: {
          pattern: { type: 'weekly', interval: 1, daysOfWeek: 'Monday, friday' },
          range: { type: 'noEnd' },
        },
      },
      ctx,
    ).projection;
    expect(read.recurrence?.pattern.daysOfWeek).toEqual(['monday', 'friday']);
  });
});
