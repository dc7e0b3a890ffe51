import {
  preflightDepsFor,
  preflightPassed,
  runPreflight,
  type PreflightDeps,
} from '../../../shared/app/preflight';
import type { PreflightResult } from '../../../shared/app/preflight/types';
import type { FakeDingTalk } from '../../../sandbox/dingtalk';
import type { FakeGraph } from '../../../sandbox/graph/fake-graph';
import type { TestApp } from '../../support/app-context';
import { loadSchema, moduleOf, queryViolationsOf, violationsOf } from '../../contract/dingtalk/schema-check';
import {
  addPairedPerson,
  DINGTALK_APP as APP,
  startPreflightWorld,
  type PreflightWorld,
  type PublicWebhooks,
} from './preflight-world';

/**
 * The preflight's DingTalk, public-URL and mailbox checks against the fakes and the app's own webhook handlers:
 * each passes on a healthy world and fails, naming what to fix, when one thing in it is broken.
 */

const NAMES = ['alice', 'bob', 'carol'];

let graph: FakeGraph;
let dingtalk: FakeDingTalk;
let webhooks: PublicWebhooks;
let app: TestApp;

let world: PreflightWorld;

beforeEach(async () => {
  world = await startPreflightWorld('calendar,todo,contact');
  ({ graph, dingtalk, webhooks, app } = world);
  for (const name of NAMES) await addPerson(name);
});
afterEach(() => world.stop());

const addPerson = (name: string) => addPairedPerson(world, name, { kinds: ['calendar', 'todo', 'contact'] });

const deps = (): PreflightDeps => preflightDepsFor(app);

async function run(d: PreflightDeps = deps()): Promise<Record<string, PreflightResult>> {
  return Object.fromEntries((await runPreflight(d)).map((r) => [r.id, r]));
}

