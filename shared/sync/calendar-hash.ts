import type { CalendarEvent } from './calendar-event';
import { stableHash } from './stable-hash';

/**
 * Hash of what both calendars carry alike. Left out: ids that differ by side (iCalUid exists only in Outlook;
 * seriesMasterId names the series on the side it was read from) and what travels one way only (attendees and the
 * organizer: copies never invite anyone, so a DingTalk copy holds none). With them in, a side that bumps its
 * version without a synced change would look changed and be written back for nothing.
 */
export function calendarContentHash(event: CalendarEvent): string {
  const {
    iCalUid: _ical,
    seriesMasterId: _series,
    attendees: _attendees,
    organizerEmail: _organizer,
    ...carried
  } = event;
  return stableHash(carried);
}
