import { withListing } from '../listing-override';
import { systemClock, type Clock } from '../../platform/clock';
import { type TodoTask, todoMatchKeys } from '../../sync/todo-task';
import {
  type ChangePage,
  NotFoundRemoteError,
  PermanentRemoteError,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  TransientRemoteError,
  type UserRef,
  VersionConflictRemoteError,
} from '../../sync/types';
import type { DingTalkHttpClient, V1Request } from './http-client';
import { decodeTodoCursor, encodeTodoCursor, type TodoCursor, type Watermark } from './todo-cursor';
import {
  todoCreateBody,
  todoFromWire,
  todoUpdateBody,
  todoVersionOf,
  type WireTodo,
  type WireTodoCard,
  type WireTodoCardPage,
} from './todo-mapper';

/**
 * The DingTalk side of to-do sync (todo_1_0): the to-dos in which the user is executor or creator. DingTalk pushes
 * no to-do event to an org app and QueryTodoTasks has no sync token, so changes are found by listing newest
 * modified first down to the cursor's watermark (todo-cursor.ts). Every to-do API is metered, so each operation
 * is counted below.
 *
 * Metered calls:
 * - an idle poll (nothing changed since the cursor): ONE QueryTodoTasks. Deletions go to the recycle bin, which
 *   only a second listing (isRecycled) shows; it is read only when the first one shows a change or its totalCount
 *   differs from the count the cursor remembers, because a deletion always does one or the other (a delete
 *   lowers the count unless a create made up for it, and a create is a change). A to-do the user merely stops
 *   being executor of leaves the listing without entering the recycle bin, and is not reported.
 * - a poll with changes: the live listing down to the watermark (DingTalk does not publish its page size), the
 *   recycle bin down to its watermark, and one GetTodoTask per changed to-do (cards carry no description), except
 *   one still as our own write left it (its echo: the to-do is known).
 * - a full listing: every page of live cards, the first page of the recycle bin (its watermark), one GetTodoTask
 *   per to-do.
 * - create: one CreateTodoTask (plus UpdateTodoTask and GetTodoTask for a to-do created done: CreateTodoTask has no
 *   done field); a retried create: the refused create and one GetTodoTaskBySourceId.
 * - update: GetTodoTask (DingTalk has no conditional write), UpdateTodoTask, GetTodoTask (the new version); the
 *   first read is saved when get() read the to-do less than recentReadMs ago, the write and second read when
 *   nothing UpdateTodoTask can write differs.
 * - delete: GetTodoTask when conditional, then DeleteTodoTask. findByOriginKey: one GetTodoTaskBySourceId.
 */

const TASKS = '/v1.0/todo/users/{unionId}/tasks';
const TASK = `${TASKS}/{taskId}`;
const LIST = `${TASKS}/list`;
const BY_SOURCE = `${TASKS}/sources/{sourceId}`;

/** The folder name the engine uses for DingTalk to-dos (there is only one set of to-dos per user). */
export const DINGTALK_TODO_FOLDER = 'tasks';

/** Executor or creator; a to-do the user only follows (participant) is not theirs to sync. */
const ROLE_TYPES = [['executor'], ['creator']];

/** A listing whose totalCount moved between pages is read again from its first page, at most this often. */
const LISTING_ATTEMPTS = 3;

/** DingTalk's flow control on creates names no wait; a minute is a guess that keeps retries sparse. */
const FLOW_CONTROL_WAIT_MS = 60_000;

export interface DingTalkTodoAdapterOptions {
  client: DingTalkHttpClient;
  /** The owner's zone: due days and times are read and written on its clock (default Asia/Shanghai). */
  timeZone?: string;
  clock?: Clock;
  /**
   * A write trusts a get() of the same to-do at most this old instead of reading it again (default 1000 ms; 0
   * always reads again), as the calendar adapter does.
   */
  recentReadMs?: number;
  /** GetTodoTask calls in flight at once while a listing reads details (default 4). */
  detailConcurrency?: number;
}

interface Listing {
  cards: WireTodoCard[];
  total?: number;
}

export class DingTalkTodoAdapter implements SideAdapter<TodoTask> {
  readonly side = 'dingtalk' as const;
  readonly kind = 'todo' as const;
  private readonly client: DingTalkHttpClient;
  readonly timeZone: string;
  private readonly clock: Clock;
  private readonly recent: RecentTodos;
  /** To-dos as our own last writes left them: the echo poll that lists them again needs no GetTodoTask. */
  private readonly written: RecentTodos;
  private readonly detailConcurrency: number;

