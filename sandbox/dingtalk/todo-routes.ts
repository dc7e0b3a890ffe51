import type { FakeState } from './fake-state';
import type { FakeRequest, Route } from './routing';
import {
  appBizTag,
  LIMITS,
  NATIVE_BIZ_TAG,
  rolesOf,
  todoError,
  todosOf,
  type StoredTodo,
  type TodoFields,
} from './todo-store';
import { errors, requestId } from './wire-errors';

/**
 * todo_1_0 as an internal app calls it (DingTalk's documentation and the official SDK's models,
 * schemas/dingtalk-api.json): CreateTodoTask, GetTodoTask, GetTodoTaskBySourceId, UpdateTodoTask,
 * UpdateTodoTaskExecutorStatus, DeleteTodoTask, and the two listings QueryTodoTasks and QueryOrgTodoTasks.
 * The path's unionId is the user the to-do is read or written for; operatorId (query) who does it. All are
 * metered and limited per API by the pipeline like every v1.0 API.
 */

const BASE = '/v1.0/todo/users/{unionId}';
const TASKS = `${BASE}/tasks`;
const TASK = `${TASKS}/{taskId}`;
const ROLES = ['executor', 'creator', 'participant'];
const ORDER_BY = ['created', 'modified', 'dueTime', 'finished'];
const PRIORITIES = [10, 20, 30, 40];

export function todoRoutes(state: FakeState): Route[] {
  const store = todosOf(state);
  const member = (unionId: string) => state.org.byUnionId(unionId) !== undefined;
  const userOf = (req: FakeRequest): string => {
    const unionId = req.params.unionId!;
    if (!member(unionId)) throw errors.invalidParameter(`user ${unionId} is not in the org`);
    return unionId;
  };
  const operatorOf = (req: FakeRequest, unionId: string): string => {
    const operator = req.query.get('operatorId') || unionId;
    if (!member(operator)) throw errors.invalidParameter(`operatorId ${operator} is not in the org`);
    return operator;
  };
  /** Writes to a to-do another app made are refused ("task not belong to bizTag", DingTalk's error table). */
  const writable = (t: StoredTodo, op: 'Update' | 'Delete'): StoredTodo => {
    const own =
      t.bizTag === appBizTag(state) || (t.bizTag === NATIVE_BIZ_TAG && store.options.nativeWritable);
    if (!own) throw todoError(op, 'task not belong to bizTag');
    return t;
  };
  const route = (operation: string, method: string, template: string, handle: Route['handle']): Route => ({
    family: 'v1',
    operation,
    method,
    template,
    auth: true,
    handle,
  });

  return [
    route('CreateTodoTask', 'POST', TASKS, (req) => {
      const unionId = userOf(req);
      operatorOf(req, unionId);
      const fields = readFields(req.json, 'Create', member);
      if (store.options.flowControlled > 0) {
        store.options.flowControlled--;
        throw todoError('Create', 'flowControl because of executorId or orgId');
      }
      const todo = store.create(appBizTag(state), unionId, fields);
      return { status: 200, body: { ...taskView(todo), requestId: requestId() } };
    }),
    route('GetTodoTask', 'GET', TASK, (req) => {
      userOf(req);
      const todo = store.get(req.params.taskId!, 'Query');
      return {
        status: 200,
        body: { ...taskView(todo), tenantId: state.identity.corpId, requestId: requestId() },
      };
    }),
    route('GetTodoTaskBySourceId', 'GET', `${TASKS}/sources/{sourceId}`, (req) => {
      userOf(req);
      const todo = store.bySourceId(appBizTag(state), req.params.sourceId!);
      if (!todo) throw todoError('Query', 'task not exist');
      return {
        status: 200,
        body: { ...taskView(todo), tenantId: state.identity.corpId, requestId: requestId() },
      };
    }),
    route('UpdateTodoTask', 'PUT', TASK, (req) => {
      const unionId = userOf(req);
      const operator = operatorOf(req, unionId);
      const fields = readFields(req.json, 'Update', member);
      const todo = writable(store.get(req.params.taskId!, 'Update'), 'Update');
      store.update(todo, operator, fields);
      return { status: 200, body: { result: true } };
    }),
    route('UpdateTodoTaskExecutorStatus', 'PUT', `${TASK}/executorStatus`, (req) => {
      const unionId = userOf(req);
      const operator = operatorOf(req, unionId);
      const list = (req.json as { executorStatusList?: unknown } | undefined)?.executorStatusList;
      if (!Array.isArray(list) || list.length === 0) throw todoError('Update', 'todo.taskUpdate.paramError');
      const todo = writable(store.get(req.params.taskId!, 'Update'), 'Update');
      for (const item of list as { id?: unknown; isDone?: unknown }[]) {
        if (
          typeof item.id !== 'string' ||
          typeof item.isDone !== 'boolean' ||
          !todo.executorIds.includes(item.id)
        )
          throw todoError('Update', 'todo.taskUpdate.paramError');
        store.setExecutorDone(todo, operator, item.id, item.isDone);
      }
      return { status: 200, body: { result: true } };
    }),
    route('DeleteTodoTask', 'DELETE', TASK, (req) => {
      const unionId = userOf(req);
      const operator = operatorOf(req, unionId);
      const todo = writable(store.get(req.params.taskId!, 'Delete'), 'Delete');
      store.recycle(todo, operator);
      return { status: 200, body: { result: true, requestId: requestId() } };
    }),
    route('QueryTodoTasks', 'POST', `${TASKS}/list`, (req) => {
      const unionId = userOf(req);
      const q = readQuery(req.json, true);
      const page = pageOf(
        store.related(unionId).filter((t) => matches(t, unionId, q)),
        q,
        store.options.pageSize,
      );
      const body: Record<string, unknown> = {
        todoCards: page.items.map((t) => cardView(t)),
        totalCount: page.total,
      };
      if (page.nextToken) body.nextToken = page.nextToken;
      return { status: 200, body };
    }),
    route('QueryOrgTodoTasks', 'POST', `${BASE}/org/tasks/query`, (req) => {
      const unionId = userOf(req);
      const q = readQuery(req.json, false);
      const page = pageOf(
        store.related(unionId).filter((t) => matches(t, unionId, q)),
        q,
        store.options.pageSize,
      );
      const body: Record<string, unknown> = {
        todoCards: page.items.map((t) => ({
          ...cardView(t),
          ...(t.todoType ? { todoType: t.todoType } : {}),
        })),
      };
      if (page.nextToken) body.nextToken = page.nextToken;
      return { status: 200, body };
    }),
  ];
}

