import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { dingtalkEvents } from '../../../functions/dingtalk-events';
import { graphLifecycle } from '../../../functions/graph-lifecycle';
import { graphNotifications } from '../../../functions/graph-notifications';
import { setAppContext, type AppContext } from '../../../shared/app/context';
import type { UserPair } from '../../../shared/store/types';
import { startFakeDingTalk, type FakeDingTalk } from '../../../sandbox/dingtalk';
import { startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { createTestApp, type TestApp } from '../../support/app-context';

/** The DingTalk app the preflight tests' world registers. */
export const DINGTALK_APP = {
  appKey: 'dingpreflightapp',
  appSecret: 'preflight-app-secret-1',
  corpId: 'dingpreflightcorp',
};

export interface PreflightWorld {
  graph: FakeGraph;
  dingtalk: FakeDingTalk;
  webhooks: PublicWebhooks;
  app: TestApp;
  stop(): Promise<void>;
}

/** Both fakes, the app's public webhook routes, and an app context whose settings point at all three. */
export async function startPreflightWorld(kinds: string): Promise<PreflightWorld> {
  const graph = await startFakeGraph();
  const dingtalk = await startFakeDingTalk(DINGTALK_APP);
  const webhooks = await startPublicWebhooks();
  const app = createTestApp({
    env: {
      SYNC_KINDS: kinds,
      GRAPH_TENANT_ID: graph.tenantId,
      GRAPH_AUTHORITY_HOST: graph.url,
      GRAPH_BASE_URL: graph.url,
      PUBLIC_BASE_URL: webhooks.url,
      DINGTALK_API_BASE: dingtalk.url,
      DINGTALK_OAPI_BASE: dingtalk.url,
      DINGTALK_APP_KEY: DINGTALK_APP.appKey,
      DINGTALK_APP_SECRET: DINGTALK_APP.appSecret,
      DINGTALK_CORP_ID: DINGTALK_APP.corpId,
    },
  });
  return {
    graph,
    dingtalk,
    webhooks,
    app,
    async stop() {
      setAppContext(undefined as unknown as AppContext);
      await Promise.all([graph.stop(), dingtalk.stop(), webhooks.stop()]);
    },
  };
}

/**
 * A person in both fakes, paired in the app's store by email as the pairing job pairs them: Entra id
 * `entra-<name>`, DingTalk userid `<name>`, user principal name `<name>@contoso.example`, and that address as
 * the email unless another is given.
 */
export async function addPairedPerson(
  world: Pick<PreflightWorld, 'graph' | 'dingtalk' | 'app'>,
  name: string,
  options: { kinds: UserPair['enabledKinds']; email?: string; hasMailbox?: boolean },
): Promise<void> {
  const userPrincipalName = `${name}@contoso.example`;
  const email = options.email ?? userPrincipalName;
  world.graph.control.addUser({
    id: `entra-${name}`,
    userPrincipalName,
    mail: email,
    hasMailbox: options.hasMailbox,
  });
  const person = world.dingtalk.control.addUser({ userid: name, name, org_email: email });
  await world.app.stores.users.save({
    pairId: `pair-${name}`,
    dingtalkUserId: person.userid,
    dingtalkUnionId: person.unionid,
    entraId: `entra-${name}`,
    userPrincipalName,
    email,
    status: 'active',
    enabledKinds: options.kinds,
    pairedBy: 'email',
  });
}

/**
 * The app's public webhook routes on a local port, served by the exported handlers as the Functions host would
 * serve them: what the preflight's check_url and Graph validation requests reach. `delayMs` holds every answer
 * back (a cold or overloaded app); `down` answers 404 for every route (a wrong PUBLIC_BASE_URL).
 */
export interface PublicWebhooks {
  url: string;
  delayMs: number;
  down: boolean;
  stop(): Promise<void>;
}

const ROUTES: Record<string, (r: HttpRequest, c: InvocationContext) => Promise<HttpResponseInit>> = {
  '/api/dingtalk/events': dingtalkEvents,
  '/api/graph/notifications': graphNotifications,
  '/api/graph/lifecycle': graphLifecycle,
};

export async function startPublicWebhooks(): Promise<PublicWebhooks> {
  const state = { delayMs: 0, down: false };
  const server = createServer((req, res) => {
    serve(req, res, state).catch((err: Error) => res.writeHead(500).end(err.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  state: { delayMs: number; down: boolean },
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = `http://${req.headers.host}${req.url}`;
  const handler = ROUTES[new URL(url).pathname];
  if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
  if (!handler || state.down) return void res.writeHead(404).end();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const out = await handler(
    new HttpRequest({
      url,
      method: req.method ?? 'GET',
      headers,
      body: { string: Buffer.concat(chunks).toString() },
    }),
    new InvocationContext({ functionName: 'test', logHandler: () => undefined }),
  );
  const body =
    out.jsonBody !== undefined
      ? JSON.stringify(out.jsonBody)
      : out.body === undefined
        ? ''
        : String(out.body);
  res
    .writeHead(out.status ?? 200, {
      ...(out.jsonBody !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(out.headers as Record<string, string> | undefined),
    })
    .end(body);
}
