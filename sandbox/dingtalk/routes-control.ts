import type { FakeDingTalkControl } from './control';
import type { FaultKind } from './faults';
import type { FakeRequest, Route } from './routing';

/**
 * The control API over HTTP under /_control/…, for the local sandbox and other processes. Bodies are JSON;
 * fault paths are RegExp sources. Same operations as FakeDingTalkControl.
 */
/** One control route: no auth, the JSON body handed over, 204 for nothing to say, 200 with the result. */
export function controlRoute(
  method: string,
  template: string,
  handle: (req: FakeRequest, body: Record<string, unknown>) => unknown,
): Route {
  return {
    family: 'v1',
    operation: `control ${method} ${template}`,
    method,
    template,
    auth: false,
    handle: async (req) => {
      const result = await handle(req, (req.json ?? {}) as Record<string, unknown>);
      return result === undefined ? { status: 204 } : { status: 200, body: result };
    },
  };
}

export function controlRoutes(control: FakeDingTalkControl): Route[] {
  const route = controlRoute;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return [
    route('POST', '/_control/departments', (_, b) => control.addDepartment(b as never)),
    route('GET', '/_control/users', () => control.users()),
    route('POST', '/_control/users', (_, b) => control.addUser(b as never)),
    route('PATCH', '/_control/users/{userid}', (req, b) => control.modifyUser(req.params.userid!, b)),
    route('DELETE', '/_control/users/{userid}', (req) => control.removeUser(req.params.userid!)),
    route('GET', '/_control/users/{unionId}/events', (req) => control.calendarOf(req.params.unionId!)),
    route('POST', '/_control/users/{unionId}/events', (req, b) =>
      control.userCreatesEvent(req.params.unionId!, b),
    ),
    route('PATCH', '/_control/users/{unionId}/events/{eventId}', (req, b) =>
      control.userUpdatesEvent(req.params.unionId!, req.params.eventId!, b),
    ),
    route('DELETE', '/_control/users/{unionId}/events/{eventId}', (req) =>
      control.userDeletesEvent(req.params.unionId!, req.params.eventId!),
    ),
    route('POST', '/_control/faults', (_, b) =>
      control.injectFault({
        path: new RegExp(String(b.path ?? '.')),
        method: typeof b.method === 'string' ? b.method : undefined,
        kind: b.kind as FaultKind,
        times: b.times === 'all' ? Infinity : num(b.times),
        latencyMs: num(b.latencyMs),
        status: num(b.status),
      }),
    ),
    route('DELETE', '/_control/faults', () => control.clearFaults()),
    route('POST', '/_control/tokens/expire', () => control.expireTokens()),
    route('POST', '/_control/sync-tokens/invalidate', (_, b) =>
      control.invalidateSyncTokens(typeof b.unionId === 'string' ? b.unionId : undefined),
    ),
    route('PUT', '/_control/limits', (_, b) => {
      if (num(b.qpsLimit) !== undefined) control.setQpsLimit(num(b.qpsLimit)!);
      if (num(b.monthlyQuota) !== undefined) control.setMonthlyQuota(num(b.monthlyQuota)!);
      if (num(b.monthlyUsage) !== undefined) control.setMonthlyUsage(num(b.monthlyUsage)!);
      if (num(b.tokenLifetimeSeconds) !== undefined) control.setTokenLifetime(num(b.tokenLifetimeSeconds)!);
    }),
    route('GET', '/_control/usage', () => control.usage()),
    route('PUT', '/_control/callback', (_, b) => {
      if ('target' in b) control.setCallbackTarget((b.target ?? undefined) as never);
      if (b.behaviour && typeof b.behaviour === 'object') control.setCallbackBehaviour(b.behaviour as never);
    }),
    route('POST', '/_control/callback/register', () => control.registerCallback()),
    route('GET', '/_control/callback/deliveries', async () => {
      await control.callbacksSettled();
      return control.deliveries();
    }),
    route('GET', '/_control/exchanges', () => control.exchanges()),
    route('DELETE', '/_control/exchanges', () => control.clearExchanges()),
    route('GET', '/_control/notifications', () => control.notifications()),
  ];
}
