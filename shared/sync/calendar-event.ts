/**
 * The canonical calendar event: the synced projection both calendar adapters map to and from. Only what both
 * sides can carry is here (docs/calendar-mapping.md says exactly what is and is not carried).
 */

export interface EventTime {
  /** Timed events: local wall-clock time without offset, "2026-11-23T09:30:00". All-day: the date "2026-11-23". */
  local: string;
  /** IANA time zone name ("Asia/Shanghai", "UTC"); all-day events carry the zone of the calendar owner. */
  timeZone: string;
}

export type Weekday = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';

export interface Recurrence {
  pattern: {
    type: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
    interval: number;
    daysOfWeek?: Weekday[];
    dayOfMonth?: number;
    month?: number;
    index?: 'first' | 'second' | 'third' | 'fourth' | 'last';
    firstDayOfWeek?: Weekday;
  };
  range: {
    type: 'endDate' | 'noEnd' | 'numbered';
    startDate: string;
    endDate?: string;
    numberOfOccurrences?: number;
  };
}

export type ResponseStatus = 'none' | 'accepted' | 'tentative' | 'declined' | 'notResponded';

export interface Attendee {
  /** Lower-cased e-mail: the one identity both sides can agree on. */
  email: string;
  name?: string;
  optional: boolean;
  response: ResponseStatus;
}

export interface CalendarEvent {
  subject: string;
  /** Plain text body. */
  body: string;
  location: string;
  isAllDay: boolean;
  start: EventTime;
  /** Exclusive end: for all-day events the day after the last day, on both sides. */
  end: EventTime;
  recurrence?: Recurrence;
  /** For an occurrence changed or cancelled inside a series: the series' item id on the same side, and original start. */
  seriesMasterId?: string;
  originalStart?: string;
  isCancelled: boolean;
  organizerEmail?: string;
  attendees: Attendee[];
  /** Minutes before start; undefined = no reminder. */
  reminderMinutes?: number;
  /** Join URL of an online meeting, kept as a link (the meeting itself is not re-created on the other side). */
  onlineMeetingUrl?: string;
  /** iCalendar UID when the side exposes one (Graph iCalUId); used only for first-sync matching. */
  iCalUid?: string;
}
