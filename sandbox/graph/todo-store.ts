import type { Clock } from '../../shared/platform/clock';
import { newChangeKey, newGuid, newItemId } from './ids';
import { occurrenceDates } from './recurrence';
import { localToInstant } from './todo-time';
import type { TodoRecurrence, TodoWrite } from './todo-validation';

/**
 * Microsoft To Do as Graph keeps it per user: task lists (every mailbox has "Tasks", wellknownListName
 * defaultList, and "Flagged email", flaggedEmails) and their tasks, with linked resources. Every change moves a
 * per-user sequence number, which the delta rounds read; deleted tasks leave tombstones. Dates follow what Graph
 * is observed to do (docs/graph.md, "To-dos"): a due date keeps only its day, a completion time only its UTC day.
 */

export interface StoredTodoList {
  id: string;
  displayName: string;
  wellknownListName: 'none' | 'defaultList' | 'flaggedEmails';
  changeKey: string;
}

export interface StoredLinkedResource {
  id: string;
  applicationName?: string;
  displayName?: string;
  externalId?: string;
  webUrl?: string;
}

/** A date that Graph keeps as a day: midnight of `date` in `zone`, the zone named as the client named it. */
export interface StoredDay {
  date: string;
  zone: string;
  zoneName: string;
}

export interface StoredTodoTask {
  id: string;
  listId: string;
  title?: string;
  body: { content: string; contentType: 'text' | 'html' };
  importance: 'low' | 'normal' | 'high';
  status: 'notStarted' | 'inProgress' | 'completed' | 'waitingOnOthers' | 'deferred';
  due?: StoredDay;
  /** Instants (ms). */
  startDateTime?: number;
  reminderDateTime?: number;
  completedDateTime?: number;
  isReminderOn: boolean;
  categories: string[];
  recurrence?: TodoRecurrence;
  createdDateTime: number;
  lastModifiedDateTime: number;
  bodyLastModifiedDateTime: number;
  changeKey: string;
  linkedResources: StoredLinkedResource[];
  seq: number;
  createdSeq: number;
}

interface Tombstone {
  id: string;
  listId: string;
  seq: number;
}

export interface TodoBox {
  lists: StoredTodoList[];
  tasks: Map<string, StoredTodoTask>;
  tombstones: Tombstone[];
  seq: number;
  /** Delta tokens of an older generation are refused (410). */
  generation: number;
}

const DAY_MS = 86_400_000;

export class TodoStore {
  private readonly boxes = new Map<string, TodoBox>();

  constructor(private readonly clock: Clock) {}

  box(userId: string): TodoBox {
    let box = this.boxes.get(userId);
    if (!box) {
      box = { lists: [], tasks: new Map(), tombstones: [], seq: 0, generation: 1 };
      box.lists.push(this.newList('Tasks', 'defaultList'), this.newList('Flagged email', 'flaggedEmails'));
      this.boxes.set(userId, box);
    }
    return box;
  }

  lists(userId: string): StoredTodoList[] {
    return this.box(userId).lists;
  }

  list(userId: string, listId: string): StoredTodoList | undefined {
    return this.box(userId).lists.find((l) => l.id === listId);
  }

  createList(userId: string, displayName: string): StoredTodoList {
    const list = this.newList(displayName, 'none');
    this.box(userId).lists.push(list);
    return list;
  }

  renameList(userId: string, listId: string, displayName: string): StoredTodoList | undefined {
    const list = this.list(userId, listId);
    if (!list) return undefined;
    list.displayName = displayName;
    list.changeKey = newChangeKey();
    return list;
  }

  deleteList(userId: string, listId: string): boolean {
    const box = this.box(userId);
    const before = box.lists.length;
    box.lists = box.lists.filter((l) => l.id !== listId);
    for (const t of [...box.tasks.values()]) if (t.listId === listId) box.tasks.delete(t.id);
    box.tombstones = box.tombstones.filter((t) => t.listId !== listId);
    return box.lists.length !== before;
  }

  tasks(userId: string, listId: string): StoredTodoTask[] {
    return [...this.box(userId).tasks.values()].filter((t) => t.listId === listId);
  }

  task(userId: string, taskId: string): StoredTodoTask | undefined {
    return this.box(userId).tasks.get(taskId);
  }

  create(userId: string, listId: string, write: TodoWrite): StoredTodoTask {
    const box = this.box(userId);
    const now = this.clock.now();
    const seq = ++box.seq;
    const task: StoredTodoTask = {
      id: newItemId(),
      listId,
      body: { content: '', contentType: 'text' },
      importance: 'normal',
      status: 'notStarted',
      isReminderOn: false,
      categories: [],
      createdDateTime: now,
      lastModifiedDateTime: now,
      bodyLastModifiedDateTime: now,
      changeKey: newChangeKey(),
      linkedResources: [],
      seq,
      createdSeq: seq,
    };
    box.tasks.set(task.id, task);
    this.apply(task, write, now);
    for (const r of write.linkedResources ?? []) task.linkedResources.push({ id: newGuid(), ...r });
    return task;
  }