/** The to-do object of CreateTodoTask, GetTodoTask and GetTodoTaskBySourceId. */
export function taskView(t: StoredTodo): Record<string, unknown> {
  return {
    id: t.id,
    subject: t.subject,
    description: t.description,
    done: t.done,
    ...(t.dueTime !== undefined ? { dueTime: t.dueTime } : {}),
    startTime: t.startTime,
    finishTime: t.finishTime,
    createdTime: t.createdTime,
    modifiedTime: t.modifiedTime,
    creatorId: t.creatorId,
    modifierId: t.modifierId,
    executorIds: [...t.executorIds],
    participantIds: [...t.participantIds],
    ...(t.priority !== undefined ? { priority: t.priority } : {}),
    isOnlyShowExecutor: t.isOnlyShowExecutor,
    ...(t.detailUrl ? { detailUrl: { ...t.detailUrl } } : {}),
    bizTag: t.bizTag,
    source: t.bizTag,
    ...(t.sourceId !== undefined ? { sourceId: t.sourceId } : {}),
  };
}

function cardView(t: StoredTodo): Record<string, unknown> {
  return {
    taskId: t.id,
    subject: t.subject,
    ...(t.dueTime !== undefined ? { dueTime: t.dueTime } : {}),
    isDone: t.done,
    ...(t.priority !== undefined ? { priority: t.priority } : {}),
    ...(t.sourceId !== undefined ? { sourceId: t.sourceId } : {}),
    bizTag: t.bizTag,
    creatorId: t.creatorId,
    createdTime: t.createdTime,
    modifiedTime: t.modifiedTime,
    ...(t.detailUrl ? { detailUrl: { ...t.detailUrl } } : {}),
  };
}

interface Query {
  nextToken?: string;
  isDone?: boolean;
  roleTypes: string[][];
  fromDueTime?: number;
  toDueTime?: number;
  isRecycled: boolean;
  orderBy?: string;
  orderDirection: 'asc' | 'desc';
}

function readQuery(json: unknown, full: boolean): Query {
  const b = (json ?? {}) as Record<string, unknown>;
  const bad = (what: string) => errors.invalidParameter(what);
  if (typeof b !== 'object' || Array.isArray(b)) throw bad('body');
  const q: Query = {
    roleTypes: [['executor'], ['creator'], ['participant']],
    isRecycled: false,
    orderDirection: 'desc',
  };
  if (b.nextToken !== undefined && b.nextToken !== null && b.nextToken !== '') {
    if (typeof b.nextToken !== 'string') throw bad('nextToken');
    q.nextToken = b.nextToken;
  }
  if (b.isDone !== undefined) {
    if (typeof b.isDone !== 'boolean') throw bad('isDone');
    q.isDone = b.isDone;
  }
  if (b.roleTypes !== undefined) {
    const r = b.roleTypes;
    if (!Array.isArray(r) || r.some((g) => !Array.isArray(g) || g.some((x) => !ROLES.includes(x as string))))
      throw bad('roleTypes');
    if (r.length) q.roleTypes = r as string[][];
  }
  if (!full) return q;
  for (const name of ['fromDueTime', 'toDueTime'] as const) {
    if (b[name] === undefined) continue;
    if (!Number.isInteger(b[name])) throw bad(name);
    q[name] = b[name] as number;
  }
  if (b.isRecycled !== undefined) {
    if (typeof b.isRecycled !== 'boolean') throw bad('isRecycled');
    q.isRecycled = b.isRecycled;
  }
  if (b.orderBy !== undefined) {
    if (!ORDER_BY.includes(b.orderBy as string)) throw bad('orderBy');
    q.orderBy = b.orderBy as string;
  }
  if (b.orderDirection !== undefined) {
    if (b.orderDirection !== 'asc' && b.orderDirection !== 'desc') throw bad('orderDirection');
    q.orderDirection = b.orderDirection;
  }
  return q;
}

