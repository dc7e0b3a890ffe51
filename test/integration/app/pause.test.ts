import { runAdminCommand } from '../../../scripts/admin/command';
import { processWork, type EndpointsFor, type WorkerDeps } from '../../../shared/app/worker';
import { ManualClock } from '../../../shared/platform/clock';
import type { WorkItem } from '../../../shared/store/types';
import { StorageWorkQueue } from '../../../shared/store/work-queue';
import type { SideEndpoint } from '../../../shared/sync';
import type { Side, SideAdapter, SyncPolicy, UserRef } from '../../../shared/sync/types';
import { FaultPlan, LogicalClock } from '../../property/support/faults';
import { MemorySide } from '../../property/support/memory-side';
import { noteMatchKeys, type Note } from '../../property/support/world';
import { freshAppStores, pairFor, type AppStores } from './support';

/**
 * The pause switch end to end at the worker: the admin command sets it on the real control row (Azurite), the
 * worker sets paused work aside, and the resume's pulls bring every change made meanwhile across exactly once.
 */

const ALICE = 'pair-alice';
const BOB = 'pair-bob';
const FOLDER: Record<Side, string> = { dingtalk: 'primary', outlook: 'calendar' };
const POLICY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'propagate',
  bulkDeleteMaxShare: 0.5,
  dryRun: false,
};
/** Longer than the worker's cache of the switch (30 s): the switch as last written is the one that holds. */
const CACHE_EXPIRY_MS = 31_000;

class RecordingQueue extends StorageWorkQueue {
  readonly sent: WorkItem[] = [];
  override async enqueue(work: WorkItem, options?: { delaySeconds?: number }): Promise<void> {
    this.sent.push(work);
    await super.enqueue(work, options);
  }
  take(): WorkItem[] {
    return this.sent.splice(0);
  }
}

let s: AppStores;
let queue: RecordingQueue;
let clock: ManualClock;
let deps: WorkerDeps;
let worlds: Map<string, Record<Side, MemorySide<Note>>>;
let controlReads: number;
const out: string[] = [];

beforeEach(async () => {
  s = freshAppStores();
  queue = new RecordingQueue(s.storage, s.queueName);
  clock = new ManualClock();
  const logical = new LogicalClock();
  const faults = new FaultPlan();
  worlds = new Map();
  const of = (pairId: string, side: Side) => {
    if (!worlds.has(pairId)) {
      worlds.set(pairId, {
        dingtalk: new MemorySide<Note>('dingtalk', 'calendar', logical, faults, noteMatchKeys),
        outlook: new MemorySide<Note>('outlook', 'calendar', logical, faults, noteMatchKeys),
      });
    }
    return worlds.get(pairId)![side];
  };
  for (const pairId of [ALICE, BOB]) of(pairId, 'dingtalk');
  const routed = (side: Side): SideAdapter<Note> => ({
    side,
    kind: 'calendar',
    listChanges: (user: UserRef, folder, cursor) => of(user.pairId, side).listChanges(user, folder, cursor),
    get: (user, id) => of(user.pairId, side).get(user, id),
    create: (user, projection, originKey) => of(user.pairId, side).create(user, projection, originKey),
    findByOriginKey: (user, originKey) => of(user.pairId, side).findByOriginKey(user, originKey),
    update: (user, id, projection, expected) => of(user.pairId, side).update(user, id, projection, expected),
    delete: (user, id, expected) => of(user.pairId, side).delete(user, id, expected),
  });
  const endpoint = (side: Side) => ({ adapter: routed(side), folder: FOLDER[side] }) as SideEndpoint<unknown>;
  const endpoints: EndpointsFor = (kind) =>
    kind === 'calendar' ? { dingtalk: endpoint('dingtalk'), outlook: endpoint('outlook') } : undefined;
  controlReads = 0;
  const control = s.stores.control;
  deps = {
    stores: {
      ...s.stores,
      workQueue: queue,
      control: Object.assign(Object.create(control) as typeof control, {
        read: () => {
          controlReads += 1;
          return control.read();
        },
      }),
    },
    endpoints,
    policy: POLICY,
    log: s.log,
    now: () => clock.now(),
  };
  await s.stores.users.save(pairFor(ALICE));
  await s.stores.users.save(pairFor(BOB));
  out.length = 0;
});

const admin = async (...argv: string[]) => {
  const code = await runAdminCommand(
    argv,
    { env: {}, out: (line) => out.push(line), err: (text) => out.push(text) },
    {
      stores: { users: s.stores.users, control: s.stores.control, workQueue: queue },
      now: () => clock.now(),
    },
  );
  expect(code).toBe(0);
  // The worker sees the switch once its cached copy has run out.
  clock.advance(CACHE_EXPIRY_MS);
};

