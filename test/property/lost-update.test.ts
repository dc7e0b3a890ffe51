import fc from 'fast-check';
import type { ConflictPolicy, DeletePolicy, Side } from '../../shared/sync/types';
import { fastCheckRuns, runsFrom } from '../support/randomness';
import { World, type Note } from './support/world';

/**
 * No lost updates: a person's edit that lands between the engine's read of an item and its write to that item (the
 * race every two-way sync has) is never silently overwritten. The in-memory sides honour expectedVersion as the real
 * ones do (If-Match on Graph, a re-read on DingTalk). After quiet, the racing edit is what both sides hold, or the
 * engine saw it and recorded the conflict its policy decided; under "newest wins" it must be what both sides hold
 * (unless a racing version bump, which moves modifiedAt too, made the other side the newer one).
 */
const RUNS = runsFrom('PROPERTY_RUNS', 200);

type Command =
  | { t: 'create'; side: Side; title: string }
  | { t: 'update'; side: Side; pick: number; title: string }
  | { t: 'delete'; side: Side; pick: number }
  /**
   * race: the next update or delete the engine sends to each side (in this pull or a later one) finds the item just
   * edited by its owner, or only touched (a version bump on fields the sync does not carry).
   */
  | { t: 'pull'; side: Side; race: boolean; touchOnly: boolean };

const side = fc.constantFrom<Side>('dingtalk', 'outlook');
const title = fc.constantFrom('', 'a', 'b');

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ t: fc.constant('create' as const), side, title }) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('update' as const), side, pick: fc.nat(), title }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), side, pick: fc.nat() }) },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('pull' as const),
      side,
      race: fc.boolean(),
      touchOnly: fc.boolean(),
    }),
  },
);

const scenario = fc.record({
  conflict: fc.constantFrom<ConflictPolicy>('newest-wins', 'prefer-dingtalk', 'prefer-outlook'),
  deletes: fc.constantFrom<DeletePolicy>('propagate', 'ignore'),
  seeds: fc.array(fc.record({ both: fc.boolean(), sameContent: fc.boolean() }), { maxLength: 4 }),
  /** Usually the seeds are synced before the commands, so that edits become updates of linked items. */
  syncedFirst: fc.boolean(),
  commands: fc.array(command, { maxLength: 30 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/** A racing edit, and the order of user actions at the moment it landed. */
interface Race {
  edit: Note;
  at: number;
}

/** Plays one scenario; returns how many engine writes met a racing edit or touch. */
async function play(s: Scenario): Promise<number> {
  const world = new World({ conflict: s.conflict, deletes: s.deletes }, { pageSize: 3 });
  let uid = 0;
  let edits = 0;
  /** Order of every user action, and the last one on each uid: a later action supersedes a racing edit. */
  let clock = 0;
  const lastAction = new Map<string, number>();
  const acted = (itemUid: string) => lastAction.set(itemUid, ++clock);
  const races: Race[] = [];
  let writesMet = 0;
  /** A touch moves modifiedAt too, so "newest" may then rightly be an item whose content is older. */
  let touched = false;

  for (const [n, seed] of s.seeds.entries()) {
    const note: Note = { uid: `u${++uid}`, title: `seed ${n}`, body: '' };
    world.sides.dingtalk.userCreate(note);
    if (seed.both) world.sides.outlook.userCreate(seed.sameContent ? note : { ...note, body: 'other' });
  }
  if (s.syncedFirst) await world.quiesce();

  for (const c of s.commands) {
    const items = 'pick' in c ? world.sides[c.side].liveItems() : [];
    const picked = items.length > 0 && 'pick' in c ? items[c.pick % items.length] : undefined;
    switch (c.t) {
      case 'create':
        world.sides[c.side].userCreate({ uid: `u${++uid}`, title: c.title, body: '' });
        break;
      case 'update':
        if (picked) {
          world.sides[c.side].userUpdate(picked.id, {
            ...picked.projection,
            title: c.title,
            body: `edit ${++edits}`,
          });
          acted(picked.projection.uid);
        }
        break;
      case 'delete':
        if (picked) {
          world.sides[c.side].userDelete(picked.id);
          acted(picked.projection.uid);
        }
        break;
      case 'pull': {
        for (const racing of c.race ? (['dingtalk', 'outlook'] as const) : []) {
          const target = world.sides[racing];
          target.beforeWrite = (_method, id) => {
            target.beforeWrite = undefined;
            const item = target.liveItems().find((candidate) => candidate.id === id);
            if (!item) return;
            writesMet += 1;
            if (c.touchOnly) {
              touched = true;
              return target.userTouch(id);
            }
            const edit = { ...item.projection, body: `race ${++edits}` };
            target.userUpdate(id, edit);
            acted(edit.uid);
            races.push({ edit, at: clock });
          };
        }
        const outcome = await world.pull(c.side);
        // A write that met an edit a second time, or a first-sync match that changed, fails the pull (retryable).
        if (outcome.error && !World.isInjected(outcome.error)) throw outcome.error.cause;
        break;
      }
    }
  }
  disarmRaces(world);

  await world.quiesce();
  expect(world.divergences()).toEqual([]);

  const held = [...world.sides.dingtalk.liveItems(), ...world.sides.outlook.liveItems()].map((item) =>
    JSON.stringify(item.projection),
  );
  const conflictDetails = world.audit.rows
    .filter((row) => row.action === 'conflict')
    .map((row) => row.detail ?? '');
  for (const race of races) {
    if (lastAction.get(race.edit.uid)! > race.at) continue; // its owner edited or deleted it again afterwards
    const kept = held.includes(JSON.stringify(race.edit));
    const audited = conflictDetails.some((detail) => detail.includes(`"${race.edit.body}"`));
    const policyMayOverrule = s.conflict !== 'newest-wins' || touched;
    expect({ race: race.edit, kept: kept || (policyMayOverrule && audited) }).toEqual({
      race: race.edit,
      kept: true,
    });
  }
  return writesMet;
}

/** The pulls that bring the sides to quiet meet no edits. */
function disarmRaces(world: World): void {
  world.sides.dingtalk.beforeWrite = undefined;
  world.sides.outlook.beforeWrite = undefined;
}

test(`an edit landing between the engine's read and its write is never silently overwritten (${RUNS} runs)`, async () => {
  let writesMet = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      writesMet += await play(s);
    }),
    fastCheckRuns(RUNS),
  );
  // The property is only worth something if writes really met racing edits.
  expect(writesMet).toBeGreaterThan(RUNS / 20);
});

test('the racing edit wins under newest-wins: the write is refused, decided again, and the edit is copied', async () => {
  const world = new World();
  world.sides.dingtalk.userCreate({ uid: 'u1', title: 'v1', body: '' });
  await world.quiesce();
  world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'from dingtalk', body: '' });
  world.sides.outlook.beforeWrite = (_method, id) => {
    world.sides.outlook.beforeWrite = undefined;
    world.sides.outlook.userUpdate(id, { uid: 'u1', title: 'typed in Outlook meanwhile', body: '' });
  };
  const outcome = await world.pull('dingtalk');
  expect(outcome.error).toBeUndefined();
  expect(world.callsOn('outlook')).toEqual(['outlook.get', 'outlook.update', 'outlook.get']);
  expect(world.callsOn('dingtalk')).toEqual(['dingtalk.update']);
  expect(world.sides.dingtalk.liveItems()[0]!.projection.title).toBe('typed in Outlook meanwhile');
  expect(world.sides.outlook.liveItems()[0]!.projection.title).toBe('typed in Outlook meanwhile');
  expect(world.audit.rows.filter((row) => row.action === 'conflict')).toHaveLength(1);
});

