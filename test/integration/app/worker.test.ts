import {
  processWork,
  WAITING_POLL_SLOWDOWN,
  type EndpointsFor,
  type WorkerDeps,
} from '../../../shared/app/worker';
import { joinHints } from '../../../shared/app/pipeline/hint-group-commit';
import { utcDay } from '../../../shared/store/day';
import { MissingAppPasswordError } from '../../../shared/connectors/imap/credentials';
import { ManualClock } from '../../../shared/platform/clock';
import { createStores } from '../../../shared/store';
import { TableAuditLog } from '../../../shared/store/audit-log';
import { PairStateStore } from '../../../shared/store/pair-state-store';
import { tableNames } from '../../../shared/store/table-names';
import { BREAKER_RELEASE_REASON, type WorkItem } from '../../../shared/store/types';
import { StorageWorkQueue } from '../../../shared/store/work-queue';
import type { SideEndpoint } from '../../../shared/sync';
import type { Kind, Side, SideAdapter, SyncPolicy, UserRef } from '../../../shared/sync/types';
import { FaultPlan, LogicalClock } from '../../property/support/faults';
import { MemorySide } from '../../property/support/memory-side';
import { noteMatchKeys, type Note } from '../../property/support/world';
import { freshAppStores, pairFor, type AppStores } from './support';

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
    // As the real adapters: Outlook's service refuses a write on a moved-on version itself (If-Match), DingTalk's
    // adapter re-reads and compares, so only Outlook's updates and deletes may go without the lease.
    ...(side === 'outlook' && { atomicConditionalWrites: ['update', 'delete'] as const }),
    listChanges: (user, folder, cursor) => of(user, side).listChanges(user, folder, cursor),
    get: (user, id) => of(user, side).get(user, id),
    create: (user, projection, originKey) => of(user, side).create(user, projection, originKey),
    findByOriginKey: (user, originKey) => of(user, side).findByOriginKey(user, originKey),
    update: (user, id, projection, expected) => of(user, side).update(user, id, projection, expected),
    delete: (user, id, expected) => of(user, side).delete(user, id, expected),
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
  hintedAt: clock.now(),
});
const state = async (pairId = PAIR) => (await s.stores.pairState.load(pairId, 'calendar')).state;
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

test('a pull stores the new cursor and lets go of the lease; the next pull reads from that cursor', async () => {
  sides.dingtalk.userCreate(note('a', 'Standup'));
  sides.dingtalk.userCreate(note('b', 'Review'));

  expect(await processWork(deps, work('dingtalk'))).toEqual({
    status: 'synced',
    pulls: 1,
    changes: 2,
    writes: 2,
  });
  expect(titles('outlook')).toEqual(['Review', 'Standup']);
  const first = await state();
  expect(first.sides.dingtalk.cursor).toBeDefined();
  expect(first.sides.dingtalk.lastSyncedAt).toBe(new Date(clock.now()).toISOString());
  expect(first.leaseOwner).toBeUndefined();
  expect(first.intents).toEqual([]);

  clock.advance(1000);
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
  expect((await state()).sides.dingtalk.cursor).not.toBe(first.sides.dingtalk.cursor);
  expect(await s.stores.failures.list()).toEqual([]);
});

test("a pull a push asked for says so to the adapters (DingTalk's quota reserve); a sweep's pull is background", async () => {
  const priorities: Array<[string, UserRef['priority']]> = [];
  for (const side of ['dingtalk', 'outlook'] as const) {
    const adapter = sides[side];
    const list = adapter.listChanges.bind(adapter);
    const create = adapter.create.bind(adapter);
    adapter.listChanges = (user, ...rest) => (
      priorities.push([`list ${side}`, user.priority]),
      list(user, ...rest)
    );
    adapter.create = (user, ...rest) => (
      priorities.push([`create ${side}`, user.priority]),
      create(user, ...rest)
    );
  }
  sides.dingtalk.userCreate(note('a', 'Standup'));
  await processWork(deps, work('dingtalk', 'callback'));
  expect(priorities).toContainEqual(['list dingtalk', 'push']);
  expect(priorities).toContainEqual(['create outlook', 'push']);
  expect(priorities.every(([, p]) => p === 'push')).toBe(true);

  priorities.length = 0;
  clock.advance(1000);
  sides.outlook.userCreate(note('b', 'Review'));
  await processWork(deps, work('outlook', 'sweep'));
  expect(priorities).toContainEqual(['create dingtalk', 'background']);
  expect(priorities.every(([, p]) => p === 'background')).toBe(true);
});

