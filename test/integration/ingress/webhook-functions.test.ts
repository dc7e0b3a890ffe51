import fc from 'fast-check';
import { dingtalkEvents } from '../../../functions/dingtalk-events';
import { graphLifecycle } from '../../../functions/graph-lifecycle';
import { graphNotifications } from '../../../functions/graph-notifications';
import { decryptPayload, newClientState, signatureOf } from '../../../shared/ingress';
import { decodeWorkMessage } from '../../../shared/store/work-queue';
import type { WorkItem } from '../../../shared/store/types';
import { createTestApp, type TestApp } from '../../support/app-context';
import { signedCallback } from '../../support/dingtalk-callback';
import { fastCheckRuns, runsFrom } from '../../support/randomness';
import { invocation, post } from './support/webhook-requests';

let app: TestApp;
const secrets = () => ({
  token: app.config.dingtalk.callbackToken,
  aesKey: app.config.dingtalk.callbackAesKey,
  ownerKey: app.config.dingtalk.appKey,
});
const ctx = () => invocation();

async function queueDepth(): Promise<number> {
  const queue = await app.storage.queue(queueName());
  const props = await queue.getProperties();
  return props.approximateMessagesCount ?? 0;
}
const queueName = () => (app.stores.workQueue as unknown as { queueName: string }).queueName;

/** The newest messages on the work queue, as the worker will receive them. */
async function newestWork(count: number): Promise<WorkItem[]> {
  const queue = await app.storage.queue(queueName());
  const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.map((m) => decodeWorkMessage(m.messageText)).slice(-count);
}

async function stateSnapshot() {
  const pairState = await app.stores.pairState.load(pair.pairId, 'calendar');
  const subs = await app.stores.subscriptions.listAll();
  return {
    pairState: JSON.stringify(pairState.state),
    subs: JSON.stringify(subs.map((s) => [s.subscriptionId, s.expiresAt])),
    depth: await queueDepth(),
  };
}

const pair = {
  pairId: 'entra-alice',
  dingtalkUserId: 'alice',
  dingtalkUnionId: 'union-alice',
  entraId: 'entra-alice',
  userPrincipalName: 'alice@contoso.com',
  email: 'alice@contoso.com',
  status: 'active' as const,
  enabledKinds: ['calendar' as const],
  pairedBy: 'email' as const,
};

const calendarEvent = (id: string, updateTime = 1700000000000) => ({
  EventType: 'calendar_event_change',
  CorpId: 'dingsandboxcorp',
  CalendarEventId: id,
  ChangeType: 'updated',
  UnionIdList: ['union-alice'],
  CalendarEventUpdateTime: updateTime,
});

let clientState: ReturnType<typeof newClientState>;

beforeAll(async () => {
  app = createTestApp();
  await app.stores.users.save(pair);
  clientState = newClientState();
  await app.stores.subscriptions.save({
    pairId: pair.pairId,
    subscriptionId: 'sub-1',
    resource: 'users/entra-alice/events',
    kind: 'calendar',
    folder: 'calendar',
    expiresAt: new Date(Date.now() + 86400e3).toISOString(),
    clientStateHash: clientState.hash,
    clientStateSalt: clientState.salt,
  });
});

