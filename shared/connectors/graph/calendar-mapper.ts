import type { Attendee, CalendarEvent, EventTime, ResponseStatus } from '../../sync/calendar-event';
import { calendarMatchKeys } from '../../sync/calendar-match';
import type { RemoteItem } from '../../sync/types';
import { fromGraphRecurrence, toGraphRecurrence } from './calendar-recurrence';
import { changeKeyOfEtag } from './event-etag';
import type { GraphAttendee, GraphEvent, GraphEventWrite, GraphResponseType } from './wire-types';
import { htmlToText, normalizePlainText } from './html-to-text';
import { readStamps, stampProperties, type MirrorStamp } from './outlook-event-stamps';
import { toIanaZone } from './windows-time-zones';
import { instantToLocal, localToInstant, normalizeLocal } from '../../sync/zoned-time';

/**
 * Graph event JSON ↔ CalendarEvent.
 *
 * Times. We read with Prefer outlook.timezone="UTC", so start/end are unambiguous instants, and re-express them
 * in the zone the event was created in (originalStartTimeZone: a Windows name such as "China Standard Time",
 * or the IANA name it was written with), converted to IANA. All-day events are the exception: Graph returns
 * them midnight-to-midnight whatever zone is asked for, so their date is taken as is (no day shift) and end
 * stays exclusive. On write we send the canonical IANA name (Graph accepts IANA names) and local wall time.
 *
 * Invitations. Graph sends invitations "to all the attendees" when an event with attendees is created, and
 * updates/cancellations when it changes. A mirror of a DingTalk event in a user's Outlook calendar must not
 * mail anyone, so we never write Graph attendees: the attendee list, the DingTalk organizer, the join link and
 * cancellation travel in the SyncMirror extended property and come back from it on read. Events that are
 * native to Outlook keep their own Graph attendees, which win over the stamp on read.
 */

export interface CalendarMapperOptions {
  /** Zone for all-day events whose original zone is unknown (the mailbox owner's zone). */
  defaultTimeZone: string;
}

export const CANCELLED_PREFIX = 'Canceled: ';
export const JOIN_LINK_LABEL = 'Online meeting: ';

const RESPONSES: Record<GraphResponseType, ResponseStatus> = {
  none: 'none',
  organizer: 'accepted',
  tentativelyAccepted: 'tentative',
  accepted: 'accepted',
  declined: 'declined',
  notResponded: 'notResponded',
};

export function fromGraphEvent(ev: GraphEvent, options: CalendarMapperOptions): CalendarEvent {
  const { mirror } = readStamps(ev);
  const isAllDay = ev.isAllDay === true;
  const startZone = toIanaZone(ev.originalStartTimeZone);
  const endZone = toIanaZone(ev.originalEndTimeZone) ?? startZone;
  const start = readTime(ev.start, startZone, isAllDay, options);
  const end = readTime(ev.end, endZone, isAllDay, options);
  const onlineMeetingUrl =
    mirror?.onlineMeetingUrl ?? ev.onlineMeeting?.joinUrl ?? ev.onlineMeetingUrl ?? undefined;

  let subject = ev.subject ?? '';
  if (mirror?.cancelled && subject.startsWith(CANCELLED_PREFIX))
    subject = subject.slice(CANCELLED_PREFIX.length);
  let body = readBody(ev);
  if (mirror?.onlineMeetingUrl) body = stripJoinLink(body, mirror.onlineMeetingUrl);

  const graphAttendees = (ev.attendees ?? []).filter((a) => a.type !== 'resource' && a.emailAddress?.address);
  const attendees =
    graphAttendees.length > 0 ? graphAttendees.map(fromGraphAttendee) : (mirror?.attendees ?? []);

  const event: CalendarEvent = {
    subject,
    body,
    location: ev.location?.displayName ?? '',
    isAllDay,
    start,
    end,
    isCancelled: ev.isCancelled === true || mirror?.cancelled === true,
    attendees: sortAttendees(attendees),
  };
  const recurrence = fromGraphRecurrence(ev.recurrence);
  if (recurrence && ev.type !== 'occurrence' && ev.type !== 'exception') event.recurrence = recurrence;
  if ((ev.type === 'exception' || ev.type === 'occurrence') && ev.seriesMasterId) {
    event.seriesMasterId = ev.seriesMasterId;
    if (ev.originalStart) event.originalStart = new Date(ev.originalStart).toISOString();
  }
  const organizer = mirror?.organizerEmail ?? ev.organizer?.emailAddress?.address;
  if (organizer) event.organizerEmail = organizer.toLowerCase();
  if (ev.isReminderOn && typeof ev.reminderMinutesBeforeStart === 'number') {
    event.reminderMinutes = ev.reminderMinutesBeforeStart;
  }
  if (onlineMeetingUrl) event.onlineMeetingUrl = onlineMeetingUrl;
  if (ev.iCalUId) event.iCalUid = ev.iCalUId;
  return event;
}

