import { pairsFromProgress } from '../../../shared/app/jobs/pairing';
import { randomBytes } from 'node:crypto';
import { countTableOperations } from '../../../bench/pipeline/table-counter';
import {
  FOLDERS,
  requestJob,
  runMaintenance,
  type DirectorySources,
  type MaintenanceDeps,
} from '../../../shared/app/maintenance';
import { runJob } from '../../../shared/app/jobs/job-runner';
import { expiryFor } from '../../../shared/connectors/graph';
import { ManualClock } from '../../../shared/platform/clock';
import type { WorkItem } from '../../../shared/store/types';
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
 * made of plain objects. Sweep periods are short here (10 and 30 minutes) so that a whole period is a few runs.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const SCHEDULE = {
  pairingIntervalMs: 24 * HOUR,
  outlookSweepIntervalMs: 10 * MIN,
  dingtalkSweepIntervalMs: 30 * MIN,
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
    app.config.graph.clientSecret ?? '',
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
const withReason = (items: WorkItem[], reason: string) => items.filter((w) => w.reason === reason);
/** How often each pair and side was swept. */
function sweepCounts(items: WorkItem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of withReason(items, 'sweep')) {
    const key = `${w.pairId}|${w.side}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Runs the timer at each given minute after `start` and collects what they queued. */
async function runAt(start: number, minutes: number[]): Promise<WorkItem[]> {
  const queued: WorkItem[] = [];
  for (const minute of minutes) {
    clock.set(start + minute * MIN);
    await run();
    queued.push(...(await drainQueue(queueName)));
  }
  return queued;
}

describe('pairing', () => {
  test('runs on the first run, then only when requested (a directory callback) or the interval has passed', async () => {
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
    clock.advance(SCHEDULE.pairingIntervalMs - MIN);
    expect((await run()).pairing).toBe('skipped');
    expect(reads).toBe(1);

    // A directory callback asks for a run: the next run pairs, once.
    await requestJob(app.stores.jobs, 'pairing');
    expect((await run()).pairing).toEqual({ paired: 0, statusChanges: 0, problems: 0 });
    expect(reads).toBe(2);
    expect((await run()).pairing).toBe('skipped');

    clock.advance(SCHEDULE.pairingIntervalMs);
    expect((await run()).pairing).toEqual({ paired: 0, statusChanges: 0, problems: 0 });
    expect(reads).toBe(3);
    expect((await run()).pairing).toBe('skipped');
  });

  test('new pairs get their first sync queued by the run that pairs them, and only then', async () => {
    const zhang = hire('zhang');
    const first = await run();
    expect(first.enqueued.firstSync).toBe(2);
    expect(workKeys(withReason(await drainQueue(queueName), 'first-sync'))).toEqual(
      workKeys([work(zhang, 'dingtalk', 'first-sync'), work(zhang, 'outlook', 'first-sync')]),
    );

    const alice = hire('alice');
    await requestJob(app.stores.jobs, 'pairing');
    clock.advance(MIN);
    expect((await run()).enqueued.firstSync).toBe(2);
    expect(workKeys(withReason(await drainQueue(queueName), 'first-sync'))).toEqual(
      workKeys([work(alice, 'dingtalk', 'first-sync'), work(alice, 'outlook', 'first-sync')]),
    );
    // The run notes the organisation's size, which paces DingTalk's metered polls (poll-cadence.ts).
    expect(pairsFromProgress((await app.stores.jobs.read('pairing'))?.progress)).toBe(2);
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
    await requestJob(app.stores.jobs, 'pairing');

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
    await requestJob(app.stores.jobs, 'pairing');

    directoryFailure = new Error('DingTalk: system busy');
    expect((await run()).pairing).toBe('failed');
    expect(logged('error', 'pairing failed')).toHaveLength(1);

    directoryFailure = undefined;
    clock.advance(MIN);
    expect((await run()).pairing).toEqual({ paired: 1, statusChanges: 0, problems: 0 });
    expect((await pairs()).get(bob)?.status).toBe('active');
  });

  test('two overlapping timer runs never run one job twice', async () => {
    const zhang = hire('zhang');
    const [a, b] = await Promise.all([run(), run()]);
    expect(reads).toBe(1);
    expect([a.pairing, b.pairing]).toContain('skipped');
    expect(a.enqueued.firstSync + b.enqueued.firstSync).toBe(2);
    expect(withReason(await drainQueue(queueName), 'first-sync')).toHaveLength(2);
    // The subscription upkeep of the run that did not pair may have gone first; the next run subscribes.
    clock.advance(MIN);
    await run();
    expect(h.fake.control.subscriptions().map((x) => x.resource)).toEqual([`users/${zhang}/events`]);
  });
});

describe('job runner', () => {
  const runner = () => ({ jobs: app.stores.jobs, log: app.log, now: () => clock.now() });

  test('a request that lands between the read and the lease is served by the same run, not a minute later', async () => {
    const read = (await app.stores.jobs.readAll()).get('pairing');
    await requestJob(app.stores.jobs, 'pairing');
    let ran = 0;
    const outcome = await runJob(runner(), 'pairing', read, HOUR, async () => ({ report: ++ran }));
    expect(outcome).toBe(1);
    expect((await app.stores.jobs.readAll()).get('pairing')).toMatchObject({
      requested: false,
      lastRunAt: clock.now(),
    });
  });

  test('a job another run has just completed is not run again on the stale read', async () => {
    const read = (await app.stores.jobs.readAll()).get('retention');
    let ran = 0;
    expect(await runJob(runner(), 'retention', read, HOUR, async () => ({ report: ++ran }))).toBe(1);
    expect(await runJob(runner(), 'retention', read, HOUR, async () => ({ report: ++ran }))).toBe('skipped');
    expect(ran).toBe(1);
  });
});

describe('sweep', () => {
  test('every folder of every active pair is swept exactly once per its side period', async () => {
    const people = ['zhang', 'alice', 'bob', 'wang', 'li', 'chen'].map(hire);
    const start = clock.now();
    await run();
    await drainQueue(queueName);

    const queued = await runAt(
      start,
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const counts = sweepCounts(queued);
    for (const pairId of people) {
      // 30 minutes: three Outlook periods of 10 minutes, one DingTalk period of 30.
      expect(counts.get(`${pairId}|outlook`)).toBe(3);
      expect(counts.get(`${pairId}|dingtalk`)).toBe(1);
    }
    expect(withReason(queued, 'sweep').every((w) => w.folder === FOLDERS.calendar[w.side])).toBe(true);
  });

  test('the DingTalk sweep slows to what the monthly budget pays for, and stops while it is spent', async () => {
    const people = ['zhang', 'alice', 'bob', 'wang', 'li', 'chen'].map(hire);
    const asked: Array<{ folders: number; minimumIntervalMs: number }> = [];
    let plan = { pauseBackground: false, backgroundIntervalMs: 3 * SCHEDULE.dingtalkSweepIntervalMs };
    const budgeted = (): MaintenanceDeps => ({
      ...deps(),
      dingtalkBudget: {
        plan: async (work) => {
          asked.push(work);
          return {
            ...plan,
            projectedCallsAtMonthEnd: 100,
            fullSweep: { calls: 6, monthsOfQuota: 0, durationMs: 86_400_000, fitsThisMonth: true },
            firstSync: { calls: 12, monthsOfQuota: 0, durationMs: 86_400_000, fitsThisMonth: true },
          } as never;
        },
      },
    });
    const start = clock.now();
    await runMaintenance(budgeted());
    await drainQueue(queueName);
    const queued: WorkItem[] = [];
    for (let minute = 1; minute <= 90; minute++) {
      clock.set(start + minute * MIN);
      const report = await runMaintenance(budgeted());
      expect(report.dingtalkBudget?.periodMs).toBe(3 * SCHEDULE.dingtalkSweepIntervalMs);
      queued.push(...(await drainQueue(queueName)));
    }
    const counts = sweepCounts(queued);
    for (const pairId of people) {
      // 90 minutes: nine Outlook periods; the DingTalk period grew from 30 to 90 minutes, so one sweep.
      expect(counts.get(`${pairId}|outlook`)).toBe(9);
      expect(counts.get(`${pairId}|dingtalk`)).toBe(1);
    }
    // The planner is told the organisation's size, estimated from the slots the Outlook sweep read.
    expect(asked.at(-1)!.minimumIntervalMs).toBe(SCHEDULE.dingtalkSweepIntervalMs);

    plan = { pauseBackground: true, backgroundIntervalMs: Infinity };
    const paused: WorkItem[] = [];
    for (let minute = 91; minute <= 200; minute++) {
      clock.set(start + minute * MIN);
      expect((await runMaintenance(budgeted())).dingtalkBudget?.paused).toBe(true);
      paused.push(...(await drainQueue(queueName)));
    }
    expect(withReason(paused, 'sweep').some((w) => w.side === 'dingtalk')).toBe(false);
    expect(withReason(paused, 'sweep').some((w) => w.side === 'outlook')).toBe(true);
  });

  test('minutes the timer missed are caught up, so each folder is still swept once per period', async () => {
    const people = ['zhang', 'alice', 'bob', 'wang'].map(hire);
    const start = clock.now();
    await run();
    await drainQueue(queueName);

    // Late and skipped runs, none more than the catch-up bound apart.
    const queued = await runAt(start, [1, 4, 5, 9, 10, 13, 17, 18, 22, 26, 27, 30]);
    const counts = sweepCounts(queued);
    for (const pairId of people) {
      expect(counts.get(`${pairId}|outlook`)).toBe(3);
      expect(counts.get(`${pairId}|dingtalk`)).toBe(1);
    }
  });

  test('after an outage longer than a period, one period is swept in bounded steps, not every missed minute', async () => {
    const people = ['zhang', 'alice', 'bob', 'wang'].map(hire);
    const start = clock.now();
    await run();
    await drainQueue(queueName);

    // Down for two hours, then back every minute: ten Outlook minutes (one period) take two runs.
    const queued = await runAt(start, [120, 121]);
    const counts = sweepCounts(queued);
    for (const pairId of people) expect(counts.get(`${pairId}|outlook`)).toBe(1);
    expect(Math.max(...[...counts.values()])).toBe(1);
  });

  test('pairs that are not active are not swept', async () => {
    const a = hire('zhang');
    const b = hire('alice');
    const start = clock.now();
    await run();
    // zhang's DingTalk account is deactivated: the next pairing disables the pair.
    dingtalk = dingtalk.map((p) => (p.userid === 'zhang' ? { ...p, active: false } : p));
    await requestJob(app.stores.jobs, 'pairing');
    await drainQueue(queueName);

    const queued = await runAt(
      start,
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect((await pairs()).get(a)?.status).toBe('disabled');
    const counts = sweepCounts(queued);
    expect(counts.get(`${a}|outlook`)).toBeUndefined();
    expect(counts.get(`${a}|dingtalk`)).toBeUndefined();
    expect(counts.get(`${b}|outlook`)).toBe(3);
    expect(counts.get(`${b}|dingtalk`)).toBe(1);
  });

  test('a run reads only the pairs whose slots are due, never the whole users table', async () => {
    const people = ['zhang', 'alice', 'bob', 'wang', 'li', 'chen', 'zhao', 'sun'].map(hire);
    const start = clock.now();
    await run();
    await drainQueue(queueName);
    const counter = countTableOperations(app.storage);

    await runAt(
      start,
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    // Over one DingTalk period every pair is read once for its DingTalk minute and three times for its Outlook ones.
    const usersRead = Object.entries(counter.counts().rowsReadByTable)
      .filter(([table]) => table.endsWith('users'))
      .reduce((sum, [, rows]) => sum + rows, 0);
    expect(usersRead).toBe(people.length * 4);
    expect(counter.counts().tableScans).toBe(0);
  });
});

describe('an idle run', () => {
  test('after pairing and rollout, costs a handful of table operations and reads no table whole', async () => {
    for (let i = 0; i < 30; i++) hire(`person${i}`);
    await run();
    await drainQueue(queueName);
    clock.advance(MIN);
    await run();
    await drainQueue(queueName);
    expect(h.fake.control.subscriptions()).toHaveLength(30);

    const counter = countTableOperations(app.storage);
    clock.advance(MIN);
    const report = await run();
    expect(report).toMatchObject({
      pairing: 'skipped',
      subscriptions: { created: 0, renewed: 0, recreated: 0, removed: 0, deferred: 0, failed: 0 },
      subscriptionAudit: 'skipped',
      purged: 'skipped',
      enqueued: { firstSync: 0, retry: 0 },
    });
    const counts = counter.counts();
    expect(counts.tableScans).toBe(0);
    expect(counts.requests).toBeLessThanOrEqual(20);
  });
});

describe('retries', () => {
  test('due failures are re-enqueued with reason retry; not before they are due; permanent ones never', async () => {
    const a = hire('zhang');
    const b = hire('alice');
    await run();
    await drainQueue(queueName);
    await app.stores.failures.record(
      { ...work(a, 'outlook', 'notification'), resync: true },
      'HTTP 503',
      false,
      clock.now(),
    );
    await app.stores.failures.record(work(b, 'dingtalk', 'callback'), 'breaker tripped', true, clock.now());

    clock.advance(30_000);
    expect((await run()).enqueued.retry).toBe(0);
    expect(withReason(await drainQueue(queueName), 'retry')).toEqual([]);

    clock.advance(31_000);
    expect((await run()).enqueued.retry).toBe(1);
    expect(withReason(await drainQueue(queueName), 'retry')).toEqual([
      { ...work(a, 'outlook', 'retry'), resync: true },
    ]);
  });
});

describe('one failing job does not stop the others', () => {
  test('the directory throws: subscriptions, sweep and retries still run, and the pairing request is kept', async () => {
    const a = hire('zhang');
    await run();
    await drainQueue(queueName);
    // Due now, as the lifecycle handler marks a subscription that needs attention.
    const [sub] = await app.stores.subscriptions.listAll();
    await app.stores.subscriptions.save({ ...sub, expiresAt: new Date(clock.now()).toISOString() });
    await app.stores.failures.record(work(a, 'outlook', 'notification'), 'HTTP 503', false, clock.now());
    await requestJob(app.stores.jobs, 'pairing');
    directoryFailure = new Error('directory unavailable');
    clock.advance(2 * MIN);

    const report = await run();
    expect(report.pairing).toBe('failed');
    expect(report.subscriptions).toMatchObject({ renewed: 1, failed: 0 });
    expect(report.enqueued.retry).toBe(1);
    expect(typeof report.enqueued.sweep).toBe('number');
    expect(withReason(await drainQueue(queueName), 'retry')).toEqual([work(a, 'outlook', 'retry')]);
    expect(logged('error', 'pairing failed')).toHaveLength(1);
    // The lease was given back and the request is still there for the next run.
    const job = (await app.stores.jobs.readAll()).get('pairing');
    expect(job).toMatchObject({ requested: true, leaseOwner: undefined });
  });

  test('Graph refuses every subscription call: pairing, first syncs, sweeps and retries still run', async () => {
    h.fake.control.addFault({ path: '/v1.0/subscriptions', status: 403 });
    const a = hire('zhang');

    const report = await run();
    expect(report.pairing).toEqual({ paired: 1, statusChanges: 0, problems: 0 });
    expect(report.subscriptions).toMatchObject({ created: 0, failed: 1 });
    expect(report.subscriptionAudit).toBe('failed');
    expect(report.enqueued.firstSync).toBe(2);
    expect(workKeys(withReason(await drainQueue(queueName), 'first-sync'))).toEqual(
      workKeys([work(a, 'dingtalk', 'first-sync'), work(a, 'outlook', 'first-sync')]),
    );
    expect(logged('warn', 'subscription maintenance failed')).toHaveLength(1);
    expect(logged('error', 'subscription-audit failed')).toHaveLength(1);
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

    const first = await run();
    expect(first.purged).toEqual({ audit: 1, redacted: 0 });
    const kept = new Date(now - 300 * day).toISOString().slice(0, 10).replace(/-/g, '');
    expect(await app.stores.audit.listDay(kept)).toHaveLength(1);

    await audit(now - 400 * day);
    clock.advance(3600e3);
    expect((await run()).purged).toBe('skipped');
    clock.advance(day);
    expect((await run()).purged).toEqual({ audit: 1, redacted: 0 });
  });

  test('the content audit rows keep (a conflict’s two versions) is cleared after 90 days; the rows stay', async () => {
    const day = 86_400e3;
    const conflict = (at: number, detail: string) =>
      app.stores.audit.record({
        at: new Date(at).toISOString(),
        pairId: 'p',
        kind: 'contact',
        action: 'conflict',
        reason: 'changed on both sides; newest-wins chose outlook',
        detail,
      });
    const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10).replace(/-/g, '');
    const old = clock.now() - 91 * day;
    const recent = clock.now() - 89 * day;
    await conflict(old, '{"dingtalk":{"name":"王芳"}}');
    await conflict(recent, '{"dingtalk":{"name":"李雷"}}');
    clock.advance(2 * day);
    const first = await run();
    expect(first.purged).toMatchObject({ redacted: 2 });
    expect(await app.stores.audit.listDay(dayOf(old))).toEqual([expect.objectContaining({ detail: '' })]);
    expect(await app.stores.audit.listDay(dayOf(recent))).toEqual([
      expect.objectContaining({ action: 'conflict', detail: '' }),
    ]);
    // The next day's run reads only the day that aged since.
    await conflict(clock.now() - 89 * day, '{"dingtalk":{"name":"韩梅梅"}}');
    clock.advance(day);
    expect((await run()).purged).toMatchObject({ redacted: 0 });
    clock.advance(day);
    expect((await run()).purged).toMatchObject({ redacted: 1 });
  });
});
