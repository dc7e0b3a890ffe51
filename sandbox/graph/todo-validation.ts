import { PATTERN_TYPES, RANGE_TYPES } from './event-validation';
import { ianaZoneOf, localToInstant, parseLocal } from './todo-time';

/**
 * Request bodies of To Do writes, read the way Graph's OData layer reads them: properties the todoTask type does
 * not declare are refused, read-only ones (id, createdDateTime, …) are ignored as Graph ignores them
 * (microsoftgraph/microsoft-graph-docs#16991 posts createdDateTime and gets 201), enum members are checked.
 */

export interface ZonedInput {
  local: string;
  zone: string;
  zoneName: string;
  instant: number;
}

export interface TodoRecurrence {
  pattern?: {
    type?: string;
    interval?: number;
    daysOfWeek?: string[];
    dayOfMonth?: number;
    month?: number;
    index?: string;
    firstDayOfWeek?: string;
  };
  range?: {
    type?: string;
    startDate?: string;
    endDate?: string;
    numberOfOccurrences?: number;
    recurrenceTimeZone?: string;
  };
}

export interface LinkedResourceInput {
  applicationName?: string;
  displayName?: string;
  externalId?: string;
  webUrl?: string;
}

export interface TodoWrite {
  title?: string;
  body?: { content: string; contentType: 'text' | 'html' };
  importance?: 'low' | 'normal' | 'high';
  status?: 'notStarted' | 'inProgress' | 'completed' | 'waitingOnOthers' | 'deferred';
  dueDateTime?: ZonedInput | null;
  startDateTime?: ZonedInput | null;
  reminderDateTime?: ZonedInput | null;
  completedDateTime?: ZonedInput | null;
  isReminderOn?: boolean;
  categories?: string[];
  recurrence?: TodoRecurrence | null;
  linkedResources?: LinkedResourceInput[];
}

export interface WriteError {
  status: number;
  code: string;
  message: string;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: WriteError };

const STATUSES = ['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred'];
const IMPORTANCES = ['low', 'normal', 'high'];
const READ_ONLY = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'bodyLastModifiedDateTime',
  'hasAttachments',
];
const WRITABLE = [
  'title',
  'body',
  'importance',
  'status',
  'dueDateTime',
  'startDateTime',
  'reminderDateTime',
  'completedDateTime',
  'isReminderOn',
  'categories',
  'recurrence',
  'linkedResources',
];
const LINKED = ['applicationName', 'displayName', 'externalId', 'webUrl'];

