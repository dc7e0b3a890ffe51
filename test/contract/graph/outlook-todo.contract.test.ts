import { OutlookTodoAdapter, OUTLOOK_TODO_FOLDER } from '../../../shared/connectors/graph/todo-adapter';
import { OutlookTodoLists } from '../../../shared/connectors/graph/todo-list';
import { instantToLocal, localToInstant } from '../../../shared/sync/zoned-time';
import type { TodoTask } from '../../../shared/sync/todo-task';
import { CursorExpiredError } from '../../../shared/sync/types';
import { checkInstance, loadCsdl } from '../../support/graph/csdl';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import { todoAdapterContract } from '../todo-adapter.contract';

/**
 * The to-do contract against the fake Graph's Microsoft To Do. Every body the adapter sent to To Do must use only
 * names and values of the v1.0 CSDL's todoTask and todoTaskList.
 */

const model = loadCsdl();

function bodyProblems(h: GraphHarness): string[] {
  return h.fake.control.requests
    .filter((r) => r.path.includes('/todo/') && r.body !== undefined && r.body !== null && r.body !== '')
    .flatMap((r) => {
      const type = /\/todo\/lists$/.test(r.path)
        ? 'microsoft.graph.todoTaskList'
        : 'microsoft.graph.todoTask';
      return checkInstance(model, type, r.body, `${r.method} ${r.path}`);
    });
}

const todoRequests = (h: GraphHarness) =>
  h.fake.control.requests
    .filter((r) => r.path.includes('/todo/'))
    .map((r) => `${r.method} ${r.path.replace(/^.*\/todo\//, '')}`);

todoAdapterContract(
  'Outlook (Graph) To Do against the fake Graph',
  { readOnlyForeignItems: false, idlePollCalls: 1, maxCallsPerCreate: 2, maxCallsPerUpdate: 2 },
  async () => {
    const h = await startGraphHarness();
    const owner = h.user.entraId;
    // Small delta pages, so that listings of the contract span several.
    const lists = new OutlookTodoLists(h.connector.api);
    const todo = h.fake.control.todo;
    return {
      adapter: new OutlookTodoAdapter({
        api: h.connector.api,
        timeZone: 'Asia/Shanghai',
        pageSize: 10,
        lists,
      }),
      // A fresh process: its own list lookup and its own memory of creates.
      adapterIn: (timeZone) => new OutlookTodoAdapter({ api: h.connector.api, timeZone, pageSize: 10 }),
      user: h.user,
      folder: OUTLOOK_TODO_FOLDER,
      remote: {
        expiredCursor: async (cursor) => {
          todo.expireDeltaTokens(owner);
          return cursor;
        },
        editOutOfBand: async (id, change) => {
          if (change.subject !== undefined) todo.userUpdatesTask(owner, id, { title: change.subject });
          if (change.done === true) todo.userCompletesTask(owner, id);
          if (change.done === false) todo.userUpdatesTask(owner, id, { status: 'notStarted' });
        },
        deleteOutOfBand: async (id) => {
          todo.userDeletesTask(owner, id);
        },
        dueDayAsShown: async (id, timeZone) => {
          const task = todo.todoTasks(owner, 'DingTalk').find((t) => t.id === id);
          const due = task?.dueDateTime as { dateTime: string; timeZone: string } | undefined;
          if (!due) return undefined;
          return instantToLocal(localToInstant(due.dateTime, due.timeZone), timeZone).slice(0, 10);
        },
        callsDuring: async (action) => {
          h.fake.control.clearRequests();
          await action();
          return todoRequests(h);
        },
      },
      dispose: async () => {
        const problems = bodyProblems(h);
        await h.stop();
        expect(problems).toEqual([]);
      },
    };
  },
);