export interface WriteOptions {
  /** Set on create: becomes transactionId (Graph's create dedupe) and the SyncOriginKey stamp. */
  originKey?: string;
  /** Update of an occurrence/exception: recurrence cannot be sent for those. */
  isSeriesInstance?: boolean;
}

export function toGraphEventWrite(e: CalendarEvent, options: WriteOptions = {}): GraphEventWrite {
  const mirror: MirrorStamp = { attendees: sortAttendees(e.attendees) };
  if (e.organizerEmail) mirror.organizerEmail = e.organizerEmail.toLowerCase();
  if (e.onlineMeetingUrl) mirror.onlineMeetingUrl = e.onlineMeetingUrl;
  if (e.isCancelled) mirror.cancelled = true;

  const body: GraphEventWrite = {
    subject: (e.isCancelled ? CANCELLED_PREFIX : '') + e.subject,
    body: { contentType: 'text', content: withJoinLink(normalizePlainText(e.body), e.onlineMeetingUrl) },
    start: writeTime(e.start, e.isAllDay),
    end: writeTime(e.end, e.isAllDay),
    isAllDay: e.isAllDay,
    location: { displayName: e.location },
    isReminderOn: e.reminderMinutes !== undefined,
    singleValueExtendedProperties: stampProperties(options.originKey, mirror),
  };
  if (e.reminderMinutes !== undefined) body.reminderMinutesBeforeStart = e.reminderMinutes;
  if (e.isCancelled) body.showAs = 'free';
  if (!options.isSeriesInstance && !e.seriesMasterId) {
    if (e.recurrence) body.recurrence = toGraphRecurrence(e.recurrence);
    else if (options.originKey === undefined) body.recurrence = null;
  }
  if (options.originKey !== undefined) body.transactionId = options.originKey;
  return body;
}

export function toRemoteItem(ev: GraphEvent, options: CalendarMapperOptions): RemoteItem<CalendarEvent> {
  const projection = fromGraphEvent(ev, options);
  const item: RemoteItem<CalendarEvent> = {
    id: ev.id,
    version: ev.changeKey ?? changeKeyOfEtag(ev['@odata.etag']) ?? '',
    modifiedAt: ev.lastModifiedDateTime ?? '',
    projection,
    matchKeys: calendarMatchKeys(projection),
  };
  const originKey = ev.transactionId ?? readStamps(ev).originKey;
  if (originKey) item.originKey = originKey;
  return item;
}

function readTime(
  t: GraphEvent['start'],
  originalZone: string | undefined,
  isAllDay: boolean,
  options: CalendarMapperOptions,
): EventTime {
  if (!t?.dateTime) throw new Error('Graph event without start/end');
  if (isAllDay) return { local: t.dateTime.slice(0, 10), timeZone: originalZone ?? options.defaultTimeZone };
  const responseZone = toIanaZone(t.timeZone) ?? 'UTC';
  const instant = localToInstant(t.dateTime, responseZone);
  const zone = originalZone ?? responseZone;
  return { local: instantToLocal(instant, zone), timeZone: zone };
}

function writeTime(t: EventTime, isAllDay: boolean): { dateTime: string; timeZone: string } {
  const local = isAllDay ? `${t.local.slice(0, 10)}T00:00:00` : normalizeLocal(t.local);
  return { dateTime: local, timeZone: t.timeZone };
}

function readBody(ev: GraphEvent): string {
  const content = ev.body?.content ?? '';
  return ev.body?.contentType === 'html' ? htmlToText(content) : normalizePlainText(content);
}

function withJoinLink(body: string, url: string | undefined): string {
  if (!url) return body;
  return body ? `${body}\n\n${JOIN_LINK_LABEL}${url}` : `${JOIN_LINK_LABEL}${url}`;
}

function stripJoinLink(body: string, url: string): string {
  const line = `${JOIN_LINK_LABEL}${url}`;
  if (!body.endsWith(line)) return body;
  return body.slice(0, body.length - line.length).replace(/\n+$/, '');
}

function fromGraphAttendee(a: GraphAttendee): Attendee {
  const attendee: Attendee = {
    email: a.emailAddress!.address!.trim().toLowerCase(),
    optional: a.type === 'optional',
    response: RESPONSES[a.status?.response ?? 'none'] ?? 'none',
  };
  if (a.emailAddress?.name) attendee.name = a.emailAddress.name;
  return attendee;
}

function sortAttendees(list: Attendee[]): Attendee[] {
  return [...list]
    .map((a) => ({ ...a, email: a.email.trim().toLowerCase() }))
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
}
