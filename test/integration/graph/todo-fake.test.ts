import { schemaProblems, startMailTest, type MailTest } from './mail-fake-support';

/**
 * The fake's Microsoft To Do over raw HTTPS: lists, tasks (fields, dates, recurrence), paging and $filter,
 * If-Match, delta, linkedResources, permissions, the refused subscription, faults, and a person's actions.
 * Every entity answered is checked against Graph's v1.0 CSDL.
 */

const TASK = 'microsoft.graph.todoTask';
const LIST = 'microsoft.graph.todoTaskList';
const LINKED = 'microsoft.graph.linkedResource';

let t: MailTest;
let tasks: string;

beforeEach(async () => {
  t = await startMailTest();
  const lists = await t.call('/todo/lists');
  const defaultList = lists.body.value.find(
    (l: { wellknownListName: string }) => l.wellknownListName === 'defaultList',
  );
  tasks = `/todo/lists/${defaultList.id}/tasks`;
});
afterEach(() => t.h.stop());

async function tokenFor(roles: string[]): Promise<string> {
  const clientId = `app-${roles.join('-') || 'none'}`;
  t.h.fake.control.registerApp({ clientId, clientSecret: 's3cret', roles });
  const res = await fetch(`${t.h.fake.url}/sandbox-tenant/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: 's3cret',
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('task lists', () => {
  test('every mailbox has Tasks and Flagged email; lists are created, found by name, renamed and deleted', async () => {
    const lists = await t.call('/todo/lists');
    expect(lists.status).toBe(200);
    expect(lists.body.value.map((l: { displayName: string }) => l.displayName)).toEqual([
      'Tasks',
      'Flagged email',
    ]);
    expect(schemaProblems(`Collection(${LIST})`, lists.body.value)).toEqual([]);

    const created = await t.call('/todo/lists', { method: 'POST', body: { displayName: 'DingTalk' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: 'DingTalk', wellknownListName: 'none', isOwner: true });
    expect(created.body['@odata.etag']).toMatch(/^W\/"/);
    expect(schemaProblems(LIST, created.body)).toEqual([]);
    // To Do does not keep names unique: a second POST makes a second list.
    const twin = await t.call('/todo/lists', { method: 'POST', body: { displayName: 'DingTalk' } });
    expect(twin.body.id).not.toBe(created.body.id);
    const found = await t.call(`/todo/lists?$filter=${encodeURIComponent("displayName eq 'DingTalk'")}`);
    expect(found.body.value).toHaveLength(2);

    const renamed = await t.call(`/todo/lists/${twin.body.id}`, {
      method: 'PATCH',
      body: { displayName: 'Old' },
    });
    expect(renamed.body.displayName).toBe('Old');
    expect((await t.call(`/todo/lists/${twin.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.call(`/todo/lists/${twin.body.id}`)).status).toBe(404);
    const defaultId = lists.body.value[0].id;
    expect((await t.call(`/todo/lists/${defaultId}`, { method: 'DELETE' })).status).toBe(400);
    expect(
      (await t.call('/todo/lists', { method: 'POST', body: { displayName: 'x', colour: 1 } })).status,
    ).toBe(400);
  });
});