  /**
   * Applies a PATCH. Completing a recurring task does what To Do does: the task stays completed without its
   * recurrence, and the next occurrence is created as a new task (Microsoft's To Do support article on repeating
   * tasks; seen through Graph in RogerSelwyn/MS365-ToDo#62 and #133). Answers the updated task and that new one.
   */
  update(
    userId: string,
    taskId: string,
    write: TodoWrite,
  ): { task: StoredTodoTask; next?: StoredTodoTask } | undefined {
    const box = this.box(userId);
    const task = box.tasks.get(taskId);
    if (!task) return undefined;
    const now = this.clock.now();
    const wasCompleted = task.status === 'completed';
    this.apply(task, write, now);
    task.lastModifiedDateTime = now;
    task.changeKey = newChangeKey();
    task.seq = ++box.seq;
    let next: StoredTodoTask | undefined;
    if (!wasCompleted && task.status === 'completed' && task.recurrence) {
      next = this.nextOccurrence(userId, task);
      task.recurrence = undefined;
    }
    return { task, next };
  }

  delete(userId: string, taskId: string): boolean {
    const box = this.box(userId);
    const task = box.tasks.get(taskId);
    if (!task) return false;
    box.tasks.delete(taskId);
    box.tombstones.push({ id: taskId, listId: task.listId, seq: ++box.seq });
    return true;
  }

  /** A linked resource added after creation is its own entity: the task's etag and delta are not touched. */
  addLinkedResource(
    userId: string,
    taskId: string,
    r: Omit<StoredLinkedResource, 'id'>,
  ): StoredLinkedResource | undefined {
    const task = this.task(userId, taskId);
    if (!task) return undefined;
    const stored = { id: newGuid(), ...r };
    task.linkedResources.push(stored);
    return stored;
  }

  deleteLinkedResource(userId: string, taskId: string, id: string): boolean {
    const task = this.task(userId, taskId);
    if (!task) return false;
    const before = task.linkedResources.length;
    task.linkedResources = task.linkedResources.filter((r) => r.id !== id);
    return task.linkedResources.length !== before;
  }

  changedSince(userId: string, listId: string, since: number) {
    const box = this.box(userId);
    return {
      tasks: this.tasks(userId, listId).filter((t) => t.seq > since),
      removed: box.tombstones.filter((t) => t.listId === listId && t.seq > since).map((t) => t.id),
    };
  }

  private apply(task: StoredTodoTask, w: TodoWrite, now: number): void {
    if (w.title !== undefined) task.title = w.title;
    if (w.body !== undefined) {
      task.body = w.body;
      task.bodyLastModifiedDateTime = now;
    }
    if (w.importance !== undefined) task.importance = w.importance;
    if (w.isReminderOn !== undefined) task.isReminderOn = w.isReminderOn;
    if (w.categories !== undefined) task.categories = w.categories;
    if (w.recurrence !== undefined) task.recurrence = w.recurrence ?? undefined;
    if (w.dueDateTime !== undefined)
      task.due = w.dueDateTime
        ? {
            date: w.dueDateTime.local.slice(0, 10),
            zone: w.dueDateTime.zone,
            zoneName: w.dueDateTime.zoneName,
          }
        : undefined;
    if (w.startDateTime !== undefined) task.startDateTime = w.startDateTime?.instant;
    if (w.reminderDateTime !== undefined) task.reminderDateTime = w.reminderDateTime?.instant;
    if (w.status !== undefined) {
      if (w.status === 'completed' && task.status !== 'completed') task.completedDateTime = utcDay(now);
      if (w.status !== 'completed') task.completedDateTime = undefined;
      task.status = w.status;
    }
    // An explicit completedDateTime is kept like To Do keeps its own: the UTC day only
    // (microsoftgraph/microsoft-graph-docs-contrib#5306, #8664).
    if (w.completedDateTime !== undefined && task.status === 'completed')
      task.completedDateTime = w.completedDateTime ? utcDay(w.completedDateTime.instant) : undefined;
  }

  private nextOccurrence(userId: string, done: StoredTodoTask): StoredTodoTask | undefined {
    const recurrence = done.recurrence!;
    const box = this.box(userId);
    const fromDate = done.due?.date ?? new Date(this.clock.now()).toISOString().slice(0, 10);
    const startDate = recurrence.range?.startDate ?? fromDate;
    const horizon = new Date(Date.parse(`${fromDate}T00:00:00Z`) + 800 * DAY_MS).toISOString().slice(0, 10);
    const nextDate = occurrenceDates(
      { ...recurrence, range: { ...recurrence.range, startDate } } as never,
      horizon,
    ).find((d) => d > fromDate);
    if (!nextDate) return undefined;
    const zone = done.due?.zone ?? 'UTC';
    const shift =
      localToInstant(`${nextDate}T00:00:00.000`, zone) - localToInstant(`${fromDate}T00:00:00.000`, zone);
    const now = this.clock.now();
    const seq = ++box.seq;
    const next: StoredTodoTask = {
      ...done,
      id: newItemId(),
      status: 'notStarted',
      completedDateTime: undefined,
      due: done.due && { ...done.due, date: nextDate },
      reminderDateTime: done.reminderDateTime !== undefined ? done.reminderDateTime + shift : undefined,
      recurrence,
      categories: [...done.categories],
      linkedResources: [],
      createdDateTime: now,
      lastModifiedDateTime: now,
      bodyLastModifiedDateTime: now,
      changeKey: newChangeKey(),
      seq,
      createdSeq: seq,
    };
    box.tasks.set(next.id, next);
    return next;
  }

  private newList(
    displayName: string,
    wellknownListName: StoredTodoList['wellknownListName'],
  ): StoredTodoList {
    return { id: newItemId(), displayName, wellknownListName, changeKey: newChangeKey() };
  }
}

/** Midnight UTC of the instant's UTC day. */
export const utcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
