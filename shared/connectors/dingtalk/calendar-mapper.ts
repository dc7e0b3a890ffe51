import type { Attendee, CalendarEvent, EventTime, ResponseStatus } from '../../sync/calendar-event';
import { PermanentRemoteError } from '../../sync/types';
import type { WireEvent, WireEventTime, WireEventWrite } from './calendar-wire';
import { decodeDescription, encodeDescription } from './description-codec';
import { recurrenceFromWire, recurrenceToWire } from './calendar-recurrence';
import {
  addDays,
  instantToLocal,
  isTimeZone,
  localWithOffset,
  normalizeLocal,
  parseDateTime,
} from '../../sync/zoned-time';

/**
 * DingTalk event JSON ↔ CalendarEvent. Both sides use exclusive all-day ends (DingTalk: "结束时间需传 T+1",
 * DingTalk's documentation), so dates pass through unchanged. What is and is not written back is in docs/dingtalk.md.
 */

export interface ReadContext {
  /** Lower-cased e-mail of an org member's unionId, or undefined when unknown. */
  emailOf(unionId: string): string | undefined;
  /** The calendar owner's zone: all-day events carry it, and timed events without a usable zone fall back to it. */
  ownerTimeZone: string;
}

/** DingTalk rejects an empty summary on create; Outlook allows one, so an empty subject travels as this. */
export const NO_SUBJECT = '(No subject)';

/** Behaviour flags that keep DingTalk from pinging anyone about a write they did not make themselves. */
export const SILENT_WRITE = { noPushNotification: 'true', noChatNotification: 'true' } as const;

export interface MappedEvent {
  projection: CalendarEvent;
  /** Our idempotency key, when the event carries our origin stamp. */
  originKey?: string;
}

/** A deleted event listed with showDeleted, as opposed to a cancelled occurrence that is part of a live series. */
export function isDeletedEvent(w: WireEvent): boolean {
  return w.status === 'cancelled' && !w.seriesMasterId;
}

export function eventFromWire(w: WireEvent, ctx: ReadContext): MappedEvent {
  const isAllDay = w.isAllDay ?? Boolean(w.start?.date && !w.start?.dateTime);
  const start = timeFromWire(w.start, isAllDay, ctx.ownerTimeZone, w.id);
  const end = w.end ? timeFromWire(w.end, isAllDay, ctx.ownerTimeZone, w.id) : defaultEnd(start, isAllDay);
  const decoded = decodeDescription(w.description ?? '');
  const organizerId = w.organizer?.id;
  const projection: CalendarEvent = {
    subject: w.summary === NO_SUBJECT ? '' : (w.summary ?? ''),
    body: decoded.body,
    location: w.location?.displayName ?? '',
    isAllDay,
    start,
    end,
    isCancelled: w.status === 'cancelled',
    attendees: attendeesFromWire(w, organizerId, ctx),
  };
  const recurrence = recurrenceFromWire(w.recurrence, start.local.slice(0, 10), start.timeZone);
  if (recurrence) projection.recurrence = recurrence;
  if (w.seriesMasterId) projection.seriesMasterId = w.seriesMasterId;
  if (w.originStart?.dateTime)
    projection.originalStart = utcSeconds(parseDateTime(w.originStart.dateTime, start.timeZone));
  const organizerEmail = organizerId ? ctx.emailOf(organizerId) : undefined;
  if (organizerEmail) projection.organizerEmail = organizerEmail;
  const reminder = reminderFromWire(w.reminders);
  if (reminder !== undefined) projection.reminderMinutes = reminder;
  const meetingUrl = w.onlineMeetingInfo?.url || decoded.joinUrl;
  if (meetingUrl) projection.onlineMeetingUrl = meetingUrl;
  return { projection, originKey: decoded.originKey };
}

/**
 * The body of CreateEvent/PatchEvent. Attendees are never sent (they would get the event on their own DingTalk
 * calendars, duplicating what their own sync puts there), nor is onlineMeetingInfo (it would create a new
 * DingTalk meeting); reminders are always sent because an omitted list means DingTalk's default of 15 minutes.
 */
