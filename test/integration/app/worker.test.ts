import { processWork, type EndpointsFor, type WorkerDeps } from '../../../shared/app/worker';
import { ManualClock } from '../../../shared/platform/clock';
import { cursorKey, type WorkItem } from '../../../shared/store/types';
import { StorageWorkQueue } from '../../../shared/store/work-queue';
import type { SideEndpoint } from '../../../shared/sync';
import type { Kind, Side, SideAdapter, SyncPolicy, UserRef } from '../../../shared/sync/types';
import { FaultPlan, LogicalClock } from '../../property/support/faults';
import { MemorySide } from '../../property/support/memory-side';
import { noteMatchKeys, type Note } from '../../property/support/world';
import { drainQueue, freshAppStores, pairFor, queueDepth, type AppStores } from './support';

/** The worker's use case with real stores (Azurite) and in-memory sides. */

const PAIR = 'pair-worker';
const FOLDER: Record<Side, string> = { dingtalk: 'primary', outlook: 'calendar' };
const POLICY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'propagate',
  bulkDeleteMaxShare: 0.2,
  dryRun: false,
};

/** The real queue, with every enqueue and its options remembered. */
class RecordingQueue extends StorageWorkQueue {
  readonly sent: Array<{ work: WorkItem; options?: { delaySeconds?: number } }> = [];
  override async enqueue(work: WorkItem, options?: { delaySeconds?: number }): Promise<void> {
    this.sent.push({ work, options });
    await super.enqueue(work, options);
  }
}

let s: AppStores;
let queue: RecordingQueue;
let clock: ManualClock;
let faults: FaultPlan;
let sides: Record<Side, MemorySide<Note>>;
let deps: WorkerDeps;

beforeEach(async () => {
  s = freshAppStores();
  queue = new RecordingQueue(s.storage, s.queueName);
  clock = new ManualClock();
  faults = new FaultPlan();
  const logical = new LogicalClock();
  // Each pair has its own two calendars; the adapters route by the user the engine passes.
  const worlds = new Map<string, Record<Side, MemorySide<Note>>>();
  const of = (user: UserRef, side: Side) => {
    if (!worlds.has(user.pairId)) {
      worlds.set(user.pairId, {
        dingtalk: new MemorySide<Note>('dingtalk', 'calendar', logical, faults, noteMatchKeys),
        outlook: new MemorySide<Note>('outlook', 'calendar', logical, faults, noteMatchKeys),
      });
    }
    return worlds.get(user.pairId)![side];
  };
  sides = { dingtalk: of(pairFor(PAIR), 'dingtalk'), outlook: of(pairFor(PAIR), 'outlook') };
  const routed = (side: Side): SideAdapter<Note> => ({
    side,
    kind: 'calendar',
    listChanges: (user, folder, cursor) => of(user, side).listChanges(user, folder, cursor),
    get: (user, id) => of(user, side).get(user, id),
    create: (user, projection, originKey) => of(user, side).create(user, projection, originKey),
    findByOriginKey: (user, originKey) => of(user, side).findByOriginKey(user, originKey),
    update: (user, id, projection) => of(user, side).update(user, id, projection),
    delete: (user, id) => of(user, side).delete(user, id),
  });
  const endpoint = (side: Side) => ({ adapter: routed(side), folder: FOLDER[side] }) as SideEndpoint<unknown>;
  const endpoints: EndpointsFor = (kind) =>
    kind === 'calendar' ? { dingtalk: endpoint('dingtalk'), outlook: endpoint('outlook') } : undefined;
  deps = {
    stores: { ...s.stores, workQueue: queue },
    endpoints,
    policy: POLICY,
    log: s.log,
    now: () => clock.now(),
  };
  await s.stores.users.save(pairFor(PAIR));
});

const work = (side: Side, reason = 'callback', pairId = PAIR, kind: Kind = 'calendar'): WorkItem => ({
  pairId,
  kind,
  side,
  folder: FOLDER[side],
  reason,
});
const keyOf = (side: Side) => cursorKey(work(side));
const row = (side: Side, pairId = PAIR) => s.stores.cursors.get(pairId, cursorKey(work(side, 'x', pairId)));
const titles = (side: Side) =>
  sides[side]
    .liveItems()
    .map((i) => i.projection.title)
    .sort();
const note = (uid: string, title = uid): Note => ({ uid, title, body: '' });