describe('tasks', () => {
  test('a create carries every field; the due date keeps its day only, the reminder its time', async () => {
    const res = await t.call(tasks, {
      method: 'POST',
      body: {
        title: '交季度报告',
        body: { content: 'Send it to Zhang San', contentType: 'text' },
        importance: 'high',
        status: 'inProgress',
        categories: ['Work'],
        isReminderOn: true,
        dueDateTime: { dateTime: '2026-11-25T15:30:00', timeZone: 'Asia/Shanghai' },
        reminderDateTime: { dateTime: '2026-11-25T09:00:00', timeZone: 'China Standard Time' },
        startDateTime: { dateTime: '2026-11-23T08:00:00', timeZone: 'UTC' },
        createdDateTime: '2000-01-01T00:00:00Z',
        linkedResources: [
          {
            applicationName: 'DingTalk',
            externalId: 'dt:task1',
            displayName: 'DingTalk to-do',
            webUrl: 'https://dingtalk.example/t1',
          },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(schemaProblems(TASK, res.body)).toEqual([]);
    expect(res.body).toMatchObject({
      title: '交季度报告',
      importance: 'high',
      status: 'inProgress',
      categories: ['Work'],
      isReminderOn: true,
      hasAttachments: false,
      body: { content: 'Send it to Zhang San', contentType: 'text' },
      // Midnight of 25 November in Shanghai, told in UTC: the time of day is gone.
      dueDateTime: { dateTime: '2026-11-24T16:00:00.0000000', timeZone: 'UTC' },
      reminderDateTime: { dateTime: '2026-11-25T01:00:00.0000000', timeZone: 'UTC' },
      startDateTime: { dateTime: '2026-11-23T08:00:00.0000000', timeZone: 'UTC' },
      createdDateTime: '2026-11-22T08:00:00.0000000Z',
    });
    expect(res.body.linkedResources).toEqual([
      expect.objectContaining({
        applicationName: 'DingTalk',
        externalId: 'dt:task1',
        webUrl: 'https://dingtalk.example/t1',
      }),
    ]);
    expect(res.body['@odata.etag']).toMatch(/^W\/"/);

    const inShanghai = await t.call(`${tasks}/${res.body.id}`, {
      prefer: 'outlook.timezone="Asia/Shanghai"',
    });
    expect(inShanghai.body.dueDateTime).toEqual({
      dateTime: '2026-11-25T00:00:00.0000000',
      timeZone: 'Asia/Shanghai',
    });
    expect(inShanghai.body.linkedResources).toBeUndefined();
  });

  test('bad bodies are refused the way OData refuses them', async () => {
    const unknown = await t.call(tasks, { method: 'POST', body: { title: 'x', priority: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('RequestBodyRead');
    expect((await t.call(tasks, { method: 'POST', body: { status: 'done' } })).status).toBe(400);
    expect((await t.call(tasks, { method: 'POST', body: { importance: 'urgent' } })).status).toBe(400);
    const zone = await t.call(tasks, {
      method: 'POST',
      body: { dueDateTime: { dateTime: '2026-11-25T00:00:00', timeZone: 'Mars/Olympus' } },
    });
    expect(zone.status).toBe(400);
    expect(zone.body.error.code).toBe('TimeZoneNotSupportedException');
    expect((await t.call(`${tasks}/nope`)).status).toBe(404);
  });

  test('listing pages with $top and nextLink, filters on status, expands linkedResources, refuses a filter on them', async () => {
    for (let i = 0; i < 7; i++)
      await t.call(tasks, {
        method: 'POST',
        body: {
          title: `task ${i}`,
          status: i % 2 ? 'completed' : 'notStarted',
          linkedResources: [{ externalId: `x${i}` }],
        },
      });
    const seen: string[] = [];
    let url: string | undefined = `${tasks}?$top=3&$expand=linkedResources`;
    let pages = 0;
    while (url) {
      const page = await t.call(url);
      expect(page.status).toBe(200);
      expect(schemaProblems(`Collection(${TASK})`, page.body.value)).toEqual([]);
      for (const task of page.body.value) {
        seen.push(task.title);
        expect(task.linkedResources).toHaveLength(1);
      }
      url = page.body['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `task ${i}`));

    const open = await t.call(`${tasks}?$filter=${encodeURIComponent("status ne 'completed'")}`);
    expect(open.body.value.map((x: { title: string }) => x.title)).toEqual([
      'task 0',
      'task 2',
      'task 4',
      'task 6',
    ]);
    const byLink = await t.call(
      `${tasks}?$filter=${encodeURIComponent("linkedResources/any(r: r/externalId eq 'x1')")}`,
    );
    expect(byLink.status).toBe(400);
  });

  test('PATCH and DELETE honour If-Match: a stale etag is 412, the current one passes', async () => {
    const created = await t.call(tasks, { method: 'POST', body: { title: 'v1' } });
    const etag = created.body['@odata.etag'];
    const updated = await t.call(`${tasks}/${created.body.id}`, {
      method: 'PATCH',
      body: { title: 'v2' },
      ifMatch: etag,
    });
    expect(updated.status).toBe(200);
    expect(updated.body['@odata.etag']).not.toBe(etag);
    expect(schemaProblems(TASK, updated.body)).toEqual([]);
    const stale = await t.call(`${tasks}/${created.body.id}`, {
      method: 'PATCH',
      body: { title: 'v3' },
      ifMatch: etag,
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('ErrorIrresolvableConflict');
    expect((await t.call(`${tasks}/${created.body.id}`, { method: 'DELETE', ifMatch: etag })).status).toBe(
      412,
    );
    expect(
      (
        await t.call(`${tasks}/${created.body.id}`, {
          method: 'DELETE',
          ifMatch: updated.body['@odata.etag'],
        })
      ).status,
    ).toBe(204);
  });

  test('completing sets completedDateTime to the UTC day; reopening clears it', async () => {
    const clock = t.h.clock as unknown as { advance(ms: number): void };
    clock.advance(15 * 3600_000); // 2026-11-22T23:00Z, already the 23rd in Shanghai
    const created = await t.call(tasks, { method: 'POST', body: { title: 'done soon' } });
    const done = await t.call(`${tasks}/${created.body.id}`, {
      method: 'PATCH',
      body: { status: 'completed' },
    });
    expect(done.body.completedDateTime).toEqual({ dateTime: '2026-11-22T00:00:00.0000000', timeZone: 'UTC' });
    const reopened = await t.call(`${tasks}/${created.body.id}`, {
      method: 'PATCH',
      body: { status: 'notStarted' },
    });
    expect(reopened.body.completedDateTime).toBeUndefined();
  });

  test('completing a recurring task keeps it completed without recurrence and creates the next occurrence', async () => {
    const created = await t.call(tasks, {
      method: 'POST',
      body: {
        title: 'Weekly report',
        dueDateTime: { dateTime: '2026-11-23T00:00:00', timeZone: 'Asia/Shanghai' },
        reminderDateTime: { dateTime: '2026-11-23T09:00:00', timeZone: 'Asia/Shanghai' },
        recurrence: {
          pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
          range: { type: 'noEnd', startDate: '2026-11-23' },
        },
      },
    });
    expect(schemaProblems(TASK, created.body)).toEqual([]);
    const done = await t.call(`${tasks}/${created.body.id}`, {
      method: 'PATCH',
      body: { status: 'completed' },
    });
    expect(done.body.status).toBe('completed');
    expect(done.body.recurrence).toBeUndefined();
    const all = (await t.call(tasks, { prefer: 'outlook.timezone="Asia/Shanghai"' })).body.value;
    expect(all).toHaveLength(2);
    const next = all.find((x: { id: string }) => x.id !== created.body.id);
    expect(next).toMatchObject({
      title: 'Weekly report',
      status: 'notStarted',
      dueDateTime: { dateTime: '2026-11-30T00:00:00.0000000' },
      reminderDateTime: { dateTime: '2026-11-30T09:00:00.0000000' },
      recurrence: { pattern: { type: 'weekly', daysOfWeek: ['monday'] } },
    });
    expect(schemaProblems(TASK, next)).toEqual([]);
  });
});

describe('delta', () => {
  test('pages, then only changes: created and updated as rows, deleted as @removed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await t.call(tasks, { method: 'POST', body: { title: `d${i}` } })).body.id);
    let url: string | undefined = `${tasks}/delta`;
    let deltaLink: string | undefined;
    const first: string[] = [];
    while (url) {
      const page = await t.call(url, { prefer: 'odata.maxpagesize=2' });
      expect(page.status).toBe(200);
      expect(page.body['@odata.nextLink'] && page.body['@odata.deltaLink']).toBeFalsy();
      expect(schemaProblems(`Collection(${TASK})`, page.body.value)).toEqual([]);
      first.push(...page.body.value.map((x: { title: string }) => x.title));
      url = page.body['@odata.nextLink'];
      deltaLink = page.body['@odata.deltaLink'];
    }
    expect(first).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);

    const empty = await t.call(deltaLink!);
    expect(empty.body.value).toEqual([]);
    await t.call(`${tasks}/${ids[1]}`, { method: 'PATCH', body: { status: 'completed' } });
    await t.call(`${tasks}/${ids[2]}`, { method: 'DELETE' });
    t.h.fake.control.todo.userCreatesTask(t.h.user.entraId, { title: 'from To Do' });
    const changes = await t.call(empty.body['@odata.deltaLink']);
    expect(changes.body.value).toEqual([
      expect.objectContaining({ id: ids[1], status: 'completed' }),
      expect.objectContaining({ title: 'from To Do' }),
      { '@odata.type': '#microsoft.graph.todoTask', id: ids[2], '@removed': { reason: 'deleted' } },
    ]);
    expect(schemaProblems(`Collection(${TASK})`, changes.body.value)).toEqual([]);
  });

  test('a bad or expired token is 410 SyncStateNotFound with a Location to start over', async () => {
    const bad = await t.call(`${tasks}/delta?$deltatoken=not-a-token`);
    expect(bad.status).toBe(410);
    expect(bad.body.error.code).toBe('SyncStateNotFound');
    expect(bad.headers.get('location')).toMatch(/\/tasks\/delta\?\$deltatoken=$/);

    const round = await t.call(`${tasks}/delta`);
    t.h.fake.control.expireDeltaTokens(t.h.user.entraId);
    expect((await t.call(round.body['@odata.deltaLink'])).status).toBe(410);
    // A token of one list is not valid on another.
    const other = await t.call('/todo/lists', { method: 'POST', body: { displayName: 'Other' } });
    const fresh = await t.call(`${tasks}/delta`);
    const token = new URL(fresh.body['@odata.deltaLink']).searchParams.get('$deltatoken');
    expect((await t.call(`/todo/lists/${other.body.id}/tasks/delta?$deltatoken=${token}`)).status).toBe(410);
  });
});

describe('linked resources', () => {
  test('are posted and listed, with no uniqueness on externalId', async () => {
    const task = await t.call(tasks, { method: 'POST', body: { title: 'linked' } });
    const path = `${tasks}/${task.body.id}/linkedResources`;
    const body = {
      applicationName: 'DingTalk',
      displayName: 'to-do',
      externalId: 'dt:1',
      webUrl: 'https://x.example',
    };
    const a = await t.call(path, { method: 'POST', body });
    const b = await t.call(path, { method: 'POST', body });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(schemaProblems(LINKED, a.body)).toEqual([]);
    const listed = await t.call(path);
    expect(listed.body.value.map((r: { externalId: string }) => r.externalId)).toEqual(['dt:1', 'dt:1']);
    expect((await t.call(`${path}/${a.body.id}`)).body.id).toBe(a.body.id);
    // A link added afterwards is its own entity: the task's etag stays.
    expect((await t.call(`${tasks}/${task.body.id}`)).body['@odata.etag']).toBe(task.body['@odata.etag']);
  });
});

describe('permissions, subscriptions and faults', () => {
  test('Tasks.ReadWrite.All writes, Tasks.Read.All only reads, other roles get 403', async () => {
    const readOnly = await tokenFor(['Tasks.Read.All']);
    const none = await tokenFor(['Calendars.ReadWrite']);
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await t.call(tasks, { headers: auth(readOnly) })).status).toBe(200);
    const write = await t.call(tasks, { method: 'POST', body: { title: 'x' }, headers: auth(readOnly) });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('ErrorAccessDenied');
    expect((await t.call('/todo/lists', { headers: auth(none) })).status).toBe(403);
  });

  test('a subscription on a task list is refused app-only', async () => {
    const listId = tasks.split('/')[3];
    const res = await t.call(`${t.h.fake.url}/v1.0/subscriptions`, {
      method: 'POST',
      body: {
        changeType: 'created,updated,deleted',
        notificationUrl: 'https://hooks.example/graph',
        resource: `users/${t.h.user.entraId}/todo/lists/${listId}/tasks`,
        expirationDateTime: '2026-11-23T08:00:00Z',
      },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/todoTask subscriptions are not supported/);
  });

  test('injected faults answer To Do requests like a stressed Graph', async () => {
    t.h.fake.control.addFault({ path: '/todo/', status: 429, retryAfterSeconds: 2, count: 1 });
    const throttled = await t.call(tasks);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect((await t.call(tasks)).status).toBe(200);
  });
});

describe('a person in To Do', () => {
  test('creates, edits, completes and deletes; tests read the lists back', () => {
    const c = t.h.fake.control.todo;
    const user = t.h.user.entraId;
    const list = c.userCreatesList(user, 'DingTalk');
    const task = c.userCreatesTask(user, { title: 'Call Zhang San' }, 'DingTalk');
    expect(c.todoTasks(user, list.id as string)).toHaveLength(1);
    expect(c.userUpdatesTask(user, task.id as string, { importance: 'high' }).importance).toBe('high');
    const { task: done, next } = c.userCompletesTask(user, task.id as string);
    expect(done.status).toBe('completed');
    expect(next).toBeUndefined();
    expect(c.userDeletesTask(user, task.id as string)).toBe(true);
    expect(c.todoTasks(user, 'DingTalk')).toEqual([]);
    expect(c.todoLists(user).map((l) => l.displayName)).toEqual(['Tasks', 'Flagged email', 'DingTalk']);
    expect(() => c.userCreatesTask(user, { title: 'x' }, 'Nope')).toThrow(/no To Do list/);
  });
});