describe('dingtalk-events', () => {
  test('a genuine calendar change is answered with the encrypted success and becomes one hint and one work item', async () => {
    const before = await queueDepth();
    const cb = signedCallback(calendarEvent('evt-1'), secrets());
    const res = await dingtalkEvents(post('http://localhost/api/dingtalk/events', cb.body, cb.query), ctx());
    expect(res.status).toBe(200);
    const reply = res.jsonBody as {
      msg_signature: string;
      timeStamp: string;
      nonce: string;
      encrypt: string;
    };
    expect(reply.msg_signature).toBe(
      signatureOf(secrets().token, reply.timeStamp, reply.nonce, reply.encrypt),
    );
    expect(decryptPayload(reply.encrypt, secrets().aesKey)).toEqual({
      plainText: 'success',
      ownerKey: secrets().ownerKey,
    });
    expect(await queueDepth()).toBe(before + 1);
    const [work] = await newestWork(1);
    // The hint names the event and its update time, so the worker can tell the echo of its own write.
    expect(work).toMatchObject({
      pairId: pair.pairId,
      kind: 'calendar',
      side: 'dingtalk',
      folder: 'primary',
      reason: 'callback',
      itemId: 'evt-1',
      version: '1700000000000',
    });
    expect(Math.abs(work.hintedAt! - Date.now())).toBeLessThan(60_000);
    // Ingress writes no table row: the queue message is the durable hint.
    expect((await app.stores.pairState.load(pair.pairId, 'calendar')).state.etag).toBeUndefined();
  });

  test('a repeated delivery of the same event is answered success again and queues the same hint again', async () => {
    const event = calendarEvent('evt-2');
    const first = signedCallback(event, secrets());
    await dingtalkEvents(post('http://localhost/api/dingtalk/events', first.body, first.query), ctx());
    const depth = await queueDepth();
    const again = signedCallback(event, secrets()); // re-encrypted and re-signed, as a retry may be
    const res = await dingtalkEvents(
      post('http://localhost/api/dingtalk/events', again.body, again.query),
      ctx(),
    );
    expect(res.status).toBe(200);
    // The worker recognises the repeat (covered by the pull the first one started, or the same version as the
    // link holds) and pulls nothing; ingress stays one queue message per delivery.
    expect(await queueDepth()).toBe(depth + 1);
    const [a, b] = await newestWork(2);
    expect({ ...a, hintedAt: 0 }).toEqual({ ...b, hintedAt: 0 });
  });

  test('check_url is answered with the encrypted success and changes nothing', async () => {
    const before = await stateSnapshot();
    const cb = signedCallback({ EventType: 'check_url' }, secrets());
    const res = await dingtalkEvents(post('http://localhost/api/dingtalk/events', cb.body, cb.query), ctx());
    expect(res.status).toBe(200);
    expect(await stateSnapshot()).toEqual(before);
  });

  test('the ownerKey that arrived is the one the reply is encrypted with (corpId push)', async () => {
    const cb = signedCallback(
      { EventType: 'check_url' },
      { ...secrets(), ownerKey: app.config.dingtalk.corpId },
    );
    const res = await dingtalkEvents(post('http://localhost/api/dingtalk/events', cb.body, cb.query), ctx());
    const reply = res.jsonBody as { encrypt: string };
    expect(decryptPayload(reply.encrypt, secrets().aesKey).ownerKey).toBe(app.config.dingtalk.corpId);
  });

  test('a directory change marks the directory for the pairing run', async () => {
    const cb = signedCallback(
      { EventType: 'user_add_org', CorpId: 'dingsandboxcorp', UserId: ['bob'] },
      secrets(),
    );
    const res = await dingtalkEvents(post('http://localhost/api/dingtalk/events', cb.body, cb.query), ctx());
    expect(res.status).toBe(200);
    expect((await app.stores.jobs.readAll()).get('pairing')?.requested).toBe(true);
  });

  test('forged, stale and wrongly typed requests get a 4xx and change nothing', async () => {
    const before = await stateSnapshot();
    const good = signedCallback(calendarEvent('evt-forged'), secrets());
    const forged = new URLSearchParams(good.query);
    forged.set('msg_signature', '0'.repeat(40));
    const stale = signedCallback(calendarEvent('evt-stale'), secrets(), Date.now() - 3600e3);
    const wrongKey = signedCallback(calendarEvent('evt-key'), { ...secrets(), aesKey: 'a'.repeat(43) });
    const responses = await Promise.all([
      dingtalkEvents(post('http://localhost/api/dingtalk/events', good.body, forged), ctx()),
      dingtalkEvents(post('http://localhost/api/dingtalk/events', stale.body, stale.query), ctx()),
      dingtalkEvents(post('http://localhost/api/dingtalk/events', wrongKey.body, wrongKey.query), ctx()),
      dingtalkEvents(
        post('http://localhost/api/dingtalk/events', good.body, good.query, 'text/plain'),
        ctx(),
      ),
      dingtalkEvents(
        post('http://localhost/api/dingtalk/events', 'x'.repeat(2 * 1024 * 1024), good.query),
        ctx(),
      ),
    ]);
    expect(responses.map((r) => r.status)).toEqual([401, 401, 400, 415, 413]);
    expect(await stateSnapshot()).toEqual(before);
  });
});