/** Holds the next listChanges of a side until released, and says when a pull has reached it. */
function gate(side: Side): { entered: Promise<void>; release: () => void } {
  const adapter = sides[side];
  const original = adapter.listChanges.bind(adapter);
  let entered!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (entered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let armed = true;
  adapter.listChanges = async (...args) => {
    if (armed) {
      armed = false;
      entered();
      await released;
    }
    return original(...args);
  };
  return { entered: reached, release };
}

test('a pull stores the new cursor and releases the lease; the next pull reads from that cursor', async () => {
  sides.dingtalk.userCreate(note('a', 'Standup'));
  sides.dingtalk.userCreate(note('b', 'Review'));

  expect(await processWork(deps, work('dingtalk'))).toEqual({
    status: 'synced',
    pulls: 1,
    changes: 2,
    writes: 2,
  });
  expect(titles('outlook')).toEqual(['Review', 'Standup']);
  const first = (await row('dingtalk'))!;
  expect(first.cursor).toBeDefined();
  expect(first).toMatchObject({ dirty: false, lastSyncedAt: new Date(clock.now()).toISOString() });
  expect(first.leaseOwner).toBeUndefined();
  expect(first.leaseUntil).toBeUndefined();
  expect((await s.stores.cursors.get(PAIR, 'calendar.lock'))?.leaseOwner).toBeUndefined();

  const [standup] = sides.dingtalk.liveItems().filter((i) => i.projection.title === 'Standup');
  sides.dingtalk.userUpdate(standup.id, note('a', 'Standup (moved)'));
  // Only the one change since the stored cursor, not the whole folder.
  expect(await processWork(deps, work('dingtalk'))).toEqual({
    status: 'synced',
    pulls: 1,
    changes: 1,
    writes: 1,
  });
  expect(titles('outlook')).toEqual(['Review', 'Standup (moved)']);
  expect((await row('dingtalk'))!.cursor).not.toBe(first.cursor);
  expect(await s.stores.failures.list()).toEqual([]);
});

test('a second processWork on a folder being pulled returns busy and touches nothing', async () => {
  sides.dingtalk.userCreate(note('a'));
  const g = gate('dingtalk');
  const first = processWork(deps, work('dingtalk'));
  await g.entered;

  expect(await processWork(deps, work('dingtalk'))).toEqual({ status: 'busy' });
  // The held pull has not listed yet (it waits at the gate); the busy one never got that far.
  expect(sides.dingtalk.calls.listChanges).toBe(0);
  expect(queue.sent).toEqual([]);

  g.release();
  expect(await first).toMatchObject({ status: 'synced', pulls: 1, writes: 1 });
  expect(titles('outlook')).toEqual(['a']);
});

test('work for the other side of a pair being pulled returns busy, re-marks its folder dirty and comes back later', async () => {
  await processWork(deps, work('dingtalk'));
  await processWork(deps, work('outlook'));
  sides.dingtalk.userCreate(note('from-dingtalk'));
  sides.outlook.userCreate(note('from-outlook'));
  await s.stores.users.save(pairFor('pair-other'));

  const outlookListings = sides.outlook.calls.listChanges;
  const g = gate('dingtalk');
  const pulling = processWork(deps, work('dingtalk'));
  await g.entered;

  const otherSide = work('outlook', 'notification');
  expect(await processWork(deps, otherSide)).toEqual({
    status: 'busy',
    detail: 'the other side of this pair is being pulled',
  });
  const marked = (await row('outlook'))!;
  expect(marked.dirty).toBe(true);
  expect(marked.leaseOwner).toBeUndefined();
  expect(queue.sent).toEqual([{ work: otherSide, options: { delaySeconds: 2 } }]);
  // On the queue but not visible yet.
  expect(await queueDepth(s.queueName)).toBe(1);
  expect(await drainQueue(s.queueName)).toEqual([]);
  expect(sides.outlook.calls.listChanges).toBe(outlookListings);

  // The lock is per pair: another pair's work goes ahead meanwhile.
  expect(await processWork(deps, work('outlook', 'notification', 'pair-other'))).toMatchObject({
    status: 'synced',
  });

  g.release();
  expect(await pulling).toMatchObject({ status: 'synced' });
  // The message comes back: whatever is left is pulled, and both items exist once on each side.
  expect(await processWork(deps, otherSide)).toMatchObject({ status: 'synced' });
  expect(titles('outlook')).toEqual(['from-dingtalk', 'from-outlook']);
  expect(titles('dingtalk')).toEqual(['from-dingtalk', 'from-outlook']);
  expect((await row('outlook'))!.dirty).toBe(false);
  expect((await s.stores.cursors.get(PAIR, 'calendar.lock'))?.leaseOwner).toBeUndefined();
});

test('hints that arrive during a pull cause exactly one more pull', async () => {
  await processWork(deps, work('dingtalk'));
  const listed = sides.dingtalk.calls.listChanges;
  const g = gate('dingtalk');
  const pulling = processWork(deps, work('dingtalk'));
  await g.entered;
  // Three hints while the lease is held: a change listed by the pull under way, and one it can no longer see.
  await s.stores.cursors.markDirty(PAIR, keyOf('dingtalk'));
  await s.stores.cursors.markDirty(PAIR, keyOf('dingtalk'));
  sides.dingtalk.userCreate(note('late'));
  await s.stores.cursors.markDirty(PAIR, keyOf('dingtalk'));
  g.release();

  expect(await pulling).toMatchObject({ status: 'synced', pulls: 2 });
  expect(sides.dingtalk.calls.listChanges - listed).toBe(2);
  expect(titles('outlook')).toEqual(['late']);
  expect((await row('dingtalk'))!.dirty).toBe(false);
  expect(queue.sent).toEqual([]);
});

test('a transient failure records a retryable failure and keeps the old cursor; a successful retry clears it', async () => {
  await processWork(deps, work('dingtalk'));
  const before = (await row('dingtalk'))!;
  sides.dingtalk.userCreate(note('a'));
  faults.arm({ atStep: 'dingtalk.listChanges', kind: 'throttle' });

  const outcome = await processWork(deps, work('dingtalk'));
  expect(outcome.status).toBe('failed');
  const after = (await row('dingtalk'))!;
  expect(after.cursor).toBe(before.cursor);
  expect(after.leaseOwner).toBeUndefined();
  expect(after.lastError).toContain('429');
  const [failure] = await s.stores.failures.list();
  expect(failure).toMatchObject({ work: work('dingtalk'), attempts: 1, permanent: false });
  expect(failure.lastError).toContain('429');
  expect(await s.stores.failures.due(clock.now() + 60_000, 10)).toHaveLength(1);
  expect(titles('outlook')).toEqual([]);

  // The timer re-enqueues it as a retry; it succeeds and its failure row goes.
  expect(await processWork(deps, work('dingtalk', 'retry'))).toMatchObject({ status: 'synced', writes: 1 });
  expect(await s.stores.failures.list()).toEqual([]);
  expect(titles('outlook')).toEqual(['a']);
  expect((await row('dingtalk'))!.cursor).not.toBe(before.cursor);
});

test('the bulk-delete breaker records a permanent failure, writes nothing and keeps the cursor', async () => {
  for (let i = 0; i < 10; i++) sides.dingtalk.userCreate(note(`n${i}`));
  await processWork(deps, work('dingtalk'));
  expect(titles('outlook')).toHaveLength(10);
  const before = (await row('dingtalk'))!;
  for (const item of sides.dingtalk.liveItems().slice(0, 8)) sides.dingtalk.userDelete(item.id);

  const outcome = await processWork(deps, work('dingtalk'));
  expect(outcome).toMatchObject({ status: 'breaker' });
  expect(titles('outlook')).toHaveLength(10);
  expect(sides.outlook.calls.delete).toBe(0);
  const [failure] = await s.stores.failures.list();
  expect(failure).toMatchObject({ work: work('dingtalk'), permanent: true });
  expect(failure.lastError).toContain('breaker');
  expect(await s.stores.failures.due(clock.now() + 365 * 86400e3, 10)).toEqual([]);
  const after = (await row('dingtalk'))!;
  expect(after.cursor).toBe(before.cursor);
  expect(after.leaseOwner).toBeUndefined();
  expect(s.logLines.some((l) => l.level === 'error' && l.line.includes('bulk-delete breaker'))).toBe(true);
});

test('work for an unknown or inactive pair, or a kind that is off or not synced, is skipped without a trace', async () => {
  await s.stores.users.save(pairFor('pair-left', { status: 'left' }));
  await s.stores.users.save(pairFor('pair-disabled', { status: 'disabled' }));
  await s.stores.users.save(pairFor('pair-mail', {}, ['calendar', 'mail']));
  sides.dingtalk.userCreate(note('a'));

  expect(await processWork(deps, work('dingtalk', 'callback', 'nobody'))).toEqual({
    status: 'skipped',
    detail: 'unknown pair',
  });
  expect(await processWork(deps, work('dingtalk', 'callback', 'pair-left'))).toMatchObject({
    status: 'skipped',
  });
  expect(await processWork(deps, work('outlook', 'callback', 'pair-disabled'))).toMatchObject({
    status: 'skipped',
  });
  expect(await processWork(deps, work('outlook', 'sweep', PAIR, 'mail'))).toEqual({
    status: 'skipped',
    detail: expect.stringContaining('mail is off'),
  });
  expect(await processWork(deps, work('outlook', 'sweep', 'pair-mail', 'mail'))).toEqual({
    status: 'skipped',
    detail: 'mail is not synced yet',
  });

  expect(sides.dingtalk.calls.listChanges + sides.outlook.calls.listChanges).toBe(0);
  expect(await s.stores.cursors.listAll()).toEqual([]);
  expect(await s.stores.failures.list()).toEqual([]);
  expect(queue.sent).toEqual([]);
});
