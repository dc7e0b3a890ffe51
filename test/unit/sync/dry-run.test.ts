import { World } from '../../property/support/world';

describe('dry run', () => {
  test('reports every write a first sync would do, writes nothing, and leaves the cursor alone', async () => {
    const world = new World({ dryRun: true });
    world.sides.dingtalk.userCreate({ uid: 'u1', title: 'on both', body: '' });
    world.sides.outlook.userCreate({ uid: 'u1', title: 'on both', body: '' });
    world.sides.dingtalk.userCreate({ uid: 'u2', title: 'dingtalk only', body: '' });
    world.sides.dingtalk.userCreate({ uid: 'u3', title: 'different', body: 'x' });
    world.sides.outlook.userCreate({ uid: 'u3', title: 'different', body: 'y' });

    const outcome = await world.pull('dingtalk');
    expect(outcome.result).toEqual({ outcome: 'dry-run', resynced: false, stats: expect.any(Object) });
    expect(world.remoteWrites()).toBe(0);
    expect(world.links.all()).toEqual([]);
    expect(world.intentStore.all()).toEqual([]);
    expect(world.cursors.dingtalk).toBeUndefined();

    expect(world.audit.rows.every((row) => row.action === 'dry-run')).toBe(true);
    const plan = world.audit.rows.map((row) => `${row.reason.split(':')[0]} ${row.dingtalkId}`).sort();
    expect(plan).toEqual(['conflict d3', 'create d2', 'link d1', 'update d3']);
  });

  test('the real pull then does what the dry run announced', async () => {
    const world = new World();
    for (let n = 1; n <= 3; n += 1) world.sides.outlook.userCreate({ uid: `u${n}`, title: 't', body: '' });
    await world.pull('outlook', { policy: { dryRun: true } });
    const announced = world.audit.rows.filter((row) => row.reason.startsWith('create:')).length;
    await world.pull('outlook');
    expect(announced).toBe(3);
    expect(world.sides.dingtalk.calls.create).toBe(announced);
  });

  test('a dry run of deletes and of delete policy ignore writes nothing either', async () => {
    const world = new World({ deletes: 'ignore' });
    world.sides.dingtalk.userCreate({ uid: 'u1', title: 't', body: '' });
    await world.quiesce();
    world.sides.dingtalk.userDelete('d1');
    const saves = world.links.saves;
    await world.pull('dingtalk', { policy: { dryRun: true } });
    expect(world.links.saves).toBe(saves);
    expect(world.audit.rows.at(-1)).toMatchObject({
      action: 'dry-run',
      reason: expect.stringMatching(/^unlink: /),
    });
    await world.pull('dingtalk', { policy: { dryRun: true, deletes: 'propagate' } });
    expect(world.audit.rows.at(-1)).toMatchObject({
      action: 'dry-run',
      side: 'outlook',
      reason: expect.stringMatching(/^delete: /),
    });
    expect(world.sides.outlook.liveItems()).toHaveLength(1);
  });
});