  constructor(options: DingTalkTodoAdapterOptions) {
    this.client = options.client;
    this.timeZone = options.timeZone ?? 'Asia/Shanghai';
    this.clock = options.clock ?? systemClock;
    this.recent = new RecentTodos(this.clock, options.recentReadMs ?? 1000);
    this.written = new RecentTodos(this.clock, OWN_WRITE_MEMO_MS);
    this.detailConcurrency = Math.max(1, options.detailConcurrency ?? 4);
  }

  async listChanges(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<TodoTask>> {
    if (folder !== DINGTALK_TODO_FOLDER) {
      throw new PermanentRemoteError(
        `DingTalk to-dos have one folder, "${DINGTALK_TODO_FOLDER}", not "${folder}"`,
      );
    }
    return cursor === undefined
      ? this.listAll(user)
      : this.listSince(user, decodeTodoCursor(user.dingtalkUnionId, cursor), undefined);
  }

  /**
   * The same adapter, told by the caller which DingTalk to-dos the pair's links hold and at which version. A to-do
   * the app wrote after the last listing must show up as a newer card; if it does not, it was deleted meanwhile,
   * which neither the watermark nor the live count can show (the app's create and the person's delete cancel out
   * in the count), so the recycle bin is read.
   */
  withKnownLinks(
    known: (user: UserRef) => Promise<Array<{ id: string; version?: string }>>,
  ): SideAdapter<TodoTask> {
    return withListing(this, (user, folder, cursor) =>
      folder !== DINGTALK_TODO_FOLDER || cursor === undefined
        ? this.listChanges(user, folder, cursor)
        : this.listSince(user, decodeTodoCursor(user.dingtalkUnionId, cursor), known),
    );
  }

  async get(user: UserRef, id: string): Promise<RemoteItem<TodoTask> | undefined> {
    const task = await this.fetchTodo(user, id);
    this.recent.remember(user.dingtalkUnionId, id, task);
    return task && this.toItem(task);
  }

  /**
   * sourceId = originKey: DingTalk refuses a second to-do with the same sourceId ("task exist"), so a retried create
   * finds the first one instead of making another.
   */
  async create(user: UserRef, projection: TodoTask, originKey: string): Promise<RemoteItem<TodoTask>> {
    let created: WireTodo | undefined;
    try {
      created = await this.call<WireTodo>(user, {
        method: 'POST',
        path: TASKS,
        params: { unionId: user.dingtalkUnionId },
        query: { operatorId: user.dingtalkUnionId },
        body: todoCreateBody(projection, originKey, user.dingtalkUnionId, this.timeZone),
      });
    } catch (err) {
      if (!isTaskExists(err)) throw err;
      created = await this.fetchBySource(user, originKey);
      if (!created) {
        // sourceId stays taken after its to-do was deleted; the engine salts the key of a re-create, so this is
        // the retry of a create whose to-do was deleted meanwhile.
        throw new PermanentRemoteError(
          `DingTalk keeps the sourceId ${originKey} of a deleted to-do: it cannot be created again`,
          'TaskExist',
          400,
        );
      }
    }
    if (!created?.id) throw new PermanentRemoteError('DingTalk CreateTodoTask answered without a to-do id');
    if (projection.done && created.done !== true) created = await this.tickOff(user, created.id);
    this.written.remember(user.dingtalkUnionId, created.id, created);
    return { ...this.toItem(created), originKey };
  }

  async findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<TodoTask> | undefined> {
    const found = await this.fetchBySource(user, originKey);
    return found && { ...this.toItem(found), originKey };
  }

  /**
   * DingTalk has no conditional write: the to-do is read first (or taken from a get() a moment ago) and its
   * version compared. Only the fields that differ are sent; nothing is sent when none does.
   */
  async update(
    user: UserRef,
    id: string,
    projection: TodoTask,
    expectedVersion?: string,
  ): Promise<RemoteItem<TodoTask>> {
    const current = await this.current(user, id);
    if (!current) throw new NotFoundRemoteError(`DingTalk to-do ${id} is gone`);
    assertVersion(id, current, expectedVersion);
    const body = todoUpdateBody(projection, current, this.timeZone);
    if (!body) return this.toItem(current);
    return this.toItem(await this.write(user, id, body));
  }

  /** Conditional like update; a to-do already gone counts as deleted. It goes to DingTalk's recycle bin. */
  async delete(user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    if (expectedVersion) {
      const current = await this.current(user, id);
      if (!current) return;
      assertVersion(id, current, expectedVersion);
    }
    this.recent.forget(user.dingtalkUnionId, id);
    this.written.forget(user.dingtalkUnionId, id);
    try {
      await this.call(user, {
        method: 'DELETE',
        path: TASK,
        params: { unionId: user.dingtalkUnionId, taskId: id },
        query: { operatorId: user.dingtalkUnionId },
      });
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
    }
  }

  /** Every live to-do; the recycle bin's first page only sets where its watermark starts. */
  private async listAll(user: UserRef): Promise<ChangePage<TodoTask>> {
    const live = await this.readListing(user, false, undefined);
    const bin = await this.readListing(user, true, undefined, true);
    const details = await this.details(user, live.cards);
    const changes: RemoteChange<TodoTask>[] = [];
    for (const card of oldestFirst(live.cards)) {
      const task = details.get(card.taskId);
      if (task) changes.push(this.toItem(task));
    }
    const next: TodoCursor = {
      live: advance({ at: 0, ids: [] }, live.cards),
      recycled: advance({ at: 0, ids: [] }, bin.cards),
    };
    if (live.total !== undefined) next.count = live.total;
    return {
      changes,
      nextCursor: encodeTodoCursor(user.dingtalkUnionId, next),
      fullListing: true,
      more: false,
    };
  }

  private async listSince(
    user: UserRef,
    from: TodoCursor,
    known: ((user: UserRef) => Promise<Array<{ id: string; version?: string }>>) | undefined,
  ): Promise<ChangePage<TodoTask>> {
    const live = await this.readListing(user, false, from.live);
    const changed = live.cards.filter((c) => isNewer(c, from.live));
    const listed = new Set(live.cards.map((c) => c.taskId));
    const writtenSinceAndMissing = known
      ? (await known(user)).some((k) => modifiedOfVersion(k.version) > from.live.at && !listed.has(k.id))
      : false;
    let recycled = from.recycled;
    let deleted: WireTodoCard[] = [];
    if (
      changed.length > 0 ||
      writtenSinceAndMissing ||
      live.total === undefined ||
      live.total !== from.count
    ) {
      const bin = await this.readListing(user, true, from.recycled);
      deleted = bin.cards.filter((c) => isNewer(c, from.recycled));
      recycled = advance(from.recycled, bin.cards);
    }
    const details = await this.details(user, changed);
    const gone = new Set(deleted.map((c) => c.taskId));
    const changes: RemoteChange<TodoTask>[] = [];
    for (const card of oldestFirst(changed)) {
      const task = details.get(card.taskId);
      if (task) changes.push(this.toItem(task));
      else gone.add(card.taskId);
    }
    for (const id of gone) changes.push({ id, deleted: true });
    const next: TodoCursor = { live: advance(from.live, live.cards), recycled };
    if (live.total !== undefined) next.count = live.total;
    return {
      changes: changes.filter((c) => c.deleted === true || !gone.has(c.id)),
      nextCursor: encodeTodoCursor(user.dingtalkUnionId, next),
      fullListing: false,
      more: false,
    };
  }

  /**
   * Cards newest modified first, down to (and including) the watermark's millisecond, or all of them. Paging is
   * by offset, so a to-do leaving the listing between two pages would shift one we have not read onto a page we
   * have: a totalCount that moves between pages starts the listing over.
   */
  private async readListing(
    user: UserRef,
    recycled: boolean,
    since: Watermark | undefined,
    firstPageOnly = false,
  ): Promise<Listing> {
    for (let attempt = 0; attempt < LISTING_ATTEMPTS; attempt++) {
      const cards = new Map<string, WireTodoCard>();
      let total: number | undefined;
      let nextToken: string | undefined;
      let shifted = false;
      for (let page = 0; ; page++) {
        const answer =
          (await this.call<WireTodoCardPage>(user, {
            method: 'POST',
            path: LIST,
            params: { unionId: user.dingtalkUnionId },
            body: {
              roleTypes: ROLE_TYPES,
              isRecycled: recycled,
              orderBy: 'modified',
              orderDirection: 'desc',
              ...(nextToken ? { nextToken } : {}),
            },
          })) ?? {};
        if (page === 0) total = answer.totalCount;
        else if (answer.totalCount !== total) {
          shifted = true;
          break;
        }
        let passed = false;
        for (const card of answer.todoCards ?? []) {
          if (!card.taskId) continue;
          if (since && modifiedOf(card) < since.at) {
            passed = true;
            break;
          }
          if (!cards.has(card.taskId)) cards.set(card.taskId, card);
        }
        nextToken = answer.nextToken || undefined;
        if (passed || !nextToken || firstPageOnly) break;
      }
      if (!shifted)
        return total === undefined ? { cards: [...cards.values()] } : { cards: [...cards.values()], total };
    }
    throw new TransientRemoteError('DingTalk to-dos kept changing while they were listed', 1000);
  }

  /** GetTodoTask for each card, a few at a time; a to-do gone meanwhile maps to undefined. */
  private async details(user: UserRef, cards: WireTodoCard[]): Promise<Map<string, WireTodo | undefined>> {
    const out = new Map<string, WireTodo | undefined>();
    const queue = cards.map((c) => c.taskId);
    const listedAt = new Map(cards.map((c) => [c.taskId, c.modifiedTime]));
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        // A card still at the modification time our own write left is that write's echo: nothing new to read.
        const ours = this.written.fresh(user.dingtalkUnionId, id)?.task;
        if (ours && ours.modifiedTime !== undefined && ours.modifiedTime === listedAt.get(id))
          out.set(id, ours);
        else out.set(id, await this.fetchTodo(user, id));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.detailConcurrency, queue.length) }, worker));
    return out;
  }

  /**
   * CreateTodoTask has no `done` (npm @alicloud/dingtalk, todo_1_0 CreateTodoTaskRequest), so a to-do copied done
   * takes a second call. It is retried here on a transient failure: if it never succeeds, the pull fails and crash
   * recovery finds an open copy it cannot tell from one a person reopened (docs/todo-mapping.md).
   */
  private async tickOff(user: UserRef, id: string): Promise<WireTodo> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.write(user, id, { done: true });
      } catch (err) {
        if (!(err instanceof TransientRemoteError) || attempt >= TICK_OFF_ATTEMPTS) throw err;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(err.retryAfterMs ?? 500 * attempt, 2000)),
        );
      }
    }
  }

  /** UpdateTodoTask, then the to-do as it now is (UpdateTodoTask answers only {result: true}). */
  private async write(user: UserRef, id: string, body: object): Promise<WireTodo> {
    this.recent.forget(user.dingtalkUnionId, id);
    await this.call(user, {
      method: 'PUT',
      path: TASK,
      params: { unionId: user.dingtalkUnionId, taskId: id },
      query: { operatorId: user.dingtalkUnionId },
      body,
    });
    const after = await this.fetchTodo(user, id);
    if (!after) throw new NotFoundRemoteError(`DingTalk to-do ${id} is gone`);
    this.written.remember(user.dingtalkUnionId, id, after);
    return after;
  }

  /** The to-do now: what get() read a moment ago, else one GetTodoTask. */
  private async current(user: UserRef, id: string): Promise<WireTodo | undefined> {
    const recent = this.recent.fresh(user.dingtalkUnionId, id);
    if (recent) return recent.task;
    return this.fetchTodo(user, id);
  }

  private async fetchTodo(user: UserRef, id: string): Promise<WireTodo | undefined> {
    try {
      return await this.call<WireTodo>(user, {
        method: 'GET',
        path: TASK,
        params: { unionId: user.dingtalkUnionId, taskId: id },
      });
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  /** GetTodoTaskBySourceId looks among this app's to-dos only, which is where our creates are. */
  private async fetchBySource(user: UserRef, sourceId: string): Promise<WireTodo | undefined> {
    try {
      return await this.call<WireTodo>(user, {
        method: 'GET',
        path: BY_SOURCE,
        params: { unionId: user.dingtalkUnionId, sourceId },
      });
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  /** A v1.0 call whose to-do specific refusals become the engine's errors (see todoError), charged as the user's work. */
  private async call<T>(user: UserRef, req: V1Request): Promise<T | undefined> {
    try {
      return await this.client.v1<T>({ ...req, priority: user.priority });
    } catch (err) {
      throw todoError(err, req.params?.taskId);
    }
  }

  private toItem(w: WireTodo): RemoteItem<TodoTask> {
    const { projection, originKey } = todoFromWire(w, this.timeZone);
    const item: RemoteItem<TodoTask> = {
      id: w.id,
      version: todoVersionOf(w),
      modifiedAt: new Date(w.modifiedTime ?? w.createdTime ?? this.clock.now()).toISOString(),
      projection,
      matchKeys: todoMatchKeys(projection),
    };
    if (originKey) item.originKey = originKey;
    return item;
  }
}

/**
 * todo_1_0 answers its refusals with HTTP 400 and a message (DingTalk's error tables for CreateTodoTask and
 * UpdateTodoTask), which the client maps to PermanentRemoteError; some of them mean something else to the engine.
 */
export function todoError(err: unknown, taskId?: string): unknown {
  if (!(err instanceof PermanentRemoteError)) return err;
  const text = `${err.remoteCode ?? ''} ${err.message}`;
  if (/task not exist/i.test(text)) return new NotFoundRemoteError(err.message);
  if (/not belong to bizTag/i.test(text)) {
    return new PermanentRemoteError(
      `DingTalk to-do ${taskId ?? ''} was made by another app or by a person in DingTalk: this app may read it ` +
        `but not change it (${err.message})`,
      'TaskNotBelongToBizTag',
      err.status,
    );
  }
  if (/flowControl/i.test(text)) return new TransientRemoteError(err.message, FLOW_CONTROL_WAIT_MS, 429);
  return err;
}

function isTaskExists(err: unknown): boolean {
  return err instanceof PermanentRemoteError && /\btask exist\b/i.test(err.message);
}

function assertVersion(id: string, current: WireTodo, expectedVersion: string | undefined): void {
  if (!expectedVersion) return;
  const version = todoVersionOf(current);
  if (version !== expectedVersion) {
    throw new VersionConflictRemoteError(`DingTalk to-do ${id} changed since it was read`, version);
  }
}

const modifiedOf = (card: WireTodoCard): number => card.modifiedTime ?? 0;

/** The modifiedTime a version (`modifiedTime#hash`, todo-mapper.ts) was made from; 0 when it has none. */
const modifiedOfVersion = (version: string | undefined): number => Number(version?.split('#')[0]) || 0;

/** Changed since the watermark: newer, or of the same millisecond but not among the ids already seen there. */
function isNewer(card: WireTodoCard, mark: Watermark): boolean {
  const at = modifiedOf(card);
  return at > mark.at || (at === mark.at && !mark.ids.includes(card.taskId));
}

/** The watermark after reading `cards`: the newest modifiedTime, with every id seen at it. */
export function advance(mark: Watermark, cards: WireTodoCard[]): Watermark {
  const at = cards.reduce((max, c) => Math.max(max, modifiedOf(c)), mark.at);
  const ids = new Set(at === mark.at ? mark.ids : []);
  for (const card of cards) if (modifiedOf(card) === at) ids.add(card.taskId);
  return { at, ids: [...ids] };
}

const oldestFirst = (cards: WireTodoCard[]) => [...cards].sort((a, b) => modifiedOf(a) - modifiedOf(b));

/** To-dos this adapter read a moment ago (the calendar's RecentReads, keeping the whole to-do). */
class RecentTodos {
  private readonly reads = new Map<string, { task: WireTodo | undefined; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly freshMs: number,
  ) {}

  remember(unionId: string, id: string, task: WireTodo | undefined): void {
    const key = `${unionId}\u0000${id}`;
    this.reads.delete(key);
    this.reads.set(key, { task, at: this.clock.now() });
    this.prune();
  }

  forget(unionId: string, id: string): void {
    this.reads.delete(`${unionId}\u0000${id}`);
  }

  fresh(unionId: string, id: string): { task: WireTodo | undefined } | undefined {
    if (this.freshMs <= 0) return undefined;
    this.prune();
    const read = this.reads.get(`${unionId}\u0000${id}`);
    return read && { task: read.task };
  }

  private prune(): void {
    const oldest = this.clock.now() - this.freshMs;
    for (const [key, read] of this.reads) {
      if (read.at >= oldest && this.reads.size <= MAX_RECENT) break;
      this.reads.delete(key);
    }
  }
}

/** Bounds memory when the clock stands still; a pull reads one to-do at a time before writing it. */
const MAX_RECENT = 1000;
/** Tries of the second call of a to-do created done: the first, and two more after 0.5 s and 1 s. */
const TICK_OFF_ATTEMPTS = 3;
/** Long enough for the echo poll of a write to list it (a poll interval is 30 s to a few minutes). */
const OWN_WRITE_MEMO_MS = 15 * 60_000;
