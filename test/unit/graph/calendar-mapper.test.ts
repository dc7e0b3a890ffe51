import fc from 'fast-check';
import {
  CANCELLED_PREFIX,
  fromGraphEvent,
  toGraphEventWrite,
  toRemoteItem,
} from '../../../shared/connectors/graph/calendar-mapper';
import type {
  GraphEvent,
  GraphEventWrite,
  GraphPatternedRecurrence,
} from '../../../shared/connectors/graph/wire-types';
import { toIanaZone } from '../../../shared/connectors/graph/windows-time-zones';
import { instantToLocal, localToInstant } from '../../../shared/sync/zoned-time';
import type { Attendee, CalendarEvent, Recurrence } from '../../../shared/sync/calendar-event';
import { calendarEvent } from '../../support/calendar-event';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const options = { defaultTimeZone: 'Asia/Shanghai' };

/** What Graph answers for an event written with `write`, read with Prefer outlook.timezone="UTC" and $expand stamps. */
function asGraphReturns(write: GraphEventWrite, extra: Partial<GraphEvent> = {}): GraphEvent {
  const time = (t: { dateTime: string; timeZone?: string }) =>
    write.isAllDay
      ? { dateTime: `${t.dateTime.slice(0, 10)}T00:00:00.0000000`, timeZone: 'UTC' }
      : {
          dateTime: `${instantToLocal(localToInstant(t.dateTime, toIanaZone(t.timeZone)!), 'UTC')}.0000000`,
          timeZone: 'UTC',
        };
  return {
    id: 'AAkALgAAevent1',
    changeKey: 'ck-1',
    '@odata.etag': 'W/"ck-1"',
    lastModifiedDateTime: '2026-11-22T08:00:00Z',
    iCalUId: '040000008200E00074C5B7101A82E0080000000012345',
    type: write.recurrence ? 'seriesMaster' : 'singleInstance',
    subject: write.subject,
    body: write.body,
    start: time(write.start!),
    end: time(write.end!),
    originalStartTimeZone: write.start!.timeZone,
    originalEndTimeZone: write.end!.timeZone,
    isAllDay: write.isAllDay,
    isCancelled: false,
    isReminderOn: write.isReminderOn,
    reminderMinutesBeforeStart: write.reminderMinutesBeforeStart ?? 15,
    location: { displayName: write.location?.displayName ?? '' },
    attendees: [],
    organizer: { emailAddress: { name: 'Li Wei', address: 'Li.Wei@contoso.example' } },
    recurrence: write.recurrence ? withGraphDefaults(write.recurrence) : null,
    transactionId: write.transactionId ?? null,
    singleValueExtendedProperties: write.singleValueExtendedProperties,
    ...extra,
  };
}

/** Graph returns every pattern and range field, defaults included. */
function withGraphDefaults(r: GraphPatternedRecurrence): GraphPatternedRecurrence {
  return {
    pattern: {
      dayOfMonth: 0,
      month: 0,
      index: 'first',
      firstDayOfWeek: 'sunday',
      daysOfWeek: [],
      ...r.pattern,
    },
    range: {
      endDate: '0001-01-01',
      numberOfOccurrences: 0,
      recurrenceTimeZone: 'China Standard Time',
      ...r.range,
    },
  };
}

const meeting = calendarEvent({
  subject: 'Supplier visit',
  body: 'Agenda\n- prices\n- volumes',
  location: 'Hangzhou office',
  start: { local: '2026-11-25T09:30:00', timeZone: 'Asia/Shanghai' },
  end: { local: '2026-11-25T10:30:00', timeZone: 'Asia/Shanghai' },
  organizerEmail: 'zhang.san@dingtalk.example',
  attendees: [
    { email: 'a.client@partner.example', name: 'A Client', optional: true, response: 'tentative' },
    { email: 'zhang.san@dingtalk.example', optional: false, response: 'accepted' },
  ],
  reminderMinutes: 10,
  onlineMeetingUrl: 'https://meeting.dingtalk.com/j/abc',
});

const roundTrip = (e: CalendarEvent, originKey?: string) =>
  fromGraphEvent(asGraphReturns(toGraphEventWrite(e, { originKey })), options);