const hint = (
  pairId: string,
  side: Side,
  reason = side === 'dingtalk' ? 'callback' : 'notification',
): WorkItem => ({
  pairId,
  kind: 'calendar',
  side,
  folder: FOLDER[side],
  reason,
  hintedAt: clock.now(),
});
const side = (pairId: string, which: Side) => worlds.get(pairId)![which];
const titles = (pairId: string, which: Side) =>
  side(pairId, which)
    .liveItems()
    .map((i) => i.projection.title)
    .sort();
const writes = (pairId: string) =>
  side(pairId, 'dingtalk').writeCount() + side(pairId, 'outlook').writeCount();
const note = (title: string): Note => ({ uid: title, title, body: '' });
const cursors = async (pairId: string) => {
  const { state } = await s.stores.pairState.load(pairId, 'calendar');
  return { dingtalk: state.sides.dingtalk.cursor, outlook: state.sides.outlook.cursor };
};

/** Changes on both sides of both pairs, and the hints the webhooks would send for them. */
async function changeEverywhere(tag: string): Promise<WorkItem[]> {
  clock.advance(1000);
  const hints: WorkItem[] = [];
  for (const pairId of [ALICE, BOB]) {
    side(pairId, 'dingtalk').userCreate(note(`${tag} from DingTalk`));
    side(pairId, 'outlook').userCreate(note(`${tag} from Outlook`));
    hints.push(hint(pairId, 'dingtalk'), hint(pairId, 'outlook'));
  }
  clock.advance(1000);
  return hints;
}

async function run(items: WorkItem[]): Promise<Array<{ status: string }>> {
  const outcomes = [];
  for (const item of items) outcomes.push(await processWork(deps, item));
  return outcomes;
}

/** Both pairs in sync before any pause: cursors stored, links made. */
async function warmUp(): Promise<void> {
  await run(await changeEverywhere('Before'));
  for (const pairId of [ALICE, BOB]) {
    expect(titles(pairId, 'outlook')).toEqual(['Before from DingTalk', 'Before from Outlook']);
  }
  queue.take();
}

const expectSynced = (pairId: string, tags: string[]) => {
  const all = tags.flatMap((t) => [`${t} from DingTalk`, `${t} from Outlook`]).sort();
  expect(titles(pairId, 'outlook')).toEqual(all);
  expect(titles(pairId, 'dingtalk')).toEqual(all);
};

test('an organisation-wide pause stops every write on both sides; the resume brings each change across once', async () => {
  await warmUp();
  await admin('pause');
  const before = {
    alice: await cursors(ALICE),
    bob: await cursors(BOB),
    writes: writes(ALICE) + writes(BOB),
  };

  const outcomes = await run(await changeEverywhere('During'));
  expect(outcomes.map((o) => o.status)).toEqual(['paused', 'paused', 'paused', 'paused']);
  expect(writes(ALICE) + writes(BOB)).toBe(before.writes);
  expect(await cursors(ALICE)).toEqual(before.alice);
  expect(await cursors(BOB)).toEqual(before.bob);
  expect(titles(ALICE, 'outlook')).not.toContain('During from DingTalk');

  await admin('resume');
  expect(out.at(-1)).toMatch(/resumed the whole organisation: 4 folder pulls queued/);
  const resumed = queue.take();
  expect(resumed.map((w) => `${w.pairId} ${w.side} ${w.reason}`).sort()).toEqual([
    `${ALICE} dingtalk resume`,
    `${ALICE} outlook resume`,
    `${BOB} dingtalk resume`,
    `${BOB} outlook resume`,
  ]);
  await run(resumed);
  // Exactly once: four creates copied, no duplicate on either side.
  expect(writes(ALICE) + writes(BOB)).toBe(before.writes + 4);
  for (const pairId of [ALICE, BOB]) expectSynced(pairId, ['Before', 'During']);

  // Once resumed, hints sync as before.
  await run(await changeEverywhere('After'));
  for (const pairId of [ALICE, BOB]) expectSynced(pairId, ['Before', 'During', 'After']);
});

