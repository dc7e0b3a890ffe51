import { type TodoTask, todoMatchKeys } from '../../sync/todo-task';
import {
  type ChangePage,
  CursorExpiredError,
  NotFoundRemoteError,
  PermanentRemoteError,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  TransientRemoteError,
  type UserRef,
  VersionConflictRemoteError,
} from '../../sync/types';
import type { GraphApi } from './http-client';
import { decodeTodoCursor, encodeTodoCursor, type OutlookTodoCursor } from './todo-cursor';
import { OutlookTodoLists } from './todo-list';
import { type GraphTodoTask, originKeyOf, todoCreateBody, todoFromGraph, todoPatchBody } from './todo-mapper';
import type { GraphCollection } from './wire-types';

/**
 * Microsoft To Do as a SideAdapter (side "outlook", kind "todo", folder "dingtalk"): the tasks of the product's own
 * list (todo-list.ts), changes through that list's todoTask delta. Graph's subscription permissions table lists
 * todoTask notifications for delegated permissions only, so an app polls the list.
 *
 * Graph calls, once the list's id is known (one lookup per user and process, plus a create the first time):
 * an idle poll is one delta GET; get, create and delete one call each; update two (a GET, which also tells the
 * status a reopening must not overwrite, then the PATCH, left out when nothing differs).
 *
 * Recurring tasks: the recurrence is never sent, so a task keeps Outlook's. When one is completed, To Do turns the
 * next occurrence into a new task, which syncs as a new item: only the current occurrence is synced.
 */

export const OUTLOOK_TODO_FOLDER = 'dingtalk';

export interface OutlookTodoAdapterOptions {
  api: GraphApi;
  /** The owner's zone: due days are written and read in it (default Asia/Shanghai). */
  timeZone?: string;
  /** Shared lookup of the product's list; one is made when not given. */
  lists?: OutlookTodoLists;
  /** Rows per delta page (Prefer: odata.maxpagesize). */
  pageSize?: number;
}

export class OutlookTodoAdapter implements SideAdapter<TodoTask> {
  readonly side = 'outlook' as const;
  readonly kind = 'todo' as const;
  /** PATCH and DELETE send If-Match, which Graph itself refuses with 412 once the task moved on. */
  readonly atomicConditionalWrites = ['update', 'delete'] as const;
  readonly timeZone: string;
  readonly lists: OutlookTodoLists;
  private readonly api: GraphApi;
  private readonly pageSize: number;
  /** originKey → task id for creates made by this process: a retried create or a lookup costs one GET. */
  private readonly createdHere = new Map<string, string>();

  constructor(options: OutlookTodoAdapterOptions) {
    this.api = options.api;
    this.timeZone = options.timeZone ?? 'Asia/Shanghai';
    this.lists = options.lists ?? new OutlookTodoLists(options.api);
    this.pageSize = options.pageSize ?? 50;
  }

