import type { CalendarEvent, EventTime } from './calendar-event';
import { zonedToUtc } from './zoned-time';

/**
 * First-sync match keys of a calendar event, strongest first: the iCalendar UID when the side exposes one, then a
 * signature of normalized subject + start + end (OGCS's "subject;start;end"). Times are compared as UTC instants,
 * because the two sides may express the same meeting in different zones; all-day events compare by date.
 */
export function calendarMatchKeys(event: CalendarEvent): string[] {
  const keys: string[] = [];
  if (event.iCalUid) keys.push(`ical:${event.iCalUid}`);
  const start = timeKey(event.start, event.isAllDay);
  const end = timeKey(event.end, event.isAllDay);
  keys.push(`sig:${normalizeSubject(event.subject)}|${start}|${end}`);
  return keys;
}

export function normalizeSubject(subject: string): string {
  return subject.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

function timeKey(time: EventTime, isAllDay: boolean): string {
  if (isAllDay) return time.local.slice(0, 10);
  return zonedToUtc(time.local, time.timeZone) ?? `${time.local}@${time.timeZone}`;
}
