import { guardWrites, type RemoteWrite } from '../../../../shared/app/pipeline/write-guard';
import type { SideAdapter, UserRef } from '../../../../shared/sync/types';

const user = { pairId: 'p' } as UserRef;

function adapterWith(atomic?: ReadonlyArray<'update' | 'delete'>): SideAdapter<string> {
  const item = (id: string, version: string, projection: string) => ({
    id,
    version,
    projection,
    modifiedAt: '',
    matchKeys: [],
  });
  return {
    side: 'outlook',
    kind: 'calendar',
    ...(atomic && { atomicConditionalWrites: atomic }),
    listChanges: async () => ({ changes: [], more: false, nextCursor: 'c', fullListing: false }),
    get: async () => undefined,
    findByOriginKey: async () => undefined,
    create: async (_u, projection) => item('new', 'v1', projection),
    update: async (_u, id, projection) => item(id, 'v2', projection),
    delete: async () => undefined,
  };
}

async function writesSeen(adapter: SideAdapter<string>): Promise<RemoteWrite[]> {
  const seen: RemoteWrite[] = [];
  const guarded = guardWrites(adapter, {
    beforeWrite: async (w) => void seen.push(w),
    wrote: () => undefined,
  });
  await guarded.create(user, 'x', 'key');
  await guarded.update(user, 'a', 'x', 'v1');
  await guarded.update(user, 'a', 'x');
  await guarded.delete(user, 'a', 'v1');
  await guarded.delete(user, 'a');
  return seen;
}

describe('guardWrites tells the journal which writes the service refuses once the item moved on', () => {
  test('an adapter whose service checks the version itself: its versioned updates and deletes', async () => {
    expect(await writesSeen(adapterWith(['update', 'delete']))).toEqual([
      { op: 'create' },
      { op: 'update', refusedIfMoved: true },
      { op: 'update', refusedIfMoved: false },
      { op: 'delete', refusedIfMoved: true },
      { op: 'delete', refusedIfMoved: false },
    ]);
  });

  test('only the operations the adapter names (Graph mail: a delete is a move, without If-Match)', async () => {
    const seen = await writesSeen(adapterWith(['update']));
    expect(seen[1]).toEqual({ op: 'update', refusedIfMoved: true });
    expect(seen[3]).toEqual({ op: 'delete', refusedIfMoved: false });
  });

  test('an adapter that re-reads and compares (DingTalk, IMAP): none', async () => {
    const seen = await writesSeen(adapterWith());
    expect(seen.filter((w) => w.op !== 'create' && w.refusedIfMoved)).toEqual([]);
  });
});
