import { describeRegistrations } from '../../sandbox/host';
import { registrations } from '../support/functions-core-mock';

/** Every function of the app, as the Azure worker will index it. A wiring change must show up here. */
describe('function registrations', () => {
  beforeAll(() => {
    for (const file of [
      'app-setup',
      'admin-consent',
      'health',
      'dingtalk-events',
      'graph-notifications',
      'graph-lifecycle',
      'sync-worker',
      'maintenance',
      'status-page',
    ]) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading registers the function, as the worker does
      require(`../../functions/${file}`);
    }
  });

  test('each function has the trigger, route, methods, auth level, schedule or queue it should', () => {
    const described = describeRegistrations(registrations).map((d) => ({
      name: d.name,
      trigger: d.trigger,
      route: d.route,
      methods: d.methods,
      authLevel: d.authLevel,
      schedule: d.schedule,
      queueName: d.queueName,
      connection: d.connection,
    }));
    const http = (name: string, route: string, methods: string[]) => ({
      name,
      trigger: 'http',
      route,
      methods,
      authLevel: 'anonymous',
      schedule: undefined,
      queueName: undefined,
      connection: undefined,
    });
    expect(described).toEqual([
      // Only a key holder gets a consent link; Microsoft sends the admin's browser back without one.
      { ...http('consent', 'consent', ['GET']), authLevel: 'function' },
      http('consent-callback', 'consent/callback', ['GET']),
      http('dingtalk-events', 'dingtalk/events', ['POST']),
      http('graph-lifecycle', 'graph/lifecycle', ['POST']),
      http('graph-notifications', 'graph/notifications', ['POST']),
      http('health', 'health', ['GET']),
      // Mode, version and storage problems only with a key; the anonymous route answers the status alone.
      { ...http('health-details', 'health/details', ['GET']), authLevel: 'function' },
      {
        name: 'maintenance',
        trigger: 'timer',
        route: undefined,
        methods: undefined,
        authLevel: undefined,
        schedule: '%TIMER_SCHEDULE%',
        queueName: undefined,
        connection: undefined,
      },
      // The status page checks who asks itself: Entra sign-in with the Sync.Admin role, or the sandbox key.
      http('status-action', 'status/action', ['POST']),
      http('status-audit', 'status/audit', ['GET']),
      http('status-page', 'status', ['GET']),
      http('status-preflight', 'status/preflight', ['POST']),
      http('status-user', 'status/user', ['GET']),
      {
        name: 'sync-worker',
        trigger: 'queue',
        route: undefined,
        methods: undefined,
        authLevel: undefined,
        schedule: undefined,
        queueName: 'sync-work',
        connection: 'AzureWebJobsStorage',
      },
    ]);
  });

  test('webhook functions are anonymous because they verify the sender themselves (signature, clientState); the status page checks the admin', () => {
    const anonymous = describeRegistrations(registrations).filter(
      (d) => d.trigger === 'http' && d.authLevel === 'anonymous',
    );
    expect(anonymous.map((d) => d.name).sort()).toEqual([
      'consent-callback',
      'dingtalk-events',
      'graph-lifecycle',
      'graph-notifications',
      'health',
      'status-action',
      'status-audit',
      'status-page',
      'status-preflight',
      'status-user',
    ]);
  });

  test('no route starts with a prefix the Functions host keeps for itself (admin, runtime)', () => {
    // The host refuses such a function at start ("The specified route conflicts with one or more built in
    // routes"), whatever the route prefix; nothing outside the host would notice.
    const routes = describeRegistrations(registrations)
      .map((d) => d.route)
      .filter((r): r is string => typeof r === 'string');
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((r) => /^(admin|runtime)/i.test(r))).toEqual([]);
  });
});
