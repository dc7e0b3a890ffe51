import { randomBytes } from 'node:crypto';
import { DIRECTORY_KEY, DIRECTORY_PAIR } from '../../../shared/app/hints';
import {
  FOLDERS,
  runMaintenance,
  type DirectorySources,
  type MaintenanceDeps,
} from '../../../shared/app/maintenance';
import { expiryFor } from '../../../shared/connectors/graph';
import { ManualClock } from '../../../shared/platform/clock';
import { cursorKey, type WorkItem } from '../../../shared/store/types';
import type { DingTalkPerson, EntraPerson } from '../../../shared/sync/pairing';
import type { Side } from '../../../shared/sync/types';
import { createTestApp, type TestApp } from '../../support/app-context';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import {
  startNotificationReceiver,
  type NotificationReceiver,
} from '../../support/graph/notification-receiver';
import { drainQueue, workKeys } from './support';

/**
 * The maintenance timer's use case with real stores (Azurite), the fake Graph for subscriptions and a directory
 * made of plain objects.
 */

const HOUR = 3600e3;
const SCHEDULE = {
  pairingIntervalMs: 24 * HOUR,
  outlookSweepIntervalMs: HOUR,
  dingtalkSweepIntervalMs: 24 * HOUR,
};

let clock: ManualClock;
let h: GraphHarness;
let receiver: NotificationReceiver;
let app: TestApp;
let queueName: string;
let base: string;

/** The org as the two directories tell it; the tests edit these lists. */
let dingtalk: DingTalkPerson[];
let entra: EntraPerson[];
let reads: number;
let directoryFailure: Error | undefined;
const directory: DirectorySources = {
  dingtalkPeople: async () => {
    reads++;
    if (directoryFailure) throw directoryFailure;
    return dingtalk.map((p) => ({ ...p }));
  },
  entraPeople: async () => entra.map((p) => ({ ...p })),
};

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  h = await startGraphHarness({ clock });
  receiver = await startNotificationReceiver();
  base = receiver.url.replace(/\/api\/graph\/notifications$/, '');
  queueName = `m-${randomBytes(5).toString('hex')}`;
  app = createTestApp({ clock, queueName });
  dingtalk = [];
  entra = [];
  reads = 0;
  directoryFailure = undefined;
});

afterEach(async () => {
  await receiver.stop();
  await h.stop();
  // Whatever a test did, no secret reached a log line: the clientState of every subscription created, the DingTalk
  // callback token, aes_key and app secret, and the Graph client secret.
  const clientStates = h.fake.control.requests
    .filter((r) => r.method === 'POST' && r.path === '/v1.0/subscriptions')
    .map((r) => (r.body as { clientState: string }).clientState);
  const secrets = [
    ...clientStates,
    app.config.dingtalk.callbackToken,
    app.config.dingtalk.callbackAesKey,
    app.config.dingtalk.appSecret,
    app.config.graph.clientSecret,
  ];
  expect(secrets.every((x) => x.length >= 8)).toBe(true);
  for (const { line } of app.logLines) for (const secret of secrets) expect(line).not.toContain(secret);
});

const deps = (): MaintenanceDeps => ({
  stores: app.stores,
  directory,
  subscriptions: {
    graph: h.connector.subscriptions,
    publicBaseUrl: base,
    expiryFor: (resource, now) => expiryFor(resource, now),
  },
  overrides: [],
  schedule: SCHEDULE,
  log: app.log,
  now: () => clock.now(),
});
const run = () => runMaintenance(deps());

/** Someone present in both directories with one address; returns their Entra id. */
function hire(name: string): string {
  const address = `${name}@contoso.example`;
  const user = h.fake.control.addUser({ userPrincipalName: address, mail: address });
  entra.push({ id: user.id, userPrincipalName: address, mail: address, accountEnabled: true });
  dingtalk.push({ userid: name, unionid: `union-${name}`, name, orgEmail: address, active: true });
  return user.id;
}

const pairs = async () => new Map((await app.stores.users.list()).map((p) => [p.pairId, p]));
const logged = (level: string, text: string) =>
  app.logLines.filter((l) => l.level === level && l.line.includes(text));
const work = (pairId: string, side: Side, reason = 'sweep'): WorkItem => ({
  pairId,
  kind: 'calendar',
  side,
  folder: FOLDERS.calendar[side],
  reason,
});

