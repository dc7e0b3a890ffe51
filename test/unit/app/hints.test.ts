import { recordHint } from '../../../shared/app/hints';
import { recentWritesOf } from '../../../shared/app/pipeline/recent-writes';
import type { WorkQueue } from '../../../shared/store/repositories';
import type { WorkItem } from '../../../shared/store/types';

/** A queue that keeps what it is sent. */
function memoryQueue(): WorkQueue & { sent: WorkItem[] } {
  const sent: WorkItem[] = [];
  return { sent, enqueue: async (work: WorkItem) => void sent.push(work) } as WorkQueue & {
    sent: WorkItem[];
  };
}

const notification = (itemId: string | undefined, extra: Partial<WorkItem> = {}): WorkItem => ({
  pairId: 'p1',
  kind: 'calendar',
  side: 'outlook',
  folder: 'calendar',
  reason: 'notification',
  ...(itemId ? { itemId } : {}),
  ...extra,
});

test("the echo of this process's own write is answered without a queue message; anything else is queued", async () => {
  const workQueue = memoryQueue();
  const pairState = {};
  const deps = { workQueue, pairState };
  // Before the worker has written anything here, every push is queued.
  expect(await recordHint(deps, notification('o1', { version: 'W/"CK1"' }), 1)).toBe('queued');

  const recent = recentWritesOf(pairState, () => 1_000);
  recent.wrote('p1', 'calendar', 'outlook', 'o1', 'CK1');
  recent.wrote('p1', 'calendar', 'outlook', 'o2', undefined);
  expect(await recordHint(deps, notification('o1', { version: 'W/"CK1"' }), 2)).toBe('echo');
  expect(await recordHint(deps, notification('o2', { deleted: true }), 3)).toBe('echo');
  // A person's edit after ours, another item, a push naming no item, another process's store: queued.
  expect(await recordHint(deps, notification('o1', { version: 'W/"CK2"' }), 4)).toBe('queued');
  expect(await recordHint(deps, notification('o3', { version: 'W/"CK1"' }), 5)).toBe('queued');
  expect(await recordHint(deps, notification(undefined), 6)).toBe('queued');
  expect(await recordHint({ workQueue, pairState: {} }, notification('o1', { version: 'W/"CK1"' }), 7)).toBe(
    'queued',
  );
  expect(workQueue.sent.map((w) => [w.itemId, w.version ?? (w.deleted ? 'deleted' : '')])).toEqual([
    ['o1', 'W/"CK1"'],
    ['o1', 'W/"CK2"'],
    ['o3', 'W/"CK1"'],
    [undefined, ''],
    ['o1', 'W/"CK1"'],
  ]);
});

test('the worker and the webhooks of one process share one memory per state store', () => {
  const store = {};
  expect(recentWritesOf(store, () => 0)).toBe(recentWritesOf(store, () => 0));
  expect(recentWritesOf({}, () => 0)).not.toBe(recentWritesOf(store, () => 0));
});
