import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { dingtalkEvents } from '../../../functions/dingtalk-events';
import { graphLifecycle } from '../../../functions/graph-lifecycle';
import { graphNotifications } from '../../../functions/graph-notifications';
import { newClientState } from '../../../shared/ingress';
import { createTestApp, type TestApp } from '../../support/app-context';
import { signedCallback } from '../../support/dingtalk-callback';
import { invocation, post } from './support/webhook-requests';

/**
 * docs/webhooks.md: every refused request and every dropped item leaves one warning with its status or reason,
 * and no line carries the body, a secret or the clientState.
 */
let app: TestApp;
let clientState: ReturnType<typeof newClientState>;
const SUBSCRIPTION_ID = 'sub-logs';
/** Filler no genuine line would contain, to show that bodies stay out of the log. */
const FILLER = 'Q'.repeat(64);

beforeAll(async () => {
  app = createTestApp();
  clientState = newClientState();
  await app.stores.subscriptions.save({
    pairId: 'entra-logs',
    subscriptionId: SUBSCRIPTION_ID,
    resource: 'users/entra-logs/events',
    kind: 'calendar',
    folder: 'calendar',
    expiresAt: new Date(Date.now() + 86400e3).toISOString(),
    clientStateHash: clientState.hash,
    clientStateSalt: clientState.salt,
  });
});

beforeEach(() => {
  app.logLines.length = 0;
});

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

const warnings = () =>
  app.logLines.filter((l) => l.level === 'warn').map((l) => JSON.parse(l.line) as Record<string, unknown>);

function expectNothingSecretOrQuoted(): void {
  const secrets = [
    clientState.clientState,
    app.config.dingtalk.callbackToken,
    app.config.dingtalk.callbackAesKey,
    FILLER,
  ];
  for (const { line } of app.logLines) for (const secret of secrets) expect(line).not.toContain(secret);
}

/** The request left exactly one warning, with these fields, and nothing secret or quoted anywhere. */
function expectOneWarning(fields: Record<string, unknown>): void {
  expect(warnings()).toEqual([expect.objectContaining(fields)]);
  expectNothingSecretOrQuoted();
}

/** Over the 1 MiB cap every webhook function reads at most. */
const oversized = () => JSON.stringify({ value: [], filler: FILLER.repeat(17 * 1024) });

const graphEndpoints = [
  {
    functionName: 'graph-notifications',
    endpoint: 'notification',
    handler: graphNotifications as Handler,
    item: (overrides: Record<string, unknown> = {}) => ({
      subscriptionId: SUBSCRIPTION_ID,
      clientState: clientState.clientState,
      changeType: 'updated',
      resource: `Users/entra-logs/Events/${FILLER}`,
      resourceData: { id: FILLER },
      ...overrides,
    }),
    brokenField: 'changeType',
  },
  {
    functionName: 'graph-lifecycle',
    endpoint: 'lifecycle',
    handler: graphLifecycle as Handler,
    item: (overrides: Record<string, unknown> = {}) => ({
      subscriptionId: SUBSCRIPTION_ID,
      clientState: clientState.clientState,
      lifecycleEvent: 'missed',
      ...overrides,
    }),
    brokenField: 'lifecycleEvent',
  },
];

test.each([
  ['graph-notifications', graphNotifications as Handler],
  ['graph-lifecycle', graphLifecycle as Handler],
  ['dingtalk-events', dingtalkEvents as Handler],
])(
  '%s: a body over the 1 MiB cap is refused with 413 and one warning naming the function and the cap',
  async (functionName, handler) => {
    const res = await handler(
      post(`http://localhost/api/${functionName}`, oversized()),
      invocation(functionName),
    );
    expect(res.status).toBe(413);
    expectOneWarning({
      msg: 'webhook request rejected',
      function: functionName,
      status: 413,
      reason: 'body is larger than the 1048576-byte webhook cap',
    });
  },
);

describe.each(graphEndpoints)('$functionName', ({ functionName, endpoint, handler, item, brokenField }) => {
  const url = `http://localhost/api/${functionName.replace('-', '/')}`;
  const send = (body: string) => handler(post(url, body), invocation(functionName));

  test('a batch in which no item passes the schema check is refused with 403: a warning per item, one for the request', async () => {
    const body = JSON.stringify({
      value: [item({ [brokenField]: `not-${FILLER}` }), item({ subscriptionId: '' })],
    });
    const res = await send(body);
    expect(res.status).toBe(403);
    expect(warnings()).toEqual([
      expect.objectContaining({
        msg: `graph ${endpoint} dropped`,
        index: 0,
        reason: expect.stringContaining(brokenField),
      }),
      expect.objectContaining({
        msg: `graph ${endpoint} dropped`,
        index: 1,
        reason: expect.stringContaining('subscriptionId'),
      }),
      expect.objectContaining({
        msg: `graph ${endpoint} batch rejected`,
        status: 403,
        reason: 'none of the 2 notifications passed the checks',
      }),
    ]);
    expectNothingSecretOrQuoted();
  });

  test('a batch whose only item carries a wrong clientState is refused with 403: the item and the request are logged', async () => {
    const forged = item({ clientState: `${clientState.clientState}x` });
    const res = await send(JSON.stringify({ value: [forged] }));
    expect(res.status).toBe(403);
    expect(warnings()).toEqual([
      expect.objectContaining({
        msg: `graph ${endpoint} dropped`,
        subscriptionId: SUBSCRIPTION_ID,
        reason: expect.any(String),
      }),
      expect.objectContaining({ msg: `graph ${endpoint} batch rejected`, status: 403 }),
    ]);
    expectNothingSecretOrQuoted();
  });

  test('a refused validation handshake is logged with its reason, not its token', async () => {
    const query = new URLSearchParams({ validationToken: FILLER.repeat(20) });
    const res = await handler(post(url, '', query, 'text/plain'), invocation(functionName));
    expect(res.status).toBe(400);
    expectOneWarning({
      msg: `graph ${endpoint} handshake rejected`,
      status: 400,
      reason: 'validationToken is too long',
    });
  });
});

describe('dingtalk-events', () => {
  const url = 'http://localhost/api/dingtalk/events';
  const secrets = () => ({
    token: app.config.dingtalk.callbackToken,
    aesKey: app.config.dingtalk.callbackAesKey,
    ownerKey: app.config.dingtalk.appKey,
  });
  const send = (body: string, query?: URLSearchParams) =>
    (dingtalkEvents as Handler)(post(url, body, query), invocation('dingtalk-events'));

  test('a body over the callback cap is refused with 413 and one warning', async () => {
    const genuine = signedCallback({ EventType: 'check_url' }, secrets());
    const res = await send(JSON.stringify({ encrypt: FILLER.repeat(1100) }), genuine.query);
    expect(res.status).toBe(413);
    expectOneWarning({
      msg: 'dingtalk callback rejected',
      status: 413,
      reason: 'body is larger than the callback cap',
    });
  });

  test('a callback encrypted for another app is refused with 403 and one warning, without its payload', async () => {
    const foreign = signedCallback(
      { EventType: 'calendar_event_change', CalendarEventId: FILLER },
      { ...secrets(), ownerKey: 'dingsomeoneelse' },
    );
    const res = await send(foreign.body, foreign.query);
    expect(res.status).toBe(403);
    const encrypt = (JSON.parse(foreign.body) as { encrypt: string }).encrypt;
    for (const { line } of app.logLines) expect(line).not.toContain(encrypt.slice(0, 40));
    expectOneWarning({
      msg: 'dingtalk callback rejected',
      status: 403,
      reason: 'payload is for another app or organisation',
    });
  });
});
