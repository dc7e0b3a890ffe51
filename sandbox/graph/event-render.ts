import { graphZoneToIana } from '../time/windows-zones';
import { instantToLocal } from '../time/zoned';
import type { Instance, StoredEvent } from './calendar-store';
import { toRestId } from './ids';

/**
 * A stored event (or a computed occurrence) as Graph's JSON: ids in the requested format, times in the zone of
 * Prefer outlook.timezone (UTC by default; all-day events stay midnight to midnight), the body as HTML unless
 * Prefer outlook.body-content-type="text" asks for text.
 */

export interface RenderOptions {
  immutableIds: boolean;
  /** Zone name from Prefer outlook.timezone, as the client spelt it ("UTC" when absent). */
  timeZone: string;
  bodyType?: 'text' | 'html';
  /** Lower-cased extended property ids to include ($expand=singleValueExtendedProperties($filter=...)). */
  extendedProperties?: Set<string> | 'all';
}

export type RenderedEvent = Record<string, unknown>;

export function renderStored(event: StoredEvent, options: RenderOptions): RenderedEvent {
  return render(event, undefined, options);
}

export function renderInstance(instance: Instance, options: RenderOptions): RenderedEvent {
  return render(instance.event, instance.kind === 'occurrence' ? instance : undefined, options);
}

function render(event: StoredEvent, occurrence: Instance | undefined, o: RenderOptions): RenderedEvent {
  const id = (value: string) => (o.immutableIds ? value : toRestId(value));
  const zone = graphZoneToIana(o.timeZone) ?? 'UTC';
  const startInstant = occurrence?.start ?? event.start.instant;
  const endInstant = occurrence?.end ?? event.end.instant;
  const startLocal = occurrence?.startLocal ?? event.start.local;
  const endLocal = occurrence?.endLocal ?? event.end.local;
  const time = (instant: number, local: string) => ({
    dateTime: `${event.isAllDay ? `${local.slice(0, 10)}T00:00:00` : instantToLocal(instant, zone)}.0000000`,
    timeZone: o.timeZone,
  });
  const type = occurrence ? 'occurrence' : event.type;
  const seriesMasterId = occurrence ? event.id : event.seriesMasterId;
  const originalStart = occurrence?.originalStart ?? event.originalStart;
  const textBody = event.body.contentType === 'text' ? event.body.content : stripTags(event.body.content);
  const wantText = o.bodyType === 'text';

  const out: RenderedEvent = {
    '@odata.etag': `W/"${event.changeKey}"`,
    id: id(occurrence?.id ?? event.id),
    createdDateTime: event.createdDateTime,
    lastModifiedDateTime: event.lastModifiedDateTime,
    changeKey: event.changeKey,
    categories: event.categories,
    transactionId: occurrence ? null : event.transactionId,
    originalStartTimeZone: event.start.zone,
    originalEndTimeZone: event.end.zone,
    iCalUId: event.iCalUId,
    reminderMinutesBeforeStart: event.reminderMinutesBeforeStart,
    isReminderOn: event.isReminderOn,
    hasAttachments: false,
    subject: event.subject,
    bodyPreview: textBody.replace(/\s+/g, ' ').trim().slice(0, 255),
    importance: event.importance,
    sensitivity: event.sensitivity,
    isAllDay: event.isAllDay,
    isCancelled: event.isCancelled,
    isOrganizer: event.isOrganizer,
    responseRequested: event.responseRequested,
    seriesMasterId: seriesMasterId ? id(seriesMasterId) : null,
    showAs: event.showAs,
    type,
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id(occurrence?.id ?? event.id))}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: event.isOnlineMeeting,
    onlineMeetingProvider: event.onlineMeetingProvider,
    allowNewTimeProposals: event.allowNewTimeProposals,
    isDraft: false,
    hideAttendees: event.hideAttendees,
    responseStatus: { response: event.isOrganizer ? 'organizer' : 'none', time: '0001-01-01T00:00:00Z' },
    body: wantText
      ? { contentType: 'text', content: textBody }
      : {
          contentType: 'html',
          content: event.body.contentType === 'html' ? event.body.content : textToHtml(event.body.content),
        },
    start: time(startInstant, startLocal),
    end: time(endInstant, endLocal),
    location: renderLocation(event.location),
    locations: event.location.displayName ? [renderLocation(event.location)] : [],
    recurrence: type === 'seriesMaster' ? event.recurrence : null,
    attendees: event.attendees.map((a) => ({
      type: a.type ?? 'required',
      status: { response: a.status?.response ?? 'none', time: a.status?.time ?? '0001-01-01T00:00:00Z' },
      emailAddress: {
        name: a.emailAddress?.name ?? a.emailAddress?.address,
        address: a.emailAddress?.address,
      },
    })),
    organizer: { emailAddress: { name: event.organizer.name, address: event.organizer.address } },
    onlineMeeting: event.joinUrl ? { joinUrl: event.joinUrl } : null,
  };
  if (originalStart !== undefined && type !== 'seriesMaster' && type !== 'singleInstance') {
    out.originalStart = new Date(originalStart).toISOString().replace(/\.000Z$/, 'Z');
  }
  if (o.extendedProperties) {
    const wanted = o.extendedProperties;
    out.singleValueExtendedProperties = [...event.extended.entries()]
      .filter(([key]) => wanted === 'all' || wanted.has(key))
      .map(([, p]) => ({ id: p.id, value: p.value }));
  }
  return out;
}

function renderLocation(location: Record<string, unknown>): Record<string, unknown> {
  return {
    displayName: (location.displayName as string | undefined) ?? '',
    locationType: (location.locationType as string | undefined) ?? 'default',
    uniqueId: (location.uniqueId as string | undefined) ?? (location.displayName as string | undefined) ?? '',
    uniqueIdType: location.displayName ? 'private' : 'unknown',
  };
}

/** Outlook stores text bodies as HTML; this is close to what it returns for a text body. */
export function textToHtml(text: string): string {
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  const lines = escaped.split(/\r?\n/).map((l) => `<div>${l === '' ? '<br>' : l}</div>`);
  return (
    '<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n' +
    `<body>\r\n${lines.join('\r\n')}\r\n</body>\r\n</html>\r\n`
  );
}

function stripTags(html: string): string {
  return html
    .replace(/<(head|style|script)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}