test('messages for a pair being pulled in this instance join its loop: one more pull serves them all', async () => {
  await processWork(deps, work('dingtalk'));
  clock.advance(1000);
  const listed = sides.dingtalk.calls.listChanges;
  const g = gate('dingtalk');
  const pulling = processWork(deps, work('dingtalk'));
  await g.entered;
  sides.dingtalk.userCreate(note('late'));
  clock.advance(1000);
  const joined = [processWork(deps, work('dingtalk')), processWork(deps, work('dingtalk'))];
  g.release();

  expect(await pulling).toMatchObject({ status: 'synced' });
  for (const outcome of await Promise.all(joined)) expect(outcome).toMatchObject({ status: 'synced' });
  expect(sides.dingtalk.calls.listChanges - listed).toBe(2);
  expect(titles('outlook')).toEqual(['late']);
  expect(queue.sent).toEqual([]);
});

test('both sides of a first sync are pulled once each, in one loop', async () => {
  sides.dingtalk.userCreate(note('d'));
  sides.outlook.userCreate(note('o'));
  const outcomes = await Promise.all([
    processWork(deps, work('dingtalk')),
    processWork(deps, work('outlook')),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['synced', 'synced']);
  // Two pulls, one per side; each first sync also lists the other side once to match before it copies.
  expect(outcomes).toEqual([
    { status: 'synced', pulls: 1, changes: 1, writes: 1 },
    { status: 'synced', pulls: 1, changes: 2, writes: 1 },
  ]);
  expect(sides.dingtalk.calls.listChanges).toBe(2);
  expect(sides.outlook.calls.listChanges).toBe(2);
  expect(titles('outlook')).toEqual(['d', 'o']);
  expect(titles('dingtalk')).toEqual(['d', 'o']);
  expect((await state()).leaseOwner).toBeUndefined();
});

/** Another instance: the same tables through its own store object, so it has its own memory and loops. */
const anotherInstance = (): WorkerDeps => ({
  ...deps,
  stores: { ...deps.stores, pairState: new PairStateStore(s.storage, `${s.prefix}pairstate`) },
});

test('work for a pair leased by another instance comes back later and is pulled then', async () => {
  sides.dingtalk.userCreate(note('a'));
  const other = anotherInstance();
  const g = gate('dingtalk');
  const pulling = processWork(other, work('dingtalk'));
  await g.entered;
  // The other instance has read the row but not written: it takes the lease with its first write.
  sides.outlook.userCreate(note('o'));
  const first = processWork(deps, work('outlook', 'notification'));
  expect(await first).toMatchObject({ status: 'synced' });
  g.release();
  // The other instance lost the race for the row: it wrote nothing remote and sends its hint back.
  expect(await pulling).toMatchObject({ status: 'busy' });
  expect(queue.sent).toEqual([{ work: work('dingtalk'), options: { delaySeconds: 2 } }]);
  expect(titles('outlook')).toEqual(['o']);
  expect(await processWork(deps, queue.sent[0].work)).toMatchObject({ status: 'synced', writes: 1 });
  expect(titles('outlook')).toEqual(['a', 'o']);
  expect(titles('dingtalk')).toEqual(['a', 'o']);
});

test('an instance whose If-Match update to Outlook raced another instance’s pull stores nothing, and no edit is lost', async () => {
  sides.dingtalk.userCreate(note('a', 'Plan'));
  sides.dingtalk.userCreate(note('b', 'Budget'));
  expect(await processWork(deps, work('dingtalk'))).toMatchObject({ status: 'synced', writes: 2 });
  const plan = sides.dingtalk.liveItems().find((i) => i.projection.title === 'Plan')!;
  const budgetCopy = sides.outlook.liveItems().find((i) => i.projection.title === 'Budget')!;
  clock.advance(1000);
  sides.dingtalk.userUpdate(plan.id, note('a', 'Plan (DingTalk)'));
  // The other instance reads the row and stops at its listing.
  const other = anotherInstance();
  const g = gate('dingtalk');
  const pulling = processWork(other, work('dingtalk'));
  await g.entered;
  const loaded = (await state()).etag;
  // Meanwhile this instance pulls an Outlook edit of the other event and commits.
  clock.advance(1000);
  sides.outlook.userUpdate(budgetCopy.id, note('b', 'Budget (Outlook)'));
  expect(await processWork(deps, work('outlook', 'notification'))).toMatchObject({
    status: 'synced',
    writes: 1,
  });
  expect((await state()).etag).not.toBe(loaded);
  const updatesBefore = sides.outlook.calls.update;
  g.release();
  // Outlook refuses an update on a moved-on version itself, so it took no lease and was written; its commit is
  // conditional on the row it read, so it stores nothing and sends its hint back.
  expect(await pulling).toMatchObject({ status: 'busy' });
  expect(sides.outlook.calls.update - updatesBefore).toBe(1);
  expect(await processWork(deps, queue.sent.at(-1)!.work)).toMatchObject({ status: 'synced' });
  expect(titles('dingtalk')).toEqual(['Budget (Outlook)', 'Plan (DingTalk)']);
  expect(titles('outlook')).toEqual(['Budget (Outlook)', 'Plan (DingTalk)']);
  // Nothing written twice, no copy made again.
  expect(sides.outlook.liveItems()).toHaveLength(2);
  expect(sides.dingtalk.liveItems()).toHaveLength(2);
  expect((await state()).leaseOwner).toBeUndefined();
});

test('an update to DingTalk, checked by re-reading, still takes the lease: the instance that lost writes nothing', async () => {
  sides.outlook.userCreate(note('a', 'Plan'));
  sides.outlook.userCreate(note('b', 'Budget'));
  expect(await processWork(deps, work('outlook', 'notification'))).toMatchObject({
    status: 'synced',
    writes: 2,
  });
  const plan = sides.outlook.liveItems().find((i) => i.projection.title === 'Plan')!;
  const budgetCopy = sides.dingtalk.liveItems().find((i) => i.projection.title === 'Budget')!;
  clock.advance(1000);
  sides.outlook.userUpdate(plan.id, note('a', 'Plan (Outlook)'));
  const other = anotherInstance();
  const g = gate('outlook');
  const pulling = processWork(other, work('outlook', 'notification'));
  await g.entered;
  clock.advance(1000);
  sides.dingtalk.userUpdate(budgetCopy.id, note('b', 'Budget (DingTalk)'));
  expect(await processWork(deps, work('dingtalk'))).toMatchObject({ status: 'synced', writes: 1 });
  const updatesBefore = sides.dingtalk.calls.update;
  g.release();
  // Its claim fails on the row this instance changed, before any write to DingTalk.
  expect(await pulling).toMatchObject({ status: 'busy' });
  expect(sides.dingtalk.calls.update - updatesBefore).toBe(0);
  expect(await processWork(deps, queue.sent.at(-1)!.work)).toMatchObject({ status: 'synced', writes: 1 });
  expect(titles('dingtalk')).toEqual(['Budget (DingTalk)', 'Plan (Outlook)']);
  expect(titles('outlook')).toEqual(['Budget (DingTalk)', 'Plan (Outlook)']);
});

test('the echo of our own write, and a hint a finished pull already covered, start no pull', async () => {
  sides.dingtalk.userCreate(note('a'));
  expect(await processWork(deps, work('dingtalk'))).toMatchObject({ status: 'synced', writes: 1 });
  const [copy] = sides.outlook.liveItems();
  const listings = sides.dingtalk.calls.listChanges + sides.outlook.calls.listChanges;

  const echo = { ...work('outlook', 'notification'), itemId: copy.id, version: copy.version };
  expect(await processWork(deps, echo)).toEqual({ status: 'echo' });
  const repeat = { ...work('dingtalk'), hintedAt: clock.now() - 5000 };
  expect(await processWork(deps, repeat)).toEqual({ status: 'covered' });
  expect(sides.dingtalk.calls.listChanges + sides.outlook.calls.listChanges).toBe(listings);

  // A person's edit of the copy has a new version: it is pulled.
  clock.advance(1000);
  sides.outlook.userUpdate(copy.id, note('a', 'edited'));
  const [edited] = sides.outlook.liveItems();
  const edit = { ...work('outlook', 'notification'), itemId: edited.id, version: edited.version };
  expect(await processWork(deps, edit)).toMatchObject({ status: 'synced', writes: 1 });
  expect(titles('dingtalk')).toEqual(['edited']);
});

test('a joined hint is an echo only when every item it names is ours; one person’s edit among them is pulled', async () => {
  sides.dingtalk.userCreate(note('a'));
  sides.dingtalk.userCreate(note('b'));
  expect(await processWork(deps, work('dingtalk'))).toMatchObject({ status: 'synced', writes: 2 });
  const [a, b] = sides.outlook.liveItems();
  const listings = () => sides.dingtalk.calls.listChanges + sides.outlook.calls.listChanges;
  const before = listings();

  const joined = joinHints([
    { ...work('outlook', 'notification'), itemId: a.id, version: a.version },
    { ...work('outlook', 'notification'), itemId: b.id, version: b.version },
  ]);
  expect(joined.moreItems).toHaveLength(1);
  expect(await processWork(deps, joined)).toEqual({ status: 'echo' });
  expect(listings()).toBe(before);

  clock.advance(1000);
  sides.outlook.userUpdate(b.id, note('b', 'edited'));
  const edited = sides.outlook.liveItems().find((i) => i.id === b.id)!;
  const mixed = joinHints([
    { ...work('outlook', 'notification'), itemId: a.id, version: a.version },
    { ...work('outlook', 'notification'), itemId: edited.id, version: edited.version },
  ]);
  expect(await processWork(deps, mixed)).toMatchObject({ status: 'synced', writes: 1 });
  expect(titles('dingtalk')).toEqual(['a', 'edited']);
});

test('a transient failure records a retryable failure and keeps the old cursor; a successful retry clears it', async () => {
  await processWork(deps, work('dingtalk'));
  const before = await state();
  clock.advance(1000);
  sides.dingtalk.userCreate(note('a'));
  faults.arm({ atStep: 'dingtalk.listChanges', kind: 'throttle' });

  const outcome = await processWork(deps, work('dingtalk'));
  expect(outcome.status).toBe('failed');
  const [failure] = await s.stores.failures.list();
  expect(failure).toMatchObject({ work: { ...work('dingtalk') }, attempts: 1, permanent: false });
  expect(failure.lastError).toContain('429');
  expect(titles('outlook')).toEqual([]);
  expect((await state()).sides.dingtalk.cursor).toBe(before.sides.dingtalk.cursor);

  clock.advance(1000);
  expect(await processWork(deps, work('dingtalk', 'retry'))).toMatchObject({ status: 'synced', writes: 1 });
  expect(await s.stores.failures.list()).toEqual([]);
  expect(titles('outlook')).toEqual(['a']);
  expect((await state()).sides.dingtalk.cursor).not.toBe(before.sides.dingtalk.cursor);
});

test('a crash after a create and before the commit creates nothing twice', async () => {
  sides.dingtalk.userCreate(note('a'));
  sides.dingtalk.userCreate(note('b'));
  faults.arm({ atStep: 'outlook.create', kind: 'crash-after' });
  expect((await processWork(deps, work('dingtalk'))).status).toBe('failed');
  expect(titles('outlook').length).toBeGreaterThanOrEqual(1);
  clock.advance(1000);
  expect(await processWork(deps, work('dingtalk', 'retry'))).toMatchObject({ status: 'synced' });
  expect(titles('outlook')).toEqual(['a', 'b']);
  expect((await state()).intents).toEqual([]);
});

test("a pull's audit rows ride its commit: a crash before they reach the audit table loses none and doubles none", async () => {
  // The first process never gets round to writing its outbox (it dies first).
  const dying = new TableAuditLog(s.storage, tableNames(s.prefix).audit, { delayMs: 3_600_000 });
  const first = { ...deps, stores: { ...deps.stores, audit: dying } };
  sides.dingtalk.userCreate(note('a', 'Standup'));
  expect(await processWork(first, work('dingtalk'))).toMatchObject({ status: 'synced', writes: 1 });
  const stored = (await state()).audit;
  expect(stored?.records.map((r) => [r.entry.action, r.entry.reason])).toEqual([['create', 'N4: new item']]);

  // A new process: its own stores, nothing in memory.
  const restarted = createStores(s.storage, { tablePrefix: s.prefix, queueName: s.queueName });
  const day = utcDay(clock.now());
  expect(await restarted.audit.listDay(day)).toEqual([]);
  const second = { ...deps, stores: { ...restarted, workQueue: queue } };
  const rows = async () =>
    (await restarted.audit.listDay(day)).map((r) => `${r.action} ${r.outlookId ? 'with' : 'without'} id`);
  // A pull that finds nothing commits nothing, yet the outbox it read is written.
  clock.advance(1000);
  expect(await processWork(second, work('outlook'))).toMatchObject({ status: 'synced', writes: 0 });
  expect(await rows()).toEqual(['create with id']);
  clock.advance(1000);
  sides.dingtalk.userCreate(note('b', 'Review'));
  expect(await processWork(second, work('dingtalk'))).toMatchObject({ status: 'synced', writes: 1 });
  expect(await rows()).toEqual(['create with id', 'create with id']);
  // The outbox read from the row was written, and so is the one of this pull: the next commit need not carry them.
  const after = (await state()).audit!;
  expect(restarted.audit.outbox.written(`${PAIR}|calendar`, after.id)).toBe(true);

  // Should the first process come back to life and write what it held, nothing is doubled.
  await dying.outbox.flush();
  expect(await rows()).toHaveLength(2);
});

test('the bulk-delete breaker records a permanent failure, writes nothing and keeps the cursor', async () => {
  for (let i = 0; i < 10; i++) sides.dingtalk.userCreate(note(`n${i}`));
  await processWork(deps, work('dingtalk'));
  expect(titles('outlook')).toHaveLength(10);
  const before = await state();
  clock.advance(1000);
  for (const item of sides.dingtalk.liveItems().slice(0, 8)) sides.dingtalk.userDelete(item.id);

  expect(await processWork(deps, work('dingtalk'))).toMatchObject({ status: 'breaker' });
  expect(titles('outlook')).toHaveLength(10);
  expect(sides.outlook.calls.delete).toBe(0);
  const [failure] = await s.stores.failures.list();
  expect(failure).toMatchObject({ permanent: true });
  expect(failure.lastError).toContain('breaker');
  const after = await state();
  expect(after.sides.dingtalk.cursor).toBe(before.sides.dingtalk.cursor);
  expect(after.leaseOwner).toBeUndefined();
  expect(s.logLines.some((l) => l.level === 'error' && l.line.includes('bulk-delete breaker'))).toBe(true);
});

test("an admin's release of the breaker lets one pull apply the deletions it stopped, and clears the failure", async () => {
  for (let i = 0; i < 10; i++) sides.dingtalk.userCreate(note(`n${i}`));
  await processWork(deps, work('dingtalk'));
  clock.advance(1000);
  for (const item of sides.dingtalk.liveItems().slice(0, 8)) sides.dingtalk.userDelete(item.id);
  expect(await processWork(deps, work('dingtalk'))).toMatchObject({ status: 'breaker' });

  clock.advance(1000);
  expect(await processWork(deps, work('dingtalk', BREAKER_RELEASE_REASON))).toMatchObject({
    status: 'synced',
  });
  expect(titles('outlook')).toHaveLength(2);
  expect(await s.stores.failures.list()).toEqual([]);
  // Released once: the share applies again to the pulls after it.
  for (const item of sides.dingtalk.liveItems()) sides.dingtalk.userDelete(item.id);
  for (let i = 0; i < 8; i++) sides.dingtalk.userCreate(note(`m${i}`));
  await processWork(deps, work('dingtalk'));
  for (const item of sides.dingtalk.liveItems().slice(0, 7)) sides.dingtalk.userDelete(item.id);
  expect(await processWork(deps, work('dingtalk'))).toMatchObject({ status: 'breaker' });
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
  expect((await state()).etag).toBeUndefined();
  expect(await s.stores.failures.list()).toEqual([]);
  expect(queue.sent).toEqual([]);
});

describe('polls (a side without push)', () => {
  const POLL_MS = 60_000;
  const polls = () => queue.sent.filter((m) => m.work.reason === 'poll');
  beforeEach(() => {
    deps = { ...deps, pollIntervalMs: (_kind, side) => (side === 'dingtalk' ? POLL_MS : undefined) };
  });

  test('the first pull starts the chain: one poll message, invisible until the folder slot', async () => {
    await processWork(deps, work('dingtalk', 'first-sync'));
    expect(polls()).toHaveLength(1);
    const [{ work: next, options }] = polls();
    expect(next).toMatchObject({ pairId: PAIR, kind: 'calendar', side: 'dingtalk', reason: 'poll' });
    expect(options!.delaySeconds).toBeGreaterThanOrEqual(0);
    expect(options!.delaySeconds).toBeLessThanOrEqual(POLL_MS / 1000);
    expect((await state()).sides.dingtalk.polledAt).toBe(clock.now());
    // A side that pushes has no chain.
    await processWork(deps, work('outlook', 'first-sync'));
    expect(polls()).toHaveLength(1);
  });

  test('each poll pulls once and leaves exactly one successor; an idle poll writes no table row', async () => {
    await processWork(deps, work('dingtalk', 'first-sync'));
    const first = polls()[0].work;
    clock.set(first.hintedAt!);
    const before = await state();
    const listed = sides.dingtalk.calls.listChanges;
    expect(await processWork(deps, first)).toMatchObject({ status: 'synced', changes: 0 });
    expect(sides.dingtalk.calls.listChanges).toBe(listed + 1);
    expect(polls()).toHaveLength(2);
    expect(polls()[1].work.hintedAt).toBe(first.hintedAt! + POLL_MS);
    expect((await state()).etag).toBe(before.etag);

    // A change between polls is found by the next one.
    sides.dingtalk.userCreate(note('polled'));
    clock.set(polls()[1].work.hintedAt!);
    expect(await processWork(deps, polls()[1].work)).toMatchObject({ status: 'synced', writes: 1 });
    expect(titles('outlook')).toEqual(['polled']);
    expect(polls()).toHaveLength(3);
  });

  test('twin poll messages (a crash after the successor was sent) cost one pull and leave one successor', async () => {
    await processWork(deps, work('dingtalk', 'first-sync'));
    const first = polls()[0].work;
    clock.set(first.hintedAt!);
    const listed = sides.dingtalk.calls.listChanges;
    const outcomes = await Promise.all([processWork(deps, first), processWork(deps, first)]);
    expect(outcomes.map((o) => o.status)).toEqual(['synced', 'synced']);
    expect(sides.dingtalk.calls.listChanges).toBe(listed + 1);
    expect(polls()).toHaveLength(2);
  });

  test('a chain that stopped reporting is restarted by the next pull of its side', async () => {
    await processWork(deps, work('dingtalk', 'first-sync'));
    expect(polls()).toHaveLength(1);
    // The chain's message is lost; hours later a sweep pulls the folder.
    clock.advance(3 * 3600_000);
    await processWork(deps, work('dingtalk', 'sweep'));
    expect(polls()).toHaveLength(2);
    expect((await state()).sides.dingtalk.polledAt).toBe(clock.now());
    // While the chain is alive, other pulls start none.
    clock.advance(60_000);
    await processWork(deps, work('dingtalk', 'sweep'));
    expect(polls()).toHaveLength(2);
  });

  test('a mailbox waiting for an admin (no app password) is recorded once and polled ten times less often', async () => {
    const waiting = new MissingAppPasswordError('li.lei@example.com');
    const listChanges = sides.dingtalk.listChanges.bind(sides.dingtalk);
    sides.dingtalk.listChanges = async () => {
      throw waiting;
    };
    expect(await processWork(deps, work('dingtalk', 'first-sync'))).toMatchObject({ status: 'failed' });
    expect(polls()).toHaveLength(1);
    const slow = polls()[0];
    expect(slow.work.hintedAt! - clock.now()).toBeGreaterThan(POLL_MS);
    expect(slow.work.hintedAt! - clock.now()).toBeLessThanOrEqual(WAITING_POLL_SLOWDOWN * POLL_MS);
    const recorded = async () => ({
      failures: (await s.stores.failures.list()).length,
      audits: (await s.stores.audit.listDay(utcDay(clock.now()))).filter((row) => row.action === 'failure')
        .length,
      etag: (await state()).etag,
    });
    const once = await recorded();
    expect(once.failures).toBe(1);
    expect(once.audits).toBe(1);
    expect((await state()).sides.dingtalk.lastError).toBe(waiting.message);

    // The next polls while it still waits write nothing at all.
    clock.set(slow.work.hintedAt!);
    expect(await processWork(deps, slow.work)).toMatchObject({ status: 'failed' });
    expect(await recorded()).toEqual(once);
    expect(polls()).toHaveLength(2);

    // The admin stores a password: the next poll syncs and the chain is back to its pace.
    sides.dingtalk.listChanges = listChanges;
    clock.set(polls()[1].work.hintedAt!);
    expect(await processWork(deps, polls()[1].work)).toMatchObject({ status: 'synced' });
    expect(polls()[2].work.hintedAt! - clock.now()).toBeLessThanOrEqual(POLL_MS);
    expect((await state()).sides.dingtalk.lastError).toBeFalsy();
  });
});
