import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../shared/platform/clock';
import { type CallbackBehaviour, DEFAULT_BEHAVIOUR } from './callback-sender';
import { createControl, type FakeDingTalkControl } from './control';
import { extContactControlRoutes } from './extcontact-control';
import { extContactRoutes } from './extcontact-routes';
import { FakeState } from './fake-state';
import { handleApiRequest, type Outcome } from './pipeline';
import { calendarRoutes } from './routes-calendar';
import { controlRoutes } from './routes-control';
import { eventRoutes } from './event-routes';
import { scopeControlRoutes } from './scope-control';
import { directoryRoutes } from './routes-directory';
import { oauthRoutes } from './routes-oauth';
import { Router } from './routing';
import { todoControlRoutes } from './todo-control';
import { todoRoutes } from './todo-routes';

/**
 * A fake DingTalk serving both api.dingtalk.com (v1.0) and oapi.dingtalk.com paths on one origin, plus a control
 * API (in process and under /_control/). What it models and where it guesses: docs/dingtalk.md.
 */

export interface FakeDingTalkOptions {
  port?: number;
  clock?: Clock;
  appKey: string;
  appSecret: string;
  corpId: string;
  /** Where events are pushed; ownerKey defaults to the appKey (console-configured subscription). */
  callback?: {
    url: string;
    token: string;
    aesKey: string;
    ownerKey?: string;
    queryStyle?: 'current' | 'legacy';
  };
  callbackBehaviour?: Partial<CallbackBehaviour>;
  /** Access token lifetime (default 7,200 s). */
  tokenLifetimeSeconds?: number;
  /** Calls per second per app per API (default 20). */
  qpsLimit?: number;
  /** Metered calls per month; unlimited unless set (the standard edition has 5,000). */
  monthlyQuota?: number;
}

export interface FakeDingTalk {
  url: string;
  control: FakeDingTalkControl;
  stop(): Promise<void>;
}

export type { FakeDingTalkControl } from './control';
export type { FaultSpec, FaultKind } from './faults';
export type { FakeUser, UserSeed } from './org';
export type { Exchange, SentNotification } from './fake-state';
export type { CallbackDelivery } from './callback-sender';

const MAX_BODY_BYTES = 1024 * 1024;

export async function startFakeDingTalk(options: FakeDingTalkOptions): Promise<FakeDingTalk> {
  const state = new FakeState(
    { appKey: options.appKey, appSecret: options.appSecret, corpId: options.corpId },
    options.clock ?? systemClock,
    {
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 7200,
      qpsLimit: options.qpsLimit ?? 20,
      monthlyQuota: options.monthlyQuota ?? Number.POSITIVE_INFINITY,
      callback: options.callback && { ownerKey: options.appKey, ...options.callback },
      callbackBehaviour: { ...DEFAULT_BEHAVIOUR, ...options.callbackBehaviour },
    },
  );
  const control = createControl(state);
  const api = new Router();
  api.add(...oauthRoutes(state), ...directoryRoutes(state), ...calendarRoutes(state));
  api.add(...todoRoutes(state));
  api.add(...extContactRoutes(state));
  api.add(...eventRoutes(state));
  const controlRouter = new Router();
  controlRouter.add(...controlRoutes(control));
  controlRouter.add(...todoControlRoutes(control));
  controlRouter.add(...extContactControlRoutes(control));
  controlRouter.add(...scopeControlRoutes(control));
  const hung = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    readBody(req)
      .then(async (bodyText) => {
        const outcome = req.url?.startsWith('/_control/')
          ? await handleControl(controlRouter, req, bodyText)
          : await handleApiRequest(state, api, req, bodyText);
        if ('hang' in outcome) {
          hung.add(res);
          res.on('close', () => hung.delete(res));
          return;
        }
        send(res, outcome);
      })
      .catch((err: Error) =>
        send(res, { status: 500, body: { code: 'InternalError', message: err.message } }),
      );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    control,
    async stop() {
      await state.callbacks.settled();
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handleControl(router: Router, req: IncomingMessage, bodyText: string): Promise<Outcome> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const matched = router.match((req.method ?? 'GET').toUpperCase(), url.pathname);
  if (!matched) return { status: 404, body: { error: `no control operation ${req.method} ${url.pathname}` } };
  try {
    return await matched.route.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      bodyText,
      json: bodyText ? JSON.parse(bodyText) : undefined,
      params: matched.params,
    });
  } catch (err) {
    return { status: 400, body: { error: (err as Error).message } };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  response: { status: number; body?: unknown; headers?: Record<string, string> },
): void {
  if (res.destroyed) return;
  const { status, body } = response;
  if (body === undefined) {
    res.writeHead(status, response.headers).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json;charset=utf-8';
  res.writeHead(status, { 'content-type': type, ...response.headers }).end(text);
}
