import type { TodoImportance, TodoTask } from '../../sync/todo-task';
import { hasOffset, instantToLocal, localToInstant } from '../../sync/zoned-time';
import { htmlToText, normalizePlainText } from './html-to-text';
import type { GraphDateTimeTimeZone } from './wire-types';
import { toIanaZone } from './windows-time-zones';

/**
 * Microsoft To Do's todoTask (Graph v1.0) ↔ TodoTask. To Do keeps only the day of a due date: midnight of that day
 * in the zone the client named (microsoftgraph/microsoft-graph-docs#16991), read back in the zone the reader asks
 * for with Prefer: outlook.timezone. Reading and writing in the owner's zone keeps the day from moving.
 */

export type GraphTaskStatus = 'notStarted' | 'inProgress' | 'completed' | 'waitingOnOthers' | 'deferred';

export interface GraphLinkedResource {
  id?: string;
  applicationName?: string | null;
  displayName?: string | null;
  externalId?: string | null;
  webUrl?: string | null;
}

export interface GraphTodoTask {
  '@odata.etag'?: string;
  '@removed'?: { reason?: string };
  id: string;
  title?: string | null;
  body?: { content?: string | null; contentType?: 'text' | 'html' } | null;
  importance?: TodoImportance;
  status?: GraphTaskStatus;
  dueDateTime?: GraphDateTimeTimeZone | null;
  reminderDateTime?: GraphDateTimeTimeZone | null;
  completedDateTime?: GraphDateTimeTimeZone | null;
  isReminderOn?: boolean;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  recurrence?: unknown;
  linkedResources?: GraphLinkedResource[];
}

export interface GraphTodoTaskList {
  '@odata.etag'?: string;
  id: string;
  displayName?: string;
  wellknownListName?: string;
}

/** What we send: never recurrence, which stays as Outlook has it (see OutlookTodoAdapter.update). */
export interface GraphTodoTaskWrite {
  title?: string;
  body?: { content: string; contentType: 'text' };
  importance?: TodoImportance;
  status?: GraphTaskStatus;
  dueDateTime?: GraphDateTimeTimeZone | null;
  reminderDateTime?: GraphDateTimeTimeZone | null;
  isReminderOn?: boolean;
  completedDateTime?: GraphDateTimeTimeZone;
  linkedResources?: GraphLinkedResource[];
}

/** The applicationName of the linked resource that carries our origin key (its externalId). */
export const LINKED_APP_NAME = 'DingTalk Sync';
/** What To Do shows for that link. */
export const LINKED_DISPLAY_NAME = 'DingTalk';

export interface MappedTodo {
  projection: TodoTask;
  originKey?: string;
}

export function todoFromGraph(t: GraphTodoTask, timeZone: string): MappedTodo {
  const done = t.status === 'completed';
  const projection: TodoTask = {
    subject: t.title ?? '',
    body: bodyText(t.body),
    done,
    importance: t.importance ?? 'normal',
  };
  const due = t.dueDateTime?.dateTime ? dayOf(t.dueDateTime, timeZone) : undefined;
  if (due) projection.dueDate = due;
  const completed = done ? instantOf(t.completedDateTime) : undefined;
  if (completed !== undefined) projection.completedAt = new Date(completed).toISOString();
  const reminder = t.isReminderOn ? instantOf(t.reminderDateTime) : undefined;
  if (reminder !== undefined) projection.reminderAt = minuteIso(reminder);
  const originKey = originKeyOf(t);
  return originKey ? { projection, originKey } : { projection };
}

export function originKeyOf(t: GraphTodoTask): string | undefined {
  return (
    t.linkedResources?.find((r) => r.applicationName === LINKED_APP_NAME && r.externalId)?.externalId ??
    undefined
  );
}

