import { instantToOffsetDateTime, parseDateTime } from '../time/zoned';
import type { FakeTime } from './event-input';
import type { StoredEvent } from './calendar-store';
import type { OrgStore } from './org';

/**
 * The event as each operation returns it. The operations return different subsets (calendar_1_0 models in
 * schemas/dingtalk-api.json): Create and Patch carry no status, seriesMasterId or originStart; List carries no
 * cardInstances/uiConfigs; Get/List categories have displayName only. Lists below are written out by hand from
 * those models; test/contract/dingtalk/schema.test.ts checks them against the schema file.
 */

export type EventOperation = 'CreateEvent' | 'GetEvent' | 'ListEvents' | 'PatchEvent';

const COMMON = [
  'id',
  'summary',
  'description',
  'start',
  'end',
  'isAllDay',
  'location',
  'attendees',
  'organizer',
  'recurrence',
  'reminders',
  'onlineMeetingInfo',
  'richTextDescription',
  'categories',
  'createTime',
  'updateTime',
];
const FIELDS: Record<EventOperation, string[]> = {
  CreateEvent: COMMON,
  PatchEvent: COMMON,
  GetEvent: [...COMMON, 'status', 'seriesMasterId', 'originStart', 'extendedProperties'],
  ListEvents: [...COMMON, 'status', 'seriesMasterId', 'originStart', 'extendedProperties'],
};

export interface ViewContext {
  viewer: string;
  org: OrgStore;
  corpId: string;
  /** Overrides the stored status (an event removed from the viewer's calendar is listed as cancelled). */
  status?: string;
  maxAttendees?: number;
}

export function eventView(e: StoredEvent, op: EventOperation, ctx: ViewContext): Record<string, unknown> {
  const nameOf = (unionId: string) => ctx.org.byUnionId(unionId)?.name;
  const full: Record<string, unknown> = {
    id: e.id,
    summary: e.summary,
    description: e.description,
    start: timeView(e.start),
    end: timeView(e.end),
    isAllDay: e.isAllDay,
    location: e.location ? locationView(e.location.displayName, op) : undefined,
    attendees: e.attendees.slice(0, ctx.maxAttendees ?? 100).map((a) => ({
      id: a.id,
      displayName: nameOf(a.id),
      responseStatus: a.responseStatus,
      isOptional: a.isOptional,
      self: a.id === ctx.viewer,
    })),
    organizer: {
      id: e.organizer,
      displayName: nameOf(e.organizer),
      responseStatus: 'accepted',
      self: e.organizer === ctx.viewer,
    },
    recurrence: e.recurrence,
    reminders: e.reminders.map((r) => ({ method: r.method, minutes: String(r.minutes) })),
    onlineMeetingInfo: e.onlineMeeting ? meetingView(e.onlineMeeting, op) : undefined,
    richTextDescription: e.richTextDescription,
    categories: e.categories?.map((c) =>
      op === 'GetEvent' || op === 'ListEvents' ? { displayName: c.displayName } : c,
    ),
    createTime: stamp(e.createTime),
    updateTime: stamp(e.updateTime),
    status: ctx.status ?? e.status,
    seriesMasterId: e.seriesMasterId,
    originStart: e.originStart ? { dateTime: e.originStart } : undefined,
    extendedProperties: { sharedProperties: { belongCorpId: ctx.corpId } },
  };
  const view: Record<string, unknown> = {};
  for (const key of FIELDS[op]) if (full[key] !== undefined) view[key] = full[key];
  return view;
}

/** Timed events come back in their zone with its offset, whatever offset they were written with. */
function timeView(t: FakeTime): FakeTime {
  if (t.date) return { date: t.date };
  const zone = t.timeZone!;
  const instant = parseDateTime(t.dateTime!, zone);
  return {
    dateTime: instantToOffsetDateTime(instant, zone),
    timeZone: zone,
  };
}

function locationView(displayName: string, op: EventOperation) {
  return op === 'CreateEvent' ? { displayName } : { displayName, meetingRooms: [] as string[] };
}

function meetingView(m: NonNullable<StoredEvent['onlineMeeting']>, op: EventOperation) {
  return op === 'PatchEvent' ? { ...m } : { ...m, extraInfo: {} };
}

/** updateTime/createTime: ISO-8601 UTC to the second (resolution assumed; see docs/dingtalk.md). */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
