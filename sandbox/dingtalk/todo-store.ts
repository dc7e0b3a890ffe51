import { randomBytes } from 'node:crypto';
import type { FakeState } from './fake-state';
import { FakeApiError } from './wire-errors';

/**
 * DingTalk to-dos (todo_1_0) as the fake keeps them, one store per fake. Each to-do carries the bizTag of the app
 * that created it: the app's own writes get `todo_open_<appKey>` (the shape in DingTalk's CreateTodoTask example),
 * a person's to-dos in the DingTalk app get the native tag, and another app's get that app's tag. `sourceId` is
 * unique per bizTag, and stays taken after a delete (a deleted to-do goes to the recycle bin, which QueryTodoTasks
 * lists with isRecycled). What DingTalk leaves undocumented is listed in docs/dingtalk.md, "To-dos".
 */

export const NATIVE_BIZ_TAG = 'dingtalk_todo';

export interface StoredTodo {
  id: string;
  bizTag: string;
  sourceId?: string;
  subject: string;
  description: string;
  dueTime?: number;
  startTime: number;
  finishTime: number;
  done: boolean;
  createdTime: number;
  modifiedTime: number;
  creatorId: string;
  modifierId: string;
  executorIds: string[];
  participantIds: string[];
  /** 10 low, 20 normal, 30 urgent, 40 very urgent (the SDK's field comment). */
  priority?: number;
  isOnlyShowExecutor: boolean;
  detailUrl?: { appUrl?: string; pcUrl?: string };
  reminderTimeStamp?: number;
  todoType?: string;
  /** Executors who ticked it off (UpdateTodoTaskExecutorStatus). */
  executorDone: Set<string>;
  recycled: boolean;
}

export interface TodoFields {
  sourceId?: string;
  subject?: string;
  description?: string;
  dueTime?: number | null;
  done?: boolean;
  creatorId?: string;
  executorIds?: string[];
  participantIds?: string[];
  priority?: number;
  isOnlyShowExecutor?: boolean;
  detailUrl?: { appUrl?: string; pcUrl?: string };
  reminderTimeStamp?: number;
  todoType?: string;
}

export interface TodoOptions {
  /** Whether the app may write to-dos people made in the DingTalk app (unknown for the real service: default no). */
  nativeWritable: boolean;
  /** Cards per page of QueryTodoTasks / QueryOrgTodoTasks (DingTalk does not say; default 20). */
  pageSize: number;
  /** Creates still to be refused with todo.taskCreate.flowControlError. */
  flowControlled: number;
}

/** Limits the fake applies (DingTalk names the errors, not the numbers). */
export const LIMITS = { subject: 1024, description: 4096, executors: 100, participants: 100 };

export const todoError = (op: 'Create' | 'Update' | 'Delete' | 'Query', message: string, status = 400) =>
  new FakeApiError(
    { status, code: status === 500 ? `todo.task${op}.systemError` : `todo.task${op}.paramError` },
    { errcode: 400002 },
    message,
  );

export class TodoStore {
  readonly todos = new Map<string, StoredTodo>();
  readonly options: TodoOptions = { nativeWritable: false, pageSize: 20, flowControlled: 0 };

  constructor(private readonly now: () => number) {}

  create(bizTag: string, creatorId: string, f: TodoFields): StoredTodo {
    if (f.sourceId !== undefined && this.bySourceId(bizTag, f.sourceId, true))
      throw todoError('Create', 'task exist');
    const now = this.now();
    const todo: StoredTodo = {
      id: `task${randomBytes(14).toString('hex')}`,
      bizTag,
      sourceId: f.sourceId,
      subject: f.subject ?? '',
      description: f.description ?? '',
      dueTime: f.dueTime ?? undefined,
      startTime: 0,
      finishTime: 0,
      done: false,
      createdTime: now,
      modifiedTime: now,
      creatorId: f.creatorId ?? creatorId,
      modifierId: creatorId,
      executorIds: f.executorIds ?? [f.creatorId ?? creatorId],
      participantIds: f.participantIds ?? [],
      priority: f.priority,
      isOnlyShowExecutor: f.isOnlyShowExecutor ?? false,
      detailUrl: f.detailUrl,
      reminderTimeStamp: f.reminderTimeStamp,
      todoType: f.todoType,
      executorDone: new Set(),
      recycled: false,
    };
    if (f.done) this.setDone(todo, true, now);
    this.todos.set(todo.id, todo);
    return todo;
  }

  /** A live (not recycled) to-do, or `task not exist`. */
  get(id: string, op: 'Update' | 'Delete' | 'Query'): StoredTodo {
    const todo = this.todos.get(id);
    if (!todo || todo.recycled) throw todoError(op, 'task not exist');
    return todo;
  }

  bySourceId(bizTag: string, sourceId: string, includeRecycled = false): StoredTodo | undefined {
    for (const t of this.todos.values())
      if (t.bizTag === bizTag && t.sourceId === sourceId && (includeRecycled || !t.recycled)) return t;
    return undefined;
  }

  update(todo: StoredTodo, operator: string, f: TodoFields): StoredTodo {
    const now = this.now();
    if (f.subject !== undefined) todo.subject = f.subject;
    if (f.description !== undefined) todo.description = f.description;
    if (f.dueTime !== undefined) todo.dueTime = f.dueTime ?? undefined;
    if (f.executorIds !== undefined) todo.executorIds = f.executorIds;
    if (f.participantIds !== undefined) todo.participantIds = f.participantIds;
    if (f.priority !== undefined) todo.priority = f.priority;
    if (f.done !== undefined && f.done !== todo.done) this.setDone(todo, f.done, now);
    todo.modifiedTime = now;
    todo.modifierId = operator;
    return todo;
  }

  /** One executor ticks it off; the to-do is done once every executor has (the fake's reading of isDone). */
  setExecutorDone(todo: StoredTodo, operator: string, executor: string, isDone: boolean): void {
    const now = this.now();
    if (isDone) todo.executorDone.add(executor);
    else todo.executorDone.delete(executor);
    const all = todo.executorIds.length > 0 && todo.executorIds.every((id) => todo.executorDone.has(id));
    if (all !== todo.done) {
      todo.done = all;
      todo.finishTime = all ? now : 0;
    }
    todo.modifiedTime = now;
    todo.modifierId = operator;
  }

  recycle(todo: StoredTodo, operator: string): void {
    todo.recycled = true;
    todo.modifiedTime = this.now();
    todo.modifierId = operator;
  }

  /** Every to-do in which the user has one of the roles (executor, creator, participant). */
  related(unionId: string): StoredTodo[] {
    return [...this.todos.values()].filter((t) => rolesOf(t, unionId).size > 0);
  }

  private setDone(todo: StoredTodo, done: boolean, now: number): void {
    todo.done = done;
    todo.finishTime = done ? now : 0;
    todo.executorDone = done ? new Set(todo.executorIds) : new Set();
  }
}

export function rolesOf(t: StoredTodo, unionId: string): Set<string> {
  const roles = new Set<string>();
  if (t.executorIds.includes(unionId)) roles.add('executor');
  if (t.creatorId === unionId) roles.add('creator');
  if (t.participantIds.includes(unionId)) roles.add('participant');
  return roles;
}

const byFake = new WeakMap<FakeState, TodoStore>();

export function todosOf(state: FakeState): TodoStore {
  let store = byFake.get(state);
  if (!store) {
    store = new TodoStore(() => state.clock.now());
    byFake.set(state, store);
  }
  return store;
}

/** The bizTag of the app the fake serves. */
export const appBizTag = (state: FakeState) => `todo_open_${state.identity.appKey}`;
