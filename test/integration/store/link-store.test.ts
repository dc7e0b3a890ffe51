import { AlreadyExistsError } from '../../../shared/store/errors';
import { ConcurrencyError, type Link } from '../../../shared/sync/types';
import { freshStores, rawTable, userRef } from './store-fixture';

const { stores, prefix } = freshStores();
const links = stores.links;
const alice = userRef('alice');
const bob = userRef('bob');

const link = (linkId: string, overrides: Partial<Link> = {}): Link => ({
  linkId,
  kind: 'calendar',
  dingtalkId: `dt-${linkId}`,
  outlookId: `AAMkAD/${linkId}==`,
  dingtalkVersion: '1700000000000',
  outlookVersion: 'CQAAABYAAAA',
  projectionHash: 'h1',
  ...overrides,
});

describe('TableLinkStore', () => {
  test('save inserts; findBySideId finds it from either side with the etag save returned', async () => {
    const saved = await links.save(alice, link('l1'));
    expect(saved.etag).toBeTruthy();
    const fromDingtalk = await links.findBySideId(alice, 'calendar', 'dingtalk', 'dt-l1');
    const fromOutlook = await links.findBySideId(alice, 'calendar', 'outlook', 'AAMkAD/l1==');
    expect(fromDingtalk).toEqual(saved);
    expect(fromOutlook).toEqual(saved);
  });

  test('links are per user and per kind', async () => {
    await links.save(alice, link('l2'));
    expect(await links.findBySideId(bob, 'calendar', 'dingtalk', 'dt-l2')).toBeUndefined();
    expect(await links.findBySideId(alice, 'todo', 'dingtalk', 'dt-l2')).toBeUndefined();
    await links.save(alice, link('t1', { kind: 'todo' }));
    expect((await links.listLinks(alice, 'todo')).map((l) => l.linkId)).toEqual(['t1']);
    expect((await links.listLinks(alice, 'calendar')).map((l) => l.linkId)).toEqual(
      expect.arrayContaining(['l1', 'l2']),
    );
    expect((await links.listLinks(alice, 'calendar')).map((l) => l.linkId)).not.toContain('t1');
  });

  test('a link with one side only, and a tombstone, round-trip', async () => {
    const half = await links.save(bob, link('h1', { outlookId: undefined, outlookVersion: undefined }));
    expect(await links.findBySideId(bob, 'calendar', 'dingtalk', 'dt-h1')).toEqual(half);
    const tomb = await links.save(bob, { ...half, tombstone: true });
    expect((await links.findBySideId(bob, 'calendar', 'dingtalk', 'dt-h1'))?.tombstone).toBe(true);
    expect(tomb.outlookId).toBeUndefined();
  });

  test('inserting an existing link is AlreadyExistsError; a stale etag is ConcurrencyError', async () => {
    const saved = await links.save(alice, link('l3'));
    await expect(links.save(alice, link('l3'))).rejects.toBeInstanceOf(AlreadyExistsError);
    await links.save(alice, { ...saved, projectionHash: 'h2' });
    await expect(links.save(alice, { ...saved, projectionHash: 'h3' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect((await links.findBySideId(alice, 'calendar', 'dingtalk', 'dt-l3'))?.projectionHash).toBe('h2');
  });

  test('20 concurrent updates with the same etag: exactly 1 succeeds, 19 get ConcurrencyError', async () => {
    const saved = await links.save(alice, link('l4'));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => links.save(alice, { ...saved, projectionHash: `writer-${i}` })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(19);
    expect(failed.every((r) => r.reason instanceof ConcurrencyError)).toBe(true);
    const winner = (ok[0] as PromiseFulfilledResult<Link>).value;
    expect((await links.findBySideId(alice, 'calendar', 'outlook', saved.outlookId!))?.projectionHash).toBe(
      winner.projectionHash,
    );
  });

  test('a stale index row (side id changed) does not find the link; the new id does', async () => {
    const saved = await links.save(alice, link('l5'));
    await links.save(alice, { ...saved, outlookId: 'AAMkAD/l5-recreated==' });
    expect(await links.findBySideId(alice, 'calendar', 'outlook', 'AAMkAD/l5==')).toBeUndefined();
    expect((await links.findBySideId(alice, 'calendar', 'outlook', 'AAMkAD/l5-recreated=='))?.linkId).toBe(
      'l5',
    );
  });

  test('an index row left pointing at a link that no longer carries the id is ignored', async () => {
    await links.save(alice, link('l6'));
    // Simulate a crash that left an index row behind for a link that was since rewritten elsewhere.
    const table = rawTable(`${prefix}links`);
    await table.upsertEntity({ partitionKey: 'alice|calendar', rowKey: 'outlook|ghost-id', linkId: 'l6' });
    expect(await links.findBySideId(alice, 'calendar', 'outlook', 'ghost-id')).toBeUndefined();
  });

  test('a failed save writes no index rows (link and index rows share one transaction)', async () => {
    const saved = await links.save(alice, link('l7'));
    await links.save(alice, { ...saved, projectionHash: 'newer' });
    await expect(links.save(alice, { ...saved, dingtalkId: 'dt-l7-moved' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    const index = await rawTable(`${prefix}links`)
      .getEntity('alice|calendar', 'dingtalk|dt-l7-moved')
      .catch((e: { statusCode?: number }) => e.statusCode);
    expect(index).toBe(404);
  });

  test('remove deletes the link and its index rows, but not an index row another link took over', async () => {
    const first = await links.save(alice, link('l8'));
    await links.save(alice, link('l9', { dingtalkId: 'dt-l8' }));
    await expect(
      links.remove(alice, { ...first, etag: 'W/"datetime\'2000-01-01T00%3A00%3A00Z\'"' }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    await links.remove(alice, first);
    expect(await links.findBySideId(alice, 'calendar', 'outlook', 'AAMkAD/l8==')).toBeUndefined();
    expect((await links.findBySideId(alice, 'calendar', 'dingtalk', 'dt-l8'))?.linkId).toBe('l9');
    const table = rawTable(`${prefix}links`);
    const leftovers: string[] = [];
    for await (const row of table.listEntities<{ linkId: string }>())
      if (row.linkId === 'l8') leftovers.push(row.rowKey!);
    expect(leftovers).toEqual([]);
  });
});
