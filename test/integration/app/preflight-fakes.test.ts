import { createPreflightDeps } from '../../../shared/app/preflight';
import { SANDBOX_APP, startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { createTestApp } from '../../support/app-context';

/** What the preflight relies on in the fake Graph: JSON batching and mailboxSettings, as Graph documents them. */

let graph: FakeGraph;
let token: string;

async function start(roles: string[]) {
  graph = await startFakeGraph({
    apps: [{ ...SANDBOX_APP, roles }],
    users: [
      { id: 'entra-alice', userPrincipalName: 'alice@contoso.example' },
      { id: 'entra-pop', userPrincipalName: 'pop@contoso.example', hasMailbox: false },
    ],
  });
  const app = createTestApp({ env: { GRAPH_AUTHORITY_HOST: graph.url, GRAPH_BASE_URL: graph.url } });
  token = await createPreflightDeps(app.config, app.stores).getAccessToken();
}
afterEach(() => graph.stop());

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${graph.url}/v1.0${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
const batch = (requests: unknown[]) =>
  call('/$batch', { method: 'POST', body: JSON.stringify({ requests }) });

test('mailboxSettings needs MailboxSettings.Read, and a user without a mailbox gets MailboxNotEnabledForRESTAPI', async () => {
  await start(SANDBOX_APP.roles);
  const denied = await call('/users/entra-alice/mailboxSettings');
  expect(denied.status).toBe(403);
  expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('ErrorAccessDenied');
  await graph.stop();

  await start([...SANDBOX_APP.roles, 'MailboxSettings.Read']);
  const ok = await call('/users/entra-alice/mailboxSettings');
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ timeZone: expect.any(String), userPurpose: 'user' });
  const zone = await call('/users/entra-alice/mailboxSettings/timeZone');
  expect(await zone.json()).toMatchObject({ value: expect.any(String) });

  const none = await call('/users/entra-pop/mailboxSettings');
  expect(none.status).toBe(404);
  expect(((await none.json()) as { error: { code: string } }).error.code).toBe('MailboxNotEnabledForRESTAPI');

  graph.control.setMailbox('pop@contoso.example', true);
  expect((await call('/users/entra-pop/mailboxSettings')).status).toBe(200);
});

test('$batch serves each item as a request of its own and answers 200 whatever the items say', async () => {
  await start(SANDBOX_APP.roles);
  const res = await batch([
    { id: '1', method: 'GET', url: '/users/entra-alice/events?$top=1&$select=id' },
    { id: '2', method: 'GET', url: '/users/entra-pop/mailFolders/inbox?$select=id' },
    { id: '3', method: 'GET', url: 'users/nobody@contoso.example/events' },
    { id: '4', method: 'GET', url: '/users/entra-alice/mailFolders/inbox', dependsOn: ['2'] },
  ]);
  expect(res.status).toBe(200);
  const { responses } = (await res.json()) as {
    responses: Array<{ id: string; status: number; body: { error?: { code: string } } }>;
  };
  const byId = Object.fromEntries(responses.map((r) => [r.id, r]));
  expect(byId['1'].status).toBe(200);
  expect(byId['2']).toMatchObject({ status: 404, body: { error: { code: 'MailboxNotEnabledForRESTAPI' } } });
  expect(byId['3']).toMatchObject({ status: 404, body: { error: { code: 'ErrorInvalidUser' } } });
  expect(byId['4'].status).toBe(424);
});

test('$batch refuses more than 20 requests, repeated ids and a body without Content-Type', async () => {
  await start(SANDBOX_APP.roles);
  const item = (id: number) => ({ id: String(id), method: 'GET', url: '/users/entra-alice/events' });
  expect((await batch(Array.from({ length: 21 }, (_, i) => item(i)))).status).toBe(400);
  expect((await batch([item(1), item(1)])).status).toBe(400);
  expect((await batch([{ ...item(1), method: 'POST', body: { subject: 'x' } }])).status).toBe(400);
  expect((await batch([])).status).toBe(400);
  expect((await batch(Array.from({ length: 20 }, (_, i) => item(i)))).status).toBe(200);
});
