import type { FakeGraphServices } from './context';
import type { FakeUser } from './directory';
import { renderList, renderTask, type TodoView } from './todo-render';
import { todoServices } from './todo-services';
import type { TodoStore } from './todo-store';
import { parseTodoWrite } from './todo-validation';

/**
 * A person working in Microsoft To Do: creates, completes, edits and deletes tasks (each change shows in delta
 * like any other, with a new etag), and what tests read back. Results are rendered as Graph renders them, in
 * UTC and with linkedResources.
 */

const OUTLOOK_VIEW: TodoView = { query: { expandLinked: true } };

export class TodoControl {
  constructor(private readonly s: FakeGraphServices) {}

  private get store(): TodoStore {
    return todoServices(this.s).store;
  }

  /** In the list with this id or display name (default: the "Tasks" list); body as for POST …/tasks. */
  userCreatesTask(user: string, body: Record<string, unknown>, list?: string): Record<string, unknown> {
    const owner = this.user(user);
    const parsed = parseTodoWrite(body, 'create');
    if (!parsed.ok) throw new Error(`${parsed.error.code}: ${parsed.error.message}`);
    return renderTask(this.store.create(owner.id, this.listId(owner, list), parsed.value), OUTLOOK_VIEW);
  }

  /** Ticks the task off; for a recurring task the next occurrence is created, and answered as `next`. */
  userCompletesTask(
    user: string,
    taskId: string,
  ): { task: Record<string, unknown>; next?: Record<string, unknown> } {
    const done = this.must(this.store.update(this.user(user).id, taskId, { status: 'completed' }), taskId);
    return {
      task: renderTask(done.task, OUTLOOK_VIEW),
      next: done.next && renderTask(done.next, OUTLOOK_VIEW),
    };
  }

  userUpdatesTask(user: string, taskId: string, patch: Record<string, unknown>): Record<string, unknown> {
    const parsed = parseTodoWrite(patch, 'update');
    if (!parsed.ok) throw new Error(`${parsed.error.code}: ${parsed.error.message}`);
    return renderTask(
      this.must(this.store.update(this.user(user).id, taskId, parsed.value), taskId).task,
      OUTLOOK_VIEW,
    );
  }

  userDeletesTask(user: string, taskId: string): boolean {
    return this.store.delete(this.user(user).id, taskId);
  }

  /** The user creates a list in To Do (lists may share a name). */
  userCreatesList(user: string, displayName: string): Record<string, unknown> {
    return renderList(this.store.createList(this.user(user).id, displayName));
  }

  todoLists(user: string): Record<string, unknown>[] {
    return this.store.lists(this.user(user).id).map(renderList);
  }

  /** Tasks of one list (id or display name; default "Tasks"), oldest first. */
  todoTasks(user: string, list?: string): Record<string, unknown>[] {
    const owner = this.user(user);
    return this.store
      .tasks(owner.id, this.listId(owner, list))
      .sort((a, b) => a.createdSeq - b.createdSeq)
      .map((t) => renderTask(t, OUTLOOK_VIEW));
  }

  expireDeltaTokens(user: string): void {
    todoServices(this.s).delta.expire(this.user(user).id);
  }

  private listId(owner: FakeUser, list: string | undefined): string {
    const lists = this.store.lists(owner.id);
    const found =
      list === undefined
        ? lists.find((l) => l.wellknownListName === 'defaultList')
        : (lists.find((l) => l.id === list) ?? lists.find((l) => l.displayName === list));
    if (!found) throw new Error(`no To Do list ${list}`);
    return found.id;
  }

  private must<T>(value: T | undefined, id: string): T {
    if (!value) throw new Error(`no task ${id}`);
    return value;
  }

  private user(idOrUpn: string): FakeUser {
    const u = this.s.directory.find(idOrUpn);
    if (!u) throw new Error(`no user ${idOrUpn}`);
    return u;
  }
}
