import { answered, fail, hasRole, resolveUser, type FakeGraphServices, type GraphRequest } from './context';
import { sendEmpty, sendJson } from './http-util';
import { ifMatchAllows, STALE_CHANGE_KEY } from './if-match';
import type { TodoDeltaRow } from './todo-delta';
import { parseListFilter, parseTaskFilter } from './todo-filter';
import {
  parseTodoQuery,
  renderLinkedResource,
  renderList,
  renderTask,
  type TodoQuery,
  type TodoView,
} from './todo-render';
import type { StoredTodoList, StoredTodoTask } from './todo-store';
import type { TodoServices } from './todo-services';
import { todoServices } from './todo-services';
import { ianaZoneOf } from './todo-time';
import { parseLinkedResource, parseTodoWrite } from './todo-validation';

/**
 * Microsoft To Do of a user, app-only: /users/{id}/todo/lists[/{listId}], …/tasks (list, create, delta),
 * …/tasks/{taskId} (get, update, delete) and …/tasks/{taskId}/linkedResources. Application permissions
 * Tasks.Read.All / Tasks.ReadWrite.All (GA in v1.0 since 2023-02, mail-todo-contacts.md §D).
 */

const READ_ROLES = ['Tasks.Read.All', 'Tasks.ReadWrite.All'];
const WRITE_ROLES = ['Tasks.ReadWrite.All'];
/** Page sizes Graph does not document for To Do; the fake's choice (docs/graph.md, "To-dos"). */
const DEFAULT_LIST_PAGE = 10;
const DEFAULT_DELTA_PAGE = 10;

interface Ctx {
  s: FakeGraphServices;
  todo: TodoServices;
  r: GraphRequest;
  userId: string;
  base: string;
  zoneName?: string;
}