describe('calendar mapper: CalendarEvent → Graph', () => {
  test('never writes Graph attendees (that would mail invitations); they travel in the mirror stamp', () => {
    const write = toGraphEventWrite(meeting, { originKey: 'dt:evt-1' });
    expect(write).not.toHaveProperty('attendees');
    expect(write.transactionId).toBe('dt:evt-1');
    const stamps = Object.fromEntries(
      write.singleValueExtendedProperties!.map((p) => [p.id.split(' ').pop(), p.value]),
    );
    expect(stamps.SyncOriginKey).toBe('dt:evt-1');
    expect(JSON.parse(stamps.SyncMirror!).attendees.map((a: Attendee) => a.email)).toEqual([
      'a.client@partner.example',
      'zhang.san@dingtalk.example',
    ]);
  });

  test('writes plain text, local wall time with the IANA zone, reminders, and the join link as a body line', () => {
    const write = toGraphEventWrite(meeting);
    expect(write.body).toEqual({
      contentType: 'text',
      content: 'Agenda\n- prices\n- volumes\n\nOnline meeting: https://meeting.dingtalk.com/j/abc',
    });
    expect(write.start).toEqual({ dateTime: '2026-11-25T09:30:00', timeZone: 'Asia/Shanghai' });
    expect(write.isReminderOn).toBe(true);
    expect(write.reminderMinutesBeforeStart).toBe(10);
    expect(toGraphEventWrite({ ...meeting, reminderMinutes: undefined }).isReminderOn).toBe(false);
  });

  test('an update without recurrence clears it; an update of a series instance never sends recurrence', () => {
    expect(toGraphEventWrite(meeting)).toHaveProperty('recurrence', null);
    expect(toGraphEventWrite(meeting, { isSeriesInstance: true })).not.toHaveProperty('recurrence');
    expect(toGraphEventWrite(meeting, { originKey: 'k' })).not.toHaveProperty('recurrence');
  });
});

