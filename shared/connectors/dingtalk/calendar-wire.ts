/**
 * DingTalk calendar v1.0 wire shapes (schemas/dingtalk-api.json, calendar_1_0), reduced to the fields this project
 * reads or writes. Responses differ per operation (e.g. Create/Patch bodies carry no status or seriesMasterId).
 */

export interface WireEventTime {
  /** All-day: "yyyy-MM-dd"; then dateTime and timeZone stay empty. */
  date?: string;
  /** Timed: ISO-8601 date-time with offset, plus timeZone (IANA). */
  dateTime?: string;
  timeZone?: string;
}

export interface WireRecurrence {
  pattern?: {
    type?: string;
    interval?: number;
    /** Comma-separated weekday names ("monday,wednesday"): the separator is not documented by DingTalk. */
    daysOfWeek?: string;
    dayOfMonth?: number;
    index?: string;
    firstDayOfWeek?: string;
  };
  range?: {
    type?: string;
    /** UTC "yyyy-MM-ddTHH:mmZ". */
    endDate?: string;
    numberOfOccurrences?: number;
  };
}

export interface WirePerson {
  id?: string;
  displayName?: string;
  responseStatus?: string;
  isOptional?: boolean;
  self?: boolean;
}

/** An event as Get/List/Create/Patch return it; every field optional because each operation returns a subset. */
export interface WireEvent {
  id: string;
  summary?: string;
  description?: string;
  start?: WireEventTime;
  end?: WireEventTime;
  isAllDay?: boolean;
  location?: { displayName?: string; meetingRooms?: string[] };
  attendees?: WirePerson[];
  organizer?: WirePerson;
  recurrence?: WireRecurrence;
  /** minutes is a string in responses, a number in requests. */
  reminders?: Array<{ method?: string; minutes?: string | number }>;
  onlineMeetingInfo?: { type?: string; conferenceId?: string; url?: string };
  status?: string;
  seriesMasterId?: string;
  originStart?: { dateTime?: string };
  createTime?: string;
  updateTime?: string;
}

/** What we send on CreateEvent (and, with id, on PatchEvent). Attendees are deliberately absent: docs/dingtalk.md. */
export interface WireEventWrite {
  id?: string;
  summary: string;
  description: string;
  start: WireEventTime;
  end: WireEventTime;
  isAllDay: boolean;
  location: { displayName: string };
  reminders: Array<{ method: 'dingtalk'; minutes: number }>;
  recurrence?: WireRecurrence;
  extra: Record<string, string>;
}

export interface WireEventList {
  events?: WireEvent[];
  nextToken?: string;
  syncToken?: string;
}
