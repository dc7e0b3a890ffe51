import { isTimeZone, parseDateTime } from '../time/zoned';
import { errors, FakeApiError } from './wire-errors';

/**
 * Validation of CreateEvent / PatchEvent bodies with the rules DingTalk documents
 * (help.dingtalk.io, create-schedule): summary required on create (≤2048), description ≤5000, all-day events use
 * date only (end exclusive), timed ones dateTime + IANA timeZone only, reminder minutes are numbers in requests.
 */

export interface FakeTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

export interface FakeRecurrence {
  pattern: {
    type: string;
    interval?: number;
    daysOfWeek?: string;
    dayOfMonth?: number;
    index?: string;
    firstDayOfWeek?: string;
  };
  range: { type: string; endDate?: string; numberOfOccurrences?: number };
}

export interface EventFields {
  summary: string;
  description?: string;
  start: FakeTime;
  end: FakeTime;
  isAllDay: boolean;
  location?: { displayName: string };
  attendees: Array<{ id: string; isOptional: boolean; responseStatus: string }>;
  reminders: Array<{ method: string; minutes: number }>;
  recurrence?: FakeRecurrence;
  wantsOnlineMeeting?: boolean;
  richTextDescription?: { text: string };
  categories?: Array<{ categoryId?: string; displayName?: string }>;
  freeBusyStatus?: string;
}