/** A completed pull of one folder at `at`: cursor stored, lease released. */
async function syncedAt(pairId: string, side: Side, at: number): Promise<void> {
  const key = cursorKey(work(pairId, side));
  const lease = (await app.stores.cursors.acquireLease(pairId, key, 'test', 60_000, at))!;
  const saved = await app.stores.cursors.saveCursor({
    ...lease,
    cursor: 'c1',
    lastSyncedAt: new Date(at).toISOString(),
  });
  await app.stores.cursors.releaseLease(saved);
}

describe('pairing', () => {
  test('runs on the first run, then only when the directory row is dirty or the interval has passed', async () => {
    const zhang = hire('zhang');
    const alice = hire('alice');

    const first = await run();
    expect(first.pairing).toEqual({ paired: 2, statusChanges: 0, problems: 0 });
    expect(reads).toBe(1);
    const saved = await pairs();
    expect([...saved.keys()].sort()).toEqual([zhang, alice].sort());
    expect(saved.get(zhang)).toMatchObject({
      entraId: zhang,
      dingtalkUserId: 'zhang',
      dingtalkUnionId: 'union-zhang',
      email: 'zhang@contoso.example',
      status: 'active',
      pairedBy: 'email',
      enabledKinds: ['calendar'],
    });
    expect(logged('info', 'user paired')).toHaveLength(2);

    expect((await run()).pairing).toBe('skipped');
    clock.advance(SCHEDULE.pairingIntervalMs - 60_000);
    expect((await run()).pairing).toBe('skipped');
    expect(reads).toBe(1);

    // A directory callback (ingress) marks the row dirty: the next run pairs, once.
    await app.stores.cursors.markDirty(DIRECTORY_PAIR, DIRECTORY_KEY);
    expect((await run()).pairing).toEqual({ paired: 0, statusChanges: 0, problems: 0 });
    expect(reads).toBe(2);
    expect((await run()).pairing).toBe('skipped');

    clock.advance(SCHEDULE.pairingIntervalMs);
    expect((await run()).pairing).toEqual({ paired: 0, statusChanges: 0, problems: 0 });
    expect(reads).toBe(3);
    expect((await run()).pairing).toBe('skipped');
  });

  test('saves new pairs, marks a pair whose person left as left (and drops its subscription), logs problems', async () => {
    const zhang = hire('zhang');
    const alice = hire('alice');
    await run();
    expect(h.fake.control.subscriptions()).toHaveLength(2);

    dingtalk = dingtalk.filter((p) => p.userid !== 'alice');
    const bob = hire('bob');
    // One DingTalk address held by two Entra users: nobody may be paired on it.
    const twinA = h.fake.control.addUser({
      userPrincipalName: 'twin.a@contoso.example',
      mail: 'twin@contoso.example',
    });
    const twinB = h.fake.control.addUser({
      userPrincipalName: 'twin.b@contoso.example',
      mail: 'twin@contoso.example',
    });
    entra.push(
      { id: twinA.id, userPrincipalName: 'twin.a@contoso.example', mail: 'twin@contoso.example' },
      { id: twinB.id, userPrincipalName: 'twin.b@contoso.example', mail: 'twin@contoso.example' },
    );
    dingtalk.push({ userid: 'twin', unionid: 'union-twin', orgEmail: 'twin@contoso.example', active: true });
    await app.stores.cursors.markDirty(DIRECTORY_PAIR, DIRECTORY_KEY);

    const report = await run();
    expect(report.pairing).toEqual({ paired: 1, statusChanges: 1, problems: 1 });
    const saved = await pairs();
    expect([...saved.keys()].sort()).toEqual([zhang, alice, bob].sort());
    expect(saved.get(alice)!.status).toBe('left');
    expect(saved.get(bob)!.status).toBe('active');
    expect(saved.get(zhang)!.status).toBe('active');
    expect(logged('info', 'pair is no longer active').some((l) => l.line.includes(alice))).toBe(true);
    const problems = logged('warn', 'pairing problem');
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toContain('ambiguous-address');
    expect(problems[0].line).toContain('twin@contoso.example');

    // The same run dropped the subscription of the pair that left and subscribed the new one.
    expect(report.subscriptions).toMatchObject({ created: 1, removed: 1, failed: 0 });
    expect(
      h.fake.control
        .subscriptions()
        .map((x) => x.resource)
        .sort(),
    ).toEqual([`users/${zhang}/events`, `users/${bob}/events`].sort());
  });

  test('a directory change whose pairing run failed is paired on the next run, not a day later', async () => {
    hire('zhang');
    await run();
    const bob = hire('bob');
    await app.stores.cursors.markDirty(DIRECTORY_PAIR, DIRECTORY_KEY);

    directoryFailure = new Error('DingTalk: system busy');
    expect((await run()).pairing).toBe('failed');
    expect(logged('error', 'pairing failed')).toHaveLength(1);

    directoryFailure = undefined;
    clock.advance(60_000);
    expect((await run()).pairing).toEqual({ paired: 1, statusChanges: 0, problems: 0 });
    expect((await pairs()).get(bob)?.status).toBe('active');
  });
});