/** A new task in the product's list, with the origin key as a linked resource. */
export function todoCreateBody(p: TodoTask, originKey: string, timeZone: string): GraphTodoTaskWrite {
  const body: GraphTodoTaskWrite = {
    title: p.subject,
    body: textBody(p.body),
    importance: p.importance,
    status: p.done ? 'completed' : 'notStarted',
    isReminderOn: p.reminderAt !== undefined,
    linkedResources: [
      { applicationName: LINKED_APP_NAME, externalId: originKey, displayName: LINKED_DISPLAY_NAME },
    ],
  };
  if (p.dueDate) body.dueDateTime = dueWrite(p.dueDate, timeZone);
  if (p.reminderAt) body.reminderDateTime = utcWrite(Date.parse(p.reminderAt));
  if (p.done && p.completedAt) body.completedDateTime = utcWrite(Date.parse(p.completedAt));
  return body;
}

/**
 * The PATCH that turns `current` into `p`, with only what differs; undefined when nothing does. An open task is
 * reopened only from completed: inProgress, waitingOnOthers and deferred are open too, and stay as they are.
 */
export function todoPatchBody(
  p: TodoTask,
  current: GraphTodoTask,
  timeZone: string,
): GraphTodoTaskWrite | undefined {
  const held = todoFromGraph(current, timeZone).projection;
  const body: GraphTodoTaskWrite = {};
  if (p.subject !== held.subject) body.title = p.subject;
  if (normalizePlainText(p.body) !== held.body) body.body = textBody(p.body);
  if (p.importance !== held.importance) body.importance = p.importance;
  if ((p.dueDate ?? '') !== (held.dueDate ?? ''))
    body.dueDateTime = p.dueDate ? dueWrite(p.dueDate, timeZone) : null;
  if (p.done && !held.done) {
    body.status = 'completed';
    if (p.completedAt) body.completedDateTime = utcWrite(Date.parse(p.completedAt));
  } else if (!p.done && held.done) {
    body.status = 'notStarted';
  }
  if (reminderMinute(p.reminderAt) !== held.reminderAt) {
    body.isReminderOn = p.reminderAt !== undefined;
    if (p.reminderAt) body.reminderDateTime = utcWrite(Date.parse(p.reminderAt));
  }
  return Object.keys(body).length > 0 ? body : undefined;
}

function bodyText(body: GraphTodoTask['body']): string {
  const content = body?.content ?? '';
  return body?.contentType === 'html' ? htmlToText(content) : normalizePlainText(content);
}

const textBody = (text: string) => ({ contentType: 'text' as const, content: normalizePlainText(text) });

/** Midnight of the day on the owner's clock: the form To Do keeps a due date in. */
const dueWrite = (day: string, timeZone: string): GraphDateTimeTimeZone => ({
  dateTime: `${day}T00:00:00`,
  timeZone,
});

const utcWrite = (ms: number): GraphDateTimeTimeZone => ({
  dateTime: new Date(ms).toISOString().slice(0, 19),
  timeZone: 'UTC',
});

/**
 * The due day on the owner's clock. Read in that zone (Prefer: outlook.timezone) it is the date as written; a task
 * answered in another zone is converted, so midnight of its day in a zone west of the owner's keeps its date.
 */
export function dayOf(dt: GraphDateTimeTimeZone, timeZone: string): string | undefined {
  if (!hasOffset(dt.dateTime) && toIanaZone(dt.timeZone) === timeZone) return dt.dateTime.slice(0, 10);
  const ms = instantOf(dt);
  return ms === undefined ? undefined : instantToLocal(ms, timeZone).slice(0, 10);
}

/** The instant of a dateTimeTimeZone (UTC when the zone is missing or unknown); undefined when unreadable. */
export function instantOf(dt: GraphDateTimeTimeZone | null | undefined): number | undefined {
  if (!dt?.dateTime) return undefined;
  try {
    const ms = hasOffset(dt.dateTime)
      ? Date.parse(dt.dateTime)
      : localToInstant(dt.dateTime, toIanaZone(dt.timeZone) ?? 'UTC');
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** Reminders are compared and carried to the minute (To Do's own pickers offer no seconds). */
function minuteIso(ms: number): string {
  return `${new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16)}:00Z`;
}

function reminderMinute(reminderAt: string | undefined): string | undefined {
  if (!reminderAt) return undefined;
  const ms = Date.parse(reminderAt);
  return Number.isFinite(ms) ? minuteIso(ms) : undefined;
}
