import { latestPerId, listSinceCursor, oldestFirst } from '../../../shared/sync/listing';
import type { ChangePage, RemoteChange, SideAdapter } from '../../../shared/sync/types';
import { CursorExpiredError } from '../../../shared/sync/types';
import { USER, World } from '../../property/support/world';

const item = (id: string, version: string): RemoteChange<string> => ({
  id,
  version,
  modifiedAt: '',
  projection: version,
  matchKeys: [],
});

function pagedAdapter(pages: Record<string, ChangePage<string>>): SideAdapter<string> {
  return {
    side: 'outlook',
    kind: 'calendar',
    listChanges: async (_user, _folder, cursor) => {
      const page = pages[cursor ?? 'start'];
      if (!page) throw new CursorExpiredError();
      return page;
    },
    get: async () => undefined,
    create: async () => {
      throw new Error('not used');
    },
    findByOriginKey: async () => undefined,
    update: async () => {
      throw new Error('not used');
    },
    delete: async () => undefined,
  };
}

describe('listing', () => {
  test('an id listed twice (Graph repeats ids across delta pages) counts once, in its last state and place', () => {
    const changes = [item('a', 'v1'), item('b', 'v1'), item('a', 'v2'), { id: 'c', deleted: true as const }];
    expect(latestPerId(changes)).toEqual([item('b', 'v1'), item('a', 'v2'), { id: 'c', deleted: true }]);
  });

  test('every page is read, and the last page names the cursor to store', async () => {
    const adapter = pagedAdapter({
      c1: { changes: [item('a', 'v1')], nextCursor: 'c2', fullListing: false, more: true },
      c2: { changes: [item('b', 'v1')], nextCursor: 'c3', fullListing: false, more: false },
    });
    const listing = await listSinceCursor({ adapter, folder: 'f' }, USER, 'c1');
    expect(listing).toEqual({
      changes: [item('a', 'v1'), item('b', 'v1')],
      cursor: 'c3',
      fullListing: false,
      resynced: false,
    });
  });

  test('a cursor that expires on any page restarts as a full listing', async () => {
    const adapter = pagedAdapter({
      c1: { changes: [item('a', 'v1')], nextCursor: 'gone', fullListing: false, more: true },
      start: {
        changes: [item('a', 'v1'), item('b', 'v1')],
        nextCursor: 'fresh',
        fullListing: true,
        more: false,
      },
    });
    const listing = await listSinceCursor({ adapter, folder: 'f' }, USER, 'c1');
    expect(listing).toMatchObject({ cursor: 'fresh', fullListing: true, resynced: true });
    expect(listing.changes).toHaveLength(2);
  });

  test('a pull reconciles an id listed twice only once, in its last listed state', async () => {
    const world = new World();
    world.sides.dingtalk.userCreate({ uid: 'u1', title: 'v1', body: '' });
    await world.quiesce();
    const stale = world.sides.dingtalk.liveItems()[0]!;
    world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'v2', body: '' });
    const real = world.sides.dingtalk;
    const listing = real.listChanges.bind(real);
    real.listChanges = async (user, folder, cursor) => {
      const page = await listing(user, folder, cursor);
      return {
        ...page,
        changes: [
          { ...stale, projection: { ...stale.projection, title: 'v1.5' }, version: 'stale' },
          ...page.changes,
        ],
      };
    };
    const outcome = await world.pull('dingtalk');
    expect(outcome.result?.stats).toMatchObject({ changes: 1, actions: { 'update-other': 1 } });
    expect(world.sides.outlook.liveItems()[0]!.projection.title).toBe('v2');
    expect(world.sides.outlook.calls.update).toBe(1);
  });
});

test('a full listing is reconciled oldest first, deletions last, equal times in listed order', () => {
  const at = (id: string, modifiedAt: string): RemoteChange<string> => ({
    id,
    version: id,
    modifiedAt,
    projection: id,
    matchKeys: [],
  });
  const listed: RemoteChange<string>[] = [
    at('newest', '2026-12-07T10:00:00Z'),
    { id: 'gone', deleted: true },
    at('oldest', '2026-11-01T08:00:00+08:00'),
    at('tie-a', '2026-12-01T00:00:00Z'),
    at('tie-b', '2026-12-01T08:00:00+08:00'),
  ];
  expect(oldestFirst(listed).map((c) => c.id)).toEqual(['oldest', 'tie-a', 'tie-b', 'newest', 'gone']);
});
