import { BULK_DELETE_FLOOR, bulkDeleteTrips } from '../../../shared/sync/breaker';
import { World } from '../../property/support/world';

async function linkedItems(count: number, maxShare: number) {
  const world = new World({ bulkDeleteMaxShare: maxShare });
  for (let n = 1; n <= count; n += 1)
    world.sides.dingtalk.userCreate({ uid: `u${n}`, title: `t${n}`, body: '' });
  await world.quiesce();
  return world;
}

describe('bulk-delete breaker', () => {
  test('a pull that would delete more than the allowed share writes nothing, audits, and keeps the cursor', async () => {
    const world = await linkedItems(10, 0.5);
    for (let n = 1; n <= 7; n += 1) world.sides.dingtalk.userDelete(`d${n}`);
    const cursor = world.cursors.dingtalk;
    const writes = world.remoteWrites();
    const saves = world.links.saves;

    const outcome = await world.pull('dingtalk');
    expect(outcome.result).toMatchObject({ outcome: 'breaker', deletions: 7, links: 10 });
    expect(outcome.result).not.toHaveProperty('cursor');
    expect(world.cursors.dingtalk).toBe(cursor);
    expect({ writes: world.remoteWrites(), saves: world.links.saves }).toEqual({ writes, saves });
    expect(world.audit.rows.at(-1)).toMatchObject({ action: 'breaker', side: 'outlook' });
    expect(world.audit.rows.at(-1)!.reason).toContain('7 of 10');

    // It holds on every retry, until an admin raises the limit; then the same changes go through.
    expect((await world.pull('dingtalk')).result?.outcome).toBe('breaker');
    const released = await world.pull('dingtalk', { policy: { bulkDeleteMaxShare: 1 } });
    expect(released.result?.outcome).toBe('synced');
    expect(world.sides.outlook.liveItems()).toHaveLength(3);
  });

  test('small folders delete normally: the floor lets 1 of 2 (and 5 of 6) through', async () => {
    const two = await linkedItems(2, 0.1);
    two.sides.dingtalk.userDelete('d1');
    expect((await two.pull('dingtalk')).result?.outcome).toBe('synced');
    expect(two.sides.outlook.liveItems()).toHaveLength(1);

    const six = await linkedItems(6, 0.1);
    for (let n = 1; n <= BULK_DELETE_FLOOR; n += 1) six.sides.dingtalk.userDelete(`d${n}`);
    expect((await six.pull('dingtalk')).result?.outcome).toBe('synced');
  });

  test('deletes found by a resync count too', async () => {
    const world = await linkedItems(8, 0.5);
    for (let n = 1; n <= 6; n += 1) world.sides.outlook.userDelete(`o${n}`);
    world.sides.outlook.expireCursors();
    expect((await world.pull('outlook')).result).toMatchObject({
      outcome: 'breaker',
      resynced: true,
      deletions: 6,
    });
    expect(world.sides.dingtalk.liveItems()).toHaveLength(8);
  });

  test('under delete policy ignore nothing is deleted, so nothing trips', async () => {
    const world = await linkedItems(10, 0.1);
    world.policy = { ...world.policy, deletes: 'ignore' };
    for (let n = 1; n <= 9; n += 1) world.sides.dingtalk.userDelete(`d${n}`);
    expect((await world.pull('dingtalk')).result?.outcome).toBe('synced');
    expect(world.sides.outlook.liveItems()).toHaveLength(10);
  });

  test('the threshold: more than the floor and more than the share', () => {
    expect(bulkDeleteTrips(5, 5, 0.5)).toBe(false);
    expect(bulkDeleteTrips(6, 100, 0.5)).toBe(false);
    expect(bulkDeleteTrips(6, 11, 0.5)).toBe(true);
    expect(bulkDeleteTrips(6, 12, 0.5)).toBe(false);
    expect(bulkDeleteTrips(100, 100, 1)).toBe(false);
  });
});
