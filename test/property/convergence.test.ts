import fc from 'fast-check';
import type { ConflictPolicy, DeletePolicy, Side } from '../../shared/sync/types';
import type { Fault, FaultKind } from './support/faults';
import { World, type Note } from './support/world';
import { fastCheckRuns, runsFrom } from '../support/randomness';

/**
 * Model-based proof of the sync contract (DESIGN §4.1-4.4): random interleavings of user edits on both sides and
 * worker pulls, with notifications dropped/duplicated/reordered (= pulls skipped, repeated, reordered), 429/5xx,
 * timeouts after the effect, expired cursors and crashes between any two port calls. After quiet, both sides hold
 * the same projections, nothing is duplicated, nothing the users kept is lost, and nothing is written again.
 */
const RUNS = runsFrom('PROPERTY_RUNS', 200);

type Command =
  | { t: 'create'; side: Side; title: string }
  | { t: 'update'; side: Side; pick: number; title: string; body: string }
  | { t: 'touch'; side: Side; pick: number }
  | { t: 'delete'; side: Side; pick: number }
  | { t: 'expire'; side: Side }
  | { t: 'pull'; side: Side; fault?: Fault; dryRun: boolean; breakerShare: number };

const side = fc.constantFrom<Side>('dingtalk', 'outlook');
// A tiny alphabet makes equal content on both sides (and equal edits) common.
const text = fc.constantFrom('', 'a', 'b', 'ab');
const faultKind = fc.constantFrom<FaultKind>(
  'crash-before',
  'crash-after',
  'throttle',
  'server-error',
  'timeout-after',
);
const fault = fc.record({ atCall: fc.integer({ min: 1, max: 30 }), kind: faultKind });

const commands = (withTouches: boolean): fc.Arbitrary<Command[]> =>
  fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ t: fc.constant('create' as const), side, title: text }) },
      {
        weight: 3,
        arbitrary: fc.record({
          t: fc.constant('update' as const),
          side,
          pick: fc.nat(),
          title: text,
          body: text,
        }),
      },
      {
        weight: withTouches ? 1 : 0,
        arbitrary: fc.record({ t: fc.constant('touch' as const), side, pick: fc.nat() }),
      },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('delete' as const), side, pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant('expire' as const), side }) },
      {
        weight: 6,
        arbitrary: fc.record({
          t: fc.constant('pull' as const),
          side,
          fault: fc.option(fault, { freq: 2, nil: undefined }),
          dryRun: fc.boolean(),
          breakerShare: fc.constantFrom(1, 1, 0.5),
        }),
      },
    ),
    { maxLength: 30 },
  );

/** Items that exist before the first sync: on one side, or on both with equal or different content. */
const seed = fc.record({
  on: fc.constantFrom<'dingtalk' | 'outlook' | 'both'>('dingtalk', 'outlook', 'both'),
  sameContent: fc.boolean(),
  title: text,
});

const scenario = (options: { conflict: fc.Arbitrary<ConflictPolicy>; withTouches: boolean }) =>
  fc.record({
    uniqueEdits: fc.constant(!options.withTouches),
    conflict: options.conflict,
    deletes: fc.constantFrom<DeletePolicy>('propagate', 'ignore'),
    pageSize: fc.constantFrom(2, 3, 50),
    seeds: fc.array(seed, { maxLength: 6 }),
    commands: commands(options.withTouches),
  });

type Scenario = {
  /** Every edit writes new content: an edit back to the synced content (A→B→A) is rightly no change at all. */
  uniqueEdits: boolean;
  conflict: ConflictPolicy;
  deletes: DeletePolicy;
  pageSize: number;
  seeds: Array<{ on: 'dingtalk' | 'outlook' | 'both'; sameContent: boolean; title: string }>;
  commands: Command[];
};

