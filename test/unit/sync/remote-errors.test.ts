import { PullFailedError } from '../../../shared/sync/pull-errors';
import {
  ConcurrencyError,
  NotFoundRemoteError,
  PermanentRemoteError,
  TransientRemoteError,
} from '../../../shared/sync/types';
import { World } from '../../property/support/world';

async function threeSyncedItems() {
  const world = new World();
  for (let n = 1; n <= 3; n += 1)
    world.sides.dingtalk.userCreate({ uid: `u${n}`, title: 'before', body: '' });
  await world.quiesce();
  for (let n = 1; n <= 3; n += 1)
    world.sides.dingtalk.userUpdate(`d${n}`, { uid: `u${n}`, title: 'after', body: '' });
  return world;
}

describe('remote errors', () => {
  test('a 429 mid-pull fails the pull with its Retry-After; finished items keep their links; the retry redoes nothing twice', async () => {
    const world = await threeSyncedItems();
    const cursor = world.cursors.dingtalk;
    const outcome = await world.pull('dingtalk', {
      fault: { atStep: 'outlook.update', occurrence: 2, kind: 'throttle' },
    });

    expect(outcome.error).toBeInstanceOf(PullFailedError);
    expect(outcome.error).toMatchObject({ retryable: true, retryAfterMs: 1000, stats: { changes: 1 } });
    expect(outcome.error!.cause).toBeInstanceOf(TransientRemoteError);
    expect(world.cursors.dingtalk).toBe(cursor);
    const titles = () => world.sides.outlook.liveItems().map((item) => item.projection.title);
    expect(titles()).toEqual(['after', 'before', 'before']);

    const updatesBefore = world.sides.outlook.calls.update;
    await world.pull('dingtalk');
    expect(titles()).toEqual(['after', 'after', 'after']);
    expect(world.sides.outlook.calls.update - updatesBefore).toBe(2);
    expect(world.divergences()).toEqual([]);
  });

  test('a timeout after the update reached the other side is recognised on retry and not written again', async () => {
    const world = await threeSyncedItems();
    await world.pull('dingtalk', { fault: { atStep: 'outlook.update', kind: 'timeout-after' } });
    const updates = world.sides.outlook.calls.update;
    await world.pull('dingtalk');
    expect(world.sides.outlook.calls.update - updates).toBe(2);
    expect(world.divergences()).toEqual([]);
  });

  test('a permanent refusal of one item is audited and skipped; the other items sync and the cursor moves on', async () => {
    const world = await threeSyncedItems();
    const outlook = world.sides.outlook;
    const update = outlook.update.bind(outlook);
    outlook.update = async (user, id, projection) => {
      if (id === 'o2') throw new PermanentRemoteError('only the organizer may update', 'forbidden', 403);
      return update(user, id, projection);
    };
    const cursorBefore = world.cursors.dingtalk;
    const outcome = await world.pull('dingtalk');
    expect(outcome.error).toBeUndefined();
    expect(world.cursors.dingtalk).not.toBe(cursorBefore);
    const refusals = world.audit.rows.filter((e) => e.action === 'failure');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ side: 'outlook', dingtalkId: 'd2' });
    expect(refusals[0].reason).toContain('only the organizer may update');
    const titles = outlook
      .liveItems()
      .map((i) => i.projection.title)
      .sort();
    expect(titles).toEqual(['after', 'after', 'before']);
    // The refused item is not retried by the next pull: it has not changed again.
    const writes = world.audit.rows.length;
    await world.pull('dingtalk');
    expect(world.audit.rows.length).toBe(writes);
  });

  test('a refused create leaves no intent behind that would replay it forever', async () => {
    const world = new World();
    world.sides.outlook.create = async () => {
      throw new PermanentRemoteError('invalid recurrence', 'invalidRequest', 400);
    };
    world.sides.dingtalk.userCreate({ uid: 'u1', title: 'x', body: '' });
    const outcome = await world.pull('dingtalk');
    expect(outcome.error).toBeUndefined();
    expect(world.intentStore.all()).toHaveLength(0);
    expect(world.audit.rows.filter((e) => e.action === 'failure')).toHaveLength(1);
  });

  test('a lost race on a link row fails the pull as retryable', async () => {
    const world = await threeSyncedItems();
    world.links.save = async () => {
      throw new ConcurrencyError();
    };
    const outcome = await world.pull('dingtalk');
    expect(outcome.error).toMatchObject({ retryable: true });
    expect(outcome.error!.cause).toBeInstanceOf(ConcurrencyError);
  });

  test('the other copy deleted between our read and our update: the edit re-creates it', async () => {
    const world = new World();
    world.sides.dingtalk.userCreate({ uid: 'u1', title: 'v1', body: '' });
    await world.quiesce();
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'v2', body: '' });
    const outlook = world.sides.outlook;
    const update = outlook.update.bind(outlook);
    outlook.update = async (user, id, projection) => {
      outlook.userDelete(id);
      return update(user, id, projection);
    };
    const outcome = await world.pull('dingtalk');
    expect(outcome.result?.stats.actions).toEqual({ 'recreate-other': 1 });
    expect(outlook.liveItems().map((item) => [item.id, item.projection.title])).toEqual([['o2', 'v2']]);
    expect(world.links.all()).toMatchObject([{ dingtalkId: 'd1', outlookId: 'o2' }]);
  });

  test('the pulled item deleted while we write the winning edit back to it: the winner is re-created there', async () => {
    const world = new World({ conflict: 'prefer-outlook' });
    world.sides.dingtalk.userCreate({ uid: 'u1', title: 'v1', body: '' });
    await world.quiesce();
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'dingtalk edit', body: '' });
    world.sides.outlook.userUpdate('o1', { uid: 'u1', title: 'outlook edit', body: '' });
    const dingtalk = world.sides.dingtalk;
    dingtalk.update = async (_user, id) => {
      dingtalk.userDelete(id);
      throw new NotFoundRemoteError();
    };
    const outcome = await world.pull('dingtalk');
    expect(outcome.result?.stats.actions).toEqual({ 'recreate-pulled': 1 });
    expect(dingtalk.liveItems().map((item) => item.projection.title)).toEqual(['outlook edit']);
  });

  test('an expired cursor becomes a resync of the whole folder, with matching and without duplicates', async () => {
    const world = new World();
    world.sides.outlook.userCreate({ uid: 'u1', title: 't', body: '' });
    await world.quiesce();
    world.sides.outlook.userCreate({ uid: 'u2', title: 't', body: '' });
    world.sides.outlook.expireCursors();
    const outcome = await world.pull('outlook');
    expect(outcome.result).toMatchObject({
      outcome: 'synced',
      resynced: true,
      stats: { actions: { 'no-op': 1, 'create-other': 1 } },
    });
    expect(world.divergences()).toEqual([]);
  });
});