test('a delete that meets an edit is refused, and the edit is copied back (an edit beats a delete)', async () => {
  const world = new World();
  world.sides.dingtalk.userCreate({ uid: 'u1', title: 'v1', body: '' });
  await world.quiesce();
  world.sides.dingtalk.userDelete('d1');
  world.sides.outlook.beforeWrite = (_method, id) => {
    world.sides.outlook.beforeWrite = undefined;
    world.sides.outlook.userUpdate(id, { uid: 'u1', title: 'still needed', body: '' });
  };
  await world.pull('dingtalk');
  await world.quiesce();
  expect(world.sides.outlook.liveItems().map((item) => item.projection.title)).toEqual(['still needed']);
  expect(world.sides.dingtalk.liveItems().map((item) => item.projection.title)).toEqual(['still needed']);
  expect(world.divergences()).toEqual([]);
});

test('an item edited again after the re-read fails the pull as retryable and is not overwritten', async () => {
  const world = new World({ conflict: 'prefer-dingtalk' });
  world.sides.dingtalk.userCreate({ uid: 'u1', title: 'v1', body: '' });
  await world.quiesce();
  world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'from dingtalk', body: '' });
  let n = 0;
  world.sides.outlook.beforeWrite = (_method, id) =>
    world.sides.outlook.userUpdate(id, { uid: 'u1', title: `typed in Outlook ${++n}`, body: '' });
  const outcome = await world.pull('dingtalk');
  expect(outcome.error?.retryable).toBe(true);
  expect(world.sides.outlook.liveItems()[0]!.projection.title).toBe('typed in Outlook 2');
  world.sides.outlook.beforeWrite = undefined;
  await world.quiesce();
  expect(world.divergences()).toEqual([]);
});
