import { ManualClock } from '../../../shared/platform/clock';
import { createStorage } from '../../../shared/platform/storage';
import { TableSubscriptionRepository } from '../../../shared/store/subscription-repository';
import type { SubscriptionRecord } from '../../../shared/store/types';
import { ConcurrencyError } from '../../../shared/sync/types';
import { azuriteConnection, freshStores } from './store-fixture';

const { prefix } = freshStores();
const clock = new ManualClock();
const subscriptions = new TableSubscriptionRepository(
  createStorage({ connectionString: azuriteConnection() }),
  `${prefix}subscriptions`,
  clock,
);

const record = (pairId: string, subscriptionId: string): SubscriptionRecord => ({
  pairId,
  subscriptionId,
  resource: `/users/entra-${pairId}/events`,
  kind: 'calendar',
  folder: 'calendar',
  expiresAt: '2026-11-25T08:00:00.000Z',
  clientStateHash: 'hash',
  clientStateSalt: 'salt',
});

describe('TableSubscriptionRepository', () => {
  test('save, get by id alone, list by pair and all', async () => {
    const a = await subscriptions.save(record('p1', 'sub-a'));
    await subscriptions.save(record('p1', 'sub-b'));
    await subscriptions.save(record('p2', 'sub-c'));
    expect(await subscriptions.get('sub-a')).toEqual({ ...record('p1', 'sub-a'), etag: a.etag });
    expect((await subscriptions.listByPair('p1')).map((s) => s.subscriptionId).sort()).toEqual([
      'sub-a',
      'sub-b',
    ]);
    expect((await subscriptions.listAll()).map((s) => s.subscriptionId).sort()).toEqual([
      'sub-a',
      'sub-b',
      'sub-c',
    ]);
    expect(await subscriptions.get('sub-missing')).toBeUndefined();
  });

  test('renewal with a stale etag is refused; remove deletes', async () => {
    const saved = await subscriptions.save(record('p3', 'sub-d'));
    const renewed = await subscriptions.save({ ...saved, expiresAt: '2026-11-26T08:00:00.000Z' });
    await expect(
      subscriptions.save({ ...saved, expiresAt: '2026-11-27T08:00:00.000Z' }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(subscriptions.remove(saved)).rejects.toBeInstanceOf(ConcurrencyError);
    await subscriptions.remove(renewed);
    expect(await subscriptions.get('sub-d')).toBeUndefined();
    await expect(subscriptions.remove(renewed)).resolves.toBeUndefined();
  });

  test('claims that are not listed as subscriptions', async () => {
    expect(await subscriptions.claimCreate('p9', '/users/x/events', 'timer-1', 60_000)).toBe(true);
    expect((await subscriptions.listAll()).some((s) => s.pairId === 'p9')).toBe(false);
  });

  test('claimCreate is exclusive until released or expired', async () => {
    const resource = '/users/entra-p4/mailFolders/inbox/messages';
    expect(await subscriptions.claimCreate('p4', resource, 'timer-1', 60_000)).toBe(true);
    expect(await subscriptions.claimCreate('p4', resource, 'timer-2', 60_000)).toBe(false);
    await subscriptions.releaseCreate('p4', resource, 'timer-2');
    expect(await subscriptions.claimCreate('p4', resource, 'timer-2', 60_000)).toBe(false);
    await subscriptions.releaseCreate('p4', resource, 'timer-1');
    expect(await subscriptions.claimCreate('p4', resource, 'timer-2', 60_000)).toBe(true);

    clock.advance(61_000);
    expect(await subscriptions.claimCreate('p4', resource, 'timer-3', 60_000)).toBe(true);
    expect(await subscriptions.claimCreate('p4', resource, 'timer-2', 60_000)).toBe(false);
  });

  test('of 20 concurrent claims exactly one wins, fresh or expired', async () => {
    const resource = '/users/entra-p5/events';
    const claimAll = () =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) => subscriptions.claimCreate('p5', resource, `t${i}`, 60_000)),
      );
    expect((await claimAll()).filter(Boolean)).toHaveLength(1);
    clock.advance(120_000);
    expect((await claimAll()).filter(Boolean)).toHaveLength(1);
  });
});
