import { runPull } from '../../../shared/sync/pull';
import { World, USER } from '../../property/support/world';

/**
 * A full listing reads the other side's folder only when one of its items has no link to match: Outlook's calendar
 * window moves on once a day and lists everything again, and reading DingTalk for it would cost a metered listing per
 * person per day (shared/sync/pull.ts).
 */

async function syncedWorld(): Promise<World> {
  const world = new World();
  for (let n = 1; n <= 5; n += 1) world.sides.dingtalk.userCreate({ uid: `d${n}`, title: `t${n}`, body: '' });
  for (let n = 1; n <= 5; n += 1) world.sides.outlook.userCreate({ uid: `o${n}`, title: `t${n}`, body: '' });
  await world.quiesce();
  expect(world.divergences()).toEqual([]);
  return world;
}

test('a full listing whose every item is linked does not read the other side, and changes nothing', async () => {
  const world = await syncedWorld();
  const listingsBefore = world.sides.dingtalk.calls.listChanges;
  const writesBefore = world.remoteWrites();
  delete world.cursors.outlook; // as when the window moves: the next pull lists the folder in full

  const { result } = await world.pull('outlook');

  expect(result?.outcome).toBe('synced');
  expect(world.sides.dingtalk.calls.listChanges).toBe(listingsBefore);
  expect(world.remoteWrites()).toBe(writesBefore);
  expect(world.divergences()).toEqual([]);
});

test('an unlinked item in a full listing still has the other side read, and is matched, not copied twice', async () => {
  const world = await syncedWorld();
  // The same meeting entered on both sides while neither was synced (each side's pull has not run yet).
  world.sides.dingtalk.userCreate({ uid: 'both', title: 'planning', body: '' });
  world.sides.outlook.userCreate({ uid: 'both', title: 'planning', body: '' });
  const listingsBefore = world.sides.dingtalk.calls.listChanges;
  const createsBefore = world.sides.dingtalk.calls.create + world.sides.outlook.calls.create;
  delete world.cursors.outlook;

  const { result } = await world.pull('outlook');

  expect(result?.stats.actions).toMatchObject({ link: 1 });
  expect(world.sides.dingtalk.calls.listChanges).toBeGreaterThan(listingsBefore);
  expect(world.sides.dingtalk.calls.create + world.sides.outlook.calls.create).toBe(createsBefore);
  await world.quiesce();
  expect(world.divergences()).toEqual([]);
});

test('where a full listing proves nothing about unlisted items (mail), the other side is read even when all is linked', async () => {
  const world = await syncedWorld();
  const listingsBefore = world.sides.dingtalk.calls.listChanges;

  await runPull({
    user: USER,
    pulled: { adapter: world.sides.outlook, folder: 'calendar' },
    other: { adapter: world.sides.dingtalk, folder: 'primary' },
    cursor: undefined,
    links: world.links,
    intents: world.intentStore,
    audit: world.audit,
    policy: world.policy,
    now: () => world.clock.now(),
    proveMissing: false,
  });

  // Renumbered ids (an IMAP folder's new UIDVALIDITY) are told by the other side's items.
  expect(world.sides.dingtalk.calls.listChanges).toBeGreaterThan(listingsBefore);
});