describe('sweep', () => {
  test('first sync for never-synced folders, a pull for dirty unleased ones, nothing for leased or fresh ones', async () => {
    const a = hire('zhang');
    const b = hire('alice');
    await run();
    // A new pair: both folders of both pairs get their first sync.
    expect(workKeys(await drainQueue(queueName))).toEqual(
      workKeys([work(a, 'dingtalk'), work(a, 'outlook'), work(b, 'dingtalk'), work(b, 'outlook')]),
    );

    const now = clock.now();
    await syncedAt(a, 'dingtalk', now);
    await syncedAt(a, 'outlook', now);
    await app.stores.cursors.markDirty(a, cursorKey(work(a, 'outlook')));
    await syncedAt(b, 'dingtalk', now);
    await app.stores.cursors.markDirty(b, cursorKey(work(b, 'dingtalk')));
    await app.stores.cursors.acquireLease(b, cursorKey(work(b, 'dingtalk')), 'a-worker', 5 * 60_000, now);
    await app.stores.cursors.markDirty(b, cursorKey(work(b, 'dingtalk')));
    // b's Outlook folder was never synced.

    const report = await run();
    expect(report.enqueued).toEqual({ sweep: 1, dirty: 1, retry: 0 });
    expect(workKeys(await drainQueue(queueName))).toEqual(
      workKeys([work(a, 'outlook', 'dirty'), work(b, 'outlook')]),
    );

    // Once the worker's lease runs out, its dirty folder is pulled by the sweep.
    clock.advance(6 * 60_000);
    await syncedAt(b, 'outlook', clock.now());
    await syncedAt(a, 'outlook', clock.now());
    expect((await run()).enqueued).toEqual({ sweep: 0, dirty: 1, retry: 0 });
    expect(workKeys(await drainQueue(queueName))).toEqual(workKeys([work(b, 'dingtalk', 'dirty')]));
  });

  test('a safety sweep per folder after its side interval: hourly for Outlook, daily for DingTalk', async () => {
    const a = hire('zhang');
    const b = hire('alice');
    await run();
    await drainQueue(queueName);
    const t0 = clock.now();
    for (const pairId of [a, b])
      for (const side of ['dingtalk', 'outlook'] as const) await syncedAt(pairId, side, t0);

    clock.set(t0 + SCHEDULE.outlookSweepIntervalMs - 60_000);
    expect((await run()).enqueued).toEqual({ sweep: 0, dirty: 0, retry: 0 });

    clock.set(t0 + SCHEDULE.outlookSweepIntervalMs);
    expect((await run()).enqueued).toEqual({ sweep: 2, dirty: 0, retry: 0 });
    expect(workKeys(await drainQueue(queueName))).toEqual(workKeys([work(a, 'outlook'), work(b, 'outlook')]));

    clock.set(t0 + SCHEDULE.dingtalkSweepIntervalMs);
    expect((await run()).enqueued).toEqual({ sweep: 4, dirty: 0, retry: 0 });
    expect(workKeys(await drainQueue(queueName))).toEqual(
      workKeys([work(a, 'dingtalk'), work(a, 'outlook'), work(b, 'dingtalk'), work(b, 'outlook')]),
    );
  });

  test('pairs that are not active are not swept', async () => {
    const a = hire('zhang');
    const b = hire('alice');
    await run();
    await drainQueue(queueName);
    // zhang's DingTalk account is deactivated: the next pairing disables the pair.
    dingtalk = dingtalk.map((p) => (p.userid === 'zhang' ? { ...p, active: false } : p));
    await app.stores.cursors.markDirty(a, cursorKey(work(a, 'outlook')));
    clock.advance(SCHEDULE.dingtalkSweepIntervalMs);
    const report = await run();
    expect(report.pairing).toEqual({ paired: 1, statusChanges: 0, problems: 0 });
    expect((await pairs()).get(a)?.status).toBe('disabled');
    expect(report.enqueued).toEqual({ sweep: 2, dirty: 0, retry: 0 });
    expect(workKeys(await drainQueue(queueName))).toEqual(
      workKeys([work(b, 'dingtalk'), work(b, 'outlook')]),
    );
  });
});

