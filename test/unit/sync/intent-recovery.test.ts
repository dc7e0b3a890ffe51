import type { FaultKind } from '../../property/support/faults';
import { USER, World } from '../../property/support/world';

/** A synced-nothing world with one new DingTalk item, whose first pull dies at `step`. */
async function crashedCopy(
  step: string,
  kind: FaultKind,
  options: { deletes?: 'propagate' | 'ignore'; canList?: boolean } = {},
) {
  const world = new World(
    { deletes: options.deletes ?? 'propagate' },
    { intentsCanList: options.canList ?? true },
  );
  await world.quiesce(); // both cursors exist: what follows are deltas, where no matching happens
  world.sides.dingtalk.userCreate({ uid: 'u1', title: 'Board meeting', body: '' });
  const crashed = await world.pull('dingtalk', { fault: { atStep: step, kind } });
  expect(crashed.error).toBeDefined();
  return world;
}

describe('crash-safe creates', () => {
  test('the copy made just before a crash is found by its key and linked, not created again', async () => {
    const world = await crashedCopy('outlook.create', 'crash-after');
    expect(world.intentStore.all()).toHaveLength(1);
    const [copy] = world.sides.outlook.liveItems();
    expect(copy!.originKey).toBe(world.intentStore.all()[0]!.originKey);

    // The next run to come along is a pull of the other side: it replays the intent before listing anything.
    const outcome = await world.pull('outlook');
    expect(outcome.result?.stats.intentsReplayed).toBe(1);
    expect(world.sides.outlook.calls.create).toBe(1);
    expect(world.intentStore.all()).toEqual([]);
    expect(world.audit.rows.at(-1)).toMatchObject({
      action: 'create',
      reason: expect.stringContaining('crash recovery'),
    });
    await world.quiesce();
    expect(world.divergences()).toEqual([]);
    expect(world.sides.outlook.calls.create).toBe(1);
  });

  test('a create that never happened is made by the replay', async () => {
    const world = await crashedCopy('outlook.create', 'crash-before');
    expect(world.sides.outlook.liveItems()).toEqual([]);
    await world.pull('outlook');
    expect(world.sides.outlook.liveItems()).toHaveLength(1);
    expect(world.divergences()).toEqual([]);
  });

  test('when only the intent removal was lost, the replay drops the intent without remote calls', async () => {
    const world = await crashedCopy('intents.remove', 'crash-before');
    expect(world.links.all()).toHaveLength(1);
    await world.pull('dingtalk');
    expect(world.intentStore.all()).toEqual([]);
    expect(world.callsOn('outlook')).toEqual([]);
    expect(world.sides.outlook.calls.create).toBe(1);
  });

  test('a copy whose source was deleted before it got linked follows the delete policy', async () => {
    const propagate = await crashedCopy('links.save', 'crash-before');
    propagate.sides.dingtalk.userDelete('d1');
    propagate.sides.dingtalk.expireCursors(); // the deletion is never listed: only the replay can clean up
    await propagate.quiesce();
    expect(propagate.sides.outlook.liveItems()).toEqual([]);
    expect(propagate.divergences()).toEqual([]);

    const ignore = await crashedCopy('links.save', 'crash-before', { deletes: 'ignore' });
    ignore.sides.dingtalk.userDelete('d1');
    await ignore.quiesce();
    expect(ignore.sides.outlook.liveItems()).toHaveLength(1);
    expect(ignore.links.all().map((link) => [link.dingtalkId, link.outlookId])).toEqual([[undefined, 'o1']]);
    expect(ignore.divergences()).toEqual([]);
  });

  test('a source edited after the crash wins over the stale copy when they are joined', async () => {
    const world = await crashedCopy('links.save', 'crash-before');
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'Board meeting (moved)', body: '' });
    await world.pull('outlook');
    expect(world.sides.outlook.liveItems()[0]!.projection.title).toBe('Board meeting (moved)');
    expect(world.sides.outlook.calls.create).toBe(1);
  });

  test('a re-create interrupted before its link is finished by the replay (the intent names the dead id)', async () => {
    const world = new World();
    world.sides.dingtalk.userCreate({ uid: 'u1', title: 'v1', body: '' });
    await world.quiesce();
    world.sides.outlook.userDelete('o1');
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'v2', body: '' });
    await world.pull('dingtalk', { fault: { atStep: 'links.save', kind: 'crash-before' } });
    expect(world.intentStore.all()).toMatchObject([
      { targetSide: 'outlook', sourceId: 'd1', replacesId: 'o1' },
    ]);
    await world.quiesce();
    expect(world.divergences()).toEqual([]);
    expect(world.sides.outlook.liveItems().map((item) => item.projection.title)).toEqual(['v2']);
    expect(world.sides.outlook.calls.create).toBe(2);
  });

  test('without IntentStore.list, retrying the same pull still finds the copy instead of duplicating it', async () => {
    const world = await crashedCopy('outlook.create', 'timeout-after', { canList: false });
    await world.pull('dingtalk');
    expect(world.sides.outlook.calls.create).toBe(1);
    expect(world.sides.outlook.calls.findByOriginKey).toBe(1);
    expect(world.divergences()).toEqual([]);
  });

  test('re-processing an already processed page is idempotent', async () => {
    const world = new World();
    for (let n = 1; n <= 4; n += 1) world.sides.outlook.userCreate({ uid: `u${n}`, title: 't', body: '' });
    const cursor = world.cursors.outlook;
    await world.pull('outlook');
    const writes = world.remoteWrites();
    world.cursors.outlook = cursor; // as if the cursor save was lost in a crash
    await world.pull('outlook');
    expect(world.remoteWrites()).toBe(writes);
    expect(world.links.all()).toHaveLength(4);
    expect(await world.links.listLinks(USER, 'calendar')).toHaveLength(4);
  });
});
