import { World } from '../../property/support/world';

/** "No loops": our own writes come back as changes on the other side and must be recognised as ours. */
describe('echo suppression', () => {
  test('an item created on one side is copied once, and its echo writes nothing', async () => {
    const world = new World();
    const created = world.sides.dingtalk.userCreate({ uid: 'u1', title: 'Standup', body: '' });

    await world.pull('dingtalk');
    const copies = world.sides.outlook.liveItems();
    expect(copies.map((item) => item.projection)).toEqual([created.projection]);
    expect(world.remoteWrites()).toBe(1);

    const echo = await world.pull('outlook');
    expect(echo.result?.stats.actions).toEqual({ 'no-op': 1 });
    await world.pull('dingtalk');
    expect(world.remoteWrites()).toBe(1);
    expect(world.divergences()).toEqual([]);
  });

  test('a version bump over unchanged content refreshes the link and writes nothing', async () => {
    const world = new World();
    const item = world.sides.outlook.userCreate({ uid: 'u1', title: 'Review', body: 'b' });
    await world.quiesce();
    const writes = world.remoteWrites();

    world.sides.outlook.userTouch(item.id);
    const outcome = await world.pull('outlook');
    expect(outcome.result?.stats.actions).toEqual({ refresh: 1 });
    expect(world.remoteWrites()).toBe(writes);

    // The refreshed version is now the one on record: pulling again sees nothing new.
    world.sides.outlook.userTouch(item.id);
    await world.quiesce();
    expect(world.remoteWrites()).toBe(writes);
  });

  test('an edit travels to the other side once, and bouncing back is a no-op', async () => {
    const world = new World();
    const item = world.sides.dingtalk.userCreate({ uid: 'u1', title: 'Old', body: '' });
    await world.quiesce();
    const writes = world.remoteWrites();

    world.sides.dingtalk.userUpdate(item.id, { uid: 'u1', title: 'New', body: '' });
    const rounds = await world.quiesce();
    expect(rounds).toBe(2);
    expect(world.remoteWrites()).toBe(writes + 1);
    expect(world.sides.outlook.liveItems()[0]!.projection.title).toBe('New');
  });

  test('the same edit made on both sides is recognised and not written back', async () => {
    const world = new World();
    const d = world.sides.dingtalk.userCreate({ uid: 'u1', title: 'Old', body: '' });
    await world.quiesce();
    const o = world.sides.outlook.liveItems()[0]!;
    const writes = world.remoteWrites();

    world.sides.dingtalk.userUpdate(d.id, { uid: 'u1', title: 'Same', body: '' });
    world.sides.outlook.userUpdate(o.id, { uid: 'u1', title: 'Same', body: '' });
    const outcome = await world.pull('dingtalk');
    expect(outcome.result?.stats.actions).toEqual({ refresh: 1 });
    await world.quiesce();
    expect(world.remoteWrites()).toBe(writes);
    expect(world.audit.rows.filter((row) => row.action === 'conflict')).toEqual([]);
  });
});
