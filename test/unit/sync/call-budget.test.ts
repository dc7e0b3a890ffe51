import { World } from '../../property/support/world';

/**
 * DESIGN §8: remote calls per synced change. Each path is pinned to its exact calls, in a delta pull (full
 * listings add one listing of the other side per pull). The engine's calls to its link and intent stores are pinned
 * too; what they cost in Table Storage is the worker's unit of work, counted end to end in
 * test/e2e/table-budget.test.ts.
 */
async function synced() {
  const world = new World();
  world.sides.dingtalk.userCreate({ uid: 'u1', title: 'v1', body: '' });
  await world.quiesce();
  return world;
}

const storeCalls = (world: World) =>
  world.faults.steps.filter(
    (step) =>
      step.startsWith('links.') || step.startsWith('intents.get') || /intents\.(put|remove)/.test(step),
  );

describe('calls per synced change', () => {
  test('a new item: one create on the other side, and four store calls of the engine', async () => {
    const world = await synced();
    world.sides.dingtalk.userCreate({ uid: 'u2', title: 'new', body: '' });
    await world.pull('dingtalk');
    expect(world.callsOn('outlook')).toEqual(['outlook.create']);
    expect(world.callsOn('dingtalk')).toEqual([]);
    expect(storeCalls(world)).toEqual(['links.findBySideId', 'intents.put', 'links.save', 'intents.remove']);
  });

  test('an edit: one read and one update of the other side, and two store calls', async () => {
    const world = await synced();
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'v2', body: '' });
    await world.pull('dingtalk');
    expect(world.callsOn('outlook')).toEqual(['outlook.get', 'outlook.update']);
    expect(world.callsOn('dingtalk')).toEqual([]);
    expect(storeCalls(world)).toEqual(['links.findBySideId', 'links.save']);
  });

  test('a conflict the other side wins: one read there, one update here', async () => {
    const world = await synced();
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'dingtalk', body: '' });
    world.sides.outlook.userUpdate('o1', { uid: 'u1', title: 'outlook', body: '' });
    await world.pull('dingtalk');
    expect(world.callsOn('outlook')).toEqual(['outlook.get']);
    expect(world.callsOn('dingtalk')).toEqual(['dingtalk.update']);
  });

  test('a delete: one read and one delete of the other side', async () => {
    const world = await synced();
    world.sides.outlook.userDelete('o1');
    await world.pull('outlook');
    expect(world.callsOn('dingtalk')).toEqual(['dingtalk.get', 'dingtalk.delete']);
  });

  test('an echo of our own write or a bump on unsynced fields: no remote call at all', async () => {
    const world = await synced();
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'v2', body: '' });
    await world.pull('dingtalk');
    await world.pull('outlook');
    expect([...world.callsOn('outlook'), ...world.callsOn('dingtalk')]).toEqual([]);
    world.sides.outlook.userTouch('o1');
    await world.pull('outlook');
    expect([...world.callsOn('outlook'), ...world.callsOn('dingtalk')]).toEqual([]);
  });
});
