import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import { calendarMatchKeys, normalizeSubject } from '../../../shared/sync/calendar-match';
import { zonedToUtc } from '../../../shared/sync/zoned-time';
import { calendarEvent } from '../../support/calendar-event';

const event = (patch: Partial<CalendarEvent>): CalendarEvent =>
  calendarEvent({
    subject: 'Weekly sync',
    start: { local: '2026-03-02T09:00:00', timeZone: 'Asia/Shanghai' },
    end: { local: '2026-03-02T09:30:00', timeZone: 'Asia/Shanghai' },
    ...patch,
  });

describe('calendar match keys', () => {
  test('subjects compare after NFKC, whitespace collapsing and lower-casing', () => {
    expect(normalizeSubject('  Ｗｅｅｋｌｙ\t\n SYNC ')).toBe('weekly sync');
    expect(normalizeSubject('周会　（全员）')).toBe('周会 (全员)');
  });

  test('the same meeting written in two zones gives the same signature', () => {
    const shanghai = calendarMatchKeys(event({}));
    const utc = calendarMatchKeys(
      event({
        subject: 'WEEKLY  sync',
        start: { local: '2026-03-02T01:00:00', timeZone: 'UTC' },
        end: { local: '2026-03-02T01:30:00', timeZone: 'UTC' },
      }),
    );
    expect(utc).toEqual(shanghai);
    expect(shanghai).toEqual(['sig:weekly sync|2026-03-02T01:00:00.000Z|2026-03-02T01:30:00.000Z']);
  });

  test('a different start, end or subject gives a different signature', () => {
    const base = calendarMatchKeys(event({}))[0];
    expect(calendarMatchKeys(event({ subject: 'Weekly sync 2' }))[0]).not.toBe(base);
    expect(
      calendarMatchKeys(event({ start: { local: '2026-03-02T09:05:00', timeZone: 'Asia/Shanghai' } }))[0],
    ).not.toBe(base);
    expect(
      calendarMatchKeys(event({ end: { local: '2026-03-02T10:00:00', timeZone: 'Asia/Shanghai' } }))[0],
    ).not.toBe(base);
  });

  test('the iCalendar UID comes first; all-day events compare by date whatever the zone', () => {
    const allDay = (timeZone: string) =>
      calendarMatchKeys(
        event({
          isAllDay: true,
          iCalUid: 'UID-1',
          start: { local: '2026-03-02', timeZone },
          end: { local: '2026-03-03', timeZone },
        }),
      );
    expect(allDay('Asia/Shanghai')).toEqual(['ical:UID-1', 'sig:weekly sync|2026-03-02|2026-03-03']);
    expect(allDay('Europe/Berlin')).toEqual(allDay('Asia/Shanghai'));
  });

  test('wall-clock to UTC honours daylight saving on both sides of the switch', () => {
    expect(zonedToUtc('2026-03-07T09:00:00', 'America/New_York')).toBe('2026-03-07T14:00:00.000Z');
    expect(zonedToUtc('2026-03-09T09:00:00', 'America/New_York')).toBe('2026-03-09T13:00:00.000Z');
    // The repeated hour takes its first occurrence; the skipped hour moves forward by the gap (Temporal's rule).
    expect(zonedToUtc('2026-10-25T01:30:00', 'Europe/London')).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedToUtc('2026-03-08T02:30:00', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
  });

  test('an unknown zone falls back to the written time and zone instead of guessing', () => {
    expect(zonedToUtc('2026-03-02T09:00:00', 'China Standard Time')).toBeUndefined();
    expect(
      calendarMatchKeys(event({ start: { local: '2026-03-02T09:00:00', timeZone: 'Nowhere/Atlantis' } }))[0],
    ).toContain('2026-03-02T09:00:00@Nowhere/Atlantis');
  });
});
