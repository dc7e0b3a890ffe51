import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { countTableOperations } from '../../../bench/pipeline/table-counter';
import { auditSubscriptions } from '../../../shared/app/jobs/subscription-audit';
import {
  GRAPH_SUBSCRIPTION_WRITES_PER_WINDOW,
  maintainSubscriptions,
  MAX_WRITES_PER_RUN,
  RENEW_WHEN_LEFT_MS,
  type SubscriptionManagerDeps,
} from '../../../shared/app/subscriptions';
import { expiryFor } from '../../../shared/connectors/graph';
import { hashClientState } from '../../../shared/ingress';
import { ManualClock } from '../../../shared/platform/clock';
import { tableNames } from '../../../shared/store/table-names';
import type { UserPair } from '../../../shared/store/types';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import {
  startNotificationReceiver,
  type NotificationReceiver,
} from '../../support/graph/notification-receiver';
import { rawTable } from '../store/store-fixture';
import { drainQueue, freshAppStores, pairFor, type AppStores } from './support';

/**
 * The subscription manager against the fake Graph (HTTPS, validation handshake to a local receiver) and real Table
 * Storage, through the real GraphSubscriptionsApi.
 */

let clock: ManualClock;
let h: GraphHarness;
let receiver: NotificationReceiver;
let s: AppStores;
let base: string;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  h = await startGraphHarness({ clock });
  receiver = await startNotificationReceiver();
  base = receiver.url.replace(/\/api\/graph\/notifications$/, '');
  s = freshAppStores(clock);
});

afterEach(async () => {
  await receiver.stop();
  await h.stop();
});

const deps = (): SubscriptionManagerDeps => ({
  users: s.stores.users,
  subscriptions: s.stores.subscriptions,
  workQueue: s.stores.workQueue,
  graph: h.connector.subscriptions,
  log: s.log,
  now: () => clock.now(),
  publicBaseUrl: base,
  expiryFor: (resource, now) => expiryFor(resource, now),
});
const run = () => maintainSubscriptions(deps());
const audit = () => auditSubscriptions({ ...deps(), users: s.stores.users });

/** Mailbox users at the fake, paired in the users table and marked pending, as the pairing run does. */
async function addPairs(count: number, overrides: Partial<UserPair> = {}): Promise<UserPair[]> {
  const wanted: UserPair[] = [];
  for (let i = 0; i < count; i++) {
    const user = h.fake.control.addUser({
      userPrincipalName: `u${randomBytes(4).toString('hex')}@contoso.example`,
    });
    wanted.push(pairFor(user.id, overrides));
  }
  const { saved, failed } = await s.stores.users.saveMany(wanted);
  expect(failed).toEqual([]);
  await s.stores.subscriptions.markPending(saved.map((p) => p.pairId));
  return saved;
}

/** A pair's new status, saved and handed to the upkeep as the pairing run does. */
async function setStatus(pairId: string, status: UserPair['status']): Promise<void> {
  const current = (await s.stores.users.get(pairId))!;
  await s.stores.users.save({ ...current, status });
  await s.stores.subscriptions.markPending([pairId]);
}

const remote = () =>
  h.fake.control.subscriptions() as Array<{
    id: string;
    resource: string;
    changeType: string;
    clientState: string;
    notificationUrl: string;
    lifecycleNotificationUrl: string;
    expirationDateTime: string;
  }>;
const resourceOf = (p: UserPair) => `users/${p.entraId}/events`;
const posts = () =>
  h.fake.control.requests.filter((r) => r.method === 'POST' && r.path === '/v1.0/subscriptions');
const patches = () =>
  h.fake.control.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/v1.0/subscriptions/'));
const NO_CHANGE = {
  created: 0,
  renewed: 0,
  recreated: 0,
  removed: 0,
  deferred: 0,
  failed: 0,
  firstSyncs: 0,
};

