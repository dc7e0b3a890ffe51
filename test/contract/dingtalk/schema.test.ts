import type { Exchange } from '../../../sandbox/dingtalk';
import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import { APP, type Harness, startHarness } from '../../integration/dingtalk/support/harness';
import {
  GETTOKEN_RESPONSE,
  OAPI_APIS,
  OAPI_ENVELOPE,
  OAPI_ERROR_FIELDS,
  V1_ERROR_FIELDS,
} from './oapi-fields';
import { loadSchema, moduleOf, queryViolationsOf, violationsOf } from './schema-check';
import { calendarEvent } from '../../support/calendar-event';
import { DingTalkContactAdapter, DingTalkTodoAdapter } from '../../../shared/connectors/dingtalk';

/**
 * Wire faithfulness, both ways: what the fake answers must fit DingTalk's published models, and what the
 * project's client sends must fit them too. v1.0 is checked against schemas/dingtalk-api.json (the official
 * SDK's models), oapi against the field lists of DingTalk's documentation (it is not in the schema file).
 */

const schema = loadSchema();

const event = (overrides: Partial<CalendarEvent> = {}): CalendarEvent =>
  calendarEvent({
    subject: 'Contract check',
    body: 'body',
    location: 'Room 1',
    start: { local: '2026-11-23T09:30:00', timeZone: 'Asia/Shanghai' },
    end: { local: '2026-11-23T10:30:00', timeZone: 'Asia/Shanghai' },
    reminderMinutes: 5,
    ...overrides,
  });

const timed = (summary: string) => ({
  summary,
  start: { dateTime: '2026-11-24T09:00:00+08:00', timeZone: 'Asia/Shanghai' },
  end: { dateTime: '2026-11-24T10:00:00+08:00', timeZone: 'Asia/Shanghai' },
});

let h: Harness;
let clientExchanges: Exchange[];
let allExchanges: Exchange[];