export function eventToWire(e: CalendarEvent, options: { originKey?: string } = {}): WireEventWrite {
  const zone = e.start.timeZone;
  const joinUrl =
    e.onlineMeetingUrl && !isDingTalkMeetingUrl(e.onlineMeetingUrl) ? e.onlineMeetingUrl : undefined;
  const body: WireEventWrite = {
    summary: e.subject.trim() ? e.subject : NO_SUBJECT,
    description: encodeDescription(e.body, { joinUrl, originKey: options.originKey }),
    start: timeToWire(e.start, e.isAllDay),
    end: timeToWire(e.end, e.isAllDay),
    isAllDay: e.isAllDay,
    location: { displayName: e.location },
    reminders: e.reminderMinutes === undefined ? [] : [{ method: 'dingtalk', minutes: e.reminderMinutes }],
    extra: { ...SILENT_WRITE },
  };
  if (e.recurrence) body.recurrence = recurrenceToWire(e.recurrence, isTimeZone(zone) ? zone : 'UTC');
  return body;
}

function timeFromWire(
  t: WireEventTime | undefined,
  allDay: boolean,
  ownerZone: string,
  id: string,
): EventTime {
  if (allDay) {
    const date = t?.date ?? t?.dateTime?.slice(0, 10);
    if (!date) throw new PermanentRemoteError(`DingTalk event ${id} has an all-day time without a date`);
    return { local: date, timeZone: ownerZone };
  }
  if (!t?.dateTime)
    throw new PermanentRemoteError(`DingTalk event ${id} has a timed start/end without dateTime`);
  const zone = isTimeZone(t.timeZone) ? t.timeZone : ownerZone;
  return { local: instantToLocal(parseDateTime(t.dateTime, zone), zone), timeZone: zone };
}

function defaultEnd(start: EventTime, allDay: boolean): EventTime {
  return allDay ? { local: addDays(start.local, 1), timeZone: start.timeZone } : start;
}

function timeToWire(t: EventTime, allDay: boolean): WireEventTime {
  if (allDay) return { date: t.local.slice(0, 10) };
  if (!isTimeZone(t.timeZone)) {
    throw new PermanentRemoteError(
      `time zone ${JSON.stringify(t.timeZone)} is not an IANA name DingTalk accepts`,
    );
  }
  return { dateTime: localWithOffset(normalizeLocal(t.local), t.timeZone), timeZone: t.timeZone };
}

const RESPONSES: Record<string, ResponseStatus> = {
  accepted: 'accepted',
  declined: 'declined',
  tentative: 'tentative',
  needsAction: 'notResponded',
};

function attendeesFromWire(w: WireEvent, organizerId: string | undefined, ctx: ReadContext): Attendee[] {
  const attendees: Attendee[] = [];
  for (const a of w.attendees ?? []) {
    if (!a.id || a.id === organizerId) continue;
    const email = ctx.emailOf(a.id);
    if (!email) continue;
    const attendee: Attendee = {
      email,
      optional: a.isOptional === true,
      response: RESPONSES[a.responseStatus ?? ''] ?? 'none',
    };
    if (a.displayName) attendee.name = a.displayName;
    attendees.push(attendee);
  }
  return attendees.sort((x, y) => x.email.localeCompare(y.email));
}

function reminderFromWire(reminders: WireEvent['reminders']): number | undefined {
  const minutes = (reminders ?? [])
    .map((r) => Number(r.minutes))
    .filter((m) => Number.isInteger(m) && m >= 0);
  return minutes.length > 0 ? Math.min(...minutes) : undefined;
}

function isDingTalkMeetingUrl(url: string): boolean {
  return /^dingtalk:\/\//i.test(url) || /^https?:\/\/([^/]+\.)?dingtalk\.com\//i.test(url);
}

function utcSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
