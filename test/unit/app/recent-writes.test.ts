import { RecentWrites, RECENT_WRITES_TTL_MS } from '../../../shared/app/pipeline/recent-writes';

describe('RecentWrites', () => {
  test('recent items of one pair and kind come newest first, at most 13, and not after they expire', () => {
    let now = 0;
    const recent = new RecentWrites(() => now);
    for (let i = 0; i < 20; i++) recent.wrote('p1', 'calendar', i % 2 ? 'outlook' : 'dingtalk', `e${i}`, 'v');
    recent.wrote('p2', 'calendar', 'outlook', 'other', 'v');
    recent.wrote('p1', 'calendar', 'dingtalk', 'e0', 'v2');
    const items = recent.recentItems('p1', 'calendar', 100);
    expect(items).toHaveLength(13);
    expect(items[0]).toEqual({ side: 'dingtalk', id: 'e0' });
    expect(items[1]).toEqual({ side: 'outlook', id: 'e19' });
    expect(items.some((i) => i.id === 'other')).toBe(false);
    expect(recent.recentItems('p1', 'calendar', 3)).toHaveLength(3);
    now = RECENT_WRITES_TTL_MS + 1;
    expect(recent.recentItems('p1', 'calendar', 100)).toEqual([]);
  });

  test('Graph: only the exact etag we wrote, or the deletion we made, is our echo', () => {
    const recent = new RecentWrites(() => 0);
    recent.wrote('p', 'calendar', 'outlook', 'o1', 'CK1');
    recent.wrote('p', 'calendar', 'outlook', 'o2', undefined);
    const hint = { pairId: 'p', kind: 'calendar' as const, side: 'outlook' as const };
    expect(recent.isOwnWrite({ ...hint, itemId: 'o1', version: 'W/"CK1"' })).toBe(true);
    expect(recent.isOwnWrite({ ...hint, itemId: 'o1', version: 'W/"CK2"' })).toBe(false);
    expect(recent.isOwnWrite({ ...hint, itemId: 'o1', deleted: true })).toBe(false);
    expect(recent.isOwnWrite({ ...hint, itemId: 'o2', deleted: true })).toBe(true);
  });

  test('DingTalk: the first callback in our write second is the echo; another millisecond there is an edit', () => {
    const recent = new RecentWrites(() => 0);
    recent.wrote('p', 'calendar', 'dingtalk', 'd1', '2026-12-07T01:00:05Z#abc');
    const hint = { pairId: 'p', kind: 'calendar' as const, side: 'dingtalk' as const, itemId: 'd1' };
    const at = Date.parse('2026-12-07T01:00:05Z');
    expect(recent.isOwnWrite({ ...hint, version: String(at + 120) })).toBe(true);
    expect(recent.isOwnWrite({ ...hint, version: String(at + 120) })).toBe(true);
    expect(recent.isOwnWrite({ ...hint, version: String(at + 870) })).toBe(false);
    expect(recent.isOwnWrite({ ...hint, version: String(at + 1200) })).toBe(false);
  });
});
