import { startLocalHost, type LocalHost } from '../../../sandbox/host';
import { collectLogs, FIXTURE_APP, waitFor, type LogCollector } from './support';

let host: LocalHost;
let logs: LogCollector;

beforeAll(async () => {
  logs = collectLogs();
  host = await startLocalHost({
    appRoot: FIXTURE_APP,
    port: 0,
    timers: false,
    queues: false,
    log: logs.sink,
  });
});

afterAll(async () => {
  await host?.stop();
});

test('GET /admin/functions lists every registration with its trigger settings', async () => {
  const res = await fetch(`${host.url}/admin/functions`);
  expect(res.status).toBe(200);
  const list = (await res.json()) as Array<Record<string, unknown>>;
  expect(list.map((f) => f.name).sort()).toEqual(host.functions.map((f) => f.name).sort());
  expect(list.find((f) => f.name === 'echo')).toEqual({
    name: 'echo',
    trigger: 'http',
    triggerType: 'httpTrigger',
    route: 'echo/{id:int}/{name?}',
    methods: ['GET', 'POST'],
    authLevel: 'anonymous',
    invokeUrlTemplate: `${host.url}/api/echo/{id:int}/{name?}`,
  });
  expect(list.find((f) => f.name === 'tick')).toMatchObject({
    trigger: 'timer',
    schedule: '%FIXTURE_TICK_SCHEDULE%',
  });
  expect(list.find((f) => f.name === 'work')).toMatchObject({
    trigger: 'queue',
    queueName: '%FIXTURE_QUEUE%',
    connection: 'FixtureStorage',
  });
});

test('GET /admin/functions/{name} describes one function; an unknown name is 404', async () => {
  expect(await (await fetch(`${host.url}/admin/functions/startup`)).json()).toMatchObject({
    name: 'startup',
    runOnStartup: true,
  });
  expect((await fetch(`${host.url}/admin/functions/nope`)).status).toBe(404);
});

test('POST /admin/functions/{timer} answers 202 and runs the timer with a manual Timer', async () => {
  const res = await fetch(`${host.url}/admin/functions/startup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(202);
  const [event] = await waitFor(() => {
    const found = logs.events('startup');
    return found.length > 0 && found;
  });
  expect(event.timer).toEqual({ isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: null });
});

test('POST /admin/functions/{queue function} passes "input" as the message, JSON parsed as the runtime does', async () => {
  const res = await fetch(`${host.url}/admin/functions/work`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: JSON.stringify({ tag: 'from-admin' }) }),
  });
  expect(res.status).toBe(202);
  const [event] = await waitFor(() => {
    const found = logs.events('work');
    return found.length > 0 && found;
  });
  expect(event.message).toEqual({ tag: 'from-admin' });
  expect(event.metadata).toMatchObject({ dequeueCount: 1, queueTrigger: '{"tag":"from-admin"}' });
});

test('the admin API does not run HTTP functions and rejects a body that is not JSON', async () => {
  expect((await fetch(`${host.url}/admin/functions/ping`, { method: 'POST', body: '{}' })).status).toBe(400);
  expect(
    (await fetch(`${host.url}/admin/functions/startup`, { method: 'POST', body: 'not json' })).status,
  ).toBe(400);
});

test('GET /admin/host/status reports the host as running', async () => {
  expect(await (await fetch(`${host.url}/admin/host/status`)).json()).toMatchObject({ state: 'Running' });
});

test('invoke() runs a queue function with the given message and returns its result', async () => {
  await expect(host.invoke('work', { tag: 'direct' })).resolves.toBeUndefined();
  expect(logs.events('work').some((e) => (e.message as { tag: string }).tag === 'direct')).toBe(true);
  await expect(host.invoke('work', { tag: 'direct-fail', fail: true })).rejects.toThrow(
    'failing on purpose: direct-fail',
  );
});