  async listChanges(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<TodoTask>> {
    if (folder !== OUTLOOK_TODO_FOLDER) {
      throw new PermanentRemoteError(
        `Outlook To Do sync covers the "${OUTLOOK_TODO_FOLDER}" list only, not "${folder}"`,
      );
    }
    if (cursor !== undefined) return this.readDelta(user, decodeTodoCursor(cursor));
    const listId = await this.lists.listIdFor(user);
    try {
      return await this.readDelta(user, { v: 1, listId, link: this.initialDelta(user, listId), full: true });
    } catch (err) {
      // The list was deleted since its id was remembered: look it up (or make it) again, once.
      if (!(err instanceof CursorExpiredError)) throw err;
      const again = await this.lists.listIdFor(user);
      return this.readDelta(user, { v: 1, listId: again, link: this.initialDelta(user, again), full: true });
    }
  }

  async get(user: UserRef, id: string): Promise<RemoteItem<TodoTask> | undefined> {
    const task = await this.readTask(user, await this.lists.listIdFor(user), id);
    return task && this.toItem(task);
  }

  /**
   * To Do has no create dedupe (no transactionId) and no filter on linked resources, so a create made by this
   * process is remembered; after a lost answer the list is searched before giving up.
   */
  async create(user: UserRef, projection: TodoTask, originKey: string): Promise<RemoteItem<TodoTask>> {
    const listId = await this.lists.listIdFor(user);
    const known = this.createdHere.get(originKey);
    if (known) {
      const existing = await this.readTask(user, listId, known);
      if (existing) return { ...this.toItem(existing), originKey };
    }
    try {
      const created = await this.api.post<GraphTodoTask>(
        this.tasksPath(user, listId),
        todoCreateBody(projection, originKey, this.timeZone),
        { mailbox: user.entraId, prefer: this.prefer(), what: 'create To Do task' },
      );
      this.createdHere.set(originKey, created.id);
      return { ...this.toItem(created), originKey };
    } catch (err) {
      // POST is not retried by the client: the task may exist although the answer was lost.
      if (err instanceof TransientRemoteError && err.status !== 429) {
        const existing = await this.findByOriginKey(user, originKey).catch(() => undefined);
        if (existing) return existing;
      }
      if (err instanceof NotFoundRemoteError) this.lists.forget(user, listId);
      throw err;
    }
  }

  /**
   * Graph neither enforces nor filters on a linked resource's externalId (linkedResource documentation), so the
   * list's tasks are read page by page with their linked resources, unless this process made the task.
   */
  async findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<TodoTask> | undefined> {
    const listId = await this.lists.listIdFor(user);
    const known = this.createdHere.get(originKey);
    if (known) {
      const task = await this.readTask(user, listId, known);
      if (task && originKeyOf(task) === originKey) return this.toItem(task);
    }
    let url: string | undefined = `${this.tasksPath(user, listId)}?$expand=linkedResources&$top=100`;
    while (url) {
      const page: GraphCollection<GraphTodoTask> = await this.api.get<GraphCollection<GraphTodoTask>>(url, {
        mailbox: user.entraId,
        prefer: this.prefer(),
        what: 'find To Do task by origin key',
      });
      const match = page.value.find((t) => originKeyOf(t) === originKey);
      if (match) return this.toItem(match);
      url = page['@odata.nextLink'];
    }
    return undefined;
  }

  /**
   * One GET (the status that a reopening must leave alone, and a stale version caught before writing), then a
   * PATCH with If-Match; Graph answers 412 when the task moved on in between.
   */
  async update(
    user: UserRef,
    id: string,
    projection: TodoTask,
    expectedVersion?: string,
  ): Promise<RemoteItem<TodoTask>> {
    const listId = await this.lists.listIdFor(user);
    const current = await this.readTask(user, listId, id);
    if (!current) throw new NotFoundRemoteError(`Outlook To Do task ${id} is gone`);
    const currentVersion = current['@odata.etag'];
    if (expectedVersion && currentVersion !== expectedVersion) {
      throw new VersionConflictRemoteError(
        `Outlook To Do task ${id} changed since it was read`,
        currentVersion,
      );
    }
    const body = todoPatchBody(projection, current, this.timeZone);
    if (!body) return this.toItem(current);
    const updated = await this.api.patch<GraphTodoTask>(
      `${this.tasksPath(user, listId)}/${encodeURIComponent(id)}`,
      body,
      {
        mailbox: user.entraId,
        prefer: this.prefer(),
        what: 'update To Do task',
        ifMatch: expectedVersion ?? currentVersion,
      },
    );
    // The PATCH answer leaves out the linked resources, which a PATCH cannot change.
    return this.toItem({ ...updated, linkedResources: updated.linkedResources ?? current.linkedResources });
  }

  /** With expectedVersion, DELETE sends If-Match (412 → VersionConflictRemoteError); a task already gone is deleted. */
  async delete(user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    const listId = await this.lists.listIdFor(user);
    try {
      await this.api.delete(`${this.tasksPath(user, listId)}/${encodeURIComponent(id)}`, {
        mailbox: user.entraId,
        what: 'delete To Do task',
        ifMatch: expectedVersion || undefined,
      });
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
    }
  }

  private async readDelta(user: UserRef, state: OutlookTodoCursor): Promise<ChangePage<TodoTask>> {
    let page: GraphCollection<GraphTodoTask>;
    try {
      page = await this.api.get<GraphCollection<GraphTodoTask>>(state.link, {
        mailbox: user.entraId,
        prefer: [`odata.maxpagesize=${this.pageSize}`, ...this.prefer()],
        what: 'To Do delta',
      });
    } catch (err) {
      if (err instanceof NotFoundRemoteError) {
        this.lists.forget(user, state.listId);
        throw new CursorExpiredError(`the To Do list of this cursor is gone: ${err.message}`);
      }
      throw err;
    }
    const nextLink = page['@odata.nextLink'];
    const deltaLink = page['@odata.deltaLink'];
    if (!nextLink && !deltaLink)
      throw new TransientRemoteError('To Do delta page without nextLink or deltaLink');
    const changes: RemoteChange<TodoTask>[] = page.value.map((row) =>
      row['@removed'] ? { id: row.id, deleted: true as const } : this.toItem(row),
    );
    const next: OutlookTodoCursor = {
      v: 1,
      listId: state.listId,
      link: nextLink ?? deltaLink!,
      full: nextLink ? state.full : false,
    };
    return {
      changes,
      nextCursor: encodeTodoCursor(next),
      fullListing: state.full,
      more: nextLink !== undefined,
    };
  }

  private async readTask(user: UserRef, listId: string, id: string): Promise<GraphTodoTask | undefined> {
    try {
      return await this.api.get<GraphTodoTask>(
        `${this.tasksPath(user, listId)}/${encodeURIComponent(id)}?$expand=linkedResources`,
        { mailbox: user.entraId, prefer: this.prefer(), what: 'get To Do task' },
      );
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  private toItem(t: GraphTodoTask): RemoteItem<TodoTask> {
    const { projection, originKey } = todoFromGraph(t, this.timeZone);
    const item: RemoteItem<TodoTask> = {
      id: t.id,
      version: t['@odata.etag'] ?? '',
      modifiedAt: t.lastModifiedDateTime ?? t.createdDateTime ?? '',
      projection,
      matchKeys: todoMatchKeys(projection),
    };
    if (originKey) item.originKey = originKey;
    return item;
  }

  /** Times come back in the owner's zone, so a due date reads as the day it was written for. */
  private prefer(): string[] {
    return [`outlook.timezone="${this.timeZone}"`];
  }

  private initialDelta(user: UserRef, listId: string): string {
    return `${this.tasksPath(user, listId)}/delta?$expand=linkedResources`;
  }

  private tasksPath(user: UserRef, listId: string): string {
    return `/users/${encodeURIComponent(user.entraId)}/todo/lists/${encodeURIComponent(listId)}/tasks`;
  }
}