export interface ParsedWrite {
  fields: Partial<EventFields>;
  /** Behaviour flags (noPushNotification, noChatNotification). */
  extra: Record<string, string>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UTC_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/;
const PATTERN_TYPES = [
  'daily',
  'weekly',
  'absoluteMonthly',
  'relativeMonthly',
  'absoluteYearly',
  'relativeYearly',
];
const RANGE_TYPES = ['endDate', 'noEnd', 'numbered'];
export const DEFAULT_REMINDERS = [{ method: 'dingtalk', minutes: 15 }];

const bad = (what: string) => errors.invalidParameter(what);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function missingBody(): FakeApiError {
  return new FakeApiError(
    { status: 400, code: 'MissingBody' },
    { errcode: 400002 },
    'body is mandatory for this action.',
  );
}

export function parseWrite(
  body: unknown,
  mode: 'create' | 'patch',
  isMember: (unionId: string) => boolean,
): ParsedWrite {
  if (!isObject(body)) throw missingBody();
  const fields: Partial<EventFields> = {};
  if (body.summary !== undefined || mode === 'create') {
    if (typeof body.summary !== 'string' || body.summary.length === 0) throw bad('summary is required');
    if (body.summary.length > 2048) throw bad('summary exceeds 2048 characters');
    fields.summary = body.summary;
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string' || body.description.length > 5000)
      throw bad('description must be ≤5000 characters');
    fields.description = body.description;
  }
  if (mode === 'create' && (body.start === undefined || body.end === undefined))
    throw bad('start and end are required');
  if (body.start !== undefined) fields.start = parseTime(body.start, 'start');
  if (body.end !== undefined) fields.end = parseTime(body.end, 'end');
  if (body.isAllDay !== undefined) {
    if (typeof body.isAllDay !== 'boolean') throw bad('isAllDay must be a boolean');
    fields.isAllDay = body.isAllDay;
  }
  if (body.location !== undefined) {
    if (!isObject(body.location) || typeof body.location.displayName !== 'string')
      throw bad('location.displayName');
    fields.location = { displayName: body.location.displayName };
  }
  if (body.attendees !== undefined) fields.attendees = parseAttendees(body.attendees, isMember);
  if (body.reminders !== undefined) fields.reminders = parseReminders(body.reminders);
  else if (mode === 'create') fields.reminders = DEFAULT_REMINDERS.map((r) => ({ ...r }));
  if (body.recurrence !== undefined) fields.recurrence = parseRecurrence(body.recurrence);
  if (body.onlineMeetingInfo !== undefined) {
    if (!isObject(body.onlineMeetingInfo) || body.onlineMeetingInfo.type !== 'dingtalk')
      throw bad('onlineMeetingInfo.type');
    fields.wantsOnlineMeeting = true;
  }
  if (isObject(body.richTextDescription) && typeof body.richTextDescription.text === 'string') {
    fields.richTextDescription = { text: body.richTextDescription.text };
  }
  if (Array.isArray(body.categories))
    fields.categories = body.categories.filter(isObject) as EventFields['categories'];
  if (typeof body.freeBusyStatus === 'string') fields.freeBusyStatus = body.freeBusyStatus;
  return { fields, extra: parseExtra(body.extra) };
}

/** The complete event after create or patch must have a consistent pair of times. */
export function checkTimes(f: EventFields): void {
  const { start, end, isAllDay } = f;
  if (isAllDay) {
    if (!start.date || !end.date || start.dateTime || end.dateTime || start.timeZone || end.timeZone) {
      throw bad('all-day events need start.date and end.date and no dateTime/timeZone');
    }
    if (end.date <= start.date) throw bad('end.date must be after start.date (all-day end is exclusive)');
    return;
  }
  if (!start.dateTime || !end.dateTime || start.date || end.date) {
    throw bad('timed events need start.dateTime and end.dateTime and no date');
  }
  if (!isTimeZone(start.timeZone) || !isTimeZone(end.timeZone))
    throw bad('timeZone must be a TZ database name');
  if (instantOf(end) < instantOf(start)) throw bad('end must not be before start');
}

/** Start (or end) of an event as an instant; all-day dates count from UTC midnight. */
export function instantOf(t: FakeTime): number {
  if (t.date) return Date.parse(`${t.date}T00:00:00Z`);
  return parseDateTime(t.dateTime!, t.timeZone ?? 'UTC');
}

function parseTime(value: unknown, name: string): FakeTime {
  if (!isObject(value)) throw bad(`${name} must be an object`);
  const t: FakeTime = {};
  for (const key of ['date', 'dateTime', 'timeZone'] as const) {
    const v = value[key];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string') throw bad(`${name}.${key} must be a string`);
    t[key] = v;
  }
  if (t.date && !DATE.test(t.date)) throw bad(`${name}.date must be yyyy-MM-dd`);
  if (t.dateTime) {
    try {
      parseDateTime(t.dateTime, isTimeZone(t.timeZone) ? t.timeZone : 'UTC');
    } catch {
      throw bad(`${name}.dateTime is not ISO-8601`);
    }
  }
  return t;
}

function parseAttendees(value: unknown, isMember: (unionId: string) => boolean): EventFields['attendees'] {
  if (!Array.isArray(value)) throw bad('attendees must be an array');
  if (value.length > 500) throw bad('at most 500 attendees per request');
  return value.map((a) => {
    if (!isObject(a) || typeof a.id !== 'string' || !isMember(a.id))
      throw bad(`attendee ${JSON.stringify(a)} is not a member`);
    return { id: a.id, isOptional: a.isOptional === true, responseStatus: 'needsAction' };
  });
}

function parseReminders(value: unknown): EventFields['reminders'] {
  if (!Array.isArray(value)) throw bad('reminders must be an array');
  return value.map((r) => {
    if (!isObject(r) || typeof r.minutes !== 'number' || !Number.isInteger(r.minutes) || r.minutes < 0) {
      throw bad('reminders[].minutes must be a non-negative integer');
    }
    if (r.method !== undefined && r.method !== 'dingtalk') throw bad('reminders[].method must be dingtalk');
    return { method: 'dingtalk', minutes: r.minutes };
  });
}

function parseRecurrence(value: unknown): FakeRecurrence {
  if (!isObject(value) || !isObject(value.pattern) || !isObject(value.range))
    throw bad('recurrence needs pattern and range');
  const { pattern, range } = value;
  if (typeof pattern.type !== 'string' || !PATTERN_TYPES.includes(pattern.type))
    throw bad('recurrence.pattern.type');
  if (typeof range.type !== 'string' || !RANGE_TYPES.includes(range.type)) throw bad('recurrence.range.type');
  if (range.type === 'endDate' && (typeof range.endDate !== 'string' || !UTC_MINUTE.test(range.endDate))) {
    throw bad('recurrence.range.endDate must be yyyy-MM-ddTHH:mmZ');
  }
  return {
    pattern: { ...pattern } as FakeRecurrence['pattern'],
    range: { ...range } as FakeRecurrence['range'],
  };
}

function parseExtra(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string'))
    throw bad('extra must map strings to strings');
  return value as Record<string, string>;
}