beforeAll(async () => {
  h = await startHarness();
  const c = h.fake.control;
  c.addDepartment({ dept_id: 2, parent_id: 1, name: 'Big team' });
  for (let i = 0; i < 105; i++)
    c.addUser({ userid: `m${i}`, name: `Member ${i}`, org_email: `m${i}@corp.example`, dept_id_list: [2] });
  const shared = c.userCreatesEvent(h.bob.dingtalkUnionId, {
    ...timed('shared'),
    attendees: [{ id: h.alice.dingtalkUnionId, isOptional: true }],
    onlineMeetingInfo: { type: 'dingtalk' },
    categories: [{ categoryId: 'c1', displayName: 'Work' }],
    location: { displayName: 'Room 9' },
  });
  const series = c.userCreatesEvent(h.alice.dingtalkUnionId, {
    ...timed('series'),
    recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: 'tuesday' }, range: { type: 'noEnd' } },
  });
  c.userChangesOccurrence(h.alice.dingtalkUnionId, series.id as string, '2026-12-01T01:00:00Z', {
    cancelled: true,
  });
  for (let i = 0; i < 100; i++) c.userCreatesEvent(h.alice.dingtalkUnionId, timed(`filler ${i}`));

  // The project's own code, through every call it makes.
  await h.directory.listAllUsers();
  await h.directory.listDepartments();
  await h.directory.departmentName();
  await h.directory.getUser('alice');
  await h.directory.getUser('nobody');
  await h.directory.userIdOfUnionId(h.bob.dingtalkUnionId);
  let cursor: string | undefined;
  for (let more = true; more;) {
    const page = await h.adapter.listChanges(h.alice, 'primary', cursor);
    cursor = page.nextCursor;
    more = page.more;
  }
  const created = await h.adapter.create(
    h.alice,
    event({
      onlineMeetingUrl: 'https://teams.microsoft.com/l/meetup-join/x',
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
        range: { type: 'endDate', startDate: '2026-11-23', endDate: '2027-01-31' },
      },
    }),
    'dms-contract-1',
  );
  await h.adapter.create(
    h.alice,
    event({
      isAllDay: true,
      start: { local: '2026-11-25', timeZone: 'Asia/Shanghai' },
      end: { local: '2026-11-26', timeZone: 'Asia/Shanghai' },
    }),
    'dms-contract-2',
  );
  await h.adapter.get(h.alice, shared.id as string);
  await h.adapter.update(h.alice, created.id, event({ subject: 'Updated' }));
  await h.adapter.update(h.alice, shared.id as string, event()).catch(() => undefined);
  await h.newAdapter().findByOriginKey(h.alice, 'dms-contract-1');
  await h.adapter.listChanges(h.alice, 'primary', cursor);
  await h.adapter.delete(h.alice, created.id);
  await h.adapter.get(h.alice, created.id);
  c.invalidateSyncTokens();
  await h.adapter.listChanges(h.alice, 'primary', cursor).catch(() => undefined);

  // External contacts, through the contact adapter: the listing, labels, get, create, update and delete.
  const contacts = new DingTalkContactAdapter({ client: h.client, rosterMaxAgeMs: 0 });
  c.userAddsExtContact('bob', {
    name: '李雷',
    mobile: '13912345678',
    state_code: '86',
    label_ids: [1026002],
  });
  const baseline = await contacts.listChanges(h.alice, 'extcontacts', undefined);
  const card = await contacts.create(
    h.alice,
    {
      name: '王芳',
      company: '上海远航物流有限公司',
      title: '采购经理',
      email: 'wang.fang@example.cn',
      mobile: '+86 13800138000',
      address: '上海市浦东新区',
      notes: '报关',
      labels: ['客户'],
    },
    'dms-contract-contact',
  );
  const edited = await contacts.update(
    h.alice,
    card.id,
    { ...card.projection, title: '采购总监' },
    card.version,
  );
  await contacts.listChanges(h.alice, 'extcontacts', baseline.nextCursor);
  await contacts.delete(h.alice, edited.id, edited.version);

  // To-dos, through the to-do adapter: the listing and recycle bin, get, create, update, delete.
  const todos = new DingTalkTodoAdapter({ client: h.client });
  c.userCreatesTodo(h.alice.dingtalkUnionId, {
    subject: '提交报关资料',
    dueTime: Date.parse('2026-12-20T09:00:00Z'),
  });
  const todoBaseline = await todos.listChanges(h.alice, 'tasks', undefined);
  const task = await todos.create(
    h.alice,
    { subject: 'Book the truck', body: 'for Monday', dueDate: '2026-12-21', done: false, importance: 'high' },
    'dms-contract-todo',
  );
  await todos.findByOriginKey(h.alice, 'dms-contract-todo');
  const ticked = await todos.update(h.alice, task.id, { ...task.projection, done: true }, task.version);
  await todos.listChanges(h.alice, 'tasks', todoBaseline.nextCursor);
  await todos.delete(h.alice, ticked.id, ticked.version);
  clientExchanges = c.exchanges();

  // Raw calls for the answers the client never provokes, and for listid, which the fake serves but we do not use.
  await fetch(`${h.fake.url}/topapi/user/listid?access_token=${await h.tokens.getToken()}`, {
    method: 'POST',
    body: JSON.stringify({ dept_id: 2 }),
  });
  await fetch(`${h.fake.url}/gettoken?appkey=${APP.appKey}&appsecret=${APP.appSecret}`);
  await fetch(`${h.fake.url}/v1.0/oauth2/accessToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appKey: APP.appKey, appSecret: 'wrong' }),
  });
  allExchanges = c.exchanges();
});

afterAll(() => h.stop());

const ok = (x: Exchange) => x.status >= 200 && x.status < 300;
const isOapiSuccess = (x: Exchange) => (x.responseBody as { errcode?: number })?.errcode === 0;

describe('DingTalk wire shapes', () => {
  test('the scenario exercised every operation the project uses, successes and failures', () => {
    const ops = new Set(
      allExchanges.filter((x) => ok(x) && (x.family === 'v1' || isOapiSuccess(x))).map((x) => x.operation),
    );
    for (const op of [
      'GetAccessToken',
      'CreateEvent',
      'GetEvent',
      'ListEvents',
      'PatchEvent',
      'DeleteEvent',
      'CreateTodoTask',
      'GetTodoTask',
      'GetTodoTaskBySourceId',
      'UpdateTodoTask',
      'DeleteTodoTask',
      'QueryTodoTasks',
      '/gettoken',
      ...Object.keys(OAPI_APIS),
    ]) {
      expect(ops).toContain(op);
    }
    expect(allExchanges.some((x) => x.family === 'v1' && !ok(x))).toBe(true);
    expect(allExchanges.some((x) => x.family === 'oapi' && !isOapiSuccess(x))).toBe(true);
    expect(
      allExchanges.some(
        (x) => x.operation === 'ListEvents' && (x.responseBody as { nextToken?: string }).nextToken,
      ),
    ).toBe(true);
  });

  test('every v1.0 success body the fake sent fits the operation’s ResponseBody model', () => {
    const problems = allExchanges
      .filter((x) => x.family === 'v1' && ok(x) && x.responseBody !== undefined)
      .flatMap((x) => {
        const module = moduleOf(schema, x.operation);
        if (!module) return [`${x.operation}: not in the schema`];
        return violationsOf(x.responseBody, `${x.operation}ResponseBody`, module.models).map(
          (p) => `${x.operation} ${p}`,
        );
      });
    expect(problems).toEqual([]);
  });

  test('every v1.0 request the project client sent fits the operation’s Request model (body and query)', () => {
    const problems = clientExchanges
      .filter((x) => x.family === 'v1')
      .flatMap((x) => {
        const module = moduleOf(schema, x.operation)!;
        const requestModel = `${x.operation}Request`;
        return [
          ...violationsOf(x.requestBody, requestModel, module.models),
          ...queryViolationsOf(x.query, requestModel, module.models),
        ].map((p) => `${x.operation} ${p}`);
      });
    expect(problems).toEqual([]);
  });

  test('v1.0 operations are called with the method and path the schema gives them', () => {
    for (const x of clientExchanges.filter((e) => e.family === 'v1')) {
      const declared = moduleOf(schema, x.operation)!.operations[x.operation]!;
      expect([x.method, x.template]).toEqual([declared.method, declared.path]);
    }
  });

  test('oapi requests and results carry only the fields DingTalk documents', () => {
    const problems: string[] = [];
    for (const x of allExchanges.filter((e) => e.family === 'oapi' && isOapiSuccess(e))) {
      const body = x.responseBody as Record<string, unknown>;
      if (x.operation === '/gettoken') {
        problems.push(...undeclared(body, GETTOKEN_RESPONSE, 'gettoken'));
        continue;
      }
      const api = OAPI_APIS[x.operation]!;
      problems.push(...undeclared(x.requestBody, api.request, `${x.operation} request`));
      problems.push(...undeclared(body, api.envelope ?? OAPI_ENVELOPE, `${x.operation} envelope`));
      const contact = (x.requestBody as { contact?: unknown } | undefined)?.contact;
      if (api.contact) problems.push(...undeclared(contact, api.contact, `${x.operation} contact`));
      for (const item of (body.results as unknown[] | undefined) ?? [])
        problems.push(...undeclared(item, api.resultsItem ?? [], `${x.operation} results item`));
      // listsub answers a list of departments rather than an object.
      for (const result of Array.isArray(body.result) ? body.result : body.result ? [body.result] : [])
        problems.push(...undeclared(result, api.result, `${x.operation} result`));
      for (const item of (body.result as { list?: unknown[] } | undefined)?.list ?? []) {
        problems.push(...undeclared(item, api.listItem ?? [], `${x.operation} list item`));
      }
    }
    expect(problems).toEqual([]);
  });

  test('error bodies have DingTalk’s two shapes', () => {
    for (const x of allExchanges) {
      if (x.family === 'v1' && !ok(x))
        expect(undeclared(x.responseBody, V1_ERROR_FIELDS, x.operation)).toEqual([]);
      if (x.family === 'oapi' && !isOapiSuccess(x)) {
        expect(x.status).toBe(200);
        expect(undeclared(x.responseBody, OAPI_ERROR_FIELDS, x.operation)).toEqual([]);
      }
    }
  });

  test('the checkers themselves catch an undeclared field and a wrongly typed one', () => {
    const models = moduleOf(schema, 'GetEvent')!.models;
    expect(violationsOf({ id: 'x', colour: 'red' }, 'GetEventResponseBody', models)).toEqual([
      '$.colour: not declared in GetEventResponseBody',
    ]);
    expect(violationsOf({ reminders: [{ minutes: 15 }] }, 'GetEventResponseBody', models)).toEqual([
      '$.reminders[0].minutes: expected string, got 15',
    ]);
    expect(queryViolationsOf({ maxResults: 'many' }, 'ListEventsRequest', models)).toEqual([
      '?maxResults: expected a number, got many',
    ]);
    expect(undeclared({ errcode: 0, extra: 1 }, OAPI_ERROR_FIELDS, 'x')).toEqual(['x: extra is not listed']);
  });
});

function undeclared(value: unknown, fields: string[], where: string): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value)
    .filter((k) => !fields.includes(k))
    .map((k) => `${where}: ${k} is not listed`);
}
