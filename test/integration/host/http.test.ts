import { startLocalHost, type LocalHost } from '../../../sandbox/host';
import { collectLogs, FIXTURE_APP, type LogCollector } from './support';

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
    maxRequestBodyBytes: 1024,
  });
});

afterAll(async () => {
  await host?.stop();
});

const get = (path: string, init?: RequestInit) => fetch(`${host.url}${path}`, init);

describe('routes from httpTrigger metadata', () => {
  test('a function without a route is served at /api/<name>, from a file matched by the "main" glob', async () => {
    const res = await get('/api/ping');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('pong');
  });

  test('route parameters, query, headers and body reach the handler; jsonBody sets the content type', async () => {
    const res = await get('/api/echo/42/alice?x=1&y=two', {
      method: 'POST',
      headers: { 'x-fixture': 'yes' },
      body: 'hello',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      params: { id: '42', name: 'alice' },
      query: { x: '1', y: 'two' },
      method: 'POST',
      header: 'yes',
      body: 'hello',
      functionName: 'echo',
    });
    expect(body.url).toBe(`${host.url}/api/echo/42/alice?x=1&y=two`);
  });

  test('an optional parameter may be left out', async () => {
    const body = (await (await get('/api/echo/7')).json()) as { params: Record<string, string> };
    expect(body.params).toEqual({ id: '7' });
  });

  test('an int constraint rejects non-integers and out-of-range values with 404', async () => {
    expect((await get('/api/echo/abc')).status).toBe(404);
    expect((await get('/api/echo/99999999999')).status).toBe(404);
    expect((await get('/api/echo/-3')).status).toBe(200);
  });

  test('a catch-all parameter takes the rest of the path, or nothing', async () => {
    expect(await (await get('/api/files/a/b/c.txt')).json()).toEqual({ path: 'a/b/c.txt' });
    expect(await (await get('/api/files')).json()).toEqual({ path: null });
  });

  test('matching ignores case and a trailing slash', async () => {
    expect(await (await get('/API/Files/X/')).json()).toEqual({ path: 'X' });
    expect((await get('/Api/PING/')).status).toBe(200);
  });

  test('path segments are URL-decoded', async () => {
    expect(await (await get('/api/files/some%20dir/%E6%96%87.txt')).json()).toEqual({
      path: 'some dir/文.txt',
    });
  });

  test('one template, two functions, chosen by method; a literal segment wins over a parameter', async () => {
    expect(await (await get('/api/items/5')).json()).toEqual({ op: 'get', id: '5' });
    expect(await (await get('/api/items/5', { method: 'DELETE' })).json()).toEqual({ op: 'delete', id: '5' });
    expect(await (await get('/api/items/new')).json()).toEqual({ op: 'new' });
  });

  test('a method the route does not allow gets 404, as from the Functions host', async () => {
    expect((await get('/api/items/5', { method: 'PUT' })).status).toBe(404);
    expect((await get('/api/ping', { method: 'DELETE' })).status).toBe(404);
  });

  test('an unknown path gets 404, and paths outside the route prefix do not match', async () => {
    expect((await get('/api/nope')).status).toBe(404);
    expect((await get('/ping')).status).toBe(404);
  });
});

describe('responses', () => {
  test('a thrown handler gives a bare 500; the error goes to the host log only', async () => {
    const res = await get('/api/boom');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('');
    expect(
      logs.entries.some((e) => e.level === 'error' && e.message.includes('secret-detail-do-not-leak')),
    ).toBe(true);
  });

  test('a result that is not an object is a failed invocation (500), as in the worker', async () => {
    expect((await get('/api/not-an-object')).status).toBe(500);
  });

  test('returning nothing gives 204', async () => {
    const res = await get('/api/nothing');
    expect(res.status).toBe(204);
  });

  test('an HttpResponse keeps its status, headers and cookies', async () => {
    const res = await get('/api/custom');
    expect(res.status).toBe(201);
    expect(res.headers.get('x-made-by')).toBe('fixture');
    expect(res.headers.getSetCookie()).toEqual(['session=abc; path=/; httponly']);
    expect(await res.text()).toBe('made');
  });

  test('bodies up to the limit are accepted; larger ones get 413 without invoking the function', async () => {
    const ok = await get('/api/upload', { method: 'POST', body: Buffer.alloc(1024) });
    expect(await ok.json()).toEqual({ bytes: 1024 });
    const invocationsBefore = logs.entries.filter(
      (e) => e.functionName === 'upload' && e.message.startsWith('Executing'),
    ).length;
    const tooBig = await get('/api/upload', { method: 'POST', body: Buffer.alloc(1025) });
    expect(tooBig.status).toBe(413);
    const invocationsAfter = logs.entries.filter(
      (e) => e.functionName === 'upload' && e.message.startsWith('Executing'),
    ).length;
    expect(invocationsAfter).toBe(invocationsBefore);
  });

  test('authLevel function is recorded but, as with Core Tools, no key is required', async () => {
    expect(host.routes.find((r) => r.fn.name === 'secured')?.authLevel).toBe('function');
    expect(await (await get('/api/secured')).text()).toBe('no key needed locally');
  });

  test('context.log lines reach the host log with the function name and invocation id', async () => {
    const body = (await (await get('/api/echo/9')).json()) as { invocationId: string };
    const line = logs.entries.find((e) => e.category === 'function' && e.invocationId === body.invocationId);
    expect(line).toMatchObject({ functionName: 'echo', level: 'information', message: 'echo 9' });
  });
});

describe('invoke() from code', () => {
  test('an HTTP function called by name returns the HttpResponse the host would write', async () => {
    const response = (await host.invoke('ping')) as Response;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('pong');
  });

  test('an unknown name is an error', async () => {
    await expect(host.invoke('doesNotExist')).rejects.toThrow(/No function named 'doesNotExist'/);
  });
});
