import fs from 'node:fs';
import path from 'node:path';
import { NOT_CREATED } from '../../../shared/sync/dry-run';
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
      reason: expect.stringMatching(/^skip: .*unlinked$/),
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

test('dry run is decided in one place: the guard the pull puts around sides, links and intents', () => {
  const dir = path.join(__dirname, '../../../shared/sync');
  const deciding = fs
    .readdirSync(dir)
    .filter((file) => /\bdryRun\b/.test(fs.readFileSync(path.join(dir, file), 'utf8')))
    .sort();
  // pull.ts applies the guard and reports the outcome; audit-rows.ts names each row a dry-run row; types.ts declares it.
  expect(deciding).toEqual(['audit-rows.ts', 'pull.ts', 'types.ts']);
});

test('the guard answers writes without making them, and reads go through', async () => {
  const world = new World({ dryRun: true });
  world.sides.outlook.userCreate({ uid: 'u1', title: 'there', body: '' });
  world.sides.dingtalk.userCreate({ uid: 'u2', title: 'here', body: '' });
  await world.pull('dingtalk');
  expect(world.sides.outlook.calls.listChanges).toBeGreaterThan(0);
  expect(world.sides.outlook.calls.create).toBe(0);
  expect(world.audit.rows.find((r) => r.reason.startsWith('create:'))).toMatchObject({
    action: 'dry-run',
    dingtalkId: 'd1',
    outlookId: NOT_CREATED,
  });
});
