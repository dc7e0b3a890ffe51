import {
  lifecycleActionFor,
  parseLifecycleBatch,
  verifyLifecycleItems,
} from '../../../shared/ingress/graph/lifecycle';
import {
  batch,
  CLIENT_STATE,
  lifecycleNotification,
  lookup,
  SECRETS,
  SUBSCRIPTION_ID,
} from './support/graph-fixtures';

const MAX = 256 * 1024;
const itemsOf = (body: string) => {
  const result = parseLifecycleBatch('application/json', body, MAX);
  if (!result.ok) throw new Error(result.reason);
  return result;
};

describe('parseLifecycleBatch', () => {
  it('reads the three lifecycle events', () => {
    const { items, dropped } = itemsOf(
      batch(
        lifecycleNotification(),
        lifecycleNotification({ lifecycleEvent: 'subscriptionRemoved' }),
        lifecycleNotification({ lifecycleEvent: 'missed' }),
      ),
    );
    expect(dropped).toEqual([]);
    expect(items[0]).toEqual({
      subscriptionId: SUBSCRIPTION_ID,
      clientState: CLIENT_STATE,
      lifecycleEvent: 'reauthorizationRequired',
      subscriptionExpirationDateTime: '2026-11-25T11:00:00.0000000Z',
      tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
    });
    expect(items.map((i) => i.lifecycleEvent)).toEqual([
      'reauthorizationRequired',
      'subscriptionRemoved',
      'missed',
    ]);
  });

  it('drops unknown lifecycle events, missing clientState and change notifications', () => {
    const { items, dropped } = itemsOf(
      batch(
        lifecycleNotification({ lifecycleEvent: 'somethingNew' }),
        lifecycleNotification({ clientState: undefined }),
        { subscriptionId: SUBSCRIPTION_ID, clientState: CLIENT_STATE, changeType: 'created', resource: 'x' },
        lifecycleNotification(),
      ),
    );
    expect(items).toHaveLength(1);
    expect(dropped.map((d) => d.index)).toEqual([0, 1, 2]);
  });

  it('refuses a wrong envelope like the notification endpoint does', () => {
    expect(parseLifecycleBatch('text/plain', batch(), MAX)).toMatchObject({ ok: false, status: 415 });
    expect(parseLifecycleBatch('application/json', '{"value":null}', MAX)).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(parseLifecycleBatch('application/json', batch(lifecycleNotification()), 10)).toMatchObject({
      ok: false,
      status: 413,
    });
  });
});

describe('lifecycle actions', () => {
  it('map each event to what the timer must do', () => {
    const [reauth, removed, missed] = itemsOf(
      batch(
        lifecycleNotification(),
        lifecycleNotification({ lifecycleEvent: 'subscriptionRemoved' }),
        lifecycleNotification({ lifecycleEvent: 'missed' }),
      ),
    ).items;
    expect(lifecycleActionFor(reauth!)).toEqual({ action: 'renew', subscriptionId: SUBSCRIPTION_ID });
    expect(lifecycleActionFor(removed!)).toEqual({
      action: 'recreate',
      subscriptionId: SUBSCRIPTION_ID,
      resync: true,
    });
    expect(lifecycleActionFor(missed!)).toEqual({ action: 'resync', subscriptionId: SUBSCRIPTION_ID });
  });

  it('are given only for items whose clientState verifies', () => {
    const { items } = itemsOf(
      batch(
        lifecycleNotification({ lifecycleEvent: 'missed' }),
        lifecycleNotification({ clientState: 'forged' }),
        lifecycleNotification({ subscriptionId: 'not-ours' }),
      ),
    );
    const { accepted, rejected } = verifyLifecycleItems(items, lookup);
    expect(accepted).toEqual([
      {
        item: items[0],
        subscription: SECRETS,
        action: { action: 'resync', subscriptionId: SUBSCRIPTION_ID },
      },
    ]);
    expect(rejected.map((r) => r.reason)).toEqual(['clientState does not match', 'unknown subscription']);
  });
});