export function handleTodo(s: FakeGraphServices, r: GraphRequest): boolean {
  const [users, userKey, todo, lists, listId, ...rest] = r.segments;
  if (users !== 'users' || !userKey || todo !== 'todo') return false;
  if (!hasRole(r, r.method === 'GET' ? READ_ROLES : WRITE_ROLES)) {
    fail(s, r, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return true;
  }
  const user = resolveUser(s, r, userKey, true);
  if (!user) return true;
  if (lists !== 'lists') return false;
  const preferred = r.prefer.get('outlook.timezone');
  const ctx: Ctx = {
    s,
    todo: todoServices(s),
    r,
    userId: user.id,
    base: `${s.origin()}/v1.0/$metadata#users('${user.id}')/todo/lists`,
    zoneName: preferred && ianaZoneOf(preferred) ? preferred : undefined,
  };

  if (listId === undefined) {
    if (r.method === 'GET') return answered(listLists(ctx));
    if (r.method === 'POST') return answered(createList(ctx));
    return false;
  }
  const list = ctx.todo.store.list(user.id, listId);
  if (!list) return answered(itemNotFound(ctx));
  if (rest.length === 0) return listRoutes(ctx, list);
  if (rest[0] !== 'tasks') return false;
  if (rest.length === 1 && r.method === 'GET') return answered(listTasks(ctx, list));
  if (rest.length === 1 && r.method === 'POST') return answered(createTask(ctx, list));
  if (rest.length === 2 && rest[1] === 'delta' && r.method === 'GET') return answered(delta(ctx, list));
  const task = ctx.todo.store.task(user.id, rest[1]!);
  if (!task || task.listId !== list.id) return answered(itemNotFound(ctx));
  if (rest.length === 2) return taskRoutes(ctx, list, task);
  if (rest[2] === 'linkedResources') return linkedRoutes(ctx, list, task, rest.slice(3));
  return false;
}

function listRoutes(ctx: Ctx, list: StoredTodoList): boolean {
  const { s, r, userId } = ctx;
  if (r.method === 'GET')
    return answered(sendJson(r.res, 200, { '@odata.context': `${ctx.base}/$entity`, ...renderList(list) }));
  if (r.method === 'PATCH') {
    const name = (r.body as { displayName?: unknown } | undefined)?.displayName;
    if (typeof name !== 'string' || !name.trim())
      return answered(fail(s, r, 400, 'invalidRequest', "Invalid request body: 'displayName' is required."));
    const renamed = ctx.todo.store.renameList(userId, list.id, name)!;
    return answered(
      sendJson(r.res, 200, { '@odata.context': `${ctx.base}/$entity`, ...renderList(renamed) }),
    );
  }
  if (r.method === 'DELETE') {
    // The fixed lists cannot be deleted in To Do; the error text is the fake's (docs/graph.md, "To-dos").
    if (list.wellknownListName !== 'none')
      return answered(fail(s, r, 400, 'invalidRequest', 'A well-known list cannot be deleted.'));
    ctx.todo.store.deleteList(userId, list.id);
    return answered(sendEmpty(r.res, 204));
  }
  return false;
}

function listLists(ctx: Ctx): void {
  const { s, r, userId } = ctx;
  const filter = parseListFilter(r.url.searchParams.get('$filter'));
  if (!filter.ok) return fail(s, r, 400, 'BadRequest', filter.error);
  const value = ctx.todo.store
    .lists(userId)
    .filter((l) => !filter.test || filter.test(l))
    .map(renderList);
  sendJson(r.res, 200, { '@odata.context': ctx.base, value });
}

function createList(ctx: Ctx): void {
  const { s, r, userId } = ctx;
  const body = r.body as Record<string, unknown> | undefined;
  const name = body?.displayName;
  if (typeof name !== 'string' || !name.trim())
    return fail(s, r, 400, 'invalidRequest', "Invalid request body: 'displayName' is required.");
  const extra = Object.keys(body!).find((k) => k !== 'displayName' && !k.includes('@'));
  if (extra)
    return fail(
      s,
      r,
      400,
      'RequestBodyRead',
      `The property '${extra}' does not exist on type 'microsoft.graph.todoTaskList'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    );
  // To Do lets two lists share a name; finding one again is the client's business.
  const list = ctx.todo.store.createList(userId, name);
  sendJson(r.res, 201, { '@odata.context': `${ctx.base}/$entity`, ...renderList(list) });
}

function listTasks(ctx: Ctx, list: StoredTodoList): void {
  const { s, r, userId } = ctx;
  const query = readQuery(ctx);
  if (!query) return;
  const params = r.url.searchParams;
  const filter = parseTaskFilter(params.get('$filter'));
  if (!filter.ok) return fail(s, r, 400, 'BadRequest', filter.error);
  const top = Number(params.get('$top') ?? DEFAULT_LIST_PAGE);
  const skip = Number(params.get('$skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || top > 1000 || !Number.isInteger(skip) || skip < 0)
    return fail(s, r, 400, 'BadRequest', 'Invalid $top or $skip value.');
  const order = parseOrderBy(params.get('$orderby'));
  if (!order) return fail(s, r, 400, 'BadRequest', 'Invalid $orderby clause.');
  const all = ctx.todo.store
    .tasks(userId, list.id)
    .filter((t) => !filter.test || filter.test(t))
    .sort(order);
  const body: Record<string, unknown> = {
    '@odata.context': `${ctx.base}('${list.id}')/tasks`,
    value: all.slice(skip, skip + top).map((t) => renderTask(t, view(ctx, query))),
  };
  if (skip + top < all.length) {
    const q = (r.req.url ?? '').split('?')[1] ?? '';
    const kept = q.split('&').filter((p) => p && !/^(\$|%24)(skip|top)=/i.test(p));
    body['@odata.nextLink'] =
      `${s.origin()}${r.url.pathname}?${[...kept, `$top=${top}`, `$skip=${skip + top}`].join('&')}`;
  }
  sendJson(r.res, 200, body);
}

function parseOrderBy(raw: string | null): ((a: StoredTodoTask, b: StoredTodoTask) => number) | undefined {
  if (raw === null) return (a, b) => a.createdSeq - b.createdSeq;
  const m = /^(createdDateTime|lastModifiedDateTime|title)(?:\s+(asc|desc))?$/i.exec(raw.trim());
  if (!m) return undefined;
  const sign = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
  const field = m[1]!.toLowerCase();
  return (a, b) => {
    const diff =
      field === 'title'
        ? (a.title ?? '').localeCompare(b.title ?? '')
        : field === 'createddatetime'
          ? a.createdDateTime - b.createdDateTime
          : a.lastModifiedDateTime - b.lastModifiedDateTime;
    return sign * diff || a.createdSeq - b.createdSeq;
  };
}

function createTask(ctx: Ctx, list: StoredTodoList): void {
  const { s, r, userId } = ctx;
  const parsed = parseTodoWrite(r.body, 'create');
  if (!parsed.ok) return fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message);
  const task = ctx.todo.store.create(userId, list.id, parsed.value);
  sendTask(ctx, list, 201, task, { expandLinked: parsed.value.linkedResources !== undefined });
}

function taskRoutes(ctx: Ctx, list: StoredTodoList, task: StoredTodoTask): boolean {
  const { s, r, userId } = ctx;
  if (r.method === 'GET') {
    const query = readQuery(ctx);
    if (!query) return true;
    return answered(sendTask(ctx, list, 200, task, query));
  }
  if (r.method === 'PATCH') {
    const parsed = parseTodoWrite(r.body, 'update');
    if (!parsed.ok) return answered(fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message));
    if (!preconditionHolds(ctx, task)) return true;
    const { task: updated } = ctx.todo.store.update(userId, task.id, parsed.value)!;
    return answered(sendTask(ctx, list, 200, updated, { expandLinked: false }));
  }
  if (r.method === 'DELETE') {
    if (!preconditionHolds(ctx, task)) return true;
    ctx.todo.store.delete(userId, task.id);
    return answered(sendEmpty(r.res, 204));
  }
  return false;
}

function linkedRoutes(ctx: Ctx, list: StoredTodoList, task: StoredTodoTask, tail: string[]): boolean {
  const { s, r, userId } = ctx;
  const context = `${ctx.base}('${list.id}')/tasks('${task.id}')/linkedResources`;
  if (tail.length === 0 && r.method === 'GET')
    return answered(
      sendJson(r.res, 200, {
        '@odata.context': context,
        value: task.linkedResources.map(renderLinkedResource),
      }),
    );
  if (tail.length === 0 && r.method === 'POST') {
    const parsed = parseLinkedResource(r.body);
    if (!parsed.ok) return answered(fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message));
    // No uniqueness on externalId: Graph keeps whatever is posted (mail-todo-contacts.md §D).
    const created = ctx.todo.store.addLinkedResource(userId, task.id, parsed.value)!;
    return answered(
      sendJson(r.res, 201, { '@odata.context': `${context}/$entity`, ...renderLinkedResource(created) }),
    );
  }
  if (tail.length !== 1) return false;
  const found = task.linkedResources.find((x) => x.id === tail[0]);
  if (!found) return answered(itemNotFound(ctx));
  if (r.method === 'GET')
    return answered(
      sendJson(r.res, 200, { '@odata.context': `${context}/$entity`, ...renderLinkedResource(found) }),
    );
  if (r.method === 'DELETE') {
    ctx.todo.store.deleteLinkedResource(userId, task.id, found.id);
    return answered(sendEmpty(r.res, 204));
  }
  return false;
}

function delta(ctx: Ctx, list: StoredTodoList): void {
  const { s, r, userId } = ctx;
  const params = r.url.searchParams;
  const skipToken = params.get('$skiptoken');
  const deltaToken = params.get('$deltatoken');
  let roundId: string;
  let offset = 0;
  if (skipToken || deltaToken) {
    if (skipToken) {
      const [id, at] = skipToken.split('~');
      const round = ctx.todo.delta.round(id!, userId);
      if (!round.ok || round.value.options.listId !== list.id) return syncStateNotFound(ctx, list, round);
      roundId = id!;
      offset = Number(at) || 0;
    } else {
      const token = ctx.todo.delta.token(deltaToken!, userId);
      if (!token.ok || token.value.options.listId !== list.id) return syncStateNotFound(ctx, list, token);
      roundId = ctx.todo.delta.startRound(userId, token.value.options, token.value.seq);
    }
  } else {
    if (params.has('$filter') || params.has('$orderby') || params.has('$skip'))
      return fail(s, r, 400, 'BadRequest', 'The query parameter is not supported with delta on todoTask.');
    if (!readQuery(ctx)) return;
    const top = params.get('$top');
    if (top !== null && (!/^\d+$/.test(top) || Number(top) < 1))
      return fail(s, r, 400, 'BadRequest', 'Invalid $top value.');
    roundId = ctx.todo.delta.startRound(
      userId,
      {
        listId: list.id,
        select: params.get('$select'),
        expand: params.get('$expand'),
        top: top === null ? undefined : Number(top),
      },
      undefined,
    );
  }
  const round = ctx.todo.delta.round(roundId, userId);
  if (!round.ok) return syncStateNotFound(ctx, list, round);
  const options = round.value.options;
  const query = parseTodoQuery(
    new URLSearchParams(
      Object.entries({ $select: options.select, $expand: options.expand }).filter(
        (e): e is [string, string] => e[1] !== null,
      ),
    ),
  );
  if (!query.ok) return fail(s, r, 400, 'BadRequest', query.error);
  const maxPageSize = Number(r.prefer.get('odata.maxpagesize'));
  const pageSize =
    Number.isInteger(maxPageSize) && maxPageSize > 0 ? maxPageSize : (options.top ?? DEFAULT_DELTA_PAGE);
  const rows = round.value.rows.slice(offset, offset + pageSize);
  const link = deltaLink(ctx, list);
  const body: Record<string, unknown> = {
    '@odata.context': `${s.origin()}/v1.0/$metadata#Collection(todoTask)`,
  };
  if (offset + pageSize < round.value.rows.length)
    body['@odata.nextLink'] = `${link}?$skiptoken=${roundId}~${offset + pageSize}`;
  else body['@odata.deltaLink'] = `${link}?$deltatoken=${ctx.todo.delta.issueToken(round.value)}`;
  body.value = rows.map((row) => renderRow(row, view(ctx, query.value)));
  sendJson(r.res, 200, body);
}

function renderRow(row: TodoDeltaRow, v: TodoView): Record<string, unknown> {
  if ('removed' in row)
    return { '@odata.type': '#microsoft.graph.todoTask', id: row.removed, '@removed': { reason: 'deleted' } };
  return { '@odata.type': '#microsoft.graph.todoTask', ...renderTask(row.task, v) };
}

const deltaLink = (ctx: Ctx, list: StoredTodoList) =>
  `${ctx.s.origin()}/v1.0/users/${encodeURIComponent(ctx.userId)}/todo/lists/${encodeURIComponent(list.id)}/tasks/delta`;

function syncStateNotFound(
  ctx: Ctx,
  list: StoredTodoList,
  lookup: { ok: boolean; generation?: number; highest?: number },
): void {
  fail(
    ctx.s,
    ctx.r,
    410,
    'SyncStateNotFound',
    `The sync state generation is not found; generation=${lookup.generation ?? 0};[highest=${lookup.highest ?? 0}]`,
    { location: `${deltaLink(ctx, list)}?$deltatoken=` },
  );
}

function view(ctx: Ctx, query: TodoQuery): TodoView {
  return { query, zoneName: ctx.zoneName };
}

function readQuery(ctx: Ctx): TodoQuery | undefined {
  const parsed = parseTodoQuery(ctx.r.url.searchParams);
  if (!parsed.ok) return void fail(ctx.s, ctx.r, 400, 'BadRequest', parsed.error);
  return parsed.value;
}

function sendTask(ctx: Ctx, list: StoredTodoList, status: number, t: StoredTodoTask, query: TodoQuery): void {
  sendJson(ctx.r.res, status, {
    '@odata.context': `${ctx.base}('${list.id}')/tasks/$entity`,
    ...renderTask(t, view(ctx, query)),
  });
}

/** If-Match on PATCH/DELETE, as on events and messages. */
function preconditionHolds(ctx: Ctx, t: StoredTodoTask): boolean {
  if (ifMatchAllows(ctx.r.req, t.changeKey)) return true;
  fail(ctx.s, ctx.r, STALE_CHANGE_KEY.status, STALE_CHANGE_KEY.code, STALE_CHANGE_KEY.message);
  return false;
}

function itemNotFound(ctx: Ctx): void {
  fail(ctx.s, ctx.r, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}
