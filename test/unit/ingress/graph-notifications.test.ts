import { parseNotificationBatch, verifyNotificationItems } from '../../../shared/ingress/graph/notifications';
import { subscriptionIdsOf } from '../../../shared/ingress/graph/subscription-check';
import {
  batch,
  CLIENT_STATE,
  lookup,
  notification,
  OTHER_CLIENT_STATE,
  OTHER_SUBSCRIPTION_ID,
  SECRETS,
  SUBSCRIPTION_ID,
} from './support/graph-fixtures';

const MAX = 1024 * 1024;
const parsed = (body: string) => {
  const result = parseNotificationBatch('application/json; charset=utf-8', body, MAX);
  if (!result.ok) throw new Error(result.reason);
  return result;
};

describe('parseNotificationBatch', () => {
  it('reads a Graph basic notification into a typed item', () => {
    const { items, dropped } = parsed(batch(notification()));
    expect(dropped).toEqual([]);
    expect(items).toEqual([
      {
        subscriptionId: SUBSCRIPTION_ID,
        clientState: CLIENT_STATE,
        changeType: 'created',
        resource: 'Users/622eaaff-0683-4862-9de4-f2ec83c2bd98/Messages/AAMkAGUwNjQ4ZjIxAAA=',
        resourceData: {
          id: 'AAMkAGUwNjQ4ZjIxAAA=',
          etag: 'W/"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf"',
          odataType: '#Microsoft.Graph.Message',
        },
        tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
        subscriptionExpirationDateTime: '2026-11-25T22:11:09.952Z',
      },
    ]);
  });

  it('accepts an empty batch and an item without resourceData', () => {
    expect(parsed(batch()).items).toEqual([]);
    const { resourceData: _omitted, ...bare } = notification();
    expect(parsed(batch(bare)).items).toHaveLength(1);
  });

  it('drops malformed items with their position and keeps the good ones', () => {
    const { items, dropped } = parsed(
      batch(
        notification({ clientState: undefined }),
        notification(),
        notification({ changeType: 'created,updated' }),
        notification({ clientState: 42 }),
        'text',
        null,
        notification({ subscriptionId: '' }),
        notification({ resourceData: { '@odata.etag': 'x' } }),
        notification({ lifecycleEvent: 'missed' }),
        notification({ clientState: 'x'.repeat(256) }),
        notification({ changeType: 'deleted' }),
      ),
    );
    expect(items.map((item) => item.changeType)).toEqual(['created', 'deleted']);
    expect(dropped.map((d) => d.index)).toEqual([0, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(dropped.find((d) => d.index === 8)!.reason).toMatch(/lifecycle/);
  });

  it('never quotes field values in drop reasons (they may hold a clientState)', () => {
    const { dropped } = parsed(
      batch(notification({ changeType: 'sneaky-value', clientState: 'secret-value-1234' })),
    );
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.reason).not.toMatch(/sneaky-value|secret-value-1234/);
  });

  it.each([
    [415, undefined, batch(notification())],
    [415, 'text/plain', batch(notification())],
    [400, 'application/json', 'not json'],
    [400, 'application/json', '[]'],
    [400, 'application/json', '{"value":{}}'],
    [400, 'application/json', '{"values":[]}'],
  ])('refuses the whole batch with %s for content type %j and body %j', (status, contentType, body) => {
    expect(parseNotificationBatch(contentType, body, MAX)).toMatchObject({ ok: false, status });
  });

  it('refuses bodies over the byte cap and batches over the item cap with 413', () => {
    const body = batch(notification(), notification());
    expect(parseNotificationBatch('application/json', body, body.length - 1)).toMatchObject({
      ok: false,
      status: 413,
    });
    expect(parseNotificationBatch('application/json', body, MAX, 1)).toMatchObject({
      ok: false,
      status: 413,
    });
    expect(parseNotificationBatch('application/json', body, body.length, 2)).toMatchObject({ ok: true });
  });
});

describe('verifyNotificationItems', () => {
  it('accepts items whose clientState matches their own subscription, with what the lookup knows', () => {
    const items = parsed(
      batch(
        notification(),
        notification({ subscriptionId: OTHER_SUBSCRIPTION_ID, clientState: OTHER_CLIENT_STATE }),
      ),
    ).items;
    const { accepted, rejected } = verifyNotificationItems(items, lookup);
    expect(rejected).toEqual([]);
    expect(accepted.map((a) => a.subscription.pairId)).toEqual(['pair-1', 'pair-2']);
    expect(accepted[0]).toMatchObject({
      item: items[0],
      subscription: SECRETS,
    });
  });

  it('rejects unknown subscriptions, wrong clientStates and another subscription’s clientState', () => {
    const items = parsed(
      batch(
        notification({ subscriptionId: 'not-ours' }),
        notification({ clientState: CLIENT_STATE + 'x' }),
        notification({ clientState: OTHER_CLIENT_STATE }),
        notification({ clientState: SECRETS.clientStateHash }),
        notification(),
      ),
    ).items;
    const { accepted, rejected } = verifyNotificationItems(items, lookup);
    expect(accepted).toHaveLength(1);
    expect(rejected.map((r) => r.reason)).toEqual([
      'unknown subscription',
      'clientState does not match',
      'clientState does not match',
      'clientState does not match',
    ]);
  });

  it('asks the lookup once per item and subscriptionIdsOf lists each subscription once', () => {
    const items = parsed(
      batch(notification(), notification(), notification({ subscriptionId: OTHER_SUBSCRIPTION_ID })),
    ).items;
    expect(subscriptionIdsOf(items)).toEqual([SUBSCRIPTION_ID, OTHER_SUBSCRIPTION_ID]);
    const seen: string[] = [];
    verifyNotificationItems(items, (id) => (seen.push(id), lookup(id)));
    expect(seen).toHaveLength(3);
  });
});