async function play(s: Scenario): Promise<void> {
  const world = new World({ conflict: s.conflict, deletes: s.deletes }, { pageSize: s.pageSize });
  let uid = 0;
  const deletedByUsers = new Set<string>();
  /** The content of each item's most recent user edit: what "newest wins" must end with. */
  const latestEdit = new Map<string, Note>();
  let edits = 0;
  const note = (title: string): Note => ({ uid: `u${++uid}`, title, body: '' });
  const userCreate = (target: Side, n: Note) => {
    world.sides[target].userCreate(n);
    latestEdit.set(n.uid, n);
  };

  for (const item of s.seeds) {
    const n = note(item.title);
    if (item.on !== 'outlook') userCreate('dingtalk', n);
    if (item.on !== 'dingtalk') userCreate('outlook', item.sameContent ? n : { ...n, body: 'other' });
  }

  for (const c of s.commands) {
    const items =
      c.t === 'create' || c.t === 'expire' || c.t === 'pull' ? [] : world.sides[c.side].liveItems();
    const picked = items.length > 0 && 'pick' in c ? items[c.pick % items.length] : undefined;
    switch (c.t) {
      case 'create':
        userCreate(c.side, note(c.title));
        break;
      case 'update':
        if (picked) {
          const body = s.uniqueEdits ? `edit ${++edits}` : c.body;
          const edited = { ...picked.projection, title: c.title, body };
          world.sides[c.side].userUpdate(picked.id, edited);
          latestEdit.set(edited.uid, edited);
        }
        break;
      case 'touch':
        if (picked) world.sides[c.side].userTouch(picked.id);
        break;
      case 'delete':
        if (picked) {
          world.sides[c.side].userDelete(picked.id);
          deletedByUsers.add(picked.projection.uid);
        }
        break;
      case 'expire':
        world.sides[c.side].expireCursors();
        break;
      case 'pull':
        await pullAndCheckSafety(world, c);
        break;
    }
  }

  await world.quiesce();
  expect(world.divergences()).toEqual([]);

  // Nothing lost: every item no user deleted exists on both sides.
  for (const target of ['dingtalk', 'outlook'] as const) {
    const present = new Set(world.sides[target].liveItems().map((item) => item.projection.uid));
    for (let n = 1; n <= uid; n += 1) {
      if (!deletedByUsers.has(`u${n}`))
        expect({ side: target, uid: `u${n}`, present: present.has(`u${n}`) }).toEqual({
          side: target,
          uid: `u${n}`,
          present: true,
        });
    }
  }

  // Newest wins: without bumps on unsynced fields (which move modifiedAt too), the latest edit is what remains.
  const touched = s.commands.some((c) => c.t === 'touch');
  if (s.conflict === 'newest-wins' && s.uniqueEdits && !touched) {
    for (const target of ['dingtalk', 'outlook'] as const) {
      for (const item of world.sides[target].liveItems()) {
        if (!deletedByUsers.has(item.projection.uid))
          expect(item.projection).toEqual(latestEdit.get(item.projection.uid));
      }
    }
  }

  // No write without a source change: one more round after quiet writes nothing at all...
  const before = world.activity();
  await world.pull('dingtalk');
  await world.pull('outlook');
  expect(world.activity()).toBe(before);

  // ...and neither do version bumps on unsynced fields, of every item on one side, whatever history led here.
  const writes = world.remoteWrites();
  for (const target of ['dingtalk', 'outlook'] as const) {
    for (const item of world.sides[target].liveItems()) world.sides[target].userTouch(item.id);
    await world.quiesce();
    expect(world.remoteWrites()).toBe(writes);
  }
}

/** A dry-run or breaker pull must not write; a pull that failed must not move the cursor. */
async function pullAndCheckSafety(world: World, c: Extract<Command, { t: 'pull' }>): Promise<void> {
  const writesBefore = world.remoteWrites();
  const linkSavesBefore = world.links.saves;
  const cursorBefore = world.cursors[c.side];
  const outcome = await world.pull(c.side, {
    fault: c.fault,
    policy: { dryRun: c.dryRun, bulkDeleteMaxShare: c.breakerShare },
  });
  if (outcome.error && !World.isInjected(outcome.error)) throw outcome.error.cause;
  if (outcome.result?.outcome === 'dry-run' || outcome.result?.outcome === 'breaker') {
    expect({ writes: world.remoteWrites(), linkSaves: world.links.saves }).toEqual({
      writes: writesBefore,
      linkSaves: linkSavesBefore,
    });
  }
  if (outcome.result?.outcome !== 'synced') expect(world.cursors[c.side]).toBe(cursorBefore);
}

const anyPolicy = fc.constantFrom<ConflictPolicy>('newest-wins', 'prefer-dingtalk', 'prefer-outlook');

test(`convergence under random edits, pulls and faults, any conflict policy (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(scenario({ conflict: anyPolicy, withTouches: true }), play),
    fastCheckRuns(RUNS),
  );
});

test(`newest wins: the latest edit survives every interleaving and fault (${RUNS} runs)`, async () => {
  const newestWins = fc.constant<ConflictPolicy>('newest-wins');
  await fc.assert(
    fc.asyncProperty(scenario({ conflict: newestWins, withTouches: false }), play),
    fastCheckRuns(RUNS),
  );
});

test('a pair synced from identical calendars never writes, whatever pulls, bumps, expiries and crashes follow', async () => {
  const quietCommand = fc.oneof(
    fc.record({ t: fc.constant('touch' as const), side, pick: fc.nat() }),
    fc.record({ t: fc.constant('expire' as const), side }),
    fc.record({ t: fc.constant('pull' as const), side, fault: fc.option(fault, { nil: undefined }) }),
  );
  const titles = fc.array(text, { minLength: 1, maxLength: 8 });
  await fc.assert(
    fc.asyncProperty(titles, fc.array(quietCommand, { maxLength: 25 }), async (seedTitles, commands) => {
      const world = new World();
      seedTitles.forEach((title, n) => {
        world.sides.dingtalk.userCreate({ uid: `u${n}`, title, body: '' });
        world.sides.outlook.userCreate({ uid: `u${n}`, title, body: '' });
      });
      for (const c of commands) {
        if (c.t === 'touch') {
          const items = world.sides[c.side].liveItems();
          if (items.length > 0) world.sides[c.side].userTouch(items[c.pick % items.length]!.id);
        } else if (c.t === 'expire') world.sides[c.side].expireCursors();
        else {
          const outcome = await world.pull(c.side, { fault: c.fault });
          if (outcome.error && !World.isInjected(outcome.error)) throw outcome.error.cause;
        }
      }
      await world.quiesce();
      expect(world.remoteWrites()).toBe(0);
      expect(world.divergences()).toEqual([]);
    }),
    fastCheckRuns(Math.ceil(RUNS / 2)),
  );
});