function matches(t: StoredTodo, unionId: string, q: Query): boolean {
  if (t.recycled !== q.isRecycled) return false;
  if (q.isDone !== undefined && t.done !== q.isDone) return false;
  if (q.fromDueTime !== undefined && (t.dueTime === undefined || t.dueTime < q.fromDueTime)) return false;
  if (q.toDueTime !== undefined && (t.dueTime === undefined || t.dueTime > q.toDueTime)) return false;
  const roles = rolesOf(t, unionId);
  // Outer list: any group; inner list: every role of the group (the SDK's array<array<string>>).
  return q.roleTypes.some((group) => group.every((role) => roles.has(role)));
}

/** Offset paging in the asked order (default: newest created first); the token is opaque to clients. */
function pageOf(all: StoredTodo[], q: Query, size: number) {
  const key = (t: StoredTodo) =>
    q.orderBy === 'modified'
      ? t.modifiedTime
      : q.orderBy === 'dueTime'
        ? (t.dueTime ?? 0)
        : q.orderBy === 'finished'
          ? t.finishTime
          : t.createdTime;
  const sign = q.orderDirection === 'asc' ? 1 : -1;
  const sorted = all.sort((a, b) => sign * (key(a) - key(b)) || a.id.localeCompare(b.id));
  let offset = 0;
  if (q.nextToken) {
    const decoded = Number(Buffer.from(q.nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw errors.invalidParameter('nextToken');
    offset = decoded;
  }
  const items = sorted.slice(offset, offset + size);
  const next =
    offset + size < sorted.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
  return { items, total: sorted.length, nextToken: next };
}

/** Body of CreateTodoTask / UpdateTodoTask, checked with DingTalk's error messages. */
function readFields(json: unknown, op: 'Create' | 'Update', member: (id: string) => boolean): TodoFields {
  const b = (json ?? {}) as Record<string, unknown>;
  const generic = () => todoError(op, `todo.task${op}.paramError`);
  if (typeof b !== 'object' || Array.isArray(b)) throw generic();
  const str = (name: string) => {
    if (b[name] === undefined) return undefined;
    if (typeof b[name] !== 'string') throw generic();
    return b[name] as string;
  };
  const ids = (name: string, limit: number, label: string) => {
    if (b[name] === undefined) return undefined;
    const v = b[name];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !member(x))) throw generic();
    if (v.length > limit) throw todoError(op, `${label} is oversize`);
    return [...new Set(v as string[])];
  };
  const f: TodoFields = {
    subject: str('subject'),
    description: str('description'),
    executorIds: ids('executorIds', LIMITS.executors, 'executors'),
    participantIds: ids('participantIds', LIMITS.participants, 'participants'),
  };
  if (f.subject !== undefined && f.subject.length > LIMITS.subject)
    throw todoError(op, 'subject is oversize');
  if (f.description !== undefined && f.description.length > LIMITS.description)
    throw todoError(op, 'description is oversize');
  if (b.dueTime !== undefined && b.dueTime !== null) {
    if (!Number.isInteger(b.dueTime) || (b.dueTime as number) < 0) throw todoError(op, 'dueTime is invalid');
    f.dueTime = b.dueTime as number;
  }
  if (b.done !== undefined) {
    if (typeof b.done !== 'boolean') throw generic();
    f.done = b.done;
  }
  if (op === 'Update') return f;
  if (!f.subject) throw generic();
  f.sourceId = str('sourceId');
  f.creatorId = str('creatorId');
  if (f.creatorId !== undefined && !member(f.creatorId)) throw generic();
  f.todoType = str('todoType');
  if (b.priority !== undefined) {
    if (!PRIORITIES.includes(b.priority as number)) throw generic();
    f.priority = b.priority as number;
  }
  if (b.isOnlyShowExecutor !== undefined) {
    if (typeof b.isOnlyShowExecutor !== 'boolean') throw generic();
    f.isOnlyShowExecutor = b.isOnlyShowExecutor;
  }
  if (b.reminderTimeStamp !== undefined) {
    if (!Number.isInteger(b.reminderTimeStamp)) throw generic();
    f.reminderTimeStamp = b.reminderTimeStamp as number;
  }
  if (b.detailUrl !== undefined) {
    const d = b.detailUrl as { appUrl?: unknown; pcUrl?: unknown };
    if (typeof d !== 'object' || d === null) throw generic();
    f.detailUrl = {
      ...(typeof d.appUrl === 'string' ? { appUrl: d.appUrl } : {}),
      ...(typeof d.pcUrl === 'string' ? { pcUrl: d.pcUrl } : {}),
    };
  }
  return f;
}

export { readFields as readTodoFields };
