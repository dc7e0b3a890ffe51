import type {
  GraphAttendee,
  GraphPatternedRecurrence,
  GraphSingleValueExtendedProperty,
} from '../../shared/connectors/graph/wire-types';
import { graphZoneToIana } from '../time/windows-zones';
import { localToInstant, normalizeLocal } from '../time/zoned';

/**
 * Checks an event POST/PATCH body the way Outlook does and turns it into stored form. Unknown properties are
 * refused with Graph's RequestBodyRead error, so a client that sends a misspelt property finds out in tests.
 */

export interface StoredTime {
  /** Wall-clock time as written, "YYYY-MM-DDTHH:mm:ss". */
  local: string;
  /** Zone name as written (Windows or IANA); Graph echoes it in originalStartTimeZone. */
  zone: string;
  instant: number;
}

export interface EventWrite {
  subject?: string;
  body?: { contentType: 'text' | 'html'; content: string };
  start?: StoredTime;
  end?: StoredTime;
  isAllDay?: boolean;
  location?: Record<string, unknown>;
  attendees?: GraphAttendee[];
  recurrence?: GraphPatternedRecurrence | null;
  isReminderOn?: boolean;
  reminderMinutesBeforeStart?: number;
  showAs?: string;
  sensitivity?: string;
  importance?: string;
  categories?: string[];
  isOnlineMeeting?: boolean;
  onlineMeetingProvider?: string;
  responseRequested?: boolean;
  allowNewTimeProposals?: boolean;
  hideAttendees?: boolean;
  transactionId?: string;
  singleValueExtendedProperties?: GraphSingleValueExtendedProperty[];
}

export interface WriteError {
  status: number;
  code: string;
  message: string;
}

export type ParsedWrite = { ok: true; value: EventWrite } | { ok: false; error: WriteError };

/** Writable event properties (CSDL event + outlookItem) and the read-only ones Graph refuses on write. */
const WRITABLE = new Set([
  'subject',
  'body',
  'start',
  'end',
  'isAllDay',
  'location',
  'locations',
  'attendees',
  'recurrence',
  'isReminderOn',
  'reminderMinutesBeforeStart',
  'showAs',
  'sensitivity',
  'importance',
  'categories',
  'isOnlineMeeting',
  'onlineMeetingProvider',
  'responseRequested',
  'allowNewTimeProposals',
  'hideAttendees',
  'transactionId',
  'singleValueExtendedProperties',
  'multiValueExtendedProperties',
]);
const READ_ONLY = new Set([
  'id',
  'changeKey',
  'createdDateTime',
  'lastModifiedDateTime',
  'iCalUId',
  'type',
  'seriesMasterId',
  'originalStart',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'isOrganizer',
  'isCancelled',
  'isDraft',
  'webLink',
  'onlineMeeting',
  'onlineMeetingUrl',
  'organizer',
  'responseStatus',
  'bodyPreview',
  'hasAttachments',
  'cancelledOccurrences',
]);

const SHOW_AS = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'];
/** recurrencePattern.type and recurrenceRange.type, the same for events and to-dos (patternedRecurrence). */
export const PATTERN_TYPES = [
  'daily',
  'weekly',
  'absoluteMonthly',
  'relativeMonthly',
  'absoluteYearly',
  'relativeYearly',
];
export const RANGE_TYPES = ['endDate', 'noEnd', 'numbered'];
const EXTENDED_ID =
  /^(String|Integer|Boolean|SystemTime|Binary|Double|Float|Long|Short|Currency|CLSID)\s+(\{[0-9a-f-]{36}\}\s+(Name\s+\S.*|Id\s+0x[0-9a-f]+)|0x[0-9a-f]{4,8})$/i;

const bad = (code: string, message: string, status = 400): ParsedWrite => ({
  ok: false,
  error: { status, code, message },
});

