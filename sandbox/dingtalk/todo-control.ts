import { controlRoute } from './routes-control';
import type { FakeState } from './fake-state';
import type { Route } from './routing';
import { readTodoFields, taskView } from './todo-routes';
import { NATIVE_BIZ_TAG, todoError, todosOf, type TodoOptions } from './todo-store';

/**
 * A DingTalk user working on to-dos in the DingTalk app (not the API: no token, no meter), another app's to-dos,
 * and the to-do switches of the fake. DingTalk pushes no event for to-dos to an org app (dingtalk.md §4), so these
 * changes are only seen by listing.
 */
export interface TodoControl {
  /** The user creates a to-do in the app (body as for CreateTodoTask); answers it as GetTodoTask shows it. */
  userCreatesTodo(unionId: string, fields: Record<string, unknown>): Record<string, unknown>;
  /** The user ticks it off: done, with finishTime now. */
  userCompletesTodo(unionId: string, taskId: string): Record<string, unknown>;
  /** Subject, description, dueTime, done, priority, executorIds, participantIds. */
  userEditsTodo(unionId: string, taskId: string, patch: Record<string, unknown>): Record<string, unknown>;
  /** Into the recycle bin, as the app does. */
  userDeletesTodo(unionId: string, taskId: string): void;
  /** Live to-dos in which the user is executor, creator or participant, oldest first. */
  todosOf(unionId: string): Record<string, unknown>[];
  /** A to-do another DingTalk app created for the user (its own bizTag): readable, not writable by this app. */
  otherAppCreatesTodo(
    unionId: string,
    fields: Record<string, unknown>,
    bizTag?: string,
  ): Record<string, unknown>;
  /** nativeWritable, pageSize, flowControlled (the next n creates are refused with flowControlError). */
  setTodoOptions(options: Partial<TodoOptions>): void;
}

export function todoControl(state: FakeState): TodoControl {
  const store = () => todosOf(state);
  const member = (id: string) => state.org.byUnionId(id) !== undefined;
  const must = (unionId: string) => {
    if (!member(unionId)) throw new Error(`no user with unionId ${unionId}`);
    return unionId;
  };
  const create = (unionId: string, fields: Record<string, unknown>, bizTag: string) =>
    taskView(store().create(bizTag, must(unionId), readTodoFields(fields, 'Create', member)));
  const edit = (unionId: string, taskId: string, patch: Record<string, unknown>) => {
    const todo = store().get(taskId, 'Update');
    const fields = readTodoFields(patch, 'Update', member);
    if (patch.priority !== undefined) {
      if (![10, 20, 30, 40].includes(patch.priority as number))
        throw todoError('Update', 'todo.taskUpdate.paramError');
      fields.priority = patch.priority as number;
    }
    return taskView(store().update(todo, must(unionId), fields));
  };
  return {
    userCreatesTodo: (unionId, fields) => create(unionId, fields, NATIVE_BIZ_TAG),
    userCompletesTodo: (unionId, taskId) => edit(unionId, taskId, { done: true }),
    userEditsTodo: edit,
    userDeletesTodo(unionId, taskId) {
      store().recycle(store().get(taskId, 'Delete'), must(unionId));
    },
    todosOf: (unionId) =>
      store()
        .related(must(unionId))
        .filter((t) => !t.recycled)
        .sort((a, b) => a.createdTime - b.createdTime)
        .map(taskView),
    otherAppCreatesTodo: (unionId, fields, bizTag = 'todo_open_dingotherapp') =>
      create(unionId, fields, bizTag),
    setTodoOptions(options) {
      Object.assign(store().options, options);
    },
  };
}

/** The same over HTTP under /_control/ (for the local sandbox and the demo). */
export function todoControlRoutes(control: TodoControl): Route[] {
  const route = controlRoute;
  return [
    route('GET', '/_control/users/{unionId}/todos', (req) => control.todosOf(req.params.unionId!)),
    route('POST', '/_control/users/{unionId}/todos', (req, b) =>
      control.userCreatesTodo(req.params.unionId!, b),
    ),
    route('PATCH', '/_control/users/{unionId}/todos/{taskId}', (req, b) =>
      control.userEditsTodo(req.params.unionId!, req.params.taskId!, b),
    ),
    route('POST', '/_control/users/{unionId}/todos/{taskId}/complete', (req) =>
      control.userCompletesTodo(req.params.unionId!, req.params.taskId!),
    ),
    route('DELETE', '/_control/users/{unionId}/todos/{taskId}', (req) =>
      control.userDeletesTodo(req.params.unionId!, req.params.taskId!),
    ),
    route('PUT', '/_control/todo-options', (_, b) => control.setTodoOptions(b as Partial<TodoOptions>)),
  ];
}