const bad = (message: string, code = 'RequestBodyRead'): { ok: false; error: WriteError } => ({
  ok: false,
  error: { status: 400, code, message },
});
const noSuchProperty = (name: string, type: string) =>
  bad(
    `The property '${name}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );
const notMember = (value: unknown, type: string) =>
  bad(`Cannot convert the literal '${String(value)}' to the expected type 'microsoft.graph.${type}'.`);

export function parseTodoWrite(body: unknown, mode: 'create' | 'update'): Result<TodoWrite> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return bad('The request body must be a todoTask object.');
  const out: TodoWrite = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name.includes('@') || READ_ONLY.includes(name)) continue;
    if (!WRITABLE.includes(name)) return noSuchProperty(name, 'todoTask');
    switch (name) {
      case 'title':
        if (value !== null && typeof value !== 'string') return bad("'title' must be a string.");
        out.title = (value as string | null) ?? '';
        break;
      case 'body': {
        const b = value as { content?: unknown; contentType?: unknown } | null;
        if (b === null) {
          out.body = { content: '', contentType: 'text' };
          break;
        }
        if (typeof b !== 'object') return bad("'body' must be an itemBody.");
        const contentType = b.contentType ?? 'text';
        if (contentType !== 'text' && contentType !== 'html') return notMember(contentType, 'bodyType');
        out.body = { content: typeof b.content === 'string' ? b.content : '', contentType };
        break;
      }
      case 'importance':
        if (!IMPORTANCES.includes(value as string)) return notMember(value, 'importance');
        out.importance = value as TodoWrite['importance'];
        break;
      case 'status':
        if (!STATUSES.includes(value as string)) return notMember(value, 'taskStatus');
        out.status = value as TodoWrite['status'];
        break;
      case 'isReminderOn':
        if (typeof value !== 'boolean') return bad("'isReminderOn' must be a boolean.");
        out.isReminderOn = value;
        break;
      case 'categories':
        if (!Array.isArray(value) || value.some((c) => typeof c !== 'string'))
          return bad("'categories' must be a collection of strings.");
        out.categories = [...(value as string[])];
        break;
      case 'dueDateTime':
      case 'startDateTime':
      case 'reminderDateTime':
      case 'completedDateTime': {
        const zoned = parseZoned(value, name);
        if (!zoned.ok) return zoned;
        out[name] = zoned.value;
        break;
      }
      case 'recurrence': {
        const r = parseRecurrence(value);
        if (!r.ok) return r;
        out.recurrence = r.value;
        break;
      }
      case 'linkedResources': {
        if (mode === 'update')
          return bad("'linkedResources' can only be set when the task is created.", 'BadRequest');
        if (!Array.isArray(value)) return bad("'linkedResources' must be a collection.");
        const resources: LinkedResourceInput[] = [];
        for (const item of value) {
          const r = parseLinkedResource(item);
          if (!r.ok) return r;
          resources.push(r.value);
        }
        out.linkedResources = resources;
        break;
      }
    }
  }
  return { ok: true, value: out };
}

export function parseLinkedResource(value: unknown): Result<LinkedResourceInput> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return bad('A linkedResource must be an object.');
  const out: LinkedResourceInput = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (name.includes('@') || name === 'id') continue;
    if (!LINKED.includes(name)) return noSuchProperty(name, 'linkedResource');
    if (v !== null && typeof v !== 'string') return bad(`'${name}' must be a string.`);
    if (typeof v === 'string') out[name as keyof LinkedResourceInput] = v;
  }
  return { ok: true, value: out };
}

function parseZoned(value: unknown, name: string): Result<ZonedInput | null> {
  if (value === null) return { ok: true, value: null };
  const v = value as { dateTime?: unknown; timeZone?: unknown };
  if (typeof v !== 'object' || typeof v.dateTime !== 'string') return bad(`'${name}.dateTime' is required.`);
  const local = parseLocal(v.dateTime);
  if (!local) return bad(`Cannot convert the literal '${v.dateTime}' to the expected type 'Edm.String'.`);
  const zoneName = typeof v.timeZone === 'string' && v.timeZone ? v.timeZone : 'UTC';
  const zone = ianaZoneOf(zoneName);
  // Graph's answer for an unknown zone on Outlook items (the same text the fake's events give).
  if (!zone)
    return bad(
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${zoneName}'.`,
      'TimeZoneNotSupportedException',
    );
  return { ok: true, value: { local, zone, zoneName, instant: localToInstant(local, zone) } };
}

function parseRecurrence(value: unknown): Result<TodoRecurrence | null> {
  if (value === null) return { ok: true, value: null };
  const r = value as TodoRecurrence;
  if (typeof r !== 'object' || !r.pattern || typeof r.pattern !== 'object')
    return bad("'recurrence.pattern' is required.");
  if (!PATTERN_TYPES.includes(r.pattern.type as string))
    return notMember(r.pattern.type, 'recurrencePatternType');
  if (r.range && !RANGE_TYPES.includes(r.range.type as string))
    return notMember(r.range.type, 'recurrenceRangeType');
  if (r.range?.startDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(r.range.startDate))
    return bad(`Cannot convert the literal '${r.range.startDate}' to the expected type 'Edm.Date'.`);
  return {
    ok: true,
    value: {
      pattern: { interval: 1, ...r.pattern },
      range: { type: 'noEnd', ...r.range },
    },
  };
}