export function parseEventWrite(body: unknown, mode: 'create' | 'update'): ParsedWrite {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return bad('RequestBodyRead', 'Empty Payload. JSON content expected.');
  }
  const input = body as Record<string, unknown>;
  const out: EventWrite = {};
  for (const [name, value] of Object.entries(input)) {
    if (name.startsWith('@odata.')) continue;
    if (READ_ONLY.has(name))
      return bad('ErrorInvalidPropertySet', `The property '${name}' is read-only and can't be set.`);
    if (!WRITABLE.has(name)) {
      return bad(
        'RequestBodyRead',
        `The property '${name}' does not exist on type 'microsoft.graph.event'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    }
    const problem = assign(out, name, value);
    if (problem) return problem;
  }
  if (mode === 'create' && (!out.start || !out.end)) {
    return bad('ErrorPropertyValidationFailure', 'An event must have a start and an end.');
  }
  if (out.start && out.end && out.end.instant < out.start.instant) {
    return bad('ErrorInvalidRequest', 'The end time of the event must be later than its start time.');
  }
  if (out.isAllDay && out.start && out.end && !(isMidnight(out.start) && isMidnight(out.end))) {
    return bad(
      'ErrorPropertyValidationFailure',
      "Your request can't be completed. If an event is marked as all-day, the start and end time must be set to midnight, and must be in the same time zone.",
    );
  }
  return { ok: true, value: out };
}

const isMidnight = (t: StoredTime) => t.local.endsWith('T00:00:00');

function assign(out: EventWrite, name: string, value: unknown): ParsedWrite | undefined {
  switch (name) {
    case 'subject':
    case 'transactionId':
    case 'sensitivity':
    case 'importance':
    case 'onlineMeetingProvider':
      if (value !== null && typeof value !== 'string')
        return bad('RequestBodyRead', `Cannot convert the literal for '${name}' to Edm.String.`);
      (out as Record<string, unknown>)[name] = value ?? '';
      return undefined;
    case 'showAs':
      if (typeof value !== 'string' || !SHOW_AS.includes(value))
        return bad('RequestBodyRead', `Requested value '${String(value)}' was not found.`);
      out.showAs = value;
      return undefined;
    case 'isAllDay':
    case 'isReminderOn':
    case 'isOnlineMeeting':
    case 'responseRequested':
    case 'allowNewTimeProposals':
    case 'hideAttendees':
      if (typeof value !== 'boolean')
        return bad(
          'RequestBodyRead',
          `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Boolean'.`,
        );
      (out as Record<string, unknown>)[name] = value;
      return undefined;
    case 'reminderMinutesBeforeStart':
      if (!Number.isInteger(value))
        return bad(
          'RequestBodyRead',
          `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Int32'.`,
        );
      out.reminderMinutesBeforeStart = value as number;
      return undefined;
    case 'body': {
      const b = value as { contentType?: string; content?: unknown } | null;
      const contentType = b?.contentType ?? 'text';
      if (contentType !== 'text' && contentType !== 'html')
        return bad('RequestBodyRead', `Requested value '${contentType}' was not found.`);
      out.body = { contentType, content: typeof b?.content === 'string' ? b.content : '' };
      return undefined;
    }
    case 'start':
    case 'end': {
      const parsed = parseTime(value);
      if ('error' in parsed) return { ok: false, error: parsed.error };
      out[name] = parsed.time;
      return undefined;
    }
    case 'location':
      out.location = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
      return undefined;
    case 'locations':
      return undefined;
    case 'categories':
      out.categories = Array.isArray(value) ? value.map(String) : [];
      return undefined;
    case 'attendees': {
      if (!Array.isArray(value)) return bad('RequestBodyRead', 'attendees must be a collection.');
      for (const a of value as GraphAttendee[]) {
        if (!a?.emailAddress?.address || !/^[^@\s]+@[^@\s]+$/.test(a.emailAddress.address)) {
          return bad('ErrorInvalidRecipients', "At least one recipient isn't valid.");
        }
      }
      out.attendees = value as GraphAttendee[];
      return undefined;
    }
    case 'recurrence': {
      if (value === null) {
        out.recurrence = null;
        return undefined;
      }
      const problem = checkRecurrence(value as GraphPatternedRecurrence);
      if (problem) return bad('ErrorPropertyValidationFailure', problem);
      out.recurrence = value as GraphPatternedRecurrence;
      return undefined;
    }
    case 'singleValueExtendedProperties': {
      if (!Array.isArray(value))
        return bad('RequestBodyRead', 'singleValueExtendedProperties must be a collection.');
      for (const p of value as GraphSingleValueExtendedProperty[]) {
        if (typeof p?.id !== 'string' || !EXTENDED_ID.test(p.id.trim())) {
          return bad(
            'ErrorInvalidExtendedPropertyValue',
            `The extended property id '${String(p?.id)}' is not valid.`,
          );
        }
        if (p.value !== undefined && p.value !== null && typeof p.value !== 'string') {
          return bad('RequestBodyRead', 'Extended property values are strings.');
        }
      }
      out.singleValueExtendedProperties = value as GraphSingleValueExtendedProperty[];
      return undefined;
    }
    default:
      return undefined;
  }
}