describe('graph-notifications', () => {
  const notification = (overrides: Record<string, unknown> = {}) => ({
    subscriptionId: 'sub-1',
    clientState: clientState.clientState,
    changeType: 'updated',
    resource: 'Users/entra-alice/Events/AAMk1',
    resourceData: {
      '@odata.type': '#Microsoft.Graph.Event',
      '@odata.id': 'Users/entra-alice/Events/AAMk1',
      '@odata.etag': 'W/"1"',
      id: 'AAMk1',
    },
    tenantId: 'sandbox-tenant',
    ...overrides,
  });

  test('the validation handshake echoes the token as text/plain', async () => {
    const token = 'Validation: Token <script>alert(1)</script> 中文';
    const res = await graphNotifications(
      post(
        'http://localhost/api/graph/notifications',
        '',
        new URLSearchParams({ validationToken: token }),
        'text/plain',
      ),
      ctx(),
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe(token);
    expect((res.headers as Record<string, string>)['content-type']).toMatch(/^text\/plain/);
  });

  test('a valid notification becomes one hint naming the item, its etag or its deletion', async () => {
    const depth = await queueDepth();
    const body = JSON.stringify({ value: [notification()] });
    const res = await graphNotifications(post('http://localhost/api/graph/notifications', body), ctx());
    expect(res.status).toBe(202);
    expect(await queueDepth()).toBe(depth + 1);
    const deleted = notification({
      changeType: 'deleted',
      resourceData: { id: 'AAMkGone', '@odata.etag': 'W/"CK-ours"' },
    });
    await graphNotifications(
      post('http://localhost/api/graph/notifications', JSON.stringify({ value: [deleted] })),
      ctx(),
    );
    const [changed, gone] = await newestWork(2);
    expect(changed).toMatchObject({ pairId: pair.pairId, side: 'outlook', reason: 'notification' });
    expect(changed.itemId).toBeDefined();
    expect(gone).toMatchObject({ itemId: 'AAMkGone', version: 'W/"CK-ours"', deleted: true });
    expect((await app.stores.pairState.load(pair.pairId, 'calendar')).state.etag).toBeUndefined();
  });

  test('updates that carry no etag are never taken for repeats of each other', async () => {
    const depth = await queueDepth();
    const noEtag = notification({ resourceData: { id: 'AAMkNoEtag' } });
    for (let i = 0; i < 2; i++) {
      const res = await graphNotifications(
        post('http://localhost/api/graph/notifications', JSON.stringify({ value: [noEtag] })),
        ctx(),
      );
      expect(res.status).toBe(202);
    }
    expect(await queueDepth()).toBe(depth + 2);
  });

  test('in a mixed batch the valid item counts and the forged ones are dropped', async () => {
    const depth = await queueDepth();
    const body = JSON.stringify({
      value: [
        notification({ clientState: 'wrong', resourceData: { id: 'x1', '@odata.etag': 'W/"9"' } }),
        notification({ subscriptionId: 'not-ours' }),
        notification({ resourceData: { id: 'AAMk2', '@odata.etag': 'W/"2"' } }),
      ],
    });
    const res = await graphNotifications(post('http://localhost/api/graph/notifications', body), ctx());
    expect(res.status).toBe(202);
    expect(await queueDepth()).toBe(depth + 1);
  });

  test('a batch with only forged items is refused and changes nothing', async () => {
    const before = await stateSnapshot();
    const body = JSON.stringify({ value: [notification({ clientState: clientState.clientState + 'x' })] });
    const res = await graphNotifications(post('http://localhost/api/graph/notifications', body), ctx());
    expect(res.status).toBe(403);
    expect(await stateSnapshot()).toEqual(before);
  });
});

describe('graph-lifecycle', () => {
  test('missed asks for a pull; subscriptionRemoved and reauthorizationRequired ask the worker to mark the subscription due; the answer stores nothing but the message', async () => {
    const depth = await queueDepth();
    const before = (await app.stores.subscriptions.get('sub-1'))!;
    const event = (lifecycleEvent: string) =>
      JSON.stringify({
        value: [
          {
            subscriptionId: 'sub-1',
            clientState: clientState.clientState,
            lifecycleEvent,
            subscriptionExpirationDateTime: '2030-01-01T00:00:00Z',
          },
        ],
      });
    for (const lifecycleEvent of ['missed', 'subscriptionRemoved', 'reauthorizationRequired']) {
      const answer = await graphLifecycle(
        post('http://localhost/api/graph/lifecycle', event(lifecycleEvent)),
        ctx(),
      );
      expect(answer.status).toBe(202);
    }
    expect(await queueDepth()).toBe(depth + 3);
    const folder = { pairId: pair.pairId, kind: 'calendar', side: 'outlook', folder: 'calendar' };
    const hintedAt = expect.any(Number);
    expect(await newestWork(3)).toEqual([
      { ...folder, hintedAt, reason: 'missed' },
      { ...folder, hintedAt, reason: 'subscriptionRemoved', resync: true, subscriptionDue: 'sub-1' },
      { ...folder, hintedAt, reason: 'reauthorizationRequired', subscriptionDue: 'sub-1' },
    ]);
    // The worker marks it (test/integration/app/subscription-due.test.ts); the webhook wrote no row.
    const after = (await app.stores.subscriptions.get('sub-1'))!;
    expect([after.expiresAt, after.etag]).toEqual([before.expiresAt, before.etag]);
  });
});

describe('fuzz: random malformed requests never crash, never 5xx, never change state', () => {
  const runs = fastCheckRuns(runsFrom('FUZZ_RUNS', 1000));
  const arbitraryRequest = fc.record({
    query: fc.dictionary(
      fc.constantFrom(
        'msg_signature',
        'signature',
        'timestamp',
        'timeStamp',
        'nonce',
        'validationToken',
        'x',
      ),
      fc.oneof(fc.string(), fc.stringMatching(/^[0-9]{13}$/), fc.constant(String(Date.now()))),
    ),
    contentType: fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json; charset=utf-8',
      '',
      'multipart/form-data',
    ),
    body: fc.oneof(
      fc.string(),
      fc.json(),
      fc.base64String().map((encrypt) => JSON.stringify({ encrypt })),
      fc
        .array(
          fc.record({
            subscriptionId: fc.string(),
            clientState: fc.string(),
            changeType: fc.string(),
            resource: fc.string(),
            lifecycleEvent: fc.string(),
          }),
        )
        .map((value) => JSON.stringify({ value })),
    ),
  });

  for (const [name, handler] of [
    ['dingtalk-events', dingtalkEvents],
    ['graph-notifications', graphNotifications],
    ['graph-lifecycle', graphLifecycle],
  ] as const) {
    test(`${name}: ${runs.numRuns} random requests`, async () => {
      const before = await stateSnapshot();
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(arbitraryRequest, async (req) => {
          const query = new URLSearchParams(req.query);
          if (name !== 'dingtalk-events' && query.has('validationToken')) query.delete('validationToken');
          const res = await handler(
            post(`http://localhost/api/${name}`, req.body, query, req.contentType),
            ctx(),
          );
          const status = res.status ?? 200;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status).toBeLessThan(500);
          // Only an empty batch may be acknowledged: there is nothing in it to record.
          if (status < 400) expect(req.body.replace(/\s/g, '')).toBe('{"value":[]}');
        }),
        runs,
      );
      expect(await stateSnapshot()).toEqual(before);
      expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
      expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    }, 120000);
  }
});
