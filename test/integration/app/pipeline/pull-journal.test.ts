import { PairLease } from '../../../../shared/app/pipeline/pair-lease';
import { PullJournal } from '../../../../shared/app/pipeline/pull-journal';
import { emptyState, LeaseLostError, type PairState } from '../../../../shared/store/pair-state-store';
import type { Intent } from '../../../../shared/sync/types';
import { freshStores } from '../../store/store-fixture';

const store = freshStores().stores.pairState;
const now = () => Date.now();
let pairs = 0;

/** A stored state row, loaded as a worker loads it. */
async function loaded(): Promise<PairState> {
  const pairId = `pair-${++pairs}`;
  await store.write(emptyState(pairId, 'calendar'));
  return (await store.load(pairId, 'calendar', [])).state;
}

function journalOn(state: PairState, owner: string): { journal: PullJournal; lease: PairLease } {
  const lease = new PairLease(store, state, owner, now);
  return { journal: new PullJournal(store, lease, new Map()), lease };
}

const intent = (sourceId: string): Intent => ({
  kind: 'calendar',
  targetSide: 'outlook',
  sourceId,
  originKey: `key-${sourceId}`,
  createdAt: new Date().toISOString(),
});

describe('PullJournal before a remote write', () => {
  test('an update or delete the service refuses once the item moved on writes nothing to the table and takes no lease', async () => {
    const state = await loaded();
    const { journal, lease } = journalOn(state, 'worker-a');
    await journal.beforeRemoteWrite({ op: 'update', refusedIfMoved: true });
    await journal.beforeRemoteWrite({ op: 'delete', refusedIfMoved: true });
    expect(lease.holds).toBe(false);
    expect(lease.state.etag).toBe(state.etag);
    expect((await store.load(state.pairId, 'calendar', [])).state.etag).toBe(state.etag);
  });

  test.each([
    ['a create', { op: 'create' } as const],
    [
      'an update checked by re-reading, or without a version,',
      { op: 'update', refusedIfMoved: false } as const,
    ],
    [
      'a delete checked by re-reading, or without a version,',
      { op: 'delete', refusedIfMoved: false } as const,
    ],
  ])('%s claims the lease first', async (_name, write) => {
    const state = await loaded();
    const { journal, lease } = journalOn(state, 'worker-a');
    await journal.beforeRemoteWrite(write);
    expect(lease.holds).toBe(true);
    const stored = (await store.load(state.pairId, 'calendar', [])).state;
    expect(stored.etag).not.toBe(state.etag);
    expect(stored.leaseOwner).toBe('worker-a');
  });

  test('such an update still makes planned intents durable first', async () => {
    const state = await loaded();
    const { journal } = journalOn(state, 'worker-a');
    journal.intents.plan([intent('s1')]);
    await journal.beforeRemoteWrite({ op: 'update', refusedIfMoved: true });
    expect((await store.load(state.pairId, 'calendar', [])).state.intents.map((i) => i.sourceId)).toEqual([
      's1',
    ]);
  });

  test('a worker that skipped the claim and lost the race to another stores nothing', async () => {
    const state = await loaded();
    const a = journalOn(state, 'worker-a');
    const b = journalOn(state, 'worker-b');
    await a.journal.beforeRemoteWrite({ op: 'update', refusedIfMoved: true });
    await b.journal.beforeRemoteWrite({ op: 'create' });
    await expect(
      a.lease.commit('dingtalk', { cursor: 'from-a', lastSyncedAt: 'a' }, [], false),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await b.lease.commit('dingtalk', { cursor: 'from-b', lastSyncedAt: 'b' }, [], false);
    expect((await store.load(state.pairId, 'calendar', [])).state.sides.dingtalk.cursor).toBe('from-b');
  });
});