function parseTime(value: unknown): { time: StoredTime } | { error: WriteError } {
  const t = value as { dateTime?: unknown; timeZone?: unknown } | null;
  if (!t || typeof t.dateTime !== 'string') {
    return {
      error: { status: 400, code: 'RequestBodyRead', message: 'dateTimeTimeZone.dateTime is required.' },
    };
  }
  const zoneName = typeof t.timeZone === 'string' && t.timeZone ? t.timeZone : 'UTC';
  const iana = graphZoneToIana(zoneName);
  if (!iana) {
    return {
      error: {
        status: 400,
        code: 'TimeZoneNotSupportedException',
        message: `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${zoneName}'.`,
      },
    };
  }
  let local: string;
  try {
    local = normalizeLocal(t.dateTime.replace(/(Z|[+-]\d{2}:\d{2})$/, ''));
  } catch {
    return {
      error: {
        status: 400,
        code: 'RequestBodyRead',
        message: `Cannot convert '${t.dateTime}' to a date and time.`,
      },
    };
  }
  return { time: { local, zone: zoneName, instant: localToInstant(local, iana) } };
}

function checkRecurrence(r: GraphPatternedRecurrence): string | undefined {
  const p = r?.pattern;
  const range = r?.range;
  if (!p || !range) return 'Recurrence needs a pattern and a range.';
  if (!p.type || !PATTERN_TYPES.includes(p.type))
    return `Recurrence pattern type '${String(p.type)}' is invalid.`;
  if (!Number.isInteger(p.interval) || (p.interval ?? 0) < 1)
    return 'Recurrence pattern interval must be at least 1.';
  if ((p.type === 'weekly' || p.type.startsWith('relative')) && !p.daysOfWeek?.length) {
    return `Recurrence pattern type '${p.type}' requires daysOfWeek.`;
  }
  if (p.type.startsWith('absolute') && !(p.dayOfMonth && p.dayOfMonth >= 1 && p.dayOfMonth <= 31)) {
    return `Recurrence pattern type '${p.type}' requires dayOfMonth between 1 and 31.`;
  }
  if (p.type.endsWith('Yearly') && !(p.month && p.month >= 1 && p.month <= 12)) {
    return `Recurrence pattern type '${p.type}' requires month between 1 and 12.`;
  }
  if (!range.type || !RANGE_TYPES.includes(range.type))
    return `Recurrence range type '${String(range.type)}' is invalid.`;
  if (!range.startDate || !/^\d{4}-\d{2}-\d{2}$/.test(range.startDate))
    return 'Recurrence range startDate is required.';
  if (range.type === 'endDate' && !(range.endDate && range.endDate >= range.startDate)) {
    return 'Recurrence range endDate must be on or after startDate.';
  }
  if (range.type === 'numbered' && !((range.numberOfOccurrences ?? 0) > 0)) {
    return 'Recurrence range numberOfOccurrences must be positive.';
  }
  return undefined;
}
