import { createHash } from 'node:crypto';
import type { TodoImportance, TodoTask } from '../../sync/todo-task';
import { instantToLocal, localToInstant } from '../../sync/zoned-time';

/**
 * DingTalk to-do JSON (todo_1_0, the models of npm @alicloud/dingtalk) ↔ TodoTask. Times on the wire are epoch
 * milliseconds; the projection keeps the due day and time of day on the owner's wall clock.
 */

/** The to-do object of CreateTodoTask, GetTodoTask and GetTodoTaskBySourceId. */
export interface WireTodo {
  id: string;
  subject?: string;
  description?: string;
  done?: boolean;
  dueTime?: number;
  finishTime?: number;
  createdTime?: number;
  modifiedTime?: number;
  creatorId?: string;
  executorIds?: string[];
  participantIds?: string[];
  /** 10 low, 20 normal, 30 urgent, 40 very urgent (the SDK's field comment). */
  priority?: number;
  bizTag?: string;
  sourceId?: string;
}

/** One card of QueryTodoTasks: no description, no executors. */
export interface WireTodoCard {
  taskId: string;
  subject?: string;
  dueTime?: number;
  isDone?: boolean;
  priority?: number;
  sourceId?: string;
  bizTag?: string;
  createdTime?: number;
  modifiedTime?: number;
}

export interface WireTodoCardPage {
  todoCards?: WireTodoCard[];
  nextToken?: string;
  totalCount?: number;
}

export interface WireTodoCreate {
  subject: string;
  description?: string;
  sourceId: string;
  creatorId: string;
  executorIds: string[];
  priority: number;
  dueTime?: number;
  reminderTimeStamp?: number;
}

export interface WireTodoUpdate {
  subject?: string;
  description?: string;
  dueTime?: number;
  done?: boolean;
}

/**
 * A due day without a time of day is written as 23:59 on the owner's clock, so the to-do is not overdue until that
 * day is over (DingTalk publishes no all-day convention); 23:59 is read back as "no time of day".
 */
export const ALL_DAY_DUE_TIME = '23:59';

const PRIORITY: Record<TodoImportance, number> = { low: 10, normal: 20, high: 30 };

export function priorityOf(importance: TodoImportance): number {
  return PRIORITY[importance];
}

/** 10 → low, 20 (or none) → normal, 30 urgent / 40 very urgent → high. */
export function importanceOf(priority: number | undefined): TodoImportance {
  if (priority === undefined || priority === null) return 'normal';
  if (priority <= 10) return 'low';
  if (priority >= 30) return 'high';
  return 'normal';
}

export interface MappedTodo {
  projection: TodoTask;
  /** The sourceId the to-do was created with: our origin key for the to-dos we made. */
  originKey?: string;
}

export function todoFromWire(w: WireTodo, timeZone: string): MappedTodo {
  const projection: TodoTask = {
    subject: w.subject ?? '',
    body: w.description ?? '',
    done: w.done === true,
    importance: importanceOf(w.priority),
  };
  if (isInstant(w.dueTime)) Object.assign(projection, dueFromInstant(w.dueTime, timeZone));
  if (projection.done && isInstant(w.finishTime)) {
    projection.completedAt = new Date(w.finishTime).toISOString();
  }
  return w.sourceId ? { projection, originKey: w.sourceId } : { projection };
}

/** The due instant on the owner's clock: the day, and the time of day unless it is the all-day time. */
export function dueFromInstant(ms: number, timeZone: string): { dueDate: string; dueTime?: string } {
  const local = instantToLocal(ms, timeZone);
  const time = local.slice(11, 16);
  return time === ALL_DAY_DUE_TIME
    ? { dueDate: local.slice(0, 10) }
    : { dueDate: local.slice(0, 10), dueTime: time };
}

/** The instant of a due day at a time of day (default: the all-day time) on the owner's clock. */
export function dueInstant(dueDate: string, dueTime: string | undefined, timeZone: string): number {
  return localToInstant(`${dueDate}T${dueTime ?? ALL_DAY_DUE_TIME}:00`, timeZone);
}

/** The time of day (HH:mm) of an instant on the owner's clock. */
export function timeOfDay(ms: number, timeZone: string): string {
  return instantToLocal(ms, timeZone).slice(11, 16);
}

export function todoCreateBody(
  projection: TodoTask,
  originKey: string,
  unionId: string,
  timeZone: string,
): WireTodoCreate {
  const body: WireTodoCreate = {
    subject: projection.subject,
    sourceId: originKey,
    creatorId: unionId,
    executorIds: [unionId],
    priority: priorityOf(projection.importance),
  };
  if (projection.body) body.description = projection.body;
  if (projection.dueDate) body.dueTime = dueInstant(projection.dueDate, projection.dueTime, timeZone);
  const reminder = projection.reminderAt ? Date.parse(projection.reminderAt) : NaN;
  if (Number.isFinite(reminder)) body.reminderTimeStamp = reminder;
  return body;
}

/**
 * What UpdateTodoTask must send to turn `current` into `projection`: only the fields that differ, or undefined when
 * none does. Its request has no priority and no reminder (npm @alicloud/dingtalk, todo_1_0 UpdateTodoTaskRequest),
 * so those stay as they are. A due time left open keeps the current time of day on the new day. The SDK drops null
 * fields, so a due date cannot be removed through the API: a projection without one leaves DingTalk's as it is.
 */
export function todoUpdateBody(
  projection: TodoTask,
  current: WireTodo,
  timeZone: string,
): WireTodoUpdate | undefined {
  const body: WireTodoUpdate = {};
  if (projection.subject !== (current.subject ?? '')) body.subject = projection.subject;
  if (projection.body !== (current.description ?? '')) body.description = projection.body;
  if (projection.dueDate) {
    const time =
      projection.dueTime ?? (isInstant(current.dueTime) ? timeOfDay(current.dueTime, timeZone) : undefined);
    const due = dueInstant(projection.dueDate, time, timeZone);
    if (due !== current.dueTime) body.dueTime = due;
  }
  if (projection.done !== (current.done === true)) body.done = projection.done;
  return Object.keys(body).length > 0 ? body : undefined;
}

/**
 * modifiedTime, plus a short hash of what every to-do answer carries: two changes within the same millisecond
 * still give two versions, so a conditional write never mistakes an edit for the version it read.
 */
export function todoVersionOf(w: WireTodo): string {
  const content = JSON.stringify([
    w.subject ?? '',
    w.description ?? '',
    w.dueTime ?? null,
    w.done === true,
    w.priority ?? null,
  ]);
  const hash = createHash('sha256').update(content).digest('base64url').slice(0, 10);
  return `${w.modifiedTime ?? ''}#${hash}`;
}

/** An epoch-millisecond field that is set (0 or absent: none). */
function isInstant(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
