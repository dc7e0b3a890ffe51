import { z } from 'zod';
import type { JsonObject } from '../json-object';

/**
 * Decrypted DingTalk HTTP-push events (DingTalk's documentation), typed. Events are hints: the worker
 * re-reads the calendar or user, so only the fields that say *what to re-read* are required.
 */

export const DIRECTORY_EVENT_TYPES = [
  'user_add_org',
  'user_modify_org',
  'user_leave_org',
  'user_active_org',
] as const;
export type DirectoryEventType = (typeof DIRECTORY_EVENT_TYPES)[number];

export type CalendarChangeType = 'created' | 'updated' | 'cancelled' | (string & {});

export interface CheckUrlEvent {
  type: 'check_url';
}

export interface CalendarEventChange {
  type: 'calendar_event_change';
  calendarEventId: string;
  changeType: CalendarChangeType;
  unionIds: string[];
  calendarId?: string;
  calendarEventUpdateTime?: number;
  eventTime?: number;
  bizId?: string;
  corpId?: string;
  operatorType?: string;
}

export interface DirectoryChange {
  type: DirectoryEventType;
  userIds: string[];
  corpId?: string;
  timeStamp?: number;
}

/** An event type we did not subscribe to or do not handle; kept so the caller can log it. */
export interface UnknownEvent {
  type: 'unknown';
  eventType: string;
}

/**
 * A known event type whose payload lacks what we need. It is still authentic, so it is acknowledged rather than
 * rejected: a 4xx would only make DingTalk retry a delivery that can never succeed. The safety sweep covers it.
 */
export interface MalformedEvent {
  type: 'malformed';
  eventType: string;
  problem: string;
}

export type DingTalkEvent =
  CheckUrlEvent | CalendarEventChange | DirectoryChange | UnknownEvent | MalformedEvent;

export type Hint =
  | { scope: 'calendar'; unionId: string }
  | { scope: 'directory'; userIds: string[]; change: DirectoryEventType };

const id = z.string().min(1).max(512);
const optionalText = z.string().optional().catch(undefined);
const optionalNumber = z.coerce.number().int().optional().catch(undefined);

const calendarPayload = z.object({
  CalendarEventId: id,
  ChangeType: id,
  UnionIdList: z.array(id),
  CalendarId: optionalText,
  CalendarEventUpdateTime: optionalNumber,
  EventTime: optionalNumber,
  BizId: z.union([z.string(), z.number()]).transform(String).optional().catch(undefined),
  CorpId: optionalText,
  operator: z.object({ type: z.string() }).optional().catch(undefined),
});

const directoryPayload = z.object({
  UserId: z.array(id),
  CorpId: optionalText,
  TimeStamp: optionalNumber,
});

const isDirectoryEventType = (type: string): type is DirectoryEventType =>
  (DIRECTORY_EVENT_TYPES as readonly string[]).includes(type);

const problemOf = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');

/** Answers undefined when the text is not a JSON object with a string EventType (then it is not an event at all). */
export function parseDingTalkEvent(payload: JsonObject): DingTalkEvent | undefined {
  const eventType = payload['EventType'];
  if (typeof eventType !== 'string' || eventType.length === 0) return undefined;

  if (eventType === 'check_url') return { type: 'check_url' };

  if (eventType === 'calendar_event_change') {
    const parsed = calendarPayload.safeParse(payload);
    if (!parsed.success) return { type: 'malformed', eventType, problem: problemOf(parsed.error) };
    const p = parsed.data;
    return {
      type: 'calendar_event_change',
      calendarEventId: p.CalendarEventId,
      changeType: p.ChangeType,
      unionIds: p.UnionIdList,
      calendarId: p.CalendarId,
      calendarEventUpdateTime: p.CalendarEventUpdateTime,
      eventTime: p.EventTime,
      bizId: p.BizId,
      corpId: p.CorpId,
      operatorType: p.operator?.type,
    };
  }

  if (isDirectoryEventType(eventType)) {
    const parsed = directoryPayload.safeParse(payload);
    if (!parsed.success) return { type: 'malformed', eventType, problem: problemOf(parsed.error) };
    return {
      type: eventType,
      userIds: parsed.data.UserId,
      corpId: parsed.data.CorpId,
      timeStamp: parsed.data.TimeStamp,
    };
  }

  return { type: 'unknown', eventType };
}

/** Calendar changes give one hint per attendee's unionId, directory changes one per user; duplicates are dropped. */
export function hintsFor(event: DingTalkEvent): Hint[] {
  switch (event.type) {
    case 'calendar_event_change':
      return unique(event.unionIds).map((unionId) => ({ scope: 'calendar', unionId }));
    case 'user_add_org':
    case 'user_modify_org':
    case 'user_leave_org':
    case 'user_active_org':
      return unique(event.userIds).map((userId) => ({
        scope: 'directory',
        userIds: [userId],
        change: event.type,
      }));
    default:
      return [];
  }
}

const unique = (values: string[]): string[] => [...new Set(values)];
