import { PairLease } from '../../../shared/app/pipeline/pair-lease';
import { emptyState, LeaseLostError, linkRowKey } from '../../../shared/store/pair-state-store';
import type { Link } from '../../../shared/sync/types';
import { freshStores, rawTable } from './store-fixture';

const { stores, prefix } = freshStores();
const store = stores.pairState;

const link = (linkId: string, overrides: Partial<Link> = {}): Link => ({
  linkId,
  kind: 'calendar',
  dingtalkId: `dt-${linkId}`,
  outlookId: `AAMkAD/${linkId}==`,
  dingtalkVersion: '2026-12-07T00:00:00Z#abc',
  outlookVersion: 'CQAAABYAAAA',
  projectionHash: 'h1',
  ...overrides,
});

describe('PairStateStore', () => {
  test('the state row and its links commit together; either side id finds the link with one read', async () => {
    const state = emptyState('alice', 'calendar');
    state.sides.dingtalk = {
      cursor: 'dt1:sync:abc',
      listedAt: 1_765_000_000_123,
      lastSyncedAt: '2026-12-07T00:00:00Z',
    };
    state.intents = [
      { kind: 'calendar', targetSide: 'outlook', sourceId: 's1', originKey: 'k1', createdAt: 'now' },
    ];
    const written = await store.write(state, [{ link: link('l1') }]);
    expect(written.etag).toBeTruthy();

    const { state: loaded, links } = await store.load('alice', 'calendar', [
      { side: 'outlook', id: 'AAMkAD/l1==' },
      { side: 'dingtalk', id: 'unknown' },
    ]);
    expect(loaded).toEqual({ ...state, etag: written.etag });
    expect(links.get(linkRowKey('outlook', 'AAMkAD/l1=='))).toEqual(link('l1'));
    expect(links.has(linkRowKey('dingtalk', 'unknown'))).toBe(true);
    expect(links.get(linkRowKey('dingtalk', 'unknown'))).toBeUndefined();
    expect(await store.findLink('alice', 'calendar', 'dingtalk', 'dt-l1')).toEqual(link('l1'));
  });

  test("a link's origin, copy time and undo mark survive the round trip; a link without them reads none", async () => {
    const undone = link('u1', {
      origin: 'dingtalk',
      copiedAt: '2026-12-07T01:02:03.000Z',
      undone: { side: 'outlook', id: 'AAMkAD/u1==', at: '2026-12-08T00:00:00.000Z', pending: true },
    });
    const done = link('u2', {
      origin: 'both',
      undone: { side: 'dingtalk', id: 'dt-u2', at: '2026-12-08T00:00:00.000Z' },
    });
    await store.write(emptyState('erin', 'calendar'), [
      { link: undone },
      { link: done },
      { link: link('u3') },
    ]);
    expect(await store.findLink('erin', 'calendar', 'outlook', 'AAMkAD/u1==')).toEqual(undone);
    expect(await store.findLink('erin', 'calendar', 'dingtalk', 'dt-u2')).toEqual(done);
    const plain = await store.findLink('erin', 'calendar', 'dingtalk', 'dt-u3');
    expect(plain).toEqual(link('u3'));
    expect([plain?.origin, plain?.copiedAt, plain?.undone]).toEqual([undefined, undefined, undefined]);
  });

  test('a write on a stale etag is refused as a lost lease and changes nothing', async () => {
    const first = await store.write(emptyState('bob', 'calendar'));
    const second = await store.write({ ...first, leaseOwner: 'other', leaseUntil: Date.now() + 60_000 });
    await expect(store.write(first, [{ link: link('lost') }])).rejects.toBeInstanceOf(LeaseLostError);
    expect(await store.findLink('bob', 'calendar', 'dingtalk', 'dt-lost')).toBeUndefined();
    expect((await store.load('bob', 'calendar')).state.etag).toBe(second.etag);
  });

  test('a link that moved to another id stops answering for the old one', async () => {
    const state = await store.write(emptyState('carol', 'calendar'), [{ link: link('l1') }]);
    const moved = link('l1', { outlookId: 'AAMkAD/new==' });
    await store.write(state, [{ link: moved, staleKeys: [linkRowKey('outlook', 'AAMkAD/l1==')] }]);
    expect(await store.findLink('carol', 'calendar', 'outlook', 'AAMkAD/l1==')).toBeUndefined();
    expect(await store.findLink('carol', 'calendar', 'outlook', 'AAMkAD/new==')).toEqual(moved);
    expect(await store.listLinks('carol', 'calendar')).toEqual([moved]);
  });

  test('250 links take several transactions, each carrying the state row; a batch lookup reads 14 keys per query', async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ link: link(`m${i}`) }));
    await store.write(emptyState('dave', 'calendar'), many);
    const rows: unknown[] = [];
    for await (const row of rawTable(`${prefix}pairstate`).listEntities({
      queryOptions: { filter: "PartitionKey eq 'dave|calendar'" },
    })) {
      rows.push(row);
    }
    expect(rows).toHaveLength(1 + 2 * 250);
    expect(await store.listLinks('dave', 'calendar')).toHaveLength(250);
    const ids = Array.from({ length: 30 }, (_, i) => `dt-m${i}`);
    const found = await store.findLinks('dave', 'calendar', 'dingtalk', [...ids, 'dt-missing']);
    expect([...found.values()].filter(Boolean)).toHaveLength(30);
    expect(found.get(linkRowKey('dingtalk', 'dt-missing'))).toBeUndefined();
  });

  test('a lease: one claim wins, the other worker is told before it writes anything', async () => {
    const { state } = await store.load('erin', 'calendar');
    const now = () => Date.now();
    const a = new PairLease(store, state, 'worker-a', now);
    const b = new PairLease(store, state, 'worker-b', now);
    const results = await Promise.allSettled([a.claim(), b.claim()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof LeaseLostError)).toHaveLength(
      1,
    );
    const winner = results[0].status === 'fulfilled' ? a : b;
    await winner.commit('outlook', { cursor: 'delta-1', listedAt: 5 }, [], false);
    const after = (await store.load('erin', 'calendar')).state;
    expect(after.leaseOwner).toBeUndefined();
    expect(after.sides.outlook).toMatchObject({ cursor: 'delta-1', listedAt: 5 });
  });
});
