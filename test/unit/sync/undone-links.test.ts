import type { Link } from '../../../shared/sync/types';
import { USER, World } from '../../property/support/world';

/** The engine's side of undo (docs/undo.md): origin recorded on every copy, and an undone link excluded from sync. */

async function copiedBothWays() {
  const world = new World();
  world.sides.dingtalk.userCreate({ uid: 'u1', title: 'From DingTalk', body: '' });
  world.sides.outlook.userCreate({ uid: 'u2', title: 'From Outlook', body: '' });
  await world.quiesce();
  return world;
}

const linkOf = (world: World, dingtalkId: string): Link =>
  world.links.all().find((link) => link.dingtalkId === dingtalkId)!;

/** What undo's apply does to the store before removing a copy: the link keeps both ids and gets the mark. */
async function markUndone(world: World, link: Link, side: 'dingtalk' | 'outlook') {
  const id = side === 'dingtalk' ? link.dingtalkId! : link.outlookId!;
  await world.links.save(USER, {
    ...link,
    undone: { side, id, at: new Date(world.clock.now()).toISOString() },
  });
  world.sides[side].userDelete(id);
}

test('every copy records the side of its original and when it was made; a first-sync match records both', async () => {
  const world = await copiedBothWays();
  const fromDingTalk = world.links.all().find((link) => link.origin === 'dingtalk');
  const fromOutlook = world.links.all().find((link) => link.origin === 'outlook');
  expect(fromDingTalk).toMatchObject({ dingtalkId: 'd1', copiedAt: expect.any(String) });
  expect(fromOutlook).toMatchObject({ outlookId: 'o1', copiedAt: expect.any(String) });
  expect(Date.parse(fromDingTalk!.copiedAt!)).toBe(
    Date.parse(new Date(fromDingTalk!.copiedAt!).toISOString()),
  );

  const matched = new World();
  matched.sides.dingtalk.userCreate({ uid: 'same', title: 'Both', body: '' });
  matched.sides.outlook.userCreate({ uid: 'same', title: 'Both', body: '' });
  await matched.quiesce();
  expect(matched.links.all()).toMatchObject([{ origin: 'both' }]);
  expect(matched.links.all()[0].copiedAt).toBeUndefined();
});

test('the removal of an undone copy is not sent on, and the original is never copied again', async () => {
  const world = await copiedBothWays();
  const link = linkOf(world, 'd1');
  await markUndone(world, link, 'outlook');
  await world.quiesce();
  expect(
    world.sides.dingtalk
      .liveItems()
      .map((item) => item.id)
      .sort(),
  ).toEqual(['d1', 'd2']);
  expect(world.sides.outlook.liveItems().map((item) => item.projection.title)).toEqual(['From Outlook']);

  const writes = world.remoteWrites();
  world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'From DingTalk, edited', body: '' });
  await world.quiesce();
  expect(world.remoteWrites()).toBe(writes);
  expect(world.sides.outlook.liveItems().map((item) => item.projection.title)).toEqual(['From Outlook']);
  expect(world.audit.rows.at(-1)).toMatchObject({ action: 'skip', reason: expect.stringContaining('U2') });

  // The original's own deletion goes nowhere either, and the link stays undone.
  world.sides.dingtalk.userDelete('d1');
  await world.quiesce();
  expect(world.remoteWrites()).toBe(writes);
  expect(linkOf(world, 'd1')).toMatchObject({ undone: { side: 'outlook', id: link.outlookId } });
});

test('an undone copy edited before its removal is not copied back to the side of the original', async () => {
  const world = await copiedBothWays();
  const link = linkOf(world, 'd1');
  const copyId = link.outlookId!;
  await world.links.save(USER, {
    ...link,
    undone: { side: 'outlook', id: copyId, at: new Date(world.clock.now()).toISOString(), pending: true },
  });
  world.sides.outlook.userUpdate(copyId, { uid: 'u1', title: 'copy edited while undo ran', body: '' });
  const writes = world.remoteWrites();
  await world.quiesce();
  expect(world.remoteWrites()).toBe(writes);
  expect(
    world.sides.dingtalk
      .liveItems()
      .map((item) => item.projection.title)
      .sort(),
  ).toEqual(['From DingTalk', 'From Outlook']);
});

test('removing many copies by undo does not trip the bulk-delete breaker on the next pull', async () => {
  const world = new World({ bulkDeleteMaxShare: 0.2 });
  for (let i = 0; i < 12; i += 1) world.sides.dingtalk.userCreate({ uid: `u${i}`, title: `n${i}`, body: '' });
  await world.quiesce();
  for (const link of world.links.all()) await markUndone(world, link, 'outlook');
  const outcome = await world.pull('outlook', { policy: { bulkDeleteMaxShare: 0.2 } });
  expect(outcome.error).toBeUndefined();
  expect(world.audit.rows.filter((row) => row.action === 'breaker')).toEqual([]);
  expect(world.sides.dingtalk.liveItems()).toHaveLength(12);
});
