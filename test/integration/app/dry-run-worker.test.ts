import { processWork, type EndpointsFor, type WorkerDeps } from '../../../shared/app/worker';
import { ManualClock } from '../../../shared/platform/clock';
import { utcDay } from '../../../shared/store/day';
import { PairStateStore } from '../../../shared/store/pair-state-store';
import { tableNames } from '../../../shared/store/table-names';
import type { WorkItem } from '../../../shared/store/types';
import { StorageWorkQueue } from '../../../shared/store/work-queue';
import type { SideEndpoint } from '../../../shared/sync';
import type { Side, SideAdapter, SyncPolicy } from '../../../shared/sync/types';
import { FaultPlan, LogicalClock } from '../../property/support/faults';
import { MemorySide } from '../../property/support/memory-side';
import { noteMatchKeys, type Note } from '../../property/support/world';
import { freshAppStores, pairFor, type AppStores } from './support';

/**
 * The worker in a dry run, with real stores (Azurite) and in-memory calendars: a folder is reported once, later dry
 * pulls go on from its cursor, changed settings report again, and going live decides every folder afresh.
 */

const PAIR = 'pair-dry-run';
const FOLDER: Record<Side, string> = { dingtalk: 'primary', outlook: 'calendar' };
const DRY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'propagate',
  bulkDeleteMaxShare: 0.2,
  dryRun: true,
};

class RecordingQueue extends StorageWorkQueue {
  readonly sent: WorkItem[] = [];
  override async enqueue(work: WorkItem, options?: { delaySeconds?: number }): Promise<void> {
    this.sent.push(work);
    await super.enqueue(work, options);
  }
}

let s: AppStores;
let queue: RecordingQueue;
let clock: ManualClock;
let sides: Record<Side, MemorySide<Note>>;
/** The cursor each listing of each side started from (undefined: the whole folder). */
let startedFrom: Record<Side, Array<string | undefined>>;

beforeEach(async () => {
  s = freshAppStores();
  queue = new RecordingQueue(s.storage, s.queueName);
  clock = new ManualClock();
  const logical = new LogicalClock();
  const faults = new FaultPlan();
  sides = {
    dingtalk: new MemorySide<Note>('dingtalk', 'calendar', logical, faults, noteMatchKeys),
    outlook: new MemorySide<Note>('outlook', 'calendar', logical, faults, noteMatchKeys),
  };
  startedFrom = { dingtalk: [], outlook: [] };
  await s.stores.users.save(pairFor(PAIR));
});

/** The worker as an app start with this policy builds it. */
function deps(policy: SyncPolicy): WorkerDeps {
  const adapter = (side: Side): SideAdapter<Note> => ({
    side,
    kind: 'calendar',
    listChanges: (user, folder, cursor) => {
      startedFrom[side].push(cursor);
      return sides[side].listChanges(user, folder, cursor);
    },
    get: (user, id) => sides[side].get(user, id),
    create: (user, projection, originKey) => sides[side].create(user, projection, originKey),
    findByOriginKey: (user, originKey) => sides[side].findByOriginKey(user, originKey),
    update: (user, id, projection, expected) => sides[side].update(user, id, projection, expected),
    delete: (user, id, expected) => sides[side].delete(user, id, expected),
  });
  const endpoint = (side: Side) =>
    ({ adapter: adapter(side), folder: FOLDER[side] }) as SideEndpoint<unknown>;
  const endpoints: EndpointsFor = (kind) =>
    kind === 'calendar' ? { dingtalk: endpoint('dingtalk'), outlook: endpoint('outlook') } : undefined;
  // A store object of its own: the worker keeps its instance memory per store, and each deps here is an app start.
  const pairState = new PairStateStore(s.storage, tableNames(s.prefix).pairState);
  return {
    stores: { ...s.stores, pairState, workQueue: queue },
    endpoints,
    policy,
    log: s.log,
    now: () => clock.now(),
  };
}

const work = (side: Side, reason = 'sweep'): WorkItem => ({
  pairId: PAIR,
  kind: 'calendar',
  side,
  folder: FOLDER[side],
  reason,
  hintedAt: clock.now(),
});
const state = async () => (await s.stores.pairState.load(PAIR, 'calendar')).state;
const reported = async () =>
  (await s.stores.audit.listDay(utcDay(clock.now()))).filter((row) => row.action === 'dry-run');
const note = (uid: string, title = uid): Note => ({ uid, title, body: '' });
/** One message through the worker, and the cursor its pull began listing its own side from (undefined: all). */
async function pull(d: WorkerDeps, item: WorkItem): Promise<{ status: string; from: string | undefined }> {
  const before = startedFrom[item.side].length;
  const outcome = await processWork(d, item);
  expect(startedFrom[item.side].length).toBeGreaterThan(before);
  return { status: outcome.status, from: startedFrom[item.side][before] };
}
const titles = (side: Side) =>
  sides[side]
    .liveItems()
    .map((i) => i.projection.title)
    .sort();

