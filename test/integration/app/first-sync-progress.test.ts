import { FOLDERS } from '../../../shared/app/folders';
import { CHECKPOINT_LINKS } from '../../../shared/app/pipeline/first-sync-progress';
import { processWork, type EndpointsFor, type WorkerDeps } from '../../../shared/app/worker';
import { ManualClock } from '../../../shared/platform/clock';
import { PairStateStore, type LinkWrite, type PairState } from '../../../shared/store/pair-state-store';
import { tableNames } from '../../../shared/store/table-names';
import type { WorkItem } from '../../../shared/store/types';
import type { SideEndpoint } from '../../../shared/sync';
import type { Side, SyncPolicy } from '../../../shared/sync/types';
import { FaultPlan, LogicalClock, SimulatedCrash } from '../../property/support/faults';
import { MemorySide } from '../../property/support/memory-side';
import { DEFAULT_POLICY, noteMatchKeys, type Note } from '../../property/support/world';
import { freshAppStores, pairFor, type AppStores } from './support';

/**
 * The first sync's progress on the state row (firstSyncTotal, firstSyncDone), as the worker records it with real
 * stores (Azurite) and in-memory sides that list three items a page: the total is the whole listing's, checkpoints
 * show it growing during a pull, and pulls cut short by a throttle or a crash leave figures the next pull carries on.
 */

const PAIR = 'pair-progress';
const FOLDER = FOLDERS.calendar;
const POLICY: SyncPolicy = DEFAULT_POLICY;
const ITEMS = 100;

/** A process that can die: once dead, it writes nothing more to the state partition. */
class MortalPairStateStore extends PairStateStore {
  dead = false;

  override async write(state: PairState, links: LinkWrite[] = []): Promise<PairState> {
    if (this.dead) throw new SimulatedCrash('pairstate write after the process died');
    return super.write(state, links);
  }
}

let s: AppStores;
let clock: ManualClock;
let faults: FaultPlan;
let sides: Record<Side, MemorySide<Note>>;

beforeEach(async () => {
  s = freshAppStores();
  clock = new ManualClock();
  faults = new FaultPlan();
  const logical = new LogicalClock();
  sides = {
    dingtalk: new MemorySide<Note>('dingtalk', 'calendar', logical, faults, noteMatchKeys),
    outlook: new MemorySide<Note>('outlook', 'calendar', logical, faults, noteMatchKeys),
  };
  await s.stores.users.save(pairFor(PAIR));
  for (let i = 0; i < ITEMS; i++) sides.dingtalk.userCreate({ uid: `u${i}`, title: `t${i}`, body: '' });
});

/** One worker instance: a fresh process memory, with its own (mortal) handle on the state table. */
function instance(): { deps: WorkerDeps; store: MortalPairStateStore } {
  const store = new MortalPairStateStore(s.storage, tableNames(s.prefix).pairState);
  const endpoint = (side: Side) => ({ adapter: sides[side], folder: FOLDER[side] }) as SideEndpoint<unknown>;
  const endpoints: EndpointsFor = (kind) =>
    kind === 'calendar' ? { dingtalk: endpoint('dingtalk'), outlook: endpoint('outlook') } : undefined;
  const deps: WorkerDeps = {
    stores: { ...s.stores, pairState: store },
    endpoints,
    policy: POLICY,
    log: s.log,
    now: () => clock.now(),
  };
  return { deps, store };
}

const folderOf = (side: Side) => ({ pairId: PAIR, kind: 'calendar' as const, side, folder: FOLDER[side] });
const work = (side: Side, reason = 'first-sync', extra: Partial<WorkItem> = {}): WorkItem => ({
  ...folderOf(side),
  reason,
  hintedAt: clock.now(),
  ...extra,
});
const stored = async (side: Side = 'dingtalk') =>
  (await s.stores.pairState.load(PAIR, 'calendar')).state.sides[side];
const figures = async (side: Side = 'dingtalk') => {
  const { firstSyncTotal, firstSyncDone } = await stored(side);
  return { firstSyncTotal, firstSyncDone };
};

/** Reads the stored figures right before the n-th copy reaches Outlook (i.e. with n - 1 copies made). */
function figuresBeforeCopy(...at: number[]): Array<Promise<Awaited<ReturnType<typeof figures>>>> {
  const original = sides.outlook.create.bind(sides.outlook);
  const seen = at.map(() => {
    let resolve!: (value: Awaited<ReturnType<typeof figures>>) => void;
    return { promise: new Promise<Awaited<ReturnType<typeof figures>>>((r) => (resolve = r)), resolve };
  });
  let copies = 0;
  sides.outlook.create = async (...args) => {
    copies += 1;
    const index = at.indexOf(copies);
    if (index >= 0) seen[index].resolve(await figures());
    return original(...args);
  };
  return seen.map((x) => x.promise);
}