/** Every row of every table the app owns, as text. */
async function everyRow(): Promise<string> {
  const rows: unknown[] = [];
  for (const name of Object.values(tableNames(s.prefix))) {
    const table = TableClient.fromConnectionString(process.env.TEST_AZURITE_CONNECTION!, name, {
      allowInsecureConnection: true,
    });
    try {
      for await (const row of table.listEntities()) rows.push(row);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }
  return JSON.stringify(rows);
}

test('each active pair gets one calendar subscription: fresh clientState, only its salted hash stored, immutable ids, lifecycle URL, longest expiry', async () => {
  const active = await addPairs(3);
  await addPairs(1, { status: 'disabled' });
  await addPairs(1, { status: 'left' });

  const report = await run();

  expect(report).toEqual({ ...NO_CHANGE, created: 3 });
  const subs = remote();
  expect(subs.map((x) => x.resource).sort()).toEqual(active.map(resourceOf).sort());
  for (const sub of subs) {
    expect(sub.changeType).toBe('created,updated,deleted');
    expect(sub.notificationUrl).toBe(`${base}/api/graph/notifications`);
    expect(sub.lifecycleNotificationUrl).toBe(`${base}/api/graph/lifecycle`);
    expect(Date.parse(sub.expirationDateTime)).toBe(Date.parse(expiryFor(sub.resource, clock.now())));
    // The longest Graph grants for Outlook resources (10,080 min) minus the 15-minute safety margin.
    expect(Date.parse(sub.expirationDateTime) - clock.now()).toBe((10_080 - 15) * 60_000);
    expect(sub.clientState).toMatch(/^[A-Za-z0-9_-]{43}$/);
  }
  expect(new Set(subs.map((x) => x.clientState)).size).toBe(3);
  // Both URLs passed Graph's validation handshake for each create.
  expect(receiver.validations).toHaveLength(6);

  const creates = posts();
  expect(creates).toHaveLength(3);
  for (const request of creates) expect(request.headers.prefer).toContain('IdType="ImmutableId"');
  expect(h.fake.services.subscriptions.list().every((x) => x.immutableIds)).toBe(true);

  const records = await s.stores.subscriptions.listAll();
  expect(records).toHaveLength(3);
  for (const sub of subs) {
    const record = records.find((r) => r.subscriptionId === sub.id)!;
    expect(record).toMatchObject({ kind: 'calendar', folder: 'calendar', resource: sub.resource });
    expect(record.expiresAt).toBe(sub.expirationDateTime);
    expect(record.clientStateHash).toBe(hashClientState(sub.clientState, record.clientStateSalt));
  }
  const stored = await everyRow();
  for (const sub of subs) expect(stored).not.toContain(sub.clientState);
  for (const line of s.logLines) for (const sub of subs) expect(line.line).not.toContain(sub.clientState);

  // Nothing is due: a second run writes nothing.
  h.fake.control.clearRequests();
  expect(await run()).toEqual(NO_CHANGE);
  expect(posts()).toHaveLength(0);
});

test('renews only once less than RENEW_WHEN_LEFT_MS is left, in place and to the longest expiry', async () => {
  const [pair] = await addPairs(1);
  await run();
  const [created] = await s.stores.subscriptions.listAll();
  const expiresAt = Date.parse(created.expiresAt);

  clock.set(expiresAt - RENEW_WHEN_LEFT_MS - 60_000);
  h.fake.control.clearRequests();
  expect(await run()).toEqual(NO_CHANGE);
  expect(patches()).toHaveLength(0);

  clock.set(expiresAt - RENEW_WHEN_LEFT_MS + 60_000);
  expect(await run()).toEqual({ ...NO_CHANGE, renewed: 1 });
  expect(patches()).toHaveLength(1);
  expect(posts()).toHaveLength(0);
  const [renewed] = await s.stores.subscriptions.listAll();
  const [sub] = remote();
  expect(renewed.subscriptionId).toBe(created.subscriptionId);
  expect(sub.id).toBe(created.subscriptionId);
  expect(Date.parse(renewed.expiresAt)).toBe(Date.parse(expiryFor(resourceOf(pair), clock.now())));
  expect(Date.parse(sub.expirationDateTime)).toBe(Date.parse(renewed.expiresAt));
  expect(renewed.clientStateHash).toBe(created.clientStateHash);

  // Renewed far from expiry again: the next run leaves it alone.
  h.fake.control.clearRequests();
  expect(await run()).toEqual(NO_CHANGE);
  expect(patches()).toHaveLength(0);
});

test('a subscription Graph removed is recreated on renewal (404) and a resync of the folder is enqueued', async () => {
  const [pair] = await addPairs(1);
  await run();
  const [old] = await s.stores.subscriptions.listAll();
  expect(h.fake.control.removeSubscription(old.subscriptionId)).toBe(true);

  // A lifecycle event has the worker mark the record as due (expiresAt = now), as app/subscription-due.ts does.
  await s.stores.subscriptions.save({ ...old, expiresAt: new Date(clock.now()).toISOString() });
  h.fake.control.clearRequests();
  expect(await run()).toEqual({ ...NO_CHANGE, recreated: 1 });

  const subs = remote();
  expect(subs).toHaveLength(1);
  expect(subs[0].id).not.toBe(old.subscriptionId);
  expect(subs[0].resource).toBe(resourceOf(pair));
  expect(posts()).toHaveLength(1);
  const records = await s.stores.subscriptions.listAll();
  expect(records.map((r) => r.subscriptionId)).toEqual([subs[0].id]);
  expect(records[0].clientStateHash).toBe(hashClientState(subs[0].clientState, records[0].clientStateSalt));
  expect(await s.stores.subscriptions.get(old.subscriptionId)).toBeUndefined();

  expect(await drainQueue(s.queueName)).toEqual([
    {
      pairId: pair.pairId,
      kind: 'calendar',
      side: 'outlook',
      folder: 'calendar',
      reason: 'subscription-recreated',
      resync: true,
    },
  ]);
});

test('subscriptions of pairs no longer active are deleted at Graph and from the table', async () => {
  const [stays, leaves, disabled] = await addPairs(3);
  await run();
  expect(remote()).toHaveLength(3);

  await setStatus(leaves.pairId, 'left');
  await setStatus(disabled.pairId, 'disabled');
  expect(await run()).toEqual({ ...NO_CHANGE, removed: 2 });

  expect(remote().map((x) => x.resource)).toEqual([resourceOf(stays)]);
  expect((await s.stores.subscriptions.listAll()).map((r) => r.pairId)).toEqual([stays.pairId]);
});

test('a run reads only what is due: with no pending pair and no renewal due, no Graph call and two queries', async () => {
  await addPairs(3);
  await run();
  h.fake.control.clearRequests();
  const counter = countTableOperations(s.storage);
  expect(await run()).toEqual(NO_CHANGE);
  expect(h.fake.control.requests).toEqual([]);
  const counts = counter.counts();
  // The renewal index and the pending list, one query each, and nothing else.
  expect(counts.requests).toBe(2);
  expect(counts.tableScans).toBe(0);
});

test('the daily audit deletes orphans (ours at Graph, unrecorded) once older than 10 minutes; recorded and foreign ones stay', async () => {
  const [paired] = await addPairs(1);
  await run();
  const stray = h.fake.control.addUser({ userPrincipalName: 'stray@contoso.example' });
  const other = h.fake.control.addUser({ userPrincipalName: 'other@contoso.example' });
  const create = (user: string, notificationUrl: string) =>
    h.connector.subscriptions.create({
      resource: `users/${user}/events`,
      changeType: 'created,updated,deleted',
      notificationUrl,
      expirationDateTime: expiryFor(`users/${user}/events`, clock.now()),
      clientState: 'lost-with-the-crashed-run',
    });
  const orphan = await create(stray.id, `${base}/api/graph/notifications`);
  const foreign = await create(other.id, `${base}/someone-else/notifications`);

  clock.advance(5 * 60_000);
  expect(await audit()).toEqual({ pendingMarked: 0, reindexed: 0, orphansDeleted: 0 });
  expect(remote()).toHaveLength(3);

  clock.advance(6 * 60_000);
  expect(await audit()).toEqual({ pendingMarked: 0, reindexed: 0, orphansDeleted: 1 });
  const left = remote().map((x) => x.id);
  expect(left).not.toContain(orphan.id);
  expect(left).toContain(foreign.id);
  expect(remote().find((x) => x.resource === resourceOf(paired))).toBeDefined();
  expect(await s.stores.subscriptions.listAll()).toHaveLength(1);
});

test('the daily audit hands pairs out of line to the upkeep and puts a lost renewal entry back', async () => {
  const [kept, leaver] = await addPairs(2);
  await run();
  const [record] = await s.stores.subscriptions.listByPair(kept.pairId);
  // A pairing run that died before marking: a new pair the upkeep never heard of, and a pair that left.
  const user = h.fake.control.addUser({ userPrincipalName: 'late@contoso.example' });
  const late = await s.stores.users.save(pairFor(user.id));
  await s.stores.users.save({ ...(await s.stores.users.get(leaver.pairId))!, status: 'left' });
  // A renewal entry lost between two writes: only the record says it is due.
  const table = rawTable(`${s.prefix}subscriptions`);
  for await (const row of table.listEntities({
    queryOptions: { filter: `PartitionKey eq 'expiry|index'` },
  })) {
    if (String(row.rowKey).endsWith(record.subscriptionId))
      await table.deleteEntity(row.partitionKey!, row.rowKey!);
  }
  clock.set(Date.parse(record.expiresAt) - RENEW_WHEN_LEFT_MS + 25 * 3600e3);
  // Only the leaver's subscription, whose entry is intact, is renewed: the upkeep knows nothing else.
  expect(await run()).toEqual({ ...NO_CHANGE, renewed: 1 });

  expect(await audit()).toEqual({ pendingMarked: 2, reindexed: 1, orphansDeleted: 0 });
  expect(await run()).toEqual({ ...NO_CHANGE, created: 1, removed: 1, renewed: 1 });
  expect(
    remote()
      .map((x) => x.resource)
      .sort(),
  ).toEqual([resourceOf(kept), resourceOf(late)].sort());
});

test('two overlapping runs never create the same subscription twice', async () => {
  const all: UserPair[] = [];
  for (let round = 0; round < 6; round++) {
    all.push(...(await addPairs(3)));
    h.fake.control.clearRequests();
    const [a, b] = await Promise.all([maintainSubscriptions(deps()), maintainSubscriptions(deps())]);

    expect(a.failed + b.failed).toBe(0);
    expect(a.created + b.created).toBe(3);
    expect(posts()).toHaveLength(3);
    const resources = remote().map((x) => x.resource);
    expect(resources.sort()).toEqual(all.map(resourceOf).sort());
    const records = await s.stores.subscriptions.listAll();
    expect(records.map((r) => r.resource).sort()).toEqual(all.map(resourceOf).sort());
    expect(new Set(records.map((r) => r.subscriptionId))).toEqual(new Set(remote().map((x) => x.id)));
  }
});

test('a pair that just became active gets its first sync queued when it is served, once, even if Graph refuses it', async () => {
  const [a, b] = await addPairs(2);
  await s.stores.subscriptions.markPending([a.pairId, b.pairId], { firstSync: true });
  // Marked again without the flag before being served: the first sync is still owed.
  await s.stores.subscriptions.markPending([a.pairId]);
  // Graph refuses one of the two creates.
  h.fake.control.addFault({ method: 'POST', path: '/v1.0/subscriptions', status: 403, count: 1 });

  expect(await run()).toEqual({ ...NO_CHANGE, created: 1, failed: 1, firstSyncs: 4 });
  const queued = await drainQueue(s.queueName);
  expect(queued.map((w) => `${w.pairId}|${w.side}|${w.reason}`).sort()).toEqual(
    [
      `${a.pairId}|dingtalk|first-sync`,
      `${a.pairId}|outlook|first-sync`,
      `${b.pairId}|dingtalk|first-sync`,
      `${b.pairId}|outlook|first-sync`,
    ].sort(),
  );
  expect(remote()).toHaveLength(1);
  // The refused pair is tried again later, without a second first sync.
  clock.advance(16 * 60_000);
  expect(await run()).toEqual({ ...NO_CHANGE, created: 1 });
  expect(await drainQueue(s.queueName)).toEqual([]);
});

test('a failed create affects only its pair, which is tried again 15 minutes later', async () => {
  await addPairs(3);
  h.fake.control.addFault({ method: 'POST', path: '/v1.0/subscriptions', count: 1, status: 400 });
  const first = await run();
  expect(first).toEqual({ ...NO_CHANGE, created: 2, failed: 1 });
  expect(
    s.logLines.some((l) => l.level === 'warn' && l.line.includes('subscription maintenance failed')),
  ).toBe(true);
  clock.advance(60_000);
  expect(await run()).toEqual(NO_CHANGE);
  clock.advance(15 * 60_000);
  expect(await run()).toEqual({ ...NO_CHANGE, created: 1 });
  expect(remote()).toHaveLength(3);
  expect(await s.stores.subscriptions.listAll()).toHaveLength(3);
});

test(`one run writes at most MAX_WRITES_PER_RUN (${MAX_WRITES_PER_RUN}) times and leaves the rest to the next run`, async () => {
  // Half of Graph's 500 writes per 20 s per app and tenant: a run's writes may all land in one window.
  expect(MAX_WRITES_PER_RUN).toBe(GRAPH_SUBSCRIPTION_WRITES_PER_WINDOW / 2);
  const extra = 3;
  await addPairs(MAX_WRITES_PER_RUN + extra);

  const first = await run();
  expect(first).toEqual({ ...NO_CHANGE, created: MAX_WRITES_PER_RUN });
  expect(posts()).toHaveLength(MAX_WRITES_PER_RUN);
  expect(remote()).toHaveLength(MAX_WRITES_PER_RUN);

  h.fake.control.clearRequests();
  expect(await run()).toEqual({ ...NO_CHANGE, created: extra });
  expect(posts()).toHaveLength(extra);
  expect(remote()).toHaveLength(MAX_WRITES_PER_RUN + extra);
  expect(await drainQueue(s.queueName)).toEqual([]);
}, 120_000);