describe('Outlook To Do: the product list and Outlook-only behaviour', () => {
  let h: GraphHarness;
  let adapter: OutlookTodoAdapter;
  let owner: string;

  beforeEach(async () => {
    h = await startGraphHarness();
    owner = h.user.entraId;
    adapter = new OutlookTodoAdapter({ api: h.connector.api, timeZone: 'Asia/Shanghai' });
  });
  afterEach(() => h.stop());

  const task = (overrides: Partial<TodoTask> = {}): TodoTask => ({
    subject: 'Send the minutes',
    body: 'To everyone',
    done: false,
    importance: 'normal',
    ...overrides,
  });
  const listNames = () => h.fake.control.todo.todoLists(owner).map((l) => l.displayName);

  test('the list "DingTalk" is created once, even for concurrent first calls, and then remembered', async () => {
    const results = await Promise.all([
      adapter.listChanges(h.user, OUTLOOK_TODO_FOLDER, undefined),
      adapter.create(h.user, task(), 'dms-a'),
      adapter.create(h.user, task(), 'dms-b'),
    ]);
    expect(results[0].fullListing).toBe(true);
    expect(listNames().filter((n) => n === 'DingTalk')).toHaveLength(1);
    expect(h.fake.control.todo.todoTasks(owner, 'DingTalk')).toHaveLength(2);
    // Nothing of ours lands in the person's own lists.
    expect(h.fake.control.todo.todoTasks(owner)).toHaveLength(0);
    h.fake.control.clearRequests();
    await adapter.create(h.user, task(), 'dms-c');
    expect(todoRequests(h)).toEqual([expect.stringMatching(/^POST lists\/[^/]+\/tasks$/)]);
  });

  test('an existing list named DingTalk is used, the oldest of several, by every process', async () => {
    const oldest = h.fake.control.todo.userCreatesList(owner, 'DingTalk');
    h.fake.control.todo.userCreatesList(owner, 'DingTalk');
    const created = await adapter.create(h.user, task(), 'dms-a');
    const other = new OutlookTodoAdapter({ api: h.connector.api });
    expect((await other.get(h.user, created.id))?.id).toBe(created.id);
    expect(h.fake.control.todo.todoTasks(owner, String(oldest.id)).map((t) => t.id)).toEqual([created.id]);
    expect(listNames().filter((n) => n === 'DingTalk')).toHaveLength(2);
  });

  test('a list deleted by the person is made again, and its old cursor is expired', async () => {
    await adapter.create(h.user, task(), 'dms-a');
    const baseline = await adapter.listChanges(h.user, OUTLOOK_TODO_FOLDER, undefined);
    const listId = h.fake.control.todo.todoLists(owner).find((l) => l.displayName === 'DingTalk')!.id;
    await h.connector.api.delete(`/users/${owner}/todo/lists/${String(listId)}`, { mailbox: owner });
    await expect(
      adapter.listChanges(h.user, OUTLOOK_TODO_FOLDER, baseline.nextCursor),
    ).rejects.toBeInstanceOf(CursorExpiredError);
    const fresh = await adapter.listChanges(h.user, OUTLOOK_TODO_FOLDER, undefined);
    expect(fresh.fullListing).toBe(true);
    expect(fresh.changes).toEqual([]);
    expect(listNames().filter((n) => n === 'DingTalk')).toHaveLength(1);
  });

  test('reading asks for the owner zone, and the delta carries the linked resources', async () => {
    await adapter.create(h.user, task({ dueDate: '2026-12-24' }), 'dms-a');
    h.fake.control.clearRequests();
    await adapter.listChanges(h.user, OUTLOOK_TODO_FOLDER, undefined);
    const delta = h.fake.control.requests.find((r) => r.path.endsWith('/tasks/delta'))!;
    expect(delta.headers.prefer).toContain('outlook.timezone="Asia/Shanghai"');
    expect(decodeURIComponent(delta.query)).toContain('$expand=linkedResources');
  });

  test('not done leaves an in-progress task in progress; only a completed one is reopened', async () => {
    const created = await adapter.create(h.user, task(), 'dms-a');
    h.fake.control.todo.userUpdatesTask(owner, created.id, { status: 'inProgress' });
    const read = await adapter.get(h.user, created.id);
    expect(read?.projection.done).toBe(false);
    await adapter.update(h.user, created.id, { ...read!.projection, subject: 'Renamed' }, read!.version);
    expect(statusOf(created.id)).toBe('inProgress');
    h.fake.control.todo.userCompletesTask(owner, created.id);
    const done = await adapter.get(h.user, created.id);
    await adapter.update(h.user, created.id, { ...done!.projection, done: false }, done!.version);
    expect(statusOf(created.id)).toBe('notStarted');
  });

  test('a recurring task keeps its recurrence; completing it makes the next occurrence a new item', async () => {
    const start = await adapter.listChanges(h.user, OUTLOOK_TODO_FOLDER, undefined);
    const recurring = h.fake.control.todo.userCreatesTask(
      owner,
      {
        title: 'Weekly report',
        dueDateTime: { dateTime: '2026-11-27T00:00:00', timeZone: 'Asia/Shanghai' },
        recurrence: {
          pattern: { type: 'weekly', interval: 1, daysOfWeek: ['friday'] },
          range: { type: 'noEnd' },
        },
      },
      'DingTalk',
    );
    const id = String(recurring.id);
    const baseline = await adapter.listChanges(h.user, OUTLOOK_TODO_FOLDER, start.nextCursor);
    const listed = baseline.changes.find((c) => c.id === id) as { projection: TodoTask; version: string };
    await adapter.update(h.user, id, { ...listed.projection, subject: 'Weekly report (v2)' }, listed.version);
    expect(recurrenceOf(id)).toBeDefined();
    const read = await adapter.get(h.user, id);
    await adapter.update(h.user, id, { ...read!.projection, done: true }, read!.version);
    const after = await adapter.listChanges(h.user, OUTLOOK_TODO_FOLDER, baseline.nextCursor);
    const ids = after.changes.map((c) => c.id);
    expect(ids).toContain(id);
    const next = after.changes.find((c) => c.id !== id) as { projection: TodoTask; originKey?: string };
    expect(next.projection).toMatchObject({
      subject: 'Weekly report (v2)',
      dueDate: '2026-12-04',
      done: false,
    });
    expect(next.originKey).toBeUndefined();
    for (const r of h.fake.control.requests.filter((x) => x.method === 'PATCH'))
      expect(Object.keys(r.body as object)).not.toContain('recurrence');
  });

  test('createGraphConnector wires the To Do adapter, in the configured zone', async () => {
    const wired = await startGraphHarness({ connector: { todoTimeZone: 'Pacific/Honolulu' } });
    try {
      expect(wired.connector.todo).toBeInstanceOf(OutlookTodoAdapter);
      expect(wired.connector.todo.timeZone).toBe('Pacific/Honolulu');
      const created = await wired.connector.todo.create(
        wired.user,
        task({ dueDate: '2026-12-24' }),
        'dms-wired',
      );
      const stored = wired.fake.control.todo
        .todoTasks(wired.user.entraId, 'DingTalk')
        .find((t) => t.id === created.id);
      // Midnight in Honolulu (UTC−10) is 10:00 UTC the same day.
      expect(stored?.dueDateTime).toMatchObject({ dateTime: '2026-12-24T10:00:00.0000000', timeZone: 'UTC' });
    } finally {
      await wired.stop();
    }
  });

  function statusOf(id: string): unknown {
    return h.fake.control.todo.todoTasks(owner, 'DingTalk').find((t) => t.id === id)?.status;
  }

  function recurrenceOf(id: string): unknown {
    return h.fake.control.todo.todoTasks(owner, 'DingTalk').find((t) => t.id === id)?.recurrence;
  }
});
