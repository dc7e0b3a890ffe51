import { ManualClock } from '../../../shared/platform/clock';
import { createStorage } from '../../../shared/platform/storage';
import { TableSubscriptionRepository } from '../../../shared/store/subscription-repository';
import type { SubscriptionRecord } from '../../../shared/store/types';
import { ConcurrencyError } from '../../../shared/sync/types';
import { azuriteConnection, freshStores, rawTable } from './store-fixture';

const { prefix } = freshStores();
const clock = new ManualClock();
const subscriptions = new TableSubscriptionRepository(
  createStorage({ connectionString: azuriteConnection() }),
  `${prefix}subscriptions`,
  clock,
);

const record = (
  pairId: string,
  subscriptionId: string,
  resource = `/users/entra-${pairId}/events`,
  expiresAt = '2026-11-25T08:00:00.000Z',
): SubscriptionRecord => ({
  pairId,
  subscriptionId,
  resource,
  kind: 'calendar',
  folder: 'calendar',
  expiresAt,
  clientStateHash: 'hash',
  clientStateSalt: 'salt',
});

/** Every row of the suite's table, to count what an operation read or left behind. */
async function rows(): Promise<Array<{ partitionKey?: string; rowKey?: string }>> {
  const out: Array<{ partitionKey?: string; rowKey?: string }> = [];
  for await (const row of rawTable(`${prefix}subscriptions`).listEntities()) out.push(row);
  return out;
}

describe('TableSubscriptionRepository', () => {
  test('save, get by id alone, list by pair (a keyed lookup) and all', async () => {
    const a = await subscriptions.save(record('p1', 'sub-a'));
    await subscriptions.save(record('p1', 'sub-b', '/users/entra-p1/mailFolders/inbox/messages'));
    await subscriptions.save(record('p2', 'sub-c'));
    expect(await subscriptions.get('sub-a')).toEqual({ ...record('p1', 'sub-a'), etag: a.etag });
    expect((await subscriptions.listByPair('p1')).map((s) => s.subscriptionId).sort()).toEqual([
      'sub-a',
      'sub-b',
    ]);
    expect((await subscriptions.listByPair('p-nobody')).length).toBe(0);
    expect((await subscriptions.listAll()).map((s) => s.subscriptionId).sort()).toEqual([
      'sub-a',
      'sub-b',
      'sub-c',
    ]);
    expect(await subscriptions.get('sub-missing')).toBeUndefined();
  });

  test('renewal with a stale etag is refused; remove deletes the record, its pair lookup and its renewal entry', async () => {
    const saved = await subscriptions.save(record('p3', 'sub-d'));
    const renewed = await subscriptions.renew(saved, '2026-11-26T08:00:00.000Z');
    await expect(subscriptions.renew(saved, '2026-11-27T08:00:00.000Z')).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await expect(subscriptions.remove(saved)).rejects.toBeInstanceOf(ConcurrencyError);
    await subscriptions.remove(renewed);
    expect(await subscriptions.get('sub-d')).toBeUndefined();
    expect(await subscriptions.listByPair('p3')).toEqual([]);
    expect((await rows()).filter((r) => r.rowKey?.includes('sub-d'))).toEqual([]);
    await expect(subscriptions.remove(renewed)).resolves.toBeUndefined();
  });

  test('dueForRenewal reads only entries expiring before the bound, soonest first, and drops stale ones', async () => {
    const early = await subscriptions.save(record('r1', 'sub-r1', undefined, '2027-01-01T10:00:00.000Z'));
    await subscriptions.save(record('r2', 'sub-r2', undefined, '2027-01-01T09:00:00.000Z'));
    await subscriptions.save(record('r3', 'sub-r3', undefined, '2027-01-03T00:00:00.000Z'));
    const bound = Date.parse('2027-01-02T00:00:00Z');
    const ids = (await subscriptions.dueForRenewal(bound, 10))
      .map((r) => r.subscriptionId)
      .filter((id) => id.startsWith('sub-r'));
    expect(ids).toEqual(['sub-r2', 'sub-r1']);

    // Renewed: the old entry goes, the new one is beyond the bound.
    await subscriptions.renew(early, '2027-01-05T00:00:00.000Z');
    // Marked due elsewhere (as the lifecycle handler does): the record moves, its old entry turns stale.
    const r3 = (await subscriptions.get('sub-r3'))!;
    await subscriptions.save({ ...r3, expiresAt: '2027-01-01T08:00:00.000Z' });
    const due = (await subscriptions.dueForRenewal(bound, 10)).filter((r) => r.pairId.startsWith('r'));
    expect(due.map((r) => r.subscriptionId)).toEqual(['sub-r3', 'sub-r2']);
    const entries = (await rows()).filter(
      (r) => r.partitionKey === 'expiry|index' && r.rowKey!.includes('sub-r3'),
    );
    expect(entries).toHaveLength(2);
    expect(await subscriptions.dueForRenewal(Date.parse('2027-01-04T00:00:00Z'), 10)).not.toContainEqual(
      expect.objectContaining({ subscriptionId: 'sub-r3', expiresAt: '2027-01-03T00:00:00.000Z' }),
    );
    // Meeting the stale entry deleted it.
    expect(
      (await rows()).filter((r) => r.partitionKey === 'expiry|index' && r.rowKey!.includes('sub-r3')),
    ).toHaveLength(1);
  });

  test('dueForRenewal looks at no more than its limit', async () => {
    for (let i = 0; i < 5; i++) {
      await subscriptions.save(record(`l${i}`, `sub-l${i}`, undefined, `2026-01-0${i + 1}T00:00:00.000Z`));
    }
    const due = await subscriptions.dueForRenewal(Date.parse('2026-02-01T00:00:00Z'), 3);
    expect(due.map((r) => r.subscriptionId)).toEqual(['sub-l0', 'sub-l1', 'sub-l2']);
  });

  test('pending pairs: marked once however often, served in order, a re-mark survives a clear, a deferral waits', async () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    await subscriptions.markPending(['q2', 'q1', 'q2']);
    const first = await subscriptions.listPending(now, 10);
    expect(first.map((p) => p.pairId)).toEqual(['q1', 'q2']);
    expect((await subscriptions.listPending(now, 1)).map((p) => p.pairId)).toEqual(['q1']);

    await subscriptions.markPending(['q1']);
    await subscriptions.clearPending(first[0]);
    await subscriptions.clearPending(first[1]);
    expect((await subscriptions.listPending(now, 10)).map((p) => p.pairId)).toEqual(['q1']);

    const [q1] = await subscriptions.listPending(now, 10);
    await subscriptions.deferPending(q1, now + 15 * 60_000);
    expect(await subscriptions.listPending(now, 10)).toEqual([]);
    expect((await subscriptions.listPending(now + 15 * 60_000 + 1, 10)).map((p) => p.pairId)).toEqual(['q1']);

    const many = Array.from({ length: 250 }, (_, i) => `m${String(i).padStart(3, '0')}`);
    await subscriptions.markPending(many);
    expect((await subscriptions.listPending(now, 300)).filter((p) => p.pairId.startsWith('m'))).toHaveLength(
      250,
    );
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