describe('calendar mapper: Graph → CalendarEvent', () => {
  test('round trip of a timed event keeps every synced field', () => {
    expect(roundTrip(meeting, 'k1')).toEqual({
      ...meeting,
      iCalUid: '040000008200E00074C5B7101A82E0080000000012345',
    });
  });

  test('a Windows zone name in originalStartTimeZone gives the IANA zone and its wall time', () => {
    const ev: GraphEvent = {
      id: 'x',
      subject: 'Native',
      start: { dateTime: '2026-11-23T01:30:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-11-23T02:00:00.0000000', timeZone: 'UTC' },
      originalStartTimeZone: 'China Standard Time',
      originalEndTimeZone: 'China Standard Time',
    };
    const e = fromGraphEvent(ev, options);
    expect(e.start).toEqual({ local: '2026-11-23T09:30:00', timeZone: 'Asia/Shanghai' });
    expect(e.end).toEqual({ local: '2026-11-23T10:00:00', timeZone: 'Asia/Shanghai' });
  });

  test('times returned in another zone (Prefer outlook.timezone) are read in that zone', () => {
    const ev: GraphEvent = {
      id: 'x',
      start: { dateTime: '2026-11-22T17:30:00.0000000', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2026-11-22T18:00:00.0000000', timeZone: 'Pacific Standard Time' },
      originalStartTimeZone: 'W. Europe Standard Time',
    };
    expect(fromGraphEvent(ev, options).start).toEqual({
      local: '2026-11-23T02:30:00',
      timeZone: 'Europe/Berlin',
    });
  });

  test.each(['Asia/Shanghai', 'America/Los_Angeles', 'Pacific/Auckland'])(
    'all-day events keep their dates without a day shift (%s), end exclusive',
    (zone) => {
      const allDay: CalendarEvent = {
        ...meeting,
        isAllDay: true,
        start: { local: '2026-12-24', timeZone: zone },
        end: { local: '2026-12-26', timeZone: zone },
      };
      const write = toGraphEventWrite(allDay);
      expect(write.start).toEqual({ dateTime: '2026-12-24T00:00:00', timeZone: zone });
      expect(write.end).toEqual({ dateTime: '2026-12-26T00:00:00', timeZone: zone });
      const back = roundTrip(allDay);
      expect(back.start).toEqual({ local: '2026-12-24', timeZone: zone });
      expect(back.end).toEqual({ local: '2026-12-26', timeZone: zone });
    },
  );

  test('an all-day event without a known original zone gets the default zone', () => {
    const ev: GraphEvent = {
      id: 'x',
      isAllDay: true,
      start: { dateTime: '2026-12-24T00:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-12-25T00:00:00.0000000', timeZone: 'UTC' },
      originalStartTimeZone: 'tzone://Microsoft/Custom',
    };
    expect(fromGraphEvent(ev, options).start).toEqual({ local: '2026-12-24', timeZone: 'Asia/Shanghai' });
  });

  const recurrences: [string, Recurrence][] = [
    [
      'daily, end date',
      {
        pattern: { type: 'daily', interval: 2 },
        range: { type: 'endDate', startDate: '2026-11-25', endDate: '2026-12-31' },
      },
    ],
    [
      'weekly, no end',
      {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'thursday'] },
        range: { type: 'noEnd', startDate: '2026-11-23' },
      },
    ],
    [
      'fortnightly from Monday, numbered',
      {
        pattern: { type: 'weekly', interval: 2, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
        range: { type: 'numbered', startDate: '2026-11-24', numberOfOccurrences: 10 },
      },
    ],
    [
      'absolute monthly',
      {
        pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 15 },
        range: { type: 'noEnd', startDate: '2026-12-15' },
      },
    ],
    [
      'relative monthly',
      {
        pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' },
        range: { type: 'numbered', startDate: '2026-11-27', numberOfOccurrences: 12 },
      },
    ],
    [
      'absolute yearly',
      {
        pattern: { type: 'absoluteYearly', interval: 1, dayOfMonth: 1, month: 2 },
        range: { type: 'noEnd', startDate: '2027-02-01' },
      },
    ],
    [
      'relative yearly',
      {
        pattern: {
          type: 'relativeYearly',
          interval: 1,
          daysOfWeek: ['thursday'],
          index: 'fourth',
          month: 11,
        },
        range: { type: 'noEnd', startDate: '2026-11-26' },
      },
    ],
  ];
  test.each(recurrences)('recurrence round trip: %s (Graph defaults dropped)', (_name, recurrence) => {
    expect(roundTrip({ ...meeting, recurrence }).recurrence).toEqual(recurrence);
  });

  test('a cancelled mirror is written as a free, prefixed event and read back as cancelled with its own subject', () => {
    const write = toGraphEventWrite({ ...meeting, isCancelled: true });
    expect(write.subject).toBe(`${CANCELLED_PREFIX}Supplier visit`);
    expect(write.showAs).toBe('free');
    const back = roundTrip({ ...meeting, isCancelled: true });
    expect(back.isCancelled).toBe(true);
    expect(back.subject).toBe('Supplier visit');
  });

  test('an event the organizer cancelled in Outlook reads as cancelled', () => {
    const ev = asGraphReturns(toGraphEventWrite(meeting), {
      isCancelled: true,
      subject: 'Canceled: Board',
      singleValueExtendedProperties: [],
    });
    const e = fromGraphEvent(ev, options);
    expect(e.isCancelled).toBe(true);
    expect(e.subject).toBe('Canceled: Board');
  });

  test('native Outlook attendees: lower-cased, responses mapped, rooms left out, sorted; they win over the stamp', () => {
    const ev = asGraphReturns(toGraphEventWrite(meeting), {
      attendees: [
        {
          emailAddress: { address: 'Zoe@Partner.example', name: 'Zoe' },
          type: 'required',
          status: { response: 'declined' },
        },
        {
          emailAddress: { address: 'Room.4@contoso.example' },
          type: 'resource',
          status: { response: 'accepted' },
        },
        {
          emailAddress: { address: 'bob@contoso.example' },
          type: 'optional',
          status: { response: 'tentativelyAccepted' },
        },
        {
          emailAddress: { address: 'carl@contoso.example' },
          type: 'required',
          status: { response: 'notResponded' },
        },
      ],
    });
    expect(fromGraphEvent(ev, options).attendees).toEqual([
      { email: 'bob@contoso.example', optional: true, response: 'tentative' },
      { email: 'carl@contoso.example', optional: false, response: 'notResponded' },
      { email: 'zoe@partner.example', name: 'Zoe', optional: false, response: 'declined' },
    ]);
  });

  test('HTML bodies become plain text; a native Teams join URL is kept as the online meeting link', () => {
    const ev: GraphEvent = {
      id: 'x',
      start: { dateTime: '2026-11-23T01:30:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-23T02:00:00', timeZone: 'UTC' },
      body: {
        contentType: 'html',
        content: '<html><body><div>Hello</div><div>team &amp; guests</div></body></html>',
      },
      onlineMeeting: { joinUrl: 'https://teams.microsoft.com/l/meetup-join/x' },
      organizer: { emailAddress: { address: 'Li.Wei@Contoso.example' } },
    };
    const e = fromGraphEvent(ev, options);
    expect(e.body).toBe('Hello\nteam & guests');
    expect(e.onlineMeetingUrl).toBe('https://teams.microsoft.com/l/meetup-join/x');
    expect(e.organizerEmail).toBe('li.wei@contoso.example');
  });

  test('an exception carries its series master id and original start; occurrences never carry the pattern', () => {
    const ev = asGraphReturns(toGraphEventWrite(meeting), {
      type: 'exception',
      seriesMasterId: 'AAkALgAAmaster',
      originalStart: '2026-11-25T01:30:00Z',
      recurrence: withGraphDefaults({
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'noEnd', startDate: '2026-11-20' },
      }),
    });
    const e = fromGraphEvent(ev, options);
    expect(e.seriesMasterId).toBe('AAkALgAAmaster');
    expect(e.originalStart).toBe('2026-11-25T01:30:00.000Z');
    expect(e.recurrence).toBeUndefined();
  });

  test('remote item: version is the changeKey, origin key comes from transactionId', () => {
    const item = toRemoteItem(asGraphReturns(toGraphEventWrite(meeting, { originKey: 'dt:9' })), options);
    expect(item).toMatchObject({
      id: 'AAkALgAAevent1',
      version: 'ck-1',
      modifiedAt: '2026-11-22T08:00:00Z',
      originKey: 'dt:9',
    });
    expect(item.matchKeys).toContain('ical:040000008200E00074C5B7101A82E0080000000012345');
  });

  test('match keys agree for the same meeting written in different zones', () => {
    const berlin: CalendarEvent = {
      ...meeting,
      iCalUid: undefined,
      start: { local: '2026-11-25T02:30:00', timeZone: 'Europe/Berlin' },
      end: { local: '2026-11-25T03:30:00', timeZone: 'Europe/Berlin' },
      subject: '  supplier   VISIT ',
    };
    expect(toRemoteItem(asGraphReturns(toGraphEventWrite(berlin)), options).matchKeys[1]).toBe(
      toRemoteItem(asGraphReturns(toGraphEventWrite(meeting)), options).matchKeys[1],
    );
  });
});

