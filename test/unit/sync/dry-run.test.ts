import fs from 'node:fs';
import path from 'node:path';
import { NOT_CREATED, withoutRelistings } from '../../../shared/sync/dry-run';
import type { ChangePage, RemoteChange, SideAdapter, UserRef } from '../../../shared/sync/types';
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

describe('withoutRelistings: a dry run that goes on from its report does not report a folder listed anew', () => {
  type Page = ChangePage<{ title: string }>;
  const item = (id: string): RemoteChange<{ title: string }> => ({
    id,
    version: '1',
    modifiedAt: '2026-12-08T00:00:00.000Z',
    projection: { title: id },
    matchKeys: [],
  });
  /** An adapter whose listing answers each cursor with the page given for it. */
  const endpoint = (pages: Record<string, Page>) => {
    const adapter = {
      side: 'outlook',
      kind: 'calendar',
      listChanges: async (_user: UserRef, _folder: string, cursor: string | undefined) =>
        pages[cursor ?? 'scratch']!,
    } as unknown as SideAdapter<{ title: string }>;
    return { adapter, folder: 'calendar' };
  };
  const user = { pairId: 'p' } as UserRef;
  const full = (ids: string[], nextCursor: string, more = false): Page => ({
    changes: ids.map(item),
    nextCursor,
    fullListing: true,
    more,
  });

  test('a full listing asked for from a cursor (the window moved on) comes as an empty page; the cursor moves on', async () => {
    const wrapped = withoutRelistings(
      endpoint({
        'window-1': full(['a', 'b'], 'window-2-page', true),
        'window-2-page': full(['c'], 'window-2'),
      }),
    );
    const first = await wrapped.endpoint.adapter.listChanges(user, 'calendar', 'window-1');
    const second = await wrapped.endpoint.adapter.listChanges(user, 'calendar', first.nextCursor);
    expect([first, second]).toEqual([
      { changes: [], nextCursor: 'window-2-page', fullListing: false, more: true },
      { changes: [], nextCursor: 'window-2', fullListing: false, more: false },
    ]);
    expect(wrapped.relisted()).toBe(true);
  });

  test('changes since the cursor pass as they are', async () => {
    const changes: Page = { changes: [item('a')], nextCursor: 'c2', fullListing: false, more: false };
    const wrapped = withoutRelistings(endpoint({ c1: changes }));
    expect(await wrapped.endpoint.adapter.listChanges(user, 'calendar', 'c1')).toBe(changes);
    expect(wrapped.relisted()).toBe(false);
  });

  test('a listing the engine starts from scratch (the cursor expired) is reported, every page of it', async () => {
    const wrapped = withoutRelistings(
      endpoint({ scratch: full(['a'], 'page-2', true), 'page-2': full(['b'], 'done') }),
    );
    const first = await wrapped.endpoint.adapter.listChanges(user, 'calendar', undefined);
    const second = await wrapped.endpoint.adapter.listChanges(user, 'calendar', first.nextCursor);
    expect([...first.changes, ...second.changes].map((c) => c.id)).toEqual(['a', 'b']);
    expect(second.fullListing).toBe(true);
    expect(wrapped.relisted()).toBe(false);
  });
});