test('the total is the whole listing; done grows at checkpoints; a throttled pull keeps its figures and the retry ends at total / total', async () => {
  const [atFirst, atFifty] = figuresBeforeCopy(1, 50);
  faults.arm({ atStep: 'outlook.create', occurrence: 70, kind: 'throttle' });
  const { deps } = instance();

  expect((await processWork(deps, work('dingtalk'))).status).toBe('failed');
  // The claim before the first copy carries the total of all 34 pages; the checkpoint after 45 settled items, the 45.
  expect(await atFirst).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: 0 });
  expect(await atFifty).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: CHECKPOINT_LINKS });
  // The failed pull's commit: 69 copies made and linked, the 70th throttled; no cursor, so the first sync goes on.
  expect(await figures()).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: 69 });
  expect((await stored()).cursor).toBeUndefined();
  expect(sides.outlook.liveItems()).toHaveLength(69);

  // The retry lists everything again: the 69 linked items first, then the rest.
  faults.disarm();
  const [atRetry] = figuresBeforeCopy(1);
  clock.advance(60_000);
  expect(await processWork(instance().deps, work('dingtalk', 'retry'))).toMatchObject({ status: 'synced' });
  expect(await atRetry).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: 69 });
  expect(await figures()).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: ITEMS });
  expect((await stored()).cursor).toBeDefined();
  expect(sides.outlook.liveItems()).toHaveLength(ITEMS);

  // The other side's first sync: its 100 items are the copies, all linked already.
  expect((await processWork(instance().deps, work('outlook'))).status).toBe('synced');
  expect(await figures('outlook')).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: ITEMS });
});

test('a crash mid-way leaves the last checkpoint; the re-run after it finishes with nothing copied twice', async () => {
  const { deps, store } = instance();
  const original = sides.outlook.create.bind(sides.outlook);
  let copies = 0;
  sides.outlook.create = async (...args) => {
    const made = await original(...args);
    // The process dies right after its 70th copy: no commit, no failure record, nothing more.
    if (++copies === 70) {
      store.dead = true;
      throw new SimulatedCrash('outlook.create (after its effect)');
    }
    return made;
  };
  await expect(processWork(deps, work('dingtalk'))).rejects.toThrow(SimulatedCrash);
  expect(await figures()).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: CHECKPOINT_LINKS });
  expect((await stored()).cursor).toBeUndefined();
  sides.outlook.create = original;

  // Another instance, once the dead one's lease ran out: crash recovery links the copies the checkpoint missed.
  clock.advance(10 * 60_000);
  expect((await processWork(instance().deps, work('dingtalk', 'retry'))).status).toBe('synced');
  expect(await figures()).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: ITEMS });
  expect(sides.outlook.liveItems()).toHaveLength(ITEMS);
  expect(new Set(sides.outlook.liveItems().map((i) => i.projection.title)).size).toBe(ITEMS);
});

test('a side that finished its first sync keeps its figures: later pulls and a resync leave them alone', async () => {
  const { deps } = instance();
  await processWork(deps, work('dingtalk'));
  expect(await figures()).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: ITEMS });
  clock.advance(60_000);
  sides.dingtalk.userCreate({ uid: 'late', title: 'late', body: '' });
  expect(await processWork(deps, work('dingtalk', 'callback'))).toMatchObject({
    status: 'synced',
    writes: 1,
  });
  clock.advance(60_000);
  expect((await processWork(deps, work('dingtalk', 'resync', { resync: true }))).status).toBe('synced');
  expect(await figures()).toEqual({ firstSyncTotal: ITEMS, firstSyncDone: ITEMS });
});

test('an empty folder records 0 of 0, and a dry run records nothing', async () => {
  const empty = new MemorySide<Note>('outlook', 'calendar', new LogicalClock(), faults, noteMatchKeys);
  sides.dingtalk = new MemorySide<Note>('dingtalk', 'calendar', new LogicalClock(), faults, noteMatchKeys);
  sides.outlook = empty;
  const dry = instance();
  dry.deps.policy = { ...POLICY, dryRun: true };
  sides.dingtalk.userCreate({ uid: 'x', title: 'x', body: '' });
  expect((await processWork(dry.deps, work('dingtalk'))).status).toBe('dry-run');
  expect(await figures()).toEqual({ firstSyncTotal: undefined, firstSyncDone: undefined });

  clock.advance(60_000);
  expect((await processWork(instance().deps, work('outlook'))).status).toBe('synced');
  expect(await figures('outlook')).toEqual({ firstSyncTotal: 0, firstSyncDone: 0 });
});
