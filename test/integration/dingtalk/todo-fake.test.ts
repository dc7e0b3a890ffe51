import { ManualClock } from '../../../shared/platform/clock';
import { loadSchema, moduleOf, violationsOf } from '../../contract/dingtalk/schema-check';
import { APP, type Harness, startHarness } from './support/harness';

/**
 * The fake's DingTalk to-dos (todo_1_0) over HTTP: create with sourceId (a duplicate is refused), get, update
 * (done), executor status, delete to the recycle bin, the two listings with roles, paging and ordering by
 * modification, the bizTag refusal, the per-API QPS limit, the monthly meter, faults and a person's actions.
 * Every answer is checked against the SDK's models in schemas/dingtalk-api.json.
 */

const schema = loadSchema();
const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));

let h: Harness;
let token: string;
let alice: string;
let bob: string;

beforeEach(async () => {
  h = await startHarness({ clock });
  token = await h.tokens.getToken();
  alice = h.alice.dingtalkUnionId;
  bob = h.bob.dingtalkUnionId;
});
afterEach(() => h.stop());

interface Answer {
  status: number;
  body: Record<string, unknown> & { todoCards?: Record<string, unknown>[] };
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${h.fake.url}/v1.0/todo${path}`, {
    method,
    headers: { 'x-acs-dingtalk-access-token': token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

/** Schema problems of a successful answer of `operation`, or of the v1.0 error shape. */
function problems(operation: string, answer: Answer): string[] {
  const models = moduleOf(schema, operation)!.models;
  if (answer.status >= 400) {
    const keys = Object.keys(answer.body).sort();
    return keys.join(',') === 'code,message,requestid' ? [] : [`error shape ${keys.join(',')}`];
  }
  return violationsOf(answer.body, `${operation}ResponseBody`, models);
}

const create = (unionId: string, body: Record<string, unknown>, operator = unionId) =>
  call('POST', `/users/${unionId}/tasks?operatorId=${operator}`, body);

describe('fake DingTalk to-dos', () => {
  test('create answers the task object; a duplicate sourceId is refused with "task exist"', async () => {
    const created = await create(alice, {
      sourceId: 'graph:AAMk1',
      subject: '接入钉钉待办',
      description: '待办描述',
      dueTime: 1_764_000_000_000,
      executorIds: [alice, bob],
      participantIds: [bob],
      priority: 30,
      detailUrl: { appUrl: 'https://x.example/a', pcUrl: 'https://x.example/p' },
    });
    expect(created.status).toBe(200);
    expect(problems('CreateTodoTask', created)).toEqual([]);
    expect(created.body).toMatchObject({
      subject: '接入钉钉待办',
      done: false,
      dueTime: 1_764_000_000_000,
      finishTime: 0,
      creatorId: alice,
      executorIds: [alice, bob],
      priority: 30,
      bizTag: `todo_open_${APP.appKey}`,
      sourceId: 'graph:AAMk1',
      createdTime: clock.now(),
    });
    expect(created.body.id).toMatch(/^task/);

    const again = await create(alice, { sourceId: 'graph:AAMk1', subject: 'again' });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'todo.taskCreate.paramError', message: 'task exist' });
    expect(problems('CreateTodoTask', again)).toEqual([]);

    const bySource = await call('GET', `/users/${alice}/tasks/sources/graph:AAMk1`);
    expect(bySource.body.id).toBe(created.body.id);
    expect(problems('GetTodoTaskBySourceId', bySource)).toEqual([]);
  });

  test('bad bodies get the documented messages', async () => {
    expect((await create(alice, { subject: 'x'.repeat(1025) })).body.message).toBe('subject is oversize');
    expect((await create(alice, { subject: 'x', dueTime: -5 })).body.message).toBe('dueTime is invalid');
    expect((await create(alice, { description: 'no subject' })).body.code).toBe('todo.taskCreate.paramError');
    expect((await create(alice, { subject: 'x', priority: 25 })).status).toBe(400);
    expect((await create('nobody', { subject: 'x' })).status).toBe(400);
  });

  test('update (done sets finishTime), executor status, get, and delete to the recycle bin', async () => {
    const id = (await create(alice, { subject: 'ship', executorIds: [alice, bob] })).body.id as string;
    clock.advance(60_000);
    const updated = await call('PUT', `/users/${alice}/tasks/${id}?operatorId=${alice}`, {
      subject: 'ship it',
      dueTime: 1_765_000_000_000,
      done: true,
    });
    expect(updated).toEqual({ status: 200, body: { result: true } });
    expect(problems('UpdateTodoTask', updated)).toEqual([]);
    const got = await call('GET', `/users/${alice}/tasks/${id}`);
    expect(problems('GetTodoTask', got)).toEqual([]);
    expect(got.body).toMatchObject({
      subject: 'ship it',
      done: true,
      finishTime: clock.now(),
      modifiedTime: clock.now(),
    });

    await call('PUT', `/users/${alice}/tasks/${id}?operatorId=${alice}`, { done: false });
    const status = await call('PUT', `/users/${bob}/tasks/${id}/executorStatus?operatorId=${bob}`, {
      executorStatusList: [{ id: bob, isDone: true }],
    });
    expect(problems('UpdateTodoTaskExecutorStatus', status)).toEqual([]);
    expect((await call('GET', `/users/${alice}/tasks/${id}`)).body.done).toBe(false);
    await call('PUT', `/users/${alice}/tasks/${id}/executorStatus?operatorId=${alice}`, {
      executorStatusList: [{ id: alice, isDone: true }],
    });
    expect((await call('GET', `/users/${alice}/tasks/${id}`)).body.done).toBe(true);

    const deleted = await call('DELETE', `/users/${alice}/tasks/${id}?operatorId=${alice}`);
    expect(deleted.body.result).toBe(true);
    expect(problems('DeleteTodoTask', deleted)).toEqual([]);
    const gone = await call('GET', `/users/${alice}/tasks/${id}`);
    expect(gone.status).toBe(400);
    expect(gone.body.message).toBe('task not exist');
    const recycled = await call('POST', `/users/${alice}/tasks/list`, { isRecycled: true });
    expect(recycled.body.todoCards!.map((c) => c.taskId)).toEqual([id]);
    const update = await call('PUT', `/users/${alice}/tasks/${id}`, { done: false });
    expect(update.body).toMatchObject({ code: 'todo.taskUpdate.paramError', message: 'task not exist' });
  });

  test("another app's to-do is readable but any write is refused with 'task not belong to bizTag'", async () => {
    const foreign = h.fake.control.otherAppCreatesTodo(alice, { subject: 'from OA', sourceId: 'oa-1' });
    const id = foreign.id as string;
    const got = await call('GET', `/users/${alice}/tasks/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.bizTag).toBe('todo_open_dingotherapp');
    for (const attempt of [
      call('PUT', `/users/${alice}/tasks/${id}`, { done: true }),
      call('PUT', `/users/${alice}/tasks/${id}/executorStatus`, {
        executorStatusList: [{ id: alice, isDone: true }],
      }),
    ]) {
      const refused = await attempt;
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: 'todo.taskUpdate.paramError',
        message: 'task not belong to bizTag',
      });
      expect(problems('UpdateTodoTask', refused)).toEqual([]);
    }
    const del = await call('DELETE', `/users/${alice}/tasks/${id}`);
    expect(del.body).toMatchObject({
      code: 'todo.taskDelete.paramError',
      message: 'task not belong to bizTag',
    });
    // Another app's sourceId is its own: the same value is free for this app.
    expect((await create(alice, { subject: 'mine', sourceId: 'oa-1' })).status).toBe(200);

    // A person's to-do made in the DingTalk app: not writable unless the fake is told so.
    const native = h.fake.control.userCreatesTodo(alice, { subject: 'by hand' });
    expect((await call('PUT', `/users/${alice}/tasks/${native.id}`, { done: true })).body.message).toBe(
      'task not belong to bizTag',
    );
    h.fake.control.setTodoOptions({ nativeWritable: true });
    expect((await call('PUT', `/users/${alice}/tasks/${native.id}`, { done: true })).status).toBe(200);
  });

  test('listings filter by role and done state, page with nextToken and order by modification', async () => {
    h.fake.control.setTodoOptions({ pageSize: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      ids.push((await create(alice, { subject: `mine ${i}` })).body.id as string);
    }
    clock.advance(1000);
    const forAlice = (await create(bob, { subject: 'from bob', executorIds: [alice] })).body.id as string;
    clock.advance(1000);
    await create(bob, { subject: 'bob only' });
    clock.advance(1000);
    await call('PUT', `/users/${alice}/tasks/${ids[0]}`, { description: 'touched' });

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await call('POST', `/users/${alice}/tasks/list`, {
        nextToken,
        roleTypes: [['executor'], ['creator']],
        orderBy: 'modified',
        orderDirection: 'desc',
      });
      expect(page.status).toBe(200);
      expect(problems('QueryTodoTasks', page)).toEqual([]);
      expect(page.body.totalCount).toBe(6);
      seen.push(...page.body.todoCards!.map((c) => c.taskId as string));
      nextToken = page.body.nextToken as string | undefined;
      pages++;
    } while (nextToken);
    expect(pages).toBe(2);
    expect(seen).toEqual([ids[0], forAlice, ids[4], ids[3], ids[2], ids[1]]);

    const created = await call('POST', `/users/${alice}/tasks/list`, { roleTypes: [['creator']] });
    expect(created.body.totalCount).toBe(5);
    await call('PUT', `/users/${alice}/tasks/${ids[1]}`, { done: true });
    const done = await call('POST', `/users/${alice}/tasks/list`, { isDone: true });
    expect(done.body.todoCards!.map((c) => c.taskId)).toEqual([ids[1]]);
    const org = await call('POST', `/users/${alice}/org/tasks/query`, {
      isDone: false,
      roleTypes: [['executor']],
    });
    expect(problems('QueryOrgTodoTasks', org)).toEqual([]);
    expect(org.body.todoCards).toHaveLength(3);
    expect(org.body.nextToken).toBeDefined();
    expect((await call('POST', `/users/${alice}/tasks/list`, { orderBy: 'color' })).status).toBe(400);
    expect((await call('POST', `/users/${alice}/tasks/list`, { nextToken: 'zz' })).status).toBe(400);
  });

  test('20 calls per second per API: the 21st is refused; other APIs are not affected; every call is metered', async () => {
    const before = h.fake.control.usage().metered;
    const answers = await Promise.all(
      Array.from({ length: 23 }, () => call('POST', `/users/${alice}/tasks/list`, {})),
    );
    const refused = answers.filter((a) => a.status === 403);
    expect(refused).toHaveLength(3);
    expect(refused[0]!.body).toMatchObject({ code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi' });
    expect((await create(alice, { subject: 'another API' })).status).toBe(200);
    const usage = h.fake.control.usage();
    expect(usage.metered - before).toBe(21);
    expect(usage.byApi['POST /v1.0/todo/users/{unionId}/tasks/list']).toBe(20);

    h.fake.control.setMonthlyQuota(usage.metered);
    const over = await create(alice, { subject: 'over budget' });
    expect(over.status).toBe(403);
    expect(over.body.code).toBe('Forbidden.AccessDenied.ApiCountLimitForOrg');
  });

  test('injected faults and flow control', async () => {
    h.fake.control.injectFault({ path: '/v1.0/todo/', kind: 'systemBusy' });
    const busy = await call('POST', `/users/${alice}/tasks/list`, {});
    expect(busy.status).toBe(503);
    expect(problems('QueryTodoTasks', busy)).toEqual([]);
    h.fake.control.setTodoOptions({ flowControlled: 1 });
    const limited = await create(alice, { subject: 'x' });
    expect(limited.body).toMatchObject({
      code: 'todo.taskCreate.paramError',
      message: 'flowControl because of executorId or orgId',
    });
    expect((await create(alice, { subject: 'x' })).status).toBe(200);
  });

  test('a person in the DingTalk app creates, edits, completes and deletes; the control API over HTTP too', async () => {
    const c = h.fake.control;
    const todo = c.userCreatesTodo(alice, { subject: '买咖啡', priority: 20, dueTime: 1_764_000_000_000 });
    expect(todo.bizTag).toBe('dingtalk_todo');
    expect(c.userEditsTodo(alice, todo.id as string, { priority: 40 }).priority).toBe(40);
    clock.advance(5000);
    expect(c.userCompletesTodo(alice, todo.id as string)).toMatchObject({
      done: true,
      finishTime: clock.now(),
    });
    expect(c.todosOf(alice).map((t) => t.id)).toEqual([todo.id]);
    c.userDeletesTodo(alice, todo.id as string);
    expect(c.todosOf(alice)).toEqual([]);

    const made = await fetch(`${h.fake.url}/_control/users/${bob}/todos`, {
      method: 'POST',
      body: JSON.stringify({ subject: 'over HTTP' }),
    });
    const id = ((await made.json()) as { id: string }).id;
    await fetch(`${h.fake.url}/_control/users/${bob}/todos/${id}/complete`, { method: 'POST' });
    const listed = (await (await fetch(`${h.fake.url}/_control/users/${bob}/todos`)).json()) as {
      done: boolean;
    }[];
    expect(listed).toEqual([expect.objectContaining({ id, done: true })]);
  });
});