test("one user's pause holds that user only; the others keep syncing", async () => {
  await warmUp();
  await admin('pause', '--user', `${ALICE.slice(0, 8)}@contoso.example`);
  expect(out.join('\n')).toMatch(/paused every kind of .*pair-alice/);
  const aliceWrites = writes(ALICE);

  const outcomes = await run(await changeEverywhere('During'));
  expect(outcomes.map((o) => o.status)).toEqual(['paused', 'paused', 'synced', 'synced']);
  expect(writes(ALICE)).toBe(aliceWrites);
  expectSynced(BOB, ['Before', 'During']);

  await admin('resume', '--user', ALICE);
  const resumed = queue.take();
  expect(resumed.map((w) => w.pairId)).toEqual([ALICE, ALICE]);
  await run(resumed);
  expect(writes(ALICE)).toBe(aliceWrites + 2);
  expectSynced(ALICE, ['Before', 'During']);
  expectSynced(BOB, ['Before', 'During']);
});

test('a kind pause holds that kind for everyone; another kind paused leaves it alone', async () => {
  await warmUp();
  await admin('pause', '--kind', 'mail');
  expect((await run(await changeEverywhere('Mail paused'))).every((o) => o.status === 'synced')).toBe(true);

  await admin('pause', '--kind', 'calendar');
  const total = writes(ALICE) + writes(BOB);
  expect((await run(await changeEverywhere('During'))).map((o) => o.status)).toEqual(Array(4).fill('paused'));
  expect(writes(ALICE) + writes(BOB)).toBe(total);

  // Resuming mail releases nothing of the calendar.
  await admin('resume', '--kind', 'mail');
  expect(queue.take()).toEqual([]);
  await admin('resume', '--kind', 'calendar');
  await run(queue.take());
  expect(writes(ALICE) + writes(BOB)).toBe(total + 4);
  for (const pairId of [ALICE, BOB]) expectSynced(pairId, ['Before', 'Mail paused', 'During']);
  await admin('status');
  expect(out.at(-2)).toBe('nothing is paused.');
});

test('a paused poll completes without pulling but sends its successor: the chain outlives the pause', async () => {
  const POLL_MS = 60_000;
  deps = { ...deps, pollIntervalMs: (_kind, s2) => (s2 === 'dingtalk' ? POLL_MS : undefined) };
  await warmUp();
  await admin('pause');
  const listed = side(ALICE, 'dingtalk').calls.listChanges;
  side(ALICE, 'dingtalk').userCreate(note('Polled during'));
  expect(await processWork(deps, hint(ALICE, 'dingtalk', 'poll'))).toEqual({ status: 'paused' });
  expect(side(ALICE, 'dingtalk').calls.listChanges).toBe(listed);
  const [next] = queue.take();
  expect(next).toMatchObject({ pairId: ALICE, side: 'dingtalk', reason: 'poll' });
  expect(next.hintedAt!).toBeGreaterThan(clock.now());

  await admin('resume');
  clock.set(Math.max(clock.now(), next.hintedAt!));
  expect(await processWork(deps, next)).toMatchObject({ status: 'synced', writes: 1 });
  expect(titles(ALICE, 'outlook')).toContain('Polled during');
});

test('the worker reads the switch once per 30 s per instance, paused or not: no table read per message', async () => {
  await warmUp();
  const reads = controlReads;
  await run(await changeEverywhere('Cached'));
  expect(controlReads).toBe(reads);

  // A pause takes hold once the cached copy runs out, i.e. within a minute, and costs one read per expiry.
  await s.stores.control.update((c) => ({ ...c, paused: true }), clock.now());
  clock.advance(CACHE_EXPIRY_MS);
  expect((await run(await changeEverywhere('Paused'))).map((o) => o.status)).toEqual(Array(4).fill('paused'));
  expect(controlReads).toBe(reads + 1);
});

test('the control row holds the full 1,000 user entries and round-trips them', async () => {
  const entries = Array.from(
    { length: 1000 },
    (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}|calendar`,
  );
  await s.stores.control.update((c) => ({ ...c, pausedKinds: ['todo'], pausedPairs: entries }), clock.now());
  const read = await s.stores.control.read();
  expect(read.pausedPairs).toEqual(entries);
  expect(read.pausedKinds).toEqual(['todo']);
  expect(read.changedAt).toBe(clock.now());

  const resumed = await s.stores.control.update((c) => ({ ...c, pausedPairs: [] }), clock.now() + 1);
  expect(resumed.before.pausedPairs).toHaveLength(1000);
  // Replaced, not merged: no chunk of the longer list is left behind.
  expect(await s.stores.control.read()).toEqual({
    paused: false,
    pausedKinds: ['todo'],
    pausedPairs: [],
    changedAt: clock.now() + 1,
  });
});
