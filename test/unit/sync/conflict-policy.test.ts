import { chooseWinner } from '../../../shared/sync/conflict-policy';
import type { ConflictPolicy } from '../../../shared/sync/types';
import { World } from '../../property/support/world';

/** A linked pair, then an edit on each side in the given order: the later edit has the later modifiedAt. */
async function editedOnBothSides(conflict: ConflictPolicy, first: 'dingtalk' | 'outlook') {
  const world = new World({ conflict });
  world.sides.dingtalk.userCreate({ uid: 'u1', title: 'base', body: '' });
  await world.quiesce();
  const second = first === 'dingtalk' ? 'outlook' : 'dingtalk';
  for (const side of [first, second] as const) {
    const item = world.sides[side].liveItems()[0]!;
    world.sides[side].userUpdate(item.id, { uid: 'u1', title: `edited on ${side}`, body: '' });
  }
  await world.quiesce();
  expect(world.divergences()).toEqual([]);
  return { world, title: world.sides.dingtalk.liveItems()[0]!.projection.title };
}

describe('conflict policies', () => {
  test.each([
    ['newest-wins', 'dingtalk', 'edited on outlook'],
    ['newest-wins', 'outlook', 'edited on dingtalk'],
    ['prefer-dingtalk', 'dingtalk', 'edited on dingtalk'],
    ['prefer-dingtalk', 'outlook', 'edited on dingtalk'],
    ['prefer-outlook', 'dingtalk', 'edited on outlook'],
    ['prefer-outlook', 'outlook', 'edited on outlook'],
  ] as const)('%s, %s edited first → both sides hold "%s"', async (policy, first, expected) => {
    const { title } = await editedOnBothSides(policy, first);
    expect(title).toBe(expected);
  });

  test('a conflict is audited once, with the winner and both versions in full', async () => {
    const { world } = await editedOnBothSides('newest-wins', 'dingtalk');
    const conflicts = world.audit.rows.filter((row) => row.action === 'conflict');
    expect(conflicts).toHaveLength(1);
    const [row] = conflicts;
    expect(row).toMatchObject({
      pairId: 'pair-1',
      kind: 'calendar',
      side: 'outlook',
      dingtalkId: 'd1',
      outlookId: 'o1',
    });
    const detail = JSON.parse(row!.detail!);
    expect(detail).toMatchObject({
      rule: 'L5',
      resolvedBy: 'newest-wins',
      winner: 'outlook',
      dingtalk: { id: 'd1', projection: { title: 'edited on dingtalk' } },
      outlook: { id: 'o1', projection: { title: 'edited on outlook' } },
    });
    expect(detail.dingtalk.version).toBeDefined();
    expect(detail.outlook.modifiedAt).toBeDefined();
  });

  test('a version bump on the other side is not a conflict, even when it is newer', async () => {
    const world = new World({ conflict: 'newest-wins' });
    world.sides.dingtalk.userCreate({ uid: 'u1', title: 'base', body: '' });
    await world.quiesce();
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'real edit', body: '' });
    world.sides.outlook.userTouch('o1');
    await world.pull('dingtalk');
    expect(world.sides.outlook.liveItems()[0]!.projection.title).toBe('real edit');
    expect(world.audit.rows.filter((row) => row.action === 'conflict')).toEqual([]);
  });

  test('newest wins compares instants; a tie or an unreadable time goes to Outlook', () => {
    const at = (dingtalk?: string, outlook?: string) => chooseWinner('newest-wins', { dingtalk, outlook });
    expect(at('2026-01-01T10:00:01+08:00', '2026-01-01T02:00:00Z')).toBe('dingtalk');
    expect(at('2026-01-01T09:59:59+08:00', '2026-01-01T02:00:00Z')).toBe('outlook');
    expect(at('2026-01-01T10:00:00+08:00', '2026-01-01T02:00:00Z')).toBe('outlook');
    expect(at(undefined, '2026-01-01T02:00:00Z')).toBe('outlook');
    expect(at('2026-01-01T02:00:00Z', 'garbage')).toBe('dingtalk');
  });
});
