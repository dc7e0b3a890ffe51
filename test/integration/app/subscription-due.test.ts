import { markSubscriptionDue } from '../../../shared/app/subscription-due';
import { processWork, type WorkerDeps } from '../../../shared/app/worker';
import { ManualClock } from '../../../shared/platform/clock';
import type { SubscriptionRecord, WorkItem } from '../../../shared/store/types';
import { freshAppStores, type AppStores } from './support';

/**
 * A Graph lifecycle event's renewal request, as the worker carries it out on the real subscriptions table (Azurite):
 * the webhook only queues it (test/integration/ingress/webhook-functions.test.ts).
 */

let s: AppStores;
let clock: ManualClock;
const DAY_MS = 86_400_000;

const record = (expiresAt: number): SubscriptionRecord => ({
  pairId: 'pair-alice',
  subscriptionId: 'sub-alice',
  resource: 'users/entra-alice/events',
  kind: 'calendar',
  folder: 'calendar',
  expiresAt: new Date(expiresAt).toISOString(),
  clientStateHash: 'hash',
  clientStateSalt: 'salt',
});

beforeEach(() => {
  clock = new ManualClock();
  s = freshAppStores(clock);
});

test('a subscription not yet due is marked due now, and the renewal index then offers it to the timer', async () => {
  await s.stores.subscriptions.save(record(clock.now() + DAY_MS));
  expect(await s.stores.subscriptions.dueForRenewal(clock.now() + 60_000, 10)).toEqual([]);

  expect(await markSubscriptionDue(s.stores.subscriptions, 'sub-alice', clock.now())).toBe('marked');

  const stored = await s.stores.subscriptions.get('sub-alice');
  expect(Date.parse(stored!.expiresAt)).toBe(clock.now());
  const due = await s.stores.subscriptions.dueForRenewal(clock.now() + 60_000, 10);
  expect(due.map((r) => r.subscriptionId)).toEqual(['sub-alice']);
});

test('nothing is written for a subscription already due or gone', async () => {
  await s.stores.subscriptions.save(record(clock.now() - 1_000));
  const before = await s.stores.subscriptions.get('sub-alice');
  expect(await markSubscriptionDue(s.stores.subscriptions, 'sub-alice', clock.now())).toBe('already-due');
  expect((await s.stores.subscriptions.get('sub-alice'))!.etag).toBe(before!.etag);
  expect(await markSubscriptionDue(s.stores.subscriptions, 'sub-unknown', clock.now())).toBe('gone');
});

test('a renewal that lands between the read and the write is read again, and the record still ends up due', async () => {
  await s.stores.subscriptions.save(record(clock.now() + DAY_MS));
  const repository = s.stores.subscriptions;
  let raced = false;
  const racing = {
    get: (id: string) => repository.get(id),
    save: async (r: SubscriptionRecord) => {
      if (!raced) {
        raced = true;
        // The timer renews it elsewhere, after our read: our etag-conditional write must not win blindly.
        const current = (await repository.get(r.subscriptionId))!;
        await repository.renew(current, new Date(clock.now() + 2 * DAY_MS).toISOString());
      }
      return repository.save(r);
    },
  };
  expect(await markSubscriptionDue(racing, 'sub-alice', clock.now())).toBe('marked');
  expect(raced).toBe(true);
  expect(Date.parse((await repository.get('sub-alice'))!.expiresAt)).toBe(clock.now());
});

test('the worker marks it before anything else, even for work it then skips without a pull', async () => {
  await s.stores.subscriptions.save(record(clock.now() + DAY_MS));
  const deps: WorkerDeps = {
    stores: s.stores,
    endpoints: () => undefined,
    policy: { conflict: 'newest-wins', deletes: 'propagate', bulkDeleteMaxShare: 0.5, dryRun: false },
    log: s.log,
    now: () => clock.now(),
  };
  const work: WorkItem = {
    pairId: 'pair-alice',
    kind: 'calendar',
    side: 'outlook',
    folder: 'calendar',
    reason: 'reauthorizationRequired',
    subscriptionDue: 'sub-alice',
  };
  // The pair is not in the users table, so the pull itself is skipped.
  expect(await processWork(deps, work)).toMatchObject({ status: 'skipped' });
  expect(Date.parse((await s.stores.subscriptions.get('sub-alice'))!.expiresAt)).toBe(clock.now());
});
