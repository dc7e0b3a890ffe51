import { recordMerge } from './record-merge';

/**
 * The canonical to-do: what the DingTalk to-do adapter (todo_1_0) and the Outlook To Do adapter map to and from
 * (docs/todo-mapping.md says what is carried each way, and what is not).
 *
 * Dates are the owner's wall clock in the deployment's time zone (TODO_TIME_ZONE): Outlook To Do keeps only the day
 * of a due date (midnight in the zone the client names), so a due day is carried as a day, never as an instant
 * that a time-zone conversion could move to the day before.
 */
export type TodoImportance = 'low' | 'normal' | 'high';

export interface TodoTask {
  subject: string;
  /** Plain text. */
  body: string;
  /** Due day, YYYY-MM-DD, in the owner's zone; undefined = no due date. */
  dueDate?: string;
  /** Due time of day, HH:mm, in the owner's zone. DingTalk only: Outlook To Do keeps the day alone. */
  dueTime?: string;
  done: boolean;
  /** When it was completed, ISO 8601 UTC. Each side stamps its own (DingTalk's API cannot set it); never compared. */
  completedAt?: string;
  /** DingTalk priority 10 → low, 20 → normal, 30/40 → high; Outlook importance as is. */
  importance: TodoImportance;
  /** Reminder instant, ISO 8601 UTC to the minute. DingTalk takes one on create but never returns it. */
  reminderAt?: string;
}

/**
 * Fields merged one by one against the last synced values (record-merge.ts). DingTalk's UpdateTodoTask has no
 * priority (npm @alicloud/dingtalk, todo_1_0 UpdateTodoTaskRequest), so after creation DingTalk's priority leads.
 */
export const todoMerge = recordMerge<TodoTask>('todo1', {
  subject: 'both',
  body: 'both',
  dueDate: 'both',
  dueTime: 'dingtalk-only',
  done: 'both',
  completedAt: 'unhashed',
  importance: 'dingtalk-owned',
  reminderAt: 'outlook-only',
});

export const todoHash = (task: TodoTask): string => todoMerge.hash(task);

/** First-sync match key: the same to-do on both sides has the same subject and due day. */
export function todoMatchKeys(task: TodoTask): string[] {
  return [`todo:${normalizeText(task.subject)}|${task.dueDate ?? ''}`];
}

/** Case, width and runs of white space do not tell two names apart. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