test('a folder is reported once; later dry pulls go on from its cursor and report only what changed', async () => {
  sides.dingtalk.userCreate(note('a', 'Standup'));
  sides.dingtalk.userCreate(note('b', 'Review'));

  expect(await pull(deps(DRY), work('dingtalk'))).toEqual({ status: 'dry-run', from: undefined });
  const stored = (await state()).sides.dingtalk.cursor;
  expect(stored).toMatch(/^dry-run:newest-wins\/propagate\/0\.2\|./);
  expect(await reported()).toHaveLength(2);

  clock.advance(60_000);
  expect(await pull(deps(DRY), work('dingtalk'))).toEqual({
    status: 'dry-run',
    from: stored!.slice(stored!.indexOf('|') + 1),
  });
  expect(await reported()).toHaveLength(2);
  // An idle pull stores nothing: the cursor it started from lists the same nothing again.
  expect((await state()).sides.dingtalk.cursor).toBe(stored);

  sides.dingtalk.userCreate(note('c', 'Planning'));
  await processWork(deps(DRY), work('dingtalk', 'callback'));
  const rows = await reported();
  expect(rows).toHaveLength(3);
  expect(rows[0].reason).toMatch(/^create:/);
  expect(sides.outlook.writeCount()).toBe(0);
});

test('changed settings report the folder again from scratch', async () => {
  sides.outlook.userCreate(note('a', 'Standup'));
  await processWork(deps(DRY), work('outlook'));
  expect((await pull(deps({ ...DRY, conflict: 'prefer-dingtalk' }), work('outlook'))).from).toBeUndefined();
  expect(await reported()).toHaveLength(2);
  expect((await state()).sides.outlook.cursor).toMatch(/^dry-run:prefer-dingtalk\/propagate\/0\.2\|/);
});

test('going live lists every folder afresh, links what matches, creates the rest, and queues the other side once', async () => {
  sides.dingtalk.userCreate(note('both', 'Weekly'));
  sides.outlook.userCreate(note('both', 'Weekly'));
  sides.dingtalk.userCreate(note('d', 'DingTalk only'));
  sides.outlook.userCreate(note('o', 'Outlook only'));
  await processWork(deps(DRY), work('dingtalk'));
  await processWork(deps(DRY), work('outlook'));
  // A change during the dry run: it must not be lost when going live.
  sides.outlook.userCreate(note('late', 'Added during the dry run'));
  await processWork(deps(DRY), work('outlook', 'notification'));
  expect(sides.dingtalk.writeCount() + sides.outlook.writeCount()).toBe(0);
  queue.sent.length = 0;

  const live = deps({ ...DRY, dryRun: false });
  clock.advance(60_000);
  expect(await pull(live, work('outlook'))).toEqual({ status: 'synced', from: undefined });
  expect(queue.sent).toEqual([
    { pairId: PAIR, kind: 'calendar', side: 'dingtalk', folder: FOLDER.dingtalk, reason: 'first-sync' },
  ]);
  expect(titles('dingtalk')).toEqual(['Added during the dry run', 'DingTalk only', 'Outlook only', 'Weekly']);

  expect(await pull(live, queue.sent[0])).toEqual({ status: 'synced', from: undefined });
  expect(queue.sent).toHaveLength(1);
  expect(titles('outlook')).toEqual(['Added during the dry run', 'DingTalk only', 'Outlook only', 'Weekly']);
  const after = await state();
  expect(after.sides.dingtalk.cursor).not.toMatch(/^dry-run:/);
  expect(after.sides.outlook.cursor).not.toMatch(/^dry-run:/);

  // Live from here on: the next pulls go on from the live cursors and copy nothing twice.
  clock.advance(60_000);
  expect((await pull(live, work('outlook'))).from).toBe(after.sides.outlook.cursor);
  expect((await pull(live, work('dingtalk'))).from).toBe(after.sides.dingtalk.cursor);
  expect(sides.dingtalk.liveItems()).toHaveLength(4);
  expect(sides.outlook.liveItems()).toHaveLength(4);
});

test('a dry run after live ones goes on from the live cursor, and going live again lists afresh', async () => {
  sides.dingtalk.userCreate(note('a', 'Standup'));
  const live = deps({ ...DRY, dryRun: false });
  await processWork(live, work('dingtalk'));
  const liveCursor = (await state()).sides.dingtalk.cursor;
  expect(liveCursor).not.toMatch(/^dry-run:/);

  sides.dingtalk.userUpdate('d1', note('a', 'Standup (moved)'));
  clock.advance(60_000);
  expect((await pull(deps(DRY), work('dingtalk', 'callback'))).from).toBe(liveCursor);
  expect((await reported()).map((row) => row.reason.split(':')[0])).toEqual(['update']);
  expect(titles('outlook')).toEqual(['Standup']);

  clock.advance(60_000);
  expect((await pull(live, work('dingtalk'))).from).toBeUndefined();
  expect(titles('outlook')).toEqual(['Standup (moved)']);
});