describe('calendar mapper round trip (property)', () => {
  const zones = [
    'UTC',
    'Asia/Shanghai',
    'Asia/Tokyo',
    'Europe/Berlin',
    'Europe/London',
    'America/New_York',
    'America/Sao_Paulo',
    'Australia/Sydney',
  ];
  const text = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n\t]/g, ' ').trim());
  const attendee = fc.record({
    email: fc.emailAddress().map((e) => e.toLowerCase()),
    optional: fc.boolean(),
    response: fc.constantFrom('none', 'accepted', 'tentative', 'declined', 'notResponded' as const),
  });
  const event = fc
    .record({
      subject: text,
      body: fc.array(text, { maxLength: 4 }).map((lines) => lines.join('\n').trim()),
      location: text,
      isAllDay: fc.boolean(),
      startMs: fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2028-01-01') }),
      minutes: fc.integer({ min: 15, max: 600 }),
      days: fc.integer({ min: 1, max: 5 }),
      zone: fc.constantFrom(...zones),
      attendees: fc.uniqueArray(attendee, { selector: (a) => a.email, maxLength: 4 }),
      reminder: fc.option(fc.integer({ min: 0, max: 1440 }), { nil: undefined }),
    })
    .map((r): CalendarEvent => {
      const startMinute = Math.floor(r.startMs / 60_000) * 60_000;
      const startLocal = instantToLocal(startMinute, r.zone);
      const e: CalendarEvent = {
        subject: r.subject,
        body: r.body,
        location: r.location,
        isAllDay: r.isAllDay,
        start: r.isAllDay
          ? { local: startLocal.slice(0, 10), timeZone: r.zone }
          : { local: startLocal, timeZone: r.zone },
        end: r.isAllDay
          ? {
              local: new Date(Date.parse(startLocal.slice(0, 10)) + r.days * 86_400_000)
                .toISOString()
                .slice(0, 10),
              timeZone: r.zone,
            }
          : { local: instantToLocal(startMinute + r.minutes * 60_000, r.zone), timeZone: r.zone },
        isCancelled: false,
        attendees: [...r.attendees].sort((a, b) => (a.email < b.email ? -1 : 1)),
      };
      if (r.reminder !== undefined) e.reminderMinutes = r.reminder;
      return e;
    });

  test('CalendarEvent → Graph → CalendarEvent is the identity on the synced projection', () => {
    fc.assert(
      fc.property(event, (e) => {
        const back = fromGraphEvent(
          asGraphReturns(toGraphEventWrite(e, { originKey: 'k' }), {
            organizer: undefined,
            iCalUId: undefined,
          }),
          options,
        );
        expect(back).toEqual(e);
      }),
      fastCheckRuns(runsFrom('PROPERTY_RUNS', 300)),
    );
  });
});