describe('retries', () => {
  test('due failures are re-enqueued with reason retry; not before they are due; permanent ones never', async () => {
    const a = hire('zhang');
    const b = hire('alice');
    await run();
    await drainQueue(queueName);
    for (const pairId of [a, b])
      for (const side of ['dingtalk', 'outlook'] as const) await syncedAt(pairId, side, clock.now());
    await app.stores.failures.record(
      { ...work(a, 'outlook', 'notification'), resync: true },
      'HTTP 503',
      false,
      clock.now(),
    );
    await app.stores.failures.record(work(b, 'dingtalk', 'callback'), 'breaker tripped', true, clock.now());

    clock.advance(30_000);
    expect((await run()).enqueued.retry).toBe(0);
    expect(await drainQueue(queueName)).toEqual([]);

    clock.advance(31_000);
    expect((await run()).enqueued).toEqual({ sweep: 0, dirty: 0, retry: 1 });
    expect(await drainQueue(queueName)).toEqual([{ ...work(a, 'outlook', 'retry'), resync: true }]);
  });
});

describe('one failing step does not stop the others', () => {
  test('the directory throws: subscriptions, sweep and retries still run', async () => {
    const a = hire('zhang');
    await run();
    await drainQueue(queueName);
    const [sub] = await app.stores.subscriptions.listAll();
    await app.stores.subscriptions.save({ ...sub, expiresAt: new Date(clock.now()).toISOString() });
    await app.stores.failures.record(work(a, 'outlook', 'notification'), 'HTTP 503', false, clock.now());
    await app.stores.cursors.markDirty(DIRECTORY_PAIR, DIRECTORY_KEY);
    directoryFailure = new Error('directory unavailable');
    clock.advance(2 * 60_000);

    const report = await run();
    expect(report.pairing).toBe('failed');
    expect(report.subscriptions).toMatchObject({ renewed: 1, failed: 0 });
    expect(report.enqueued).toEqual({ sweep: 2, dirty: 0, retry: 1 });
    expect(workKeys(await drainQueue(queueName))).toEqual(
      workKeys([work(a, 'dingtalk'), work(a, 'outlook'), work(a, 'outlook', 'retry')]),
    );
    expect(logged('error', 'pairing failed')).toHaveLength(1);
    // The lease on the directory row was given back.
    expect((await app.stores.cursors.get(DIRECTORY_PAIR, DIRECTORY_KEY))?.leaseOwner).toBeUndefined();
  });

  test('Graph refuses every subscription call: pairing, sweep and retries still run', async () => {
    h.fake.control.addFault({ path: '/v1.0/subscriptions', status: 403 });
    const a = hire('zhang');

    const report = await run();
    expect(report.pairing).toEqual({ paired: 1, statusChanges: 0, problems: 0 });
    expect(report.subscriptions).toBe('failed');
    expect(report.enqueued).toEqual({ sweep: 2, dirty: 0, retry: 0 });
    expect(workKeys(await drainQueue(queueName))).toEqual(
      workKeys([work(a, 'dingtalk'), work(a, 'outlook')]),
    );
    expect(logged('warn', 'subscription maintenance failed')).toHaveLength(1);
    expect(logged('error', 'subscription maintenance failed')).toHaveLength(1);
  });
});

describe('retention', () => {
  test('once a day, audit rows older than 365 days and delivery ids older than two days are purged', async () => {
    const now = clock.now();
    const day = 86_400e3;
    const audit = (at: number) =>
      app.stores.audit.record({
        at: new Date(at).toISOString(),
        pairId: 'p',
        kind: 'calendar',
        action: 'create',
        reason: 'test',
      });
    await audit(now - 400 * day);
    await audit(now - 300 * day);
    await app.stores.deliveries.firstSeen('graph', 'old-delivery', now - 3 * day);
    await app.stores.deliveries.firstSeen('graph', 'new-delivery', now - 3600e3);

    const first = await run();
    expect(first.purged).toEqual({ audit: 1, deliveries: 1 });
    expect(await app.stores.deliveries.firstSeen('graph', 'new-delivery', now)).toBe(false);
    const kept = new Date(now - 300 * day).toISOString().slice(0, 10).replace(/-/g, '');
    expect(await app.stores.audit.listDay(kept)).toHaveLength(1);

    await audit(now - 400 * day);
    clock.advance(3600e3);
    expect((await run()).purged).toBeUndefined();
    clock.advance(day);
    expect((await run()).purged).toEqual({ audit: 1, deliveries: 0 });
  });
});