test('a healthy deployment passes every new check, and says what each probe cost', async () => {
  const results = await runPreflight(deps());
  const byId = Object.fromEntries(results.map((r) => [r.id, r]));

  expect(byId['dingtalk-scopes']).toMatchObject({ ok: true });
  expect(byId['dingtalk-scopes'].detail).toContain(
    'read allowed: directory, calendar, to-dos, external contacts',
  );
  expect(byId['dingtalk-scopes'].detail).toContain('3 metered calls');
  expect(byId['dingtalk-callback']).toMatchObject({ ok: true });
  expect(byId['dingtalk-callback'].detail).toMatch(/answered the encrypted "success" in \d+ ms/);
  expect(byId['dingtalk-callback-deliveries']).toMatchObject({ ok: true });
  expect(byId['graph-validation']).toMatchObject({ ok: true });
  expect(byId['graph-validation'].detail).toContain('/api/graph/lifecycle');
  expect(byId['exchange-mailbox']).toMatchObject({ ok: true });
  expect(byId['exchange-mailbox'].detail).toContain('checked 3 of 3 active pairs');
  expect(preflightPassed(results)).toBe(true);

  // The probes went through the fake's meter as the sync's own calls do: three scope reads and the failure list.
  const usage = dingtalk.control.usage();
  expect(usage.metered).toBe(4);
  expect(Object.keys(usage.byApi).sort()).toEqual([
    'GET /v1.0/calendar/users/{userId}/calendars/{calendarId}/events',
    'GET /v1.0/event/callbacks/failedResults',
    'POST /topapi/extcontact/list',
    'POST /v1.0/todo/users/{unionId}/tasks/list',
  ]);
  // Mailboxes were asked in one Graph batch, not one request each.
  expect(graph.control.requests.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(1);
});

test('a permission withheld in the DingTalk console is named, in both API dialects', async () => {
  dingtalk.control.withholdScopes(['Calendar.Event.Read', 'qyapi_ext_read']);
  const r = (await run())['dingtalk-scopes'];
  expect(r.ok).toBe(false);
  expect(r.detail).toContain('calendar (Forbidden.AccessDenied.AccessTokenPermissionDenied)');
  expect(r.detail).toContain('external contacts (60011)');
  expect(r.detail).toContain('read allowed: directory, to-dos');
  expect(r.fix).toContain('Calendar.Event.Read');
  expect(r.fix).toContain('qyapi_ext_read');
  expect(r.fix).not.toContain('Todo.Todo.Read');

  dingtalk.control.grantScopes(['Calendar.Event.Read', 'qyapi_ext_read']);
  dingtalk.control.withholdScopes(['qyapi_get_department_member']);
  const directory = (await run())['dingtalk-scopes'];
  expect(directory.ok).toBe(false);
  expect(directory.detail).toContain('directory (60011)');
  expect(directory.fix).toContain('qyapi_get_department_member');
});

test('check_url answered too late, or refused, fails with the time taken', async () => {
  webhooks.delayMs = 1600;
  const late = (await run())['dingtalk-callback'];
  expect(late.ok).toBe(false);
  expect(late.detail).toMatch(/in 1[6-9]\d\d ms, over DingTalk's 1500 ms/);
  expect(late.fix).toContain('always-ready');

  webhooks.delayMs = 0;
  const d = deps();
  const refused = (await run({ ...d, dingtalkCallback: { ...d.dingtalkCallback!, token: 'not-the-token' } }))[
    'dingtalk-callback'
  ];
  expect(refused.ok).toBe(false);
  expect(refused.detail).toContain('answered HTTP 401');
  expect(refused.fix).toContain('DINGTALK_CALLBACK_TOKEN');
});

test('a public URL that does not answer fails the Graph validation and check_url', async () => {
  webhooks.down = true;
  const results = await run();
  expect(results['graph-validation'].ok).toBe(false);
  expect(results['graph-validation'].detail).toContain('/api/graph/notifications: answered HTTP 404');
  expect(results['graph-validation'].detail).toContain('/api/graph/lifecycle: answered HTTP 404');
  expect(results['dingtalk-callback'].ok).toBe(false);
});

async function missAnEvent(): Promise<void> {
  dingtalk.control.setCallbackTarget({
    url: `${webhooks.url}/api/dingtalk/events`,
    token: app.config.dingtalk.callbackToken,
    aesKey: app.config.dingtalk.callbackAesKey,
  });
  webhooks.down = true;
  const alice = dingtalk.control.users().find((u) => u.userid === 'alice')!;
  dingtalk.control.userCreatesEvent(alice.unionid, {
    summary: 'missed',
    start: { dateTime: '2026-11-24T09:00:00+08:00', timeZone: 'Asia/Shanghai' },
    end: { dateTime: '2026-11-24T10:00:00+08:00', timeZone: 'Asia/Shanghai' },
  });
  await dingtalk.control.callbacksSettled();
  webhooks.down = false;
}

test('the probes and the fake’s answers fit DingTalk’s published models', async () => {
  await missAnEvent();
  dingtalk.control.clearExchanges();
  await run();
  const schema = loadSchema();
  const v1 = dingtalk.control.exchanges().filter((x) => x.family === 'v1' && x.status === 200);
  expect(v1.map((x) => x.operation).sort()).toEqual([
    'GetAccessToken',
    'GetCallBackFaileResult',
    'ListEvents',
    'QueryTodoTasks',
  ]);
  const problems = v1.flatMap((x) => {
    const module = moduleOf(schema, x.operation)!;
    return [
      ...violationsOf(x.requestBody, `${x.operation}Request`, module.models),
      ...queryViolationsOf(x.query, `${x.operation}Request`, module.models),
      ...violationsOf(x.responseBody, `${x.operation}ResponseBody`, module.models),
    ].map((p) => `${x.operation} ${p}`);
  });
  expect(problems).toEqual([]);
  const failed = v1.find((x) => x.operation === 'GetCallBackFaileResult')!.responseBody as {
    failedList: Array<{ callBackTag: string; corpId: string }>;
  };
  expect(failed.failedList).toEqual([
    expect.objectContaining({ callBackTag: 'calendar_event_change', corpId: APP.corpId }),
  ]);
});

test('failed deliveries DingTalk keeps are reported', async () => {
  await missAnEvent();
  const r = (await run())['dingtalk-callback-deliveries'];
  expect(r.ok).toBe('warn');
  expect(r.detail).toContain('1 failed delivery (calendar_event_change)');
});

test('every paired user is checked for an Exchange Online mailbox, 20 to a batch, and those without are named', async () => {
  for (let i = 0; i < 40; i++) await addPerson(`user${i}`);
  graph.control.setMailbox('entra-carol', false);
  graph.control.setMailbox('entra-user7', false);
  graph.control.requests.length = 0;

  const r = (await run())['exchange-mailbox'];
  expect(r.ok).toBe(false);
  expect(r.detail).toContain('checked 43 of 43 active pairs');
  expect(r.detail).toContain('2 have no Exchange Online mailbox');
  expect(r.detail).toContain('carol@contoso.example');
  expect(r.detail).toContain('user7@contoso.example');
  expect(graph.control.requests.filter((q) => q.path === '/v1.0/$batch')).toHaveLength(3);
});
