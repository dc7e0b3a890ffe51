import type { CalendarEvent, EventTime } from './calendar-event';

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

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/;

/**
 * Wall-clock time in an IANA zone → UTC ISO instant; undefined when the text or the zone is not understood.
 * Like Temporal's "compatible" rule: a repeated hour (clocks go back) takes the earlier instant, a skipped hour
 * (clocks go forward) moves forward by the gap.
 */
export function zonedToUtc(local: string, timeZone: string): string | undefined {
  const m = LOCAL.exec(local);
  const format = formatterFor(timeZone);
  if (!m || !format) return undefined;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  const offsetBefore = offsetAt(format, wall - DAY);
  const offsetAfter = offsetAt(format, wall + DAY);
  const candidates = [wall - offsetBefore, wall - offsetAfter].filter(
    (t) => t + offsetAt(format, t) === wall,
  );
  const instant = candidates.length > 0 ? Math.min(...candidates) : wall - offsetBefore;
  return new Date(instant).toISOString();
}

const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat | undefined>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  if (!formatters.has(timeZone)) {
    try {
      const options: Intl.DateTimeFormatOptions = {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      };
      formatters.set(timeZone, new Intl.DateTimeFormat('en-US', options));
    } catch {
      formatters.set(timeZone, undefined);
    }
  }
  return formatters.get(timeZone);
}

function offsetAt(format: Intl.DateTimeFormat, instant: number): number {
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    +parts.year!,
    +parts.month! - 1,
    +parts.day!,
    +parts.hour!,
    +parts.minute!,
    +parts.second!,
  );
  return wall - Math.floor(instant / 1000) * 1000;
}
