import type { IncomingMessage } from 'node:http';
import type { FakeState } from './fake-state';
import { isMetered } from './rate-limits';
import { requiredScope } from './scopes';
import type { FakeRequest, Route, Router } from './routing';
import { errors, FakeApiError, type Family, type FakeResponse, renderError, requestId } from './wire-errors';

/**
 * The order a request goes through, as DingTalk's gateway would: injected faults, route, token, per-API QPS,
 * monthly quota (metered APIs only), the app's API permission (scopes.ts), handler. Every API request and its answer is recorded for tests.
 */

export type Outcome = FakeResponse | { hang: true };

export async function handleApiRequest(
  state: FakeState,
  router: Router,
  req: IncomingMessage,
  bodyText: string,
): Promise<Outcome> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const family: Family = url.pathname.startsWith('/v1.0/') ? 'v1' : 'oapi';

  const fault = state.faults.take(method, url.pathname);
  if (fault?.act === 'hang') return { hang: true };
  if (fault?.act === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
  if (fault?.act === 'raw') return { status: fault.status, body: fault.body };
  if (fault?.act === 'error') return renderError(family, fault.error);

  const matched = router.match(method, url.pathname);
  if (!matched) return notFound(family, method, url.pathname);
  const { route, params } = matched;
  const fakeReq: FakeRequest = {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    bodyText,
    json: parseJson(bodyText),
    params,
  };
  let response: FakeResponse;
  try {
    admit(state, route, fakeReq);
    response =
      state.scopes.refusal(route.family, requiredScope(route.method, route.template)) ??
      (await route.handle(fakeReq));
  } catch (err) {
    if (!(err instanceof FakeApiError)) throw err;
    response = renderError(route.family, err);
  }
  record(state, route, fakeReq, response);
  return response;
}

function admit(state: FakeState, route: Route, req: FakeRequest): void {
  if (route.auth) {
    const token =
      route.family === 'v1'
        ? headerOf(req, 'x-acs-dingtalk-access-token')
        : (req.query.get('access_token') ?? undefined);
    const check = state.tokens.check(token);
    if (check === 'invalid') throw errors.invalidToken();
    if (check === 'expired') throw errors.expiredToken();
  }
  const api = `${route.method} ${route.template}`;
  if (!state.qps.admit(`${state.identity.appKey} ${api}`)) throw errors.qpsLimit();
  if (isMetered(route.template) && !state.meter.admit(api)) throw errors.quotaExceeded();
}

function record(state: FakeState, route: Route, req: FakeRequest, response: FakeResponse): void {
  state.exchanges.push({
    family: route.family,
    operation: route.operation,
    method: req.method,
    path: req.path,
    template: route.template,
    query: Object.fromEntries([...req.query].filter(([name]) => name !== 'access_token')),
    headers: {
      'content-type': headerOf(req, 'content-type'),
      'x-client-token': headerOf(req, 'x-client-token'),
    },
    requestBody: req.json,
    status: response.status,
    responseBody: response.body,
  });
}

function notFound(family: Family, method: string, path: string): FakeResponse {
  if (family === 'v1') {
    return {
      status: 404,
      body: {
        code: 'InvalidAction.NotFound',
        message: `${method} ${path} is not an API`,
        requestid: requestId(),
      },
    };
  }
  return { status: 200, body: { errcode: 22, errmsg: `Invalid method[${path}]`, request_id: requestId() } };
}

function headerOf(req: FakeRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
