import { linkIdFor } from '../../../shared/sync/deterministic-keys';
import { USER, World } from '../../property/support/world';

async function syncedPair(deletes: 'propagate' | 'ignore') {
  const world = new World({ deletes });
  world.sides.dingtalk.userCreate({ uid: 'u1', title: 'Weekly', body: '' });
  await world.quiesce();
  return world;
}

describe('delete policy propagate', () => {
  test('a delete on one side deletes the copy and leaves a tombstone', async () => {
    const world = await syncedPair('propagate');
    world.sides.dingtalk.userDelete('d1');
    await world.pull('dingtalk');
    expect(world.sides.outlook.liveItems()).toEqual([]);
    expect(world.links.all()).toMatchObject([{ dingtalkId: 'd1', outlookId: 'o1', tombstone: true }]);
    expect(world.audit.rows.filter((row) => row.action === 'delete')).toMatchObject([
      { side: 'outlook', dingtalkId: 'd1', outlookId: 'o1' },
    ]);
    const writes = world.remoteWrites();
    await world.quiesce();
    expect(world.remoteWrites()).toBe(writes);
  });

  test('a late change of a tombstoned item does not resurrect it', async () => {
    const world = new World();
    const stray = world.sides.dingtalk.userCreate({ uid: 'u9', title: 'late', body: '' });
    await world.links.save(USER, {
      linkId: linkIdFor('calendar', 'dingtalk', stray.id),
      kind: 'calendar',
      dingtalkId: stray.id,
      dingtalkVersion: 'old',
      outlookId: 'o-gone',
      outlookVersion: 'old',
      projectionHash: 'old',
      tombstone: true,
    });
    await world.pull('dingtalk');
    expect(world.sides.outlook.liveItems()).toEqual([]);
    expect(world.audit.rows).toMatchObject([{ action: 'skip', reason: expect.stringContaining('T2') }]);
  });

  test.each(['dingtalk', 'outlook'] as const)(
    'an edit beats a concurrent delete, whichever side is pulled first (%s)',
    async (pulledFirst) => {
      const world = await syncedPair('propagate');
      world.sides.dingtalk.userDelete('d1');
      world.sides.outlook.userUpdate('o1', { uid: 'u1', title: 'Weekly, moved', body: '' });
      await world.pull(pulledFirst);
      await world.quiesce();
      expect(world.divergences()).toEqual([]);
      expect(world.sides.dingtalk.liveItems().map((item) => item.projection.title)).toEqual([
        'Weekly, moved',
      ]);
      const conflict = world.audit.rows.find((row) => row.action === 'conflict');
      expect(JSON.parse(conflict!.detail!)).toMatchObject({
        resolvedBy: 'edit-beats-delete',
        winner: 'outlook',
      });
    },
  );
});

describe('delete policy ignore', () => {
  test('a delete is not propagated: the copy stays, unlinked from the deleted item', async () => {
    const world = await syncedPair('ignore');
    world.sides.outlook.userDelete('o1');
    await world.pull('outlook');
    expect(world.sides.dingtalk.liveItems().map((item) => item.id)).toEqual(['d1']);
    expect(world.links.all()).toMatchObject([{ dingtalkId: 'd1', outlookId: undefined }]);
    expect(world.audit.rows.at(-1)).toMatchObject({ action: 'skip', side: 'dingtalk', outlookId: 'o1' });
    expect(world.sides.dingtalk.writeCount() + world.sides.outlook.calls.delete).toBe(0);
  });

  test('the kept copy is not re-created on the side that deleted it, even when edited or resynced', async () => {
    const world = await syncedPair('ignore');
    world.sides.outlook.userDelete('o1');
    await world.quiesce();
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'still mine', body: '' });
    world.sides.dingtalk.expireCursors();
    world.sides.outlook.expireCursors();
    await world.quiesce();
    expect(world.sides.outlook.liveItems()).toEqual([]);
    expect(world.audit.rows.some((row) => row.action === 'skip' && row.reason.startsWith('D3'))).toBe(true);
  });

  test('when the kept copy is deleted too, the link becomes a tombstone', async () => {
    const world = await syncedPair('ignore');
    world.sides.outlook.userDelete('o1');
    await world.quiesce();
    world.sides.dingtalk.userDelete('d1');
    await world.quiesce();
    expect(world.links.all()).toMatchObject([{ tombstone: true }]);
  });
});

describe('deletes are never inferred', () => {
  test('a resync that does not list a linked item reads it before doing anything, and keeps it when it exists', async () => {
    const world = await syncedPair('propagate');
    const real = world.sides.dingtalk;
    const listing = real.listChanges.bind(real);
    // An outage-shaped full listing: empty, yet the item is there (OGCS #2022).
    real.listChanges = async (user, folder, cursor) => ({
      ...(await listing(user, folder, cursor)),
      changes: [],
    });
    world.cursors.dingtalk = undefined;
    const outcome = await world.pull('dingtalk');
    expect(outcome.result).toMatchObject({ outcome: 'synced', stats: { actions: { 'no-op': 1 } } });
    expect(world.callsOn('dingtalk')).toEqual(['dingtalk.get']);
    expect(world.sides.outlook.liveItems()).toHaveLength(1);
  });

  test('a linked item missing from a resync and confirmed gone by a read is deleted like an explicit delete', async () => {
    const world = await syncedPair('propagate');
    world.sides.dingtalk.userDelete('d1');
    world.sides.dingtalk.expireCursors();
    const outcome = await world.pull('dingtalk');
    expect(outcome.result).toMatchObject({ outcome: 'synced', resynced: true });
    expect(world.sides.outlook.liveItems()).toEqual([]);
  });
});
